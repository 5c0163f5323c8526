//! Sequence diffs (the `similar` crate, Myers) in a normalized shape.
//!
//! Myers' edit script may list an insertion next to an equal run in an order that does not
//! follow positions on both sides (seen with repeated elements, such as two `---` dividers). The
//! engine maps positions across sides, so it derives everything from the **matched runs** alone,
//! which are always increasing on both sides: the gaps between them are the hunks.

use std::hash::Hash;
use std::ops::Range;

use similar::{capture_diff_slices, Algorithm, DiffOp};

/// A run of equal elements: `old[old..old+len] == new[new..new+len]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub old: usize,
    pub new: usize,
    pub len: usize,
}

/// A changed region: `old` range replaced by `new` range (either may be empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    pub old: Range<usize>,
    pub new: Range<usize>,
}

/// Matched runs and hunks of `old` → `new`, in order on both sides.
pub fn diff<T: Eq + Hash + Ord>(old: &[T], new: &[T]) -> (Vec<Run>, Vec<Hunk>) {
    let mut runs: Vec<Run> = capture_diff_slices(Algorithm::Myers, old, new)
        .into_iter()
        .filter_map(|op| match op {
            DiffOp::Equal {
                old_index,
                new_index,
                len,
            } if len > 0 => Some(Run {
                old: old_index,
                new: new_index,
                len,
            }),
            _ => None,
        })
        .collect();
    runs.sort_by_key(|r| (r.old, r.new));
    // Keep only runs increasing on both sides (a valid matching always is; this is a guard).
    let mut clean: Vec<Run> = Vec::with_capacity(runs.len());
    for r in runs {
        match clean.last() {
            Some(p) if r.old < p.old + p.len || r.new < p.new + p.len => {}
            _ => clean.push(r),
        }
    }
    let mut hunks = Vec::new();
    let (mut o, mut n) = (0usize, 0usize);
    for r in clean.iter().chain(std::iter::once(&Run {
        old: old.len(),
        new: new.len(),
        len: 0,
    })) {
        if r.old > o || r.new > n {
            hunks.push(Hunk {
                old: o..r.old,
                new: n..r.new,
            });
        }
        o = r.old + r.len;
        n = r.new + r.len;
    }
    (clean, hunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_elements_give_ordered_hunks() {
        let old = ["a", "b", "x", "-", "q"];
        let new = ["a", "b", "-", "-", "q"];
        let (_, hunks) = diff(&old, &new);
        let mut out: Vec<&str> = Vec::new();
        let mut pos = 0;
        for h in &hunks {
            assert!(h.old.start >= pos);
            out.extend(&old[pos..h.old.start]);
            out.extend(&new[h.new.clone()]);
            pos = h.old.end;
        }
        out.extend(&old[pos..]);
        assert_eq!(out, new);
    }
}

//! A small line diff for the conflict and history views (the panel does not link the engine).
//!
//! Longest common subsequence of lines after trimming the common prefix and suffix; when the
//! middle is too large to compare line by line within [`MAX_CELLS`], the whole middle counts as
//! changed — a coarser picture, never a wrong one. [`merge3`] builds the text the merge editor
//! starts from: changes made on one side only are taken, overlapping ones get conflict markers.

/// Largest middle (lines of one side × lines of the other) compared exactly.
pub const MAX_CELLS: usize = 1_000_000;

/// One step of an edit script from `a` to `b` (indices into each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equal(usize, usize),
    Delete(usize),
    Insert(usize),
}

/// The edit script turning `a` into `b`, in order.
pub fn diff<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Op> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<Op> = (0..prefix).map(|i| Op::Equal(i, i)).collect();
    let (n, m) = (ma.len(), mb.len());
    if n.saturating_mul(m) > MAX_CELLS {
        ops.extend((0..n).map(|i| Op::Delete(prefix + i)));
        ops.extend((0..m).map(|j| Op::Insert(prefix + j)));
    } else {
        // lcs[i][j] = length of the LCS of ma[i..] and mb[j..].
        let w = m + 1;
        let mut lcs = vec![0u32; (n + 1) * w];
        for i in (0..n).rev() {
            for j in (0..m).rev() {
                lcs[i * w + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < n || j < m {
            if i < n && j < m && ma[i] == mb[j] {
                ops.push(Op::Equal(prefix + i, prefix + j));
                i += 1;
                j += 1;
            } else if i < n && (j == m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
                // Deletions before insertions, as diffs are read.
                ops.push(Op::Delete(prefix + i));
                i += 1;
            } else {
                ops.push(Op::Insert(prefix + j));
                j += 1;
            }
        }
    }
    let (sa, sb) = (a.len() - suffix, b.len() - suffix);
    ops.extend((0..suffix).map(|k| Op::Equal(sa + k, sb + k)));
    ops
}

/// For each line of `a` and of `b`: whether it is unchanged (part of the common subsequence).
pub fn kept(a: &[&str], b: &[&str]) -> (Vec<bool>, Vec<bool>) {
    let (mut ka, mut kb) = (vec![false; a.len()], vec![false; b.len()]);
    for op in diff(a, b) {
        if let Op::Equal(i, j) = op {
            ka[i] = true;
            kb[j] = true;
        }
    }
    (ka, kb)
}

/// Lines for display (terminators dropped, so CRLF and the final newline do not show as edits).
pub fn display_lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// A line of a side-by-side column: its text and whether it differs from what it is compared
/// with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkedLine {
    pub text: String,
    pub changed: bool,
}

/// The lines of `text`, marked where they are not in `against`.
pub fn mark(text: &str, against: &str) -> Vec<MarkedLine> {
    let (lines, other) = (display_lines(text), display_lines(against));
    let (keep, _) = kept(&lines, &other);
    lines
        .iter()
        .zip(keep)
        .map(|(l, k)| MarkedLine {
            text: (*l).to_string(),
            changed: !k,
        })
        .collect()
}

/// A line of a unified diff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Removed,
    Added,
}

/// A unified diff from `old` to `new`, line by line.
pub fn unified<'a>(old: &'a str, new: &'a str) -> Vec<(Change, &'a str)> {
    let (a, b) = (display_lines(old), display_lines(new));
    diff(&a, &b)
        .into_iter()
        .map(|op| match op {
            Op::Equal(i, _) => (Change::Same, a[i]),
            Op::Delete(i) => (Change::Removed, a[i]),
            Op::Insert(j) => (Change::Added, b[j]),
        })
        .collect()
}

/// Counts of added and removed lines.
pub fn stats(changes: &[(Change, &str)]) -> (usize, usize) {
    let added = changes.iter().filter(|c| c.0 == Change::Added).count();
    let removed = changes.iter().filter(|c| c.0 == Change::Removed).count();
    (added, removed)
}

pub const MARK_REPL: &str = "<<<<<<< Repl";
pub const MARK_SPLIT: &str = "=======";
pub const MARK_NOTION: &str = ">>>>>>> Notion";

/// The text the merge editor starts from: lines changed on one side only are taken from that
/// side; where both changed the same place differently, both versions stand between conflict
/// markers for the user to settle. With an empty base (a first link), every difference is such a
/// place.
pub fn merge3(base: &str, repl: &str, notion: &str) -> String {
    let o: Vec<&str> = base.split_inclusive('\n').collect();
    let a: Vec<&str> = repl.split_inclusive('\n').collect();
    let b: Vec<&str> = notion.split_inclusive('\n').collect();
    if o.is_empty() {
        return merge2(&a, &b);
    }
    let matched = |other: &[&str]| {
        let mut at = vec![None; o.len()];
        for op in diff(&o, other) {
            if let Op::Equal(i, j) = op {
                at[i] = Some(j);
            }
        }
        at
    };
    let (in_a, in_b) = (matched(&a), matched(&b));
    let mut out = String::with_capacity(repl.len().max(notion.len()));
    let (mut io, mut ia, mut ib) = (0, 0, 0);
    loop {
        // The next base line both sides kept: everything before it is one unstable chunk.
        let stable = (io..o.len()).find_map(|i| Some((i, in_a[i]?, in_b[i]?)));
        let (eo, ea, eb) = stable.unwrap_or((o.len(), a.len(), b.len()));
        chunk(&mut out, Some(&o[io..eo]), &a[ia..ea], &b[ib..eb]);
        match stable {
            Some((i, j, k)) => {
                out.push_str(o[i]);
                (io, ia, ib) = (i + 1, j + 1, k + 1);
            }
            None => return out,
        }
    }
}

/// Without a base: common lines stay, every difference is marked.
fn merge2(a: &[&str], b: &[&str]) -> String {
    let mut out = String::new();
    let (mut da, mut db) = (Vec::new(), Vec::new());
    for op in diff(a, b) {
        match op {
            Op::Delete(i) => da.push(a[i]),
            Op::Insert(j) => db.push(b[j]),
            Op::Equal(i, _) => {
                chunk(&mut out, None, &da, &db);
                (da, db) = (Vec::new(), Vec::new());
                out.push_str(a[i]);
            }
        }
    }
    chunk(&mut out, None, &da, &db);
    out
}

/// One stretch between lines both sides kept; `base` is `None` for a two-way merge.
fn chunk(out: &mut String, base: Option<&[&str]>, a: &[&str], b: &[&str]) {
    let take = |out: &mut String, lines: &[&str]| lines.iter().for_each(|l| out.push_str(l));
    if a == b || base.is_some_and(|o| b == o) {
        take(out, a);
    } else if base.is_some_and(|o| a == o) {
        take(out, b);
    } else {
        let marker = |out: &mut String, m: &str| {
            if !out.is_empty() && !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(m);
            out.push('\n');
        };
        marker(out, MARK_REPL);
        take(out, a);
        marker(out, MARK_SPLIT);
        take(out, b);
        marker(out, MARK_NOTION);
    }
}

/// Whether a text still has conflict markers in it.
pub fn has_markers(text: &str) -> bool {
    text.lines()
        .any(|l| l == MARK_REPL || l == MARK_SPLIT || l == MARK_NOTION)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(a: &[&str], b: &[&str], ops: &[Op]) -> Vec<String> {
        ops.iter()
            .filter_map(|op| match op {
                Op::Equal(i, _) => Some(a[*i].to_string()),
                Op::Insert(j) => Some(b[*j].to_string()),
                Op::Delete(_) => None,
            })
            .collect()
    }

    #[test]
    fn scripts_rebuild_the_new_text() {
        let cases: &[(&[&str], &[&str])] = &[
            (&[], &[]),
            (&["a"], &[]),
            (&[], &["a"]),
            (&["a", "b", "c"], &["a", "x", "c"]),
            (&["a", "b", "c", "d"], &["b", "d", "e"]),
            (&["x", "x", "y"], &["y", "x", "x"]),
        ];
        for (a, b) in cases {
            let ops = diff(a, b);
            assert_eq!(apply(a, b, &ops), b.to_vec(), "{a:?} -> {b:?}");
        }
        let ops = diff(&["a", "b", "c"], &["a", "x", "c"]);
        assert_eq!(ops.iter().filter(|o| matches!(o, Op::Equal(..))).count(), 2);
    }

    #[test]
    fn marks_and_unified() {
        let m = mark("a\nb\nc\n", "a\nc\n");
        assert_eq!(
            m.iter().map(|l| l.changed).collect::<Vec<_>>(),
            [false, true, false]
        );
        let u = unified("a\nb\n", "a\nc\n");
        assert_eq!(
            u,
            [
                (Change::Same, "a"),
                (Change::Removed, "b"),
                (Change::Added, "c")
            ]
        );
        assert_eq!(stats(&u), (1, 1));
        // CRLF and the final newline are not edits.
        assert!(mark("a\r\nb", "a\nb\n").iter().all(|l| !l.changed));
    }

    #[test]
    fn three_way_takes_one_sided_changes_and_marks_overlaps() {
        let base = "title\none\ntwo\nthree\n";
        let repl = "title\nONE\ntwo\nthree\n";
        let notion = "title\none\ntwo\nTHREE\n";
        assert_eq!(merge3(base, repl, notion), "title\nONE\ntwo\nTHREE\n");
        let both = merge3(
            base,
            "title\nuno\ntwo\nthree\n",
            "title\neins\ntwo\nthree\n",
        );
        assert_eq!(
            both,
            "title\n<<<<<<< Repl\nuno\n=======\neins\n>>>>>>> Notion\ntwo\nthree\n"
        );
        assert!(has_markers(&both));
        assert_eq!(merge3(base, repl, repl), repl);
    }

    #[test]
    fn first_link_marks_every_difference() {
        let m = merge3("", "same\nmine\n", "same\ntheirs\n");
        assert_eq!(
            m,
            "same\n<<<<<<< Repl\nmine\n=======\ntheirs\n>>>>>>> Notion\n"
        );
        let m = merge3("", "only mine", "");
        assert_eq!(m, "<<<<<<< Repl\nonly mine\n=======\n>>>>>>> Notion\n");
        assert_eq!(merge3("", "x\n", "x\n"), "x\n");
    }

    #[test]
    fn huge_middles_are_coarse_but_correct() {
        let a: Vec<String> = (0..1500).map(|i| format!("a{i}")).collect();
        let b: Vec<String> = (0..1500).map(|i| format!("b{i}")).collect();
        let ops = diff(&a, &b);
        assert_eq!(ops.len(), 3000);
    }
}

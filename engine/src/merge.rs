//! Three-way merge of a document against its base, at block (paragraph) granularity, with a
//! line-level pass for hunks both sides touched.
//!
//! The file side is a sequence of chunks (exact bytes) and the Notion side a sequence of
//! blocks; the base holds both (the file text and the page Markdown agreed on at the last
//! sync). The merge:
//!
//! 1. aligns the base file's blocks with the base page's blocks into **segments** (a chunk and
//!    the blocks it became; translation noise, such as an empty block Notion added, forms a
//!    segment of its own, so it never looks like an edit);
//! 2. diffs base → local file (by exact chunk text) and base → remote page (by canonical block
//!    key), and expresses both sets of hunks over segments;
//! 3. applies each side's non-overlapping hunks to the other side: a remote hunk replaces only
//!    the chunks it covers (every other byte of the file stays), a local hunk replaces only the
//!    blocks it covers (every other block keeps its id);
//! 4. hunks that overlap are the same change (nothing to do), merge line by line, or are a
//!    conflict decided by the [`Policy`] (the strategy).

use std::ops::Range;

use crate::diff::{diff, Hunk as Hunk2, Run};
use notion_markdown::Block;

use crate::document::{patch_file, render_chunks, FileDoc, FilePatch, NewChunk, RemoteDoc};
use crate::normalize::block_keys;
use crate::translate::{self, Options};

/// What to do with hunks both sides changed differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Keep the file's version (the page gets it).
    Local,
    /// Keep the page's version (the file gets it).
    Remote,
    /// Decide nothing: the conflict is reported and the caller writes nothing.
    Unresolved,
}

/// A region both sides changed in different ways.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConflictHunk {
    /// The region in the base file.
    pub base: String,
    /// The region in the local file.
    pub local: String,
    /// The region in the page, written as GFM.
    pub remote: String,
}

/// The outcome of a merge.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The file body after the merge.
    pub body: String,
    /// The page's top-level blocks after the merge.
    pub blocks: Vec<Block>,
    pub file_changed: bool,
    pub remote_changed: bool,
    /// Overlapping hunks (resolved by the policy, or open when it is `Unresolved`).
    pub conflicts: Vec<ConflictHunk>,
    /// True when some conflict was left open.
    pub unresolved: bool,
}

/// The documents a merge works on.
pub struct MergeInput<'a> {
    pub base_file: &'a FileDoc,
    pub local: &'a FileDoc,
    pub base_remote: &'a RemoteDoc,
    pub remote: &'a RemoteDoc,
    pub opts: &'a Options,
    /// The file's line break for new text.
    pub nl: &'a str,
}

#[derive(Debug, Clone)]
struct Segment {
    chunks: Range<usize>,
    blocks: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    Local,
    Remote,
}

#[derive(Debug, Clone)]
struct Hunk {
    side: Side,
    /// Segments covered; equal ends mean an insertion before segment `start`.
    segs: Range<usize>,
    /// The replacement on the hunk's own side (local chunks or remote blocks).
    src: Range<usize>,
}

/// Aligns the base file's blocks with the base page's blocks.
fn segments(base_file: &FileDoc, base_remote: &RemoteDoc) -> Vec<Segment> {
    let flat: Vec<(usize, &str)> = base_file
        .keys
        .iter()
        .enumerate()
        .flat_map(|(c, ks)| ks.iter().map(move |k| (c, k.as_str())))
        .collect();
    let flat_keys: Vec<&str> = flat.iter().map(|(_, k)| *k).collect();
    let remote_keys: Vec<&str> = base_remote.keys.iter().map(String::as_str).collect();
    let mut map: Vec<Option<usize>> = vec![None; flat.len()];
    for r in diff(&flat_keys, &remote_keys).0 {
        for k in 0..r.len {
            map[r.old + k] = Some(r.new + k);
        }
    }
    let mut out = Vec::new();
    let mut pending: Option<usize> = None; // first chunk of an unaligned run
    let mut cursor = 0usize; // next remote block not yet in a segment
    let mut fi = 0usize;
    for (c, ks) in base_file.keys.iter().enumerate() {
        let n = ks.len();
        let mapped: Vec<Option<usize>> = map[fi..fi + n].to_vec();
        fi += n;
        let clean = n > 0
            && mapped.iter().all(Option::is_some)
            && mapped
                .windows(2)
                .all(|w| matches!((w[0], w[1]), (Some(a), Some(b)) if b == a + 1))
            && mapped[0].is_some_and(|r| r >= cursor);
        let file_only = n == 0;
        if clean || (file_only && pending.is_none()) {
            let (r0, r1) = if clean {
                let r0 = mapped[0].unwrap_or(cursor);
                (r0, r0 + n)
            } else {
                (cursor, cursor)
            };
            if let Some(p) = pending.take() {
                out.push(Segment {
                    chunks: p..c,
                    blocks: cursor..r0,
                });
            } else if r0 > cursor {
                out.push(Segment {
                    chunks: c..c,
                    blocks: cursor..r0,
                });
            }
            out.push(Segment {
                chunks: c..c + 1,
                blocks: r0..r1,
            });
            cursor = r1;
        } else if pending.is_none() {
            pending = Some(c);
        }
    }
    let nc = base_file.chunks.len();
    let nb = base_remote.blocks.len();
    match pending {
        Some(p) => out.push(Segment {
            chunks: p..nc,
            blocks: cursor..nb,
        }),
        None if cursor < nb => out.push(Segment {
            chunks: nc..nc,
            blocks: cursor..nb,
        }),
        None => {}
    }
    out
}

/// Positions on one side of a diff mapped to the other, for positions outside hunks.
struct PosMap {
    start: Vec<Option<usize>>,
    end: Vec<Option<usize>>,
}

impl PosMap {
    fn new(runs: &[Run], n: usize, m: usize) -> PosMap {
        let mut start = vec![None; n + 1];
        let mut end = vec![None; n + 1];
        start[n] = Some(m);
        end[0] = Some(0);
        for r in runs {
            for k in 0..r.len {
                start[r.old + k] = Some(r.new + k);
                end[r.old + k + 1] = Some(r.new + k + 1);
            }
        }
        PosMap { start, end }
    }

    fn range_start(&self, x: usize) -> Option<usize> {
        self.start.get(x).copied().flatten()
    }

    fn range_end(&self, y: usize) -> Option<usize> {
        self.end.get(y).copied().flatten()
    }

    fn point(&self, x: usize) -> Option<usize> {
        self.range_start(x).or_else(|| self.range_end(x))
    }
}

/// Hunks widened so they start and end at cut points (merging those that then overlap).
fn cut_hunks(hunks: &[Hunk2], cuts: &[bool]) -> Vec<(Range<usize>, Range<usize>)> {
    let is_cut = |p: usize| cuts.get(p).copied().unwrap_or(true);
    let last_pos = cuts.len().saturating_sub(1);
    let mut out: Vec<(usize, usize, usize, usize)> = Vec::new();
    for h in hunks {
        let (mut a0, mut a1, mut b0, mut b1) = (h.old.start, h.old.end, h.new.start, h.new.end);
        if !(a0 == a1 && is_cut(a0)) {
            while !is_cut(a0) && a0 > 0 {
                a0 -= 1;
                b0 = b0.saturating_sub(1);
            }
            while !is_cut(a1) && a1 < last_pos {
                a1 += 1;
                b1 += 1;
            }
        }
        if let Some(last) = out.last_mut() {
            if a0 < last.1 || (a0 == last.1 && b0 < last.3) {
                last.1 = last.1.max(a1);
                last.3 = last.3.max(b1);
                continue;
            }
        }
        out.push((a0, a1, b0, b1));
    }
    out.into_iter()
        .map(|(a0, a1, b0, b1)| (a0..a1, b0..b1))
        .collect()
}

/// The segments a range of positions covers (see [`Hunk::segs`]).
fn to_segments(
    segs: &[Segment],
    range: &Range<usize>,
    extent: impl Fn(&Segment) -> Range<usize>,
) -> Range<usize> {
    let first_at = |p: usize, nonempty: bool| {
        segs.iter()
            .position(|s| {
                let e = extent(s);
                e.start > p || (e.start == p && (!nonempty || !e.is_empty()))
            })
            .unwrap_or(segs.len())
    };
    if range.is_empty() {
        let p = first_at(range.start, false);
        return p..p;
    }
    let s0 = first_at(range.start, true);
    let s1 = segs
        .iter()
        .position(|s| extent(s).start >= range.end)
        .unwrap_or(segs.len());
    s0..s1.max(s0)
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    match (a.is_empty(), b.is_empty()) {
        (false, false) => a.start < b.end && b.start < a.end,
        (true, false) => b.start < a.start && a.start < b.end,
        (false, true) => a.start < b.start && b.start < a.end,
        (true, true) => a.start == b.start,
    }
}

/// Merges the two sides against the base; `policy` decides overlapping hunks.
pub fn merge(input: &MergeInput<'_>, policy: Policy) -> Merged {
    let MergeInput {
        base_file,
        local,
        base_remote,
        remote,
        opts,
        nl,
    } = *input;
    let segs = segments(base_file, base_remote);
    let nbc = base_file.chunks.len();
    let nbb = base_remote.blocks.len();

    let mut chunk_cuts = vec![false; nbc + 1];
    let mut block_cuts = vec![false; nbb + 1];
    chunk_cuts[nbc] = true;
    block_cuts[nbb] = true;
    for s in &segs {
        chunk_cuts[s.chunks.start] = true;
        block_cuts[s.blocks.start] = true;
    }
    if segs.is_empty() {
        chunk_cuts[0] = true;
        block_cuts[0] = true;
    }

    let base_texts: Vec<&str> = (0..nbc).map(|i| base_file.text(i)).collect();
    let local_texts: Vec<&str> = (0..local.chunks.len()).map(|i| local.text(i)).collect();
    let (local_runs, local_ops) = diff(&base_texts, &local_texts);
    let local_map = PosMap::new(&local_runs, nbc, local_texts.len());
    let base_keys: Vec<&str> = base_remote.keys.iter().map(String::as_str).collect();
    let remote_keys: Vec<&str> = remote.keys.iter().map(String::as_str).collect();
    let (remote_runs, remote_ops) = diff(&base_keys, &remote_keys);
    let remote_map = PosMap::new(&remote_runs, nbb, remote_keys.len());

    let mut hunks: Vec<Hunk> = Vec::new();
    for (a, b) in cut_hunks(&local_ops, &chunk_cuts) {
        hunks.push(Hunk {
            side: Side::Local,
            segs: to_segments(&segs, &a, |s| s.chunks.clone()),
            src: b,
        });
    }
    for (a, b) in cut_hunks(&remote_ops, &block_cuts) {
        hunks.push(Hunk {
            side: Side::Remote,
            segs: to_segments(&segs, &a, |s| s.blocks.clone()),
            src: b,
        });
    }
    hunks.sort_by_key(|h| (h.segs.start, h.segs.end));

    // Groups of overlapping hunks.
    let mut groups: Vec<Vec<Hunk>> = Vec::new();
    for h in hunks {
        if let Some(g) = groups.last_mut() {
            let span = group_span(g);
            if overlaps(&span, &h.segs) || g.iter().any(|x| overlaps(&x.segs, &h.segs)) {
                g.push(h);
                continue;
            }
        }
        groups.push(vec![h]);
    }

    let chunk_range = |r: &Range<usize>| -> Range<usize> {
        if r.is_empty() {
            let p = segs.get(r.start).map_or(nbc, |s| s.chunks.start);
            p..p
        } else {
            segs[r.start].chunks.start..segs[r.end - 1].chunks.end
        }
    };
    let block_range = |r: &Range<usize>| -> Range<usize> {
        if r.is_empty() {
            let p = segs.get(r.start).map_or(nbb, |s| s.blocks.start);
            p..p
        } else {
            segs[r.start].blocks.start..segs[r.end - 1].blocks.end
        }
    };
    // Each end of a range maps on its own: one end may fall inside a hunk of that side.
    let map_ends = |m: &PosMap, r: &Range<usize>| -> (Option<usize>, Option<usize>) {
        if r.is_empty() {
            let p = m.point(r.start);
            (p, p)
        } else {
            (m.range_start(r.start), m.range_end(r.end))
        }
    };

    let mut file_patches: Vec<FilePatch> = Vec::new();
    let mut remote_patches: Vec<(Range<usize>, Vec<Block>)> = Vec::new();
    let mut conflicts = Vec::new();
    let mut unresolved = false;

    for g in &groups {
        let span = group_span(g);
        let has_local = g.iter().any(|h| h.side == Side::Local);
        let has_remote = g.iter().any(|h| h.side == Side::Remote);
        // The group's extent on each side.
        let local_range = side_range(g, Side::Local, map_ends(&local_map, &chunk_range(&span)));
        let remote_range = side_range(g, Side::Remote, map_ends(&remote_map, &block_range(&span)));
        let (Some(lr), Some(rr)) = (local_range, remote_range) else {
            // Cannot place the hunks on both sides: leave everything alone and report.
            unresolved = true;
            conflicts.push(ConflictHunk {
                base: base_file
                    .span_text(chunk_range(&span).start, chunk_range(&span).end)
                    .into(),
                local: String::new(),
                remote: String::new(),
            });
            continue;
        };
        let local_blocks: Vec<Block> = local.chunks[lr.clone()]
            .iter()
            .flat_map(|c| c.blocks.clone())
            .collect();
        let remote_blocks: Vec<Block> = remote.blocks[rr.clone()].to_vec();
        let prev_chunk = lr.start.checked_sub(1).map(|i| &local.chunks[i]);
        match (has_local, has_remote) {
            (true, false) => remote_patches.push((rr, local_blocks)),
            (false, true) => file_patches.push(FilePatch {
                from: lr.start,
                to: lr.end,
                with: render_chunks(&remote_blocks, prev_chunk, opts),
            }),
            _ => {
                if block_keys(&local_blocks, opts.dialect)
                    == block_keys(&remote_blocks, opts.dialect)
                {
                    continue; // The same change on both sides.
                }
                let cr = chunk_range(&span);
                let base_text = base_file.span_text(cr.start, cr.end);
                let local_text = local.span_text(lr.start, lr.end);
                let remote_text = translate::from_notion::render_blocks(&remote_blocks, opts);
                if let Some(m) = merge_lines(base_text, local_text, &remote_text) {
                    let blocks = translate::to_blocks(&m, opts);
                    if m != local_text {
                        file_patches.push(FilePatch {
                            from: lr.start,
                            to: lr.end,
                            with: vec![NewChunk {
                                text: m.clone(),
                                blocks: blocks.clone(),
                            }],
                        });
                    }
                    if block_keys(&blocks, opts.dialect) != block_keys(&remote_blocks, opts.dialect)
                    {
                        remote_patches.push((rr, blocks));
                    }
                    continue;
                }
                conflicts.push(ConflictHunk {
                    base: base_text.to_string(),
                    local: local_text.to_string(),
                    remote: remote_text,
                });
                match policy {
                    Policy::Local => remote_patches.push((rr, local_blocks)),
                    Policy::Remote => file_patches.push(FilePatch {
                        from: lr.start,
                        to: lr.end,
                        with: render_chunks(&remote_blocks, prev_chunk, opts),
                    }),
                    Policy::Unresolved => unresolved = true,
                }
            }
        }
    }

    file_patches.sort_by_key(|p| (p.from, p.to));
    remote_patches.sort_by_key(|(r, _)| (r.start, r.end));
    let body = if file_patches.is_empty() {
        local.body.clone()
    } else {
        patch_file(local, &file_patches, nl)
    };
    let mut blocks = Vec::with_capacity(remote.blocks.len() + 8);
    let mut next = 0;
    for (r, with) in &remote_patches {
        let start = r.start.max(next).min(remote.blocks.len());
        blocks.extend_from_slice(&remote.blocks[next..start]);
        blocks.extend(with.iter().cloned());
        next = r.end.max(start);
    }
    blocks.extend_from_slice(&remote.blocks[next.min(remote.blocks.len())..]);
    let remote_changed = block_keys(&blocks, opts.dialect) != remote.keys;
    Merged {
        file_changed: body != local.body,
        body,
        blocks,
        remote_changed,
        conflicts,
        unresolved,
    }
}

fn group_span(g: &[Hunk]) -> Range<usize> {
    let start = g.iter().map(|h| h.segs.start).min().unwrap_or(0);
    let end = g.iter().map(|h| h.segs.end).max().unwrap_or(start);
    start..end
}

/// The range a group covers on one side: its hunks' own ranges, widened to where the ends of
/// the group's span map (for the parts of the span that side did not change).
fn side_range(
    g: &[Hunk],
    side: Side,
    (start, end): (Option<usize>, Option<usize>),
) -> Option<Range<usize>> {
    let own: Vec<&Range<usize>> = g
        .iter()
        .filter(|h| h.side == side)
        .map(|h| &h.src)
        .collect();
    let lo = own.iter().map(|r| r.start).chain(start).min()?;
    let hi = own.iter().map(|r| r.end).chain(end).max()?;
    if own.is_empty() && (start.is_none() || end.is_none()) {
        return None;
    }
    (lo <= hi).then_some(lo..hi)
}

/// Line-level three-way merge; `None` when both sides changed the same lines differently.
pub fn merge_lines(base: &str, ours: &str, theirs: &str) -> Option<String> {
    if ours == theirs || theirs == base {
        return Some(ours.to_string());
    }
    if ours == base {
        return Some(theirs.to_string());
    }
    let b: Vec<&str> = base.split_inclusive('\n').collect();
    let o: Vec<&str> = ours.split_inclusive('\n').collect();
    let t: Vec<&str> = theirs.split_inclusive('\n').collect();
    let cuts = vec![true; b.len() + 1];
    let oh = cut_hunks(&diff(&b, &o).1, &cuts);
    let th = cut_hunks(&diff(&b, &t).1, &cuts);
    let mut all: Vec<(Range<usize>, &[&str])> = Vec::new();
    for (a, r) in &oh {
        all.push((a.clone(), &o[r.clone()]));
    }
    for (a, r) in &th {
        if let Some((_, same)) = all.iter().find(|(x, _)| x == a) {
            if *same == &t[r.clone()] {
                continue;
            }
        }
        if oh.iter().any(|(x, _)| overlaps(x, a)) {
            return None;
        }
        all.push((a.clone(), &t[r.clone()]));
    }
    all.sort_by_key(|(a, _)| (a.start, a.end));
    let mut out = String::with_capacity(ours.len() + theirs.len());
    let mut pos = 0;
    for (a, with) in all {
        if a.start < pos {
            return None;
        }
        for l in &b[pos..a.start] {
            out.push_str(l);
        }
        for l in with {
            out.push_str(l);
        }
        pos = a.end;
    }
    for l in &b[pos..] {
        out.push_str(l);
    }
    Some(out)
}

/// The outcome of [`merge_lines_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineMerge {
    /// The merged text; `None` when a conflict was left open ([`Policy::Unresolved`]).
    pub text: Option<String>,
    /// Regions both sides changed differently (decided by the policy, or open).
    pub conflicts: Vec<ConflictHunk>,
}

/// Line-level three-way merge where overlapping changes are decided by `policy`, region by
/// region: non-overlapping changes of both sides always merge, and only the regions both sides
/// changed differently go to the policy (G13). Used for files held as code, where lines are the
/// only structure.
pub fn merge_lines_with(base: &str, ours: &str, theirs: &str, policy: Policy) -> LineMerge {
    /// A hunk: its side, the base lines it replaces, and the replacement lines on its side.
    type LineHunk = (Side, Range<usize>, Range<usize>);
    let clean = |text: &str| LineMerge {
        text: Some(text.to_string()),
        conflicts: Vec::new(),
    };
    if ours == theirs || theirs == base {
        return clean(ours);
    }
    if ours == base {
        return clean(theirs);
    }
    let b: Vec<&str> = base.split_inclusive('\n').collect();
    let o: Vec<&str> = ours.split_inclusive('\n').collect();
    let t: Vec<&str> = theirs.split_inclusive('\n').collect();
    let cuts = vec![true; b.len() + 1];
    let mut hunks: Vec<LineHunk> = Vec::new();
    for (a, r) in cut_hunks(&diff(&b, &o).1, &cuts) {
        hunks.push((Side::Local, a, r));
    }
    for (a, r) in cut_hunks(&diff(&b, &t).1, &cuts) {
        hunks.push((Side::Remote, a, r));
    }
    hunks.sort_by_key(|(_, a, _)| (a.start, a.end));
    // Groups of overlapping hunks, as in the block merge.
    let mut groups: Vec<Vec<LineHunk>> = Vec::new();
    for h in hunks {
        if let Some(g) = groups.last_mut() {
            let start = g.iter().map(|x| x.1.start).min().unwrap_or(0);
            let end = g.iter().map(|x| x.1.end).max().unwrap_or(start);
            if overlaps(&(start..end), &h.1) || g.iter().any(|x| overlaps(&x.1, &h.1)) {
                g.push(h);
                continue;
            }
        }
        groups.push(vec![h]);
    }
    // One side's text for a base region: the base lines with that side's hunks applied.
    let region =
        |g: &[(Side, Range<usize>, Range<usize>)], side: Side, span: &Range<usize>| -> String {
            let lines = if side == Side::Local { &o } else { &t };
            let mut out = String::new();
            let mut pos = span.start;
            for (_, a, r) in g.iter().filter(|x| x.0 == side) {
                b[pos..a.start].iter().for_each(|l| out.push_str(l));
                lines[r.clone()].iter().for_each(|l| out.push_str(l));
                pos = a.end;
            }
            b[pos..span.end].iter().for_each(|l| out.push_str(l));
            out
        };
    let mut out = String::with_capacity(ours.len().max(theirs.len()));
    let mut conflicts = Vec::new();
    let mut open = false;
    let mut pos = 0;
    for g in &groups {
        let start = g.iter().map(|x| x.1.start).min().unwrap_or(0);
        let end = g.iter().map(|x| x.1.end).max().unwrap_or(start);
        let span = start..end;
        let local = region(g, Side::Local, &span);
        let remote = region(g, Side::Remote, &span);
        let both = g.iter().any(|x| x.0 == Side::Local) && g.iter().any(|x| x.0 == Side::Remote);
        let with = if !both || local == remote {
            if g.iter().any(|x| x.0 == Side::Local) {
                local
            } else {
                remote
            }
        } else {
            let base_text: String = b[span.clone()].concat();
            conflicts.push(ConflictHunk {
                base: base_text,
                local: local.clone(),
                remote: remote.clone(),
            });
            match policy {
                Policy::Local => local,
                Policy::Remote => remote,
                Policy::Unresolved => {
                    open = true;
                    continue;
                }
            }
        };
        b[pos..span.start].iter().for_each(|l| out.push_str(l));
        out.push_str(&with);
        pos = span.end;
    }
    b[pos..].iter().for_each(|l| out.push_str(l));
    LineMerge {
        text: (!open).then_some(out),
        conflicts,
    }
}

#[cfg(test)]
mod tests;

//! A file body cut into **chunks**: one per top-level block (one per item for top-level lists),
//! each with its exact byte range and the Notion blocks it becomes.
//!
//! Chunks are what makes patch-based pull possible: a remote change replaces only the chunks
//! whose blocks changed, and every other chunk keeps its bytes (SPEC §4, G3, G15). Text between
//! chunks is whitespace, except link reference definitions and other text that produces no
//! block, which become [`ChunkKind::FileOnly`] chunks that no remote change can touch.
//!
//! **Islands** are Notion-only blocks written in the file as Notion-flavored Markdown (v1):
//! either a block that starts with one of Notion's block tags at column 0 (`<callout …>` …
//! `</callout>`, `<page url=…>`, `<unknown …/>`), or anything between the marker lines
//! `<!-- notion -->` and `<!-- /notion -->`. They are read with the NFM parser, so callouts,
//! toggles, columns, child pages, coloured blocks and unknown blocks survive a pull and a push.

use std::collections::HashMap;
use std::ops::Range;

use notion_markdown::Block;
use pulldown_cmark::{BrokenLink, CowStr, Event, Parser, Tag};

use super::to_notion::{Conv, Ev};
use super::Options;
use crate::normalize::tidy_in_place;

/// Marker lines around an island that does not start with a Notion tag.
pub const ISLAND_OPEN: &str = "<!-- notion -->";
pub const ISLAND_CLOSE: &str = "<!-- /notion -->";

/// Notion block tags that start an island when they open a line.
const BLOCK_TAGS: &[&str] = &[
    "callout",
    "details",
    "columns",
    "column",
    "page",
    "database",
    "unknown",
    "synced_block",
    "synced_block_reference",
    "table_of_contents",
    "video",
    "audio",
    "file",
    "pdf",
    "table",
    "empty-block",
    "meeting-notes",
];

/// Tags whose island runs to a closing tag at column 0.
const CONTAINERS: &[&str] = &[
    "callout",
    "details",
    "columns",
    "synced_block",
    "synced_block_reference",
    "table",
    "meeting-notes",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkKind {
    /// An ordinary GFM block.
    Block,
    /// One item of a top-level list.
    ListItem(ListMarker),
    /// Notion-flavored Markdown kept as written (see the module doc).
    Island,
    /// Text that becomes no block (link reference definitions): file-only.
    FileOnly,
}

/// How a top-level list item is marked, so an item inserted next to it can match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListMarker {
    /// `-`, `*` or `+`; for ordered items the delimiter `.` or `)`.
    pub char: char,
    pub ordered: bool,
    /// The number written, for ordered items.
    pub number: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Bytes of the chunk in the body, without trailing whitespace.
    pub range: Range<usize>,
    pub kind: ChunkKind,
    /// The top-level Notion blocks the chunk becomes (none for file-only chunks).
    pub blocks: Vec<Block>,
}

pub(crate) fn parser_options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options as O;
    O::ENABLE_TABLES
        | O::ENABLE_FOOTNOTES
        | O::ENABLE_STRIKETHROUGH
        | O::ENABLE_TASKLISTS
        | O::ENABLE_MATH
}

/// Cuts `body` into chunks, in order.
pub fn chunks(body: &str, opts: &Options) -> Vec<Chunk> {
    let popts = parser_options();
    let mut first = Parser::new_ext(body, popts).into_offset_iter();
    // Sized for typical Markdown (an event per 8 bytes or so): growing a vector of a whole
    // document's events copies it several times.
    let mut events: Vec<Ev<'_>> = Vec::with_capacity(body.len() / 8);
    events.extend(first.by_ref());
    let refs: HashMap<String, (String, String)> = first
        .reference_definitions()
        .iter()
        .map(|(label, def)| {
            (
                label_key(label),
                (
                    def.dest.to_string(),
                    def.title.as_deref().unwrap_or("").to_string(),
                ),
            )
        })
        .collect();
    let mut out = Vec::new();
    let mut next = scan(body, &events, opts, &mut out);
    while let Some(pos) = next {
        if pos >= body.len() {
            break;
        }
        let sub = &body[pos..];
        let callback = |link: BrokenLink<'_>| {
            refs.get(&label_key(&link.reference))
                .map(|(d, t)| (CowStr::from(d.clone()), CowStr::from(t.clone())))
        };
        let events: Vec<Ev<'_>> = Parser::new_with_broken_link_callback(sub, popts, Some(callback))
            .into_offset_iter()
            .map(|(e, r)| (e, r.start + pos..r.end + pos))
            .collect();
        next = scan(body, &events, opts, &mut out);
        if let Some(n) = next {
            if n <= pos {
                // No progress would loop forever; the rest is read without islands.
                break;
            }
        }
    }
    add_file_only(body, &mut out);
    out
}

/// Link labels match case-insensitively with whitespace collapsed (CommonMark).
fn label_key(label: &str) -> String {
    label
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Reads top-level blocks into chunks. Returns where to parse again when an island ended in
/// the middle of what the GFM parser saw as one block.
fn scan(body: &str, events: &[Ev<'_>], opts: &Options, out: &mut Vec<Chunk>) -> Option<usize> {
    let conv = Conv::new(events, opts);
    let mut i = 0;
    while i < events.len() {
        let (e, r) = &events[i];
        let end_i = conv.ends[i];
        let start = line_start(body, r.start);
        let block_end = trim_end(body, start, r.end);
        if let Some(island) = island_at(body, start) {
            out.push(Chunk {
                range: start..island.end,
                kind: ChunkKind::Island,
                blocks: super::island_blocks(&body[island.content.clone()]),
            });
            if block_end > island.end {
                return Some(after_line(body, island.end));
            }
            let mut k = end_i + 1;
            while k < events.len() && events[k].1.start < island.end {
                let kend = trim_end(body, events[k].1.start, events[k].1.end);
                if kend > island.end {
                    return Some(after_line(body, island.end));
                }
                k = conv.ends[k] + 1;
            }
            i = k;
            continue;
        }
        match e {
            Event::Start(Tag::List(first_number)) => {
                let ordered = first_number.is_some();
                let mut m = i + 1;
                while m < end_i {
                    let mend = conv.ends[m];
                    if matches!(events[m].0, Event::Start(Tag::Item)) {
                        let r = &events[m].1;
                        let s = line_start(body, r.start);
                        let marker = list_marker(&body[s..], ordered);
                        let mut blocks = conv.item(ordered, m);
                        tidy_in_place(&mut blocks);
                        out.push(Chunk {
                            range: s..trim_end(body, s, r.end),
                            kind: ChunkKind::ListItem(marker),
                            blocks,
                        });
                    }
                    m = mend + 1;
                }
            }
            _ => {
                let mut blocks = conv.block(i);
                tidy_in_place(&mut blocks);
                out.push(Chunk {
                    range: start..block_end.max(start),
                    kind: ChunkKind::Block,
                    blocks,
                });
            }
        }
        i = end_i + 1;
    }
    None
}

fn list_marker(line: &str, ordered: bool) -> ListMarker {
    let t = line.trim_start();
    if ordered {
        let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
        let delim = t[digits.len()..].chars().next().unwrap_or('.');
        ListMarker {
            char: delim,
            ordered: true,
            number: digits.parse().unwrap_or(1),
        }
    } else {
        ListMarker {
            char: t.chars().next().unwrap_or('-'),
            ordered: false,
            number: 0,
        }
    }
}

/// Start of the line holding `pos`, when only indentation precedes it.
fn line_start(body: &str, pos: usize) -> usize {
    let before = &body[..pos];
    let ls = before.rfind('\n').map_or(0, |i| i + 1);
    if body[ls..pos].chars().all(|c| c == ' ' || c == '\t') {
        ls
    } else {
        pos
    }
}

/// `end` moved back over trailing whitespace, not before `start`.
fn trim_end(body: &str, start: usize, end: usize) -> usize {
    let end = end.min(body.len());
    if start >= end {
        return start;
    }
    start + body[start..end].trim_end().len()
}

/// The offset just after the line break that ends the line holding `pos`.
fn after_line(body: &str, pos: usize) -> usize {
    match body[pos..].find('\n') {
        Some(i) => pos + i + 1,
        None => body.len(),
    }
}

/// The line starting at `start`, without its line break.
fn line_at(body: &str, start: usize) -> &str {
    let rest = &body[start..];
    let line = rest.split('\n').next().unwrap_or(rest);
    line.strip_suffix('\r').unwrap_or(line)
}

/// The Notion block tag opening `line` (at column 0), if any.
pub(crate) fn nfm_tag(line: &str) -> Option<&'static str> {
    let rest = line.strip_prefix('<')?;
    let name_len = rest
        .find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let name = &rest[..name_len];
    let after = rest[name_len..].chars().next();
    if !matches!(
        after,
        None | Some(' ') | Some('>') | Some('/') | Some('\r') | Some('\n')
    ) {
        return None;
    }
    BLOCK_TAGS.iter().copied().find(|t| *t == name)
}

struct Island {
    /// End of the island (end of its last line, without the line break).
    end: usize,
    /// The Notion-flavored Markdown inside.
    content: Range<usize>,
}

fn island_at(body: &str, start: usize) -> Option<Island> {
    // Both kinds of island open with `<` (the marker comment or a Notion tag): checked before
    // the line is cut out, since this runs for every top-level block.
    if !body[start..].starts_with('<') {
        return None;
    }
    let first = line_at(body, start);
    if first.trim_end() == ISLAND_OPEN {
        let content_start = after_line(body, start);
        let mut pos = content_start;
        while pos < body.len() {
            let line = line_at(body, pos);
            if line.trim_end() == ISLAND_CLOSE {
                let content_end = pos.saturating_sub(1).max(content_start);
                let content_end = if body[..content_end].ends_with('\r') {
                    content_end - 1
                } else {
                    content_end
                };
                return Some(Island {
                    end: pos + line.len(),
                    content: content_start..content_end.max(content_start),
                });
            }
            pos = after_line(body, pos);
        }
        return None;
    }
    let name = nfm_tag(first)?;
    let single_line = first.contains(&format!("</{name}>")) || first.trim_end().ends_with("/>");
    if CONTAINERS.contains(&name) && !single_line {
        let close = format!("</{name}>");
        let mut pos = after_line(body, start);
        while pos < body.len() {
            let line = line_at(body, pos);
            if line.trim_end() == close {
                let end = pos + line.len();
                return Some(Island {
                    end,
                    content: start..end,
                });
            }
            pos = after_line(body, pos);
        }
        // Unclosed: the island runs to the next blank line.
    }
    let mut end = start + first.len();
    let mut pos = after_line(body, start);
    while pos < body.len() {
        let line = line_at(body, pos);
        let continues = if CONTAINERS.contains(&name) && !single_line {
            !line.trim().is_empty()
        } else {
            line.starts_with('\t')
        };
        if !continues {
            break;
        }
        end = pos + line.len();
        pos = after_line(body, pos);
    }
    Some(Island {
        end,
        content: start..end,
    })
}

/// Text between chunks that is not whitespace becomes file-only chunks.
fn add_file_only(body: &str, chunks: &mut Vec<Chunk>) {
    chunks.sort_by_key(|c| c.range.start);
    let mut extra = Vec::new();
    let mut prev = 0;
    let bounds: Vec<Range<usize>> = chunks.iter().map(|c| c.range.clone()).collect();
    for r in bounds
        .iter()
        .chain(std::iter::once(&(body.len()..body.len())))
    {
        if r.start > prev {
            gap_chunks(body, prev, r.start, &mut extra);
        }
        prev = prev.max(r.end);
    }
    if !extra.is_empty() {
        chunks.extend(extra);
        chunks.sort_by_key(|c| c.range.start);
    }
}

/// Non-blank runs of lines in `[from, to)`.
fn gap_chunks(body: &str, from: usize, to: usize, out: &mut Vec<Chunk>) {
    let gap = &body[from..to];
    if gap.trim().is_empty() {
        return;
    }
    let mut run: Option<Range<usize>> = None;
    let mut pos = from;
    for line in gap.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        let content_end = pos + line.trim_end().len();
        if blank {
            if let Some(r) = run.take() {
                out.push(file_only(r));
            }
        } else {
            let s = pos + (line.len() - line.trim_start().len());
            run = Some(match run {
                Some(r) => r.start..content_end,
                None => s.min(content_end)..content_end,
            });
        }
        pos += line.len();
    }
    if let Some(r) = run {
        out.push(file_only(r));
    }
}

fn file_only(range: Range<usize>) -> Chunk {
    Chunk {
        range,
        kind: ChunkKind::FileOnly,
        blocks: Vec::new(),
    }
}

//! The original block helpers: the canonical tree built as a copy, fences and code lines as
//! strings.

use crate::attrs;
use crate::block::MAX_DEPTH;
use crate::model::{Block, BlockKind, Color};

/// The tree as Markdown can show it: children of blocks that cannot hold any follow them as
/// siblings; those of child pages, databases and unknown blocks (their own content) are left
/// out. Rendering this shape keeps render ∘ parse a fixpoint.
pub(crate) fn canonical(blocks: &[Block]) -> Vec<Block> {
    let mut out = Vec::with_capacity(blocks.len());
    push_canonical(&mut out, blocks, 0);
    out
}

fn push_canonical(out: &mut Vec<Block>, blocks: &[Block], depth: usize) {
    for b in blocks {
        let own = Block::new(b.kind.clone());
        match &b.kind {
            BlockKind::ChildPage { .. }
            | BlockKind::ChildDatabase { .. }
            | BlockKind::Unknown { .. } => out.push(own),
            _ if depth >= MAX_DEPTH => {
                // Too deep to nest further: the descendants follow as siblings.
                out.push(own);
                push_canonical(out, &b.children, depth);
            }
            _ if b.can_have_children() => {
                let mut kids = Vec::new();
                push_canonical(&mut kids, &b.children, depth + 1);
                out.push(Block::with_children(b.kind.clone(), kids));
            }
            _ => {
                out.push(own);
                push_canonical(out, &b.children, depth);
            }
        }
    }
}

/// Appends ` color="…"` unless the colour is the default.
pub(crate) fn push_color(out: &mut String, c: Color) {
    if !c.is_default() {
        attrs::push_attrs(out, [("color", c.markdown_name())]);
    }
}

/// Notion's language name; a fence without one is `plain text`.
pub(crate) fn language(info: &str) -> String {
    let l = info.trim();
    if l.is_empty() {
        "plain text".into()
    } else {
        l.to_string()
    }
}

/// A fence long enough for `text` (longer than any backtick run in it, at least three).
pub(crate) fn code_fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for b in text.bytes() {
        if b == b'`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

/// Code text as lines: a CR before a line end is dropped because the parser reads CRLF as LF.
pub(crate) fn code_lines(text: &str) -> Vec<String> {
    text.split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect()
}

/// Language written after a fence: one line, no backticks.
pub(crate) fn fence_language(lang: &str) -> String {
    let l: String = lang
        .chars()
        .filter(|&c| c != '`' && c != '\n' && c != '\r')
        .collect();
    language(&l)
}

/// Plain text written inside a tag (`<page>` titles): escaped, on one line.
pub(crate) fn tag_text(s: &str) -> String {
    super::escape::escaped(s.replace(['\n', '\r'], " ").trim())
}

//! Block-level pieces both dialects share.

use crate::attrs::{self, Attrs};
use crate::inline::Piece;
use crate::model::{Block, BlockKind, Color, RichText, SpanKind};

/// Nesting deeper than this is read as siblings: it bounds recursion on hostile input, and
/// Notion itself nests far less.
pub(crate) const MAX_DEPTH: usize = 64;

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

/// Reads `color="…"`; unknown spellings (such as `blue_background`) are dropped as Notion does.
pub(crate) fn color_of(a: &Attrs) -> Color {
    attrs::get(a, "color")
        .and_then(Color::from_markdown_name)
        .unwrap_or_default()
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

/// When a container's first child is a plain paragraph, it is the container's own text
/// (a v1 callout writes its text as the first indented line).
pub(crate) fn take_leading_text(children: &mut Vec<Block>) -> RichText {
    let is_text = matches!(
        children.first(),
        Some(Block {
            kind: BlockKind::Paragraph {
                color: Color::Default,
                ..
            },
            ..
        })
    );
    if !is_text {
        return RichText::default();
    }
    let first = children.remove(0);
    let text = match first.kind {
        BlockKind::Paragraph { text, .. } => text,
        _ => RichText::default(),
    };
    let rest = std::mem::take(children);
    children.extend(first.children);
    children.extend(rest);
    text
}

/// Plain text written inside a tag (`<page>` titles): escaped, on one line.
pub(crate) fn tag_text(s: &str) -> String {
    crate::escape::escaped(s.replace(['\n', '\r'], " ").trim())
}

/// Block text with images split out: the block's own text (what precedes the first image) and
/// the blocks that follow it (each image, and the text between and after them as paragraphs).
pub(crate) fn split_images(pieces: Vec<Piece>, color: Color) -> (RichText, Vec<Block>) {
    let mut lead = RichText::default();
    let mut rest = Vec::new();
    for (i, piece) in pieces.into_iter().enumerate() {
        match piece {
            Piece::Text(spans) if i == 0 => lead = RichText(spans),
            Piece::Text(spans) => {
                let blank = spans.iter().all(|s| {
                    matches!(&s.kind, SpanKind::Text { content, .. } if content.trim().is_empty())
                });
                if !blank {
                    rest.push(Block::new(BlockKind::Paragraph {
                        text: RichText(spans),
                        color,
                    }));
                }
            }
            Piece::Image { caption, url } => rest.push(Block::new(BlockKind::Image {
                url,
                caption: RichText(caption),
                color: Color::Default,
            })),
        }
    }
    (lead, rest)
}

/// A paragraph whose text may hold images: the paragraph (unless only images were written),
/// then the images and following text; `children` go to the last block that can hold them.
pub(crate) fn paragraph_blocks(
    pieces: Vec<Piece>,
    color: Color,
    children: Vec<Block>,
) -> Vec<Block> {
    let (lead, rest) = split_images(pieces, color);
    let mut out = Vec::with_capacity(1 + rest.len());
    let lead_blank = lead
        .0
        .iter()
        .all(|s| matches!(&s.kind, SpanKind::Text { content, .. } if content.trim().is_empty()));
    if !lead_blank || rest.is_empty() {
        out.push(Block::new(BlockKind::Paragraph { text: lead, color }));
    }
    out.extend(rest);
    match out.last_mut() {
        Some(last) if last.can_have_children() => last.children = children,
        _ => out.extend(children),
    }
    out
}

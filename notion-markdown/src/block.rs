//! Block-level pieces both dialects share.

use std::borrow::Cow;

use crate::attrs::{self, Attrs};
use crate::inline::Piece;
use crate::model::{Block, BlockKind, Color, RichText, SpanKind};

/// Nesting deeper than this is read as siblings: it bounds recursion on hostile input, and
/// Notion itself nests far less.
pub(crate) const MAX_DEPTH: usize = 64;

/// The tree as Markdown can show it: children of blocks that cannot hold any follow them as
/// siblings; those of child pages, databases and unknown blocks (their own content) are left
/// out. Rendering this shape keeps render ∘ parse a fixpoint.
///
/// The renderers walk this shape as an iterator over borrowed blocks rather than building it:
/// a canonical copy of the tree would clone every string of the page before a byte is written.
/// Each [`Node`] is a block as it appears in the shape, with the children it keeps.
#[derive(Debug, Clone)]
pub(crate) struct Canonical<'a> {
    depth: usize,
    current: std::slice::Iter<'a, Block>,
    /// Where to resume once the children that were lifted to sibling level are done.
    resume: Vec<std::slice::Iter<'a, Block>>,
}

/// One block of the canonical shape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node<'a> {
    pub kind: &'a BlockKind,
    /// The children nested under it (empty when they were lifted or dropped).
    children: &'a [Block],
    depth: usize,
}

impl<'a> Canonical<'a> {
    pub(crate) fn new(blocks: &'a [Block]) -> Canonical<'a> {
        Canonical::at(blocks, 0)
    }

    fn at(blocks: &'a [Block], depth: usize) -> Canonical<'a> {
        Canonical {
            depth,
            current: blocks.iter(),
            resume: Vec::new(),
        }
    }
}

impl<'a> Iterator for Canonical<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Node<'a>> {
        loop {
            if let Some(b) = self.current.next() {
                let children: &'a [Block] = match &b.kind {
                    BlockKind::ChildPage { .. }
                    | BlockKind::ChildDatabase { .. }
                    | BlockKind::Unknown { .. } => &[],
                    // Too deep to nest further, or not a container: the descendants follow as
                    // siblings, before the rest of this level.
                    _ if self.depth >= MAX_DEPTH || !b.can_have_children() => {
                        if !b.children.is_empty() {
                            let rest = std::mem::replace(&mut self.current, b.children.iter());
                            self.resume.push(rest);
                        }
                        &[]
                    }
                    _ => &b.children,
                };
                return Some(Node {
                    kind: &b.kind,
                    children,
                    depth: self.depth,
                });
            }
            self.current = self.resume.pop()?;
        }
    }
}

impl<'a> Node<'a> {
    /// The nested children, in canonical shape.
    pub(crate) fn children(&self) -> Canonical<'a> {
        Canonical::at(self.children, self.depth + 1)
    }

    pub(crate) fn has_children(&self) -> bool {
        !self.children.is_empty()
    }

    /// The kind of the first nested child (a lifted or dropped block is never first: the
    /// canonical shape starts with the first child itself).
    pub(crate) fn first_child(&self) -> Option<&'a BlockKind> {
        self.children.first().map(|b| &b.kind)
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

/// Appends a fence long enough for `text` (longer than any backtick run in it, at least three).
pub(crate) fn push_code_fence(out: &mut String, text: &str) {
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
    for _ in 0..(longest + 1).max(3) {
        out.push('`');
    }
}

/// Code text as lines: a CR before a line end is dropped because the parser reads CRLF as LF.
pub(crate) fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l))
}

/// Appends the language written after a fence: one line, no backticks.
pub(crate) fn push_fence_language(out: &mut String, lang: &str) {
    let filtered: Cow<'_, str> = if lang.contains(['`', '\n', '\r']) {
        Cow::Owned(
            lang.chars()
                .filter(|&c| c != '`' && c != '\n' && c != '\r')
                .collect(),
        )
    } else {
        Cow::Borrowed(lang)
    };
    let l = filtered.trim();
    out.push_str(if l.is_empty() { "plain text" } else { l });
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

/// Appends plain text written inside a tag (`<page>` titles): escaped, on one line.
pub(crate) fn push_tag_text(out: &mut String, s: &str) {
    let one_line: Cow<'_, str> = if s.contains(['\n', '\r']) {
        Cow::Owned(s.replace(['\n', '\r'], " "))
    } else {
        Cow::Borrowed(s)
    };
    crate::escape::push_escaped(out, one_line.trim());
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

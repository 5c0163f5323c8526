//! Notion's size limits, met by splitting and never by truncating (G14).
//!
//! - a rich-text item's `text.content` holds at most 2,000 characters;
//! - a rich-text array holds at most 100 items;
//! - a request appends at most 100 blocks, nested at most two levels.
//!
//! The markdown endpoints build blocks server-side, but the blocks API (used for truncated pages
//! and unknown blocks) does not: [`fit_rich_text`] and [`fit_blocks`] make any block tree
//! writable through it. The concatenation of the pieces is always the original text.

use notion_markdown::{Block, BlockKind, RichText, Span, SpanKind};

/// Characters per rich-text item.
pub const MAX_TEXT_CHARS: usize = 2000;
/// Items per rich-text array, and children per append request.
pub const MAX_ITEMS: usize = 100;

/// Splits text items longer than [`MAX_TEXT_CHARS`] (on character boundaries, preferring a
/// space or line break near the end so words stay whole).
pub fn split_long_runs(rt: &RichText) -> RichText {
    let mut out = Vec::with_capacity(rt.0.len());
    for span in &rt.0 {
        match &span.kind {
            SpanKind::Text { content, link } if content.chars().count() > MAX_TEXT_CHARS => {
                for piece in split_text(content, MAX_TEXT_CHARS) {
                    out.push(Span {
                        kind: SpanKind::Text {
                            content: piece,
                            link: link.clone(),
                        },
                        annotations: span.annotations,
                    });
                }
            }
            _ => out.push(span.clone()),
        }
    }
    RichText(out)
}

/// `text` cut into pieces of at most `max` characters.
pub fn split_text(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    while start < chars.len() {
        let mut end = (start + max).min(chars.len());
        if end < chars.len() {
            // Prefer to cut after a line break or space in the last quarter of the piece.
            let floor = start + max * 3 / 4;
            if let Some(p) = (floor..end)
                .rev()
                .find(|&i| chars[i] == '\n' || chars[i] == ' ')
            {
                end = p + 1;
            }
        }
        out.push(chars[start..end].iter().collect());
        start = end;
    }
    out
}

/// A rich text that fits the API: long runs split, and the array cut into groups of at most
/// [`MAX_ITEMS`] items. More than one group means the text needs several blocks (Notion cannot
/// hold it in one); callers continue it in following blocks of the same type.
pub fn fit_rich_text(rt: &RichText) -> Vec<RichText> {
    let split = split_long_runs(rt);
    if split.0.is_empty() {
        return vec![RichText::default()];
    }
    split
        .0
        .chunks(MAX_ITEMS)
        .map(|c| RichText(c.to_vec()))
        .collect()
}

/// Blocks whose every rich text fits the API: a block whose text needs more than 100 items is
/// continued in following blocks of the same kind (the children stay with the last one).
pub fn fit_blocks(blocks: &[Block]) -> Vec<Block> {
    let mut out = Vec::with_capacity(blocks.len());
    for b in blocks {
        let children = fit_blocks(&b.children);
        let pieces = match text_of(&b.kind) {
            Some(rt) => fit_rich_text(rt),
            None => {
                // Code text is one string in the model; the API splits it per 2,000
                // characters (see `code_rich_text`).
                out.push(Block::with_children(b.kind.clone(), children));
                continue;
            }
        };
        let n = pieces.len();
        for (i, piece) in pieces.into_iter().enumerate() {
            let mut kind = b.kind.clone();
            set_text(&mut kind, piece);
            let kids = if i + 1 == n {
                children.clone()
            } else {
                Vec::new()
            };
            out.push(Block::with_children(kind, kids));
        }
    }
    out
}

/// A code block's text as API rich-text items (2,000 characters each, at most 100 per block).
/// Returns one array per block: text longer than 200,000 characters needs several code blocks.
pub fn code_rich_text(text: &str) -> Vec<Vec<String>> {
    let pieces = split_text(text, MAX_TEXT_CHARS);
    if pieces.is_empty() {
        return vec![Vec::new()];
    }
    pieces.chunks(MAX_ITEMS).map(|c| c.to_vec()).collect()
}

/// Groups of at most [`MAX_ITEMS`] sibling blocks, for append requests.
pub fn append_batches(blocks: &[Block]) -> Vec<&[Block]> {
    blocks.chunks(MAX_ITEMS).collect()
}

fn text_of(kind: &BlockKind) -> Option<&RichText> {
    match kind {
        BlockKind::Paragraph { text, .. }
        | BlockKind::Heading { text, .. }
        | BlockKind::BulletedListItem { text, .. }
        | BlockKind::NumberedListItem { text, .. }
        | BlockKind::ToDo { text, .. }
        | BlockKind::Quote { text, .. }
        | BlockKind::Toggle { text, .. }
        | BlockKind::Callout { text, .. } => Some(text),
        _ => None,
    }
}

fn set_text(kind: &mut BlockKind, rt: RichText) {
    match kind {
        BlockKind::Paragraph { text, .. }
        | BlockKind::Heading { text, .. }
        | BlockKind::BulletedListItem { text, .. }
        | BlockKind::NumberedListItem { text, .. }
        | BlockKind::ToDo { text, .. }
        | BlockKind::Quote { text, .. }
        | BlockKind::Toggle { text, .. }
        | BlockKind::Callout { text, .. } => *text = rt,
        _ => {}
    }
}

/// Whether every rich text in `blocks` fits the API limits.
pub fn fits(blocks: &[Block]) -> bool {
    blocks.iter().all(|b| {
        let ok = match text_of(&b.kind) {
            Some(rt) => {
                rt.0.len() <= MAX_ITEMS
                    && rt.0.iter().all(|s| match &s.kind {
                        SpanKind::Text { content, .. } => content.chars().count() <= MAX_TEXT_CHARS,
                        _ => true,
                    })
            }
            None => true,
        };
        ok && fits(&b.children)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notion_markdown::Annotations;

    #[test]
    fn long_text_is_split_not_truncated() {
        let text = "word ".repeat(1000);
        let pieces = split_text(&text, MAX_TEXT_CHARS);
        assert!(pieces.iter().all(|p| p.chars().count() <= MAX_TEXT_CHARS));
        assert_eq!(pieces.concat(), text);
        let code = code_rich_text(&"x".repeat(450_000));
        assert_eq!(code.len(), 3);
        assert_eq!(code.concat().concat().len(), 450_000);
    }

    #[test]
    fn many_runs_continue_in_following_blocks() {
        let spans: Vec<Span> = (0..250)
            .map(|i| Span {
                kind: SpanKind::Text {
                    content: format!("r{i} "),
                    link: None,
                },
                annotations: Annotations {
                    bold: i % 2 == 0,
                    ..Annotations::default()
                },
            })
            .collect();
        let b = Block::new(BlockKind::Paragraph {
            text: RichText(spans.clone()),
            color: Default::default(),
        });
        let fitted = fit_blocks(&[b]);
        assert_eq!(fitted.len(), 3);
        assert!(fits(&fitted));
        let joined: Vec<Span> = fitted
            .iter()
            .flat_map(|b| text_of(&b.kind).map(|t| t.0.clone()).unwrap_or_default())
            .collect();
        assert_eq!(joined, spans);
    }
}

//! `file_code_page` mappings: any UTF-8 text file held in a page as code blocks.
//!
//! The language comes from the file's extension. A code block holds at most 100 rich-text
//! items of 2,000 characters, so a large file is split over several code blocks, at line
//! breaks (G14); reading the page joins them back. The file's final newline and line endings
//! are kept by the caller's [`crate::normalize::TextForm`].

use notion_markdown::{Block, BlockKind, Dialect};

use crate::translate::languages;
use crate::translate::limits::{MAX_ITEMS, MAX_TEXT_CHARS};

/// Characters one code block can hold.
pub const MAX_CODE_BLOCK_CHARS: usize = MAX_ITEMS * MAX_TEXT_CHARS;

/// The code blocks for a file (`text` with LF line breaks, without its final newline).
pub fn blocks(path: &str, text: &str) -> Vec<Block> {
    let language = languages::for_path(path);
    split(text, MAX_CODE_BLOCK_CHARS)
        .into_iter()
        .map(|piece| {
            Block::new(BlockKind::Code {
                language: language.clone(),
                text: piece,
            })
        })
        .collect()
}

/// The page body for a file.
pub fn to_markdown(path: &str, text: &str, dialect: Dialect) -> String {
    notion_markdown::render(&blocks(path, text), dialect)
}

/// The file text held by a page: its code blocks joined. `None` when the page holds anything
/// else (someone added a paragraph in Notion): the caller reports it rather than guess.
pub fn from_markdown(markdown: &str, dialect: Dialect) -> Option<String> {
    let blocks = notion_markdown::parse(markdown, dialect);
    let mut parts = Vec::with_capacity(blocks.len());
    for b in &blocks {
        match &b.kind {
            BlockKind::Code { text, .. } if b.children.is_empty() => parts.push(text.as_str()),
            BlockKind::Paragraph { text, .. } if text.is_empty() && b.children.is_empty() => {}
            _ => return None,
        }
    }
    Some(parts.join("\n"))
}

/// `text` cut at line breaks into pieces of at most `max` characters. Joining the pieces with
/// `\n` gives `text` back. A single line longer than `max` stays whole in a piece of its own
/// (cutting it would change the text on the way back); the markdown endpoint still accepts it.
pub fn split(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    if text.chars().count() <= max {
        return vec![text.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    let mut cur: Option<(String, usize)> = None;
    for line in text.split('\n') {
        let len = line.chars().count();
        cur = match cur.take() {
            Some((mut piece, n)) if n + 1 + len <= max => {
                piece.push('\n');
                piece.push_str(line);
                Some((piece, n + 1 + len))
            }
            Some((piece, _)) => {
                out.push(piece);
                Some((line.to_string(), len))
            }
            None => Some((line.to_string(), len)),
        };
    }
    if let Some((piece, _)) = cur {
        out.push(piece);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_files_split_and_join() {
        let text: String = (0..30_000)
            .map(|i| format!("let line_{i} = {i};"))
            .collect::<Vec<_>>()
            .join("\n");
        let md = to_markdown("src/big.rs", &text, Dialect::V1);
        let blocks = notion_markdown::parse(&md, Dialect::V1);
        assert!(blocks.len() > 2);
        assert!(blocks.iter().all(|b| matches!(&b.kind,
            BlockKind::Code { text, language } if text.chars().count() <= MAX_CODE_BLOCK_CHARS && language == "rust")));
        assert_eq!(
            from_markdown(&md, Dialect::V1).as_deref(),
            Some(text.as_str())
        );
        assert_eq!(split("a\n\nb", 2), vec!["a\n", "b"]);
        assert_eq!(split("a\n\nb", 2).join("\n"), "a\n\nb");
    }
}

//! The two sides of a synced document as sequences the merge can align.
//!
//! - [`FileDoc`]: a file body cut into chunks (exact bytes) with the canonical keys of the
//!   Notion blocks each chunk becomes.
//! - [`RemoteDoc`]: a page body as top-level Notion blocks with their keys.
//! - [`FileParts`]: a whole file split into BOM, front matter, title line and body, so each part
//!   is handled by the code that owns it and put back byte for byte.
//!
//! [`patch_file`] applies chunk-level replacements to a body, keeping every byte outside the
//! replaced chunks (this is what "a remote change is applied only at the blocks it changed"
//! means in practice).

use notion_markdown::{Block, BlockKind};

use crate::normalize::block_keys;
use crate::translate::{self, Chunk, ChunkKind, Options};

/// A file body as chunks.
#[derive(Debug, Clone)]
pub struct FileDoc {
    pub body: String,
    pub chunks: Vec<Chunk>,
    /// Per chunk, the keys of its blocks.
    pub keys: Vec<Vec<String>>,
}

impl FileDoc {
    pub fn parse(body: &str, opts: &Options) -> FileDoc {
        let chunks = translate::chunks(body, opts);
        let keys = chunks
            .iter()
            .map(|c| block_keys(&c.blocks, opts.dialect))
            .collect();
        FileDoc {
            body: body.to_string(),
            chunks,
            keys,
        }
    }

    /// The exact text of chunk `i`.
    pub fn text(&self, i: usize) -> &str {
        &self.body[self.chunks[i].range.clone()]
    }

    /// Every block of the body, in order.
    pub fn blocks(&self) -> Vec<Block> {
        self.chunks.iter().flat_map(|c| c.blocks.clone()).collect()
    }

    /// Every key of the body, in order.
    pub fn flat_keys(&self) -> Vec<&str> {
        self.keys.iter().flatten().map(String::as_str).collect()
    }

    /// The text spanning chunks `[a, b)` (separators between them included).
    pub fn span_text(&self, a: usize, b: usize) -> &str {
        if a >= b || b > self.chunks.len() {
            return "";
        }
        &self.body[self.chunks[a].range.start..self.chunks[b - 1].range.end]
    }
}

/// A page body as top-level blocks.
#[derive(Debug, Clone)]
pub struct RemoteDoc {
    pub markdown: String,
    pub blocks: Vec<Block>,
    pub keys: Vec<String>,
}

impl RemoteDoc {
    pub fn parse(markdown: &str, opts: &Options) -> RemoteDoc {
        let blocks = notion_markdown::parse(markdown, opts.dialect);
        let keys = block_keys(&blocks, opts.dialect);
        RemoteDoc {
            markdown: markdown.to_string(),
            blocks,
            keys,
        }
    }

    pub fn from_blocks(blocks: Vec<Block>, opts: &Options) -> RemoteDoc {
        let markdown = notion_markdown::render(&blocks, opts.dialect);
        let keys = block_keys(&blocks, opts.dialect);
        RemoteDoc {
            markdown,
            blocks,
            keys,
        }
    }
}

/// A new chunk to put into a file: its text (LF line breaks) and its blocks (for choosing the
/// separator next to its neighbours).
#[derive(Debug, Clone)]
pub struct NewChunk {
    pub text: String,
    pub blocks: Vec<Block>,
}

/// Renders remote blocks as new chunks, matching list markers to `prev` (the chunk they follow).
pub fn render_chunks(blocks: &[Block], prev: Option<&Chunk>, opts: &Options) -> Vec<NewChunk> {
    let mut out: Vec<NewChunk> = Vec::new();
    let (mut bullet, mut number) = match prev.map(|c| &c.kind) {
        Some(ChunkKind::ListItem(m)) if !m.ordered => (m.char, 0),
        Some(ChunkKind::ListItem(m)) => ('-', m.number as usize),
        _ => ('-', 0),
    };
    let mut prev_block: Option<&Block> = prev.and_then(|c| c.blocks.last());
    for b in blocks {
        let numbered = matches!(b.kind, BlockKind::NumberedListItem { .. });
        number = if numbered && prev_block.is_some_and(|p| translate::same_list(p, b)) {
            number + 1
        } else if numbered {
            1
        } else {
            0
        };
        if !matches!(
            b.kind,
            BlockKind::BulletedListItem { .. } | BlockKind::ToDo { .. }
        ) {
            bullet = '-';
        }
        let text = translate::render_block(b, number.max(1), bullet, opts);
        prev_block = Some(b);
        if text.is_empty() {
            continue;
        }
        out.push(NewChunk {
            text,
            blocks: vec![b.clone()],
        });
    }
    out
}

/// One replacement in a body: chunks `[from, to)` become `with` (an insertion when equal).
#[derive(Debug, Clone)]
pub struct FilePatch {
    pub from: usize,
    pub to: usize,
    pub with: Vec<NewChunk>,
}

fn sep_between(a: Option<&Block>, b: Option<&Block>) -> &'static str {
    match (a, b) {
        (Some(a), Some(b)) if translate::same_list(a, b) => "\n",
        _ => "\n\n",
    }
}

/// Applies `patches` (sorted, non-overlapping) to `doc`; `nl` is the file's line break.
///
/// Chunks outside the patches keep their bytes, and so does the separator between two chunks
/// that stay neighbours. Where a patch creates a new neighbourhood the separator is chosen so
/// the blocks stay apart (a blank line, or a single line break between items of one list).
/// File-only chunks inside a replaced range are kept: nothing on the Notion side can remove them.
pub fn patch_file(doc: &FileDoc, patches: &[FilePatch], nl: &str) -> String {
    let body = &doc.body;
    let n = doc.chunks.len();
    struct Item<'d> {
        text: std::borrow::Cow<'d, str>,
        first: Option<&'d Block>,
        last: Option<&'d Block>,
        orig: Option<usize>,
    }
    let mut items: Vec<Item<'_>> = Vec::with_capacity(n + 8);
    let mut next = 0usize;
    let original = |i: usize| Item {
        text: std::borrow::Cow::Borrowed(doc.text(i)),
        first: doc.chunks[i].blocks.first(),
        last: doc.chunks[i].blocks.last(),
        orig: Some(i),
    };
    for p in patches {
        let from = p.from.clamp(next, n);
        let to = p.to.clamp(from, n);
        for i in next..from {
            items.push(original(i));
        }
        for c in &p.with {
            items.push(Item {
                text: std::borrow::Cow::Owned(with_nl(&c.text, nl)),
                first: c.blocks.first(),
                last: c.blocks.last(),
                orig: None,
            });
        }
        for i in from..to {
            if doc.chunks[i].kind == ChunkKind::FileOnly {
                items.push(original(i));
            }
        }
        next = to;
    }
    for i in next..n {
        items.push(original(i));
    }
    if n == 0 {
        if items.is_empty() {
            return body.clone();
        }
        let mut out = String::new();
        for (k, it) in items.iter().enumerate() {
            if k > 0 {
                out.push_str(&with_nl(sep_between(items[k - 1].last, it.first), nl));
            }
            out.push_str(&it.text);
        }
        out.push_str(if body.is_empty() { nl } else { body });
        return out;
    }
    if items.is_empty() {
        return String::new();
    }
    let sep_after = |i: usize| -> &str {
        if i + 1 < n {
            &body[doc.chunks[i].range.end..doc.chunks[i + 1].range.start]
        } else {
            ""
        }
    };
    let adequate = |sep: &str, required: &str| {
        !sep.is_empty() && sep.matches('\n').count() >= required.matches('\n').count()
    };
    let mut out = String::with_capacity(body.len() + 256);
    out.push_str(&body[..doc.chunks[0].range.start]);
    for (k, it) in items.iter().enumerate() {
        if k > 0 {
            let prev = &items[k - 1];
            let required = sep_between(prev.last, it.first);
            let sep = match (prev.orig, it.orig) {
                (Some(i), Some(j)) if j == i + 1 => sep_after(i).to_string(),
                (Some(i), Some(j)) if j > i + 1 => {
                    let before_j = sep_after(j - 1);
                    let after_i = sep_after(i);
                    if adequate(before_j, required) {
                        before_j.to_string()
                    } else if adequate(after_i, required) {
                        after_i.to_string()
                    } else {
                        with_nl(required, nl)
                    }
                }
                _ => with_nl(required, nl),
            };
            out.push_str(&sep);
        }
        out.push_str(&it.text);
    }
    out.push_str(&body[doc.chunks[n - 1].range.end..]);
    out
}

fn with_nl(s: &str, nl: &str) -> String {
    if nl == "\n" {
        s.to_string()
    } else {
        crate::normalize::to_crlf(s)
    }
}

/// A file split into its parts. Concatenating `bom`, `front_matter`, `title_line` and `body`
/// gives the file back exactly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileParts<'a> {
    pub bom: bool,
    /// `---` … `---` with its line breaks, if the file starts with front matter.
    pub front_matter: Option<&'a str>,
    /// The first-line `# H1` with the blank lines after it, when the title comes from it.
    pub title_line: Option<&'a str>,
    /// The H1's text.
    pub h1: Option<String>,
    pub body: &'a str,
}

impl<'a> FileParts<'a> {
    /// Splits a file. The H1 is taken as the title only when the front matter has no `title`
    /// (`fm_has_title` tells).
    pub fn split(text: &'a str) -> FileParts<'a> {
        let bom = text.starts_with('\u{feff}');
        let rest = crate::normalize::strip_bom(text);
        let (front_matter, rest) = match crate::frontmatter::extent(rest) {
            Some(end) => (Some(&rest[..end]), &rest[end..]),
            None => (None, rest),
        };
        let fm_title = front_matter
            .map(|fm| crate::frontmatter::FrontMatter::parse(fm).title().is_some())
            .unwrap_or(false);
        let (title_line, h1, body) = if fm_title {
            (None, None, rest)
        } else {
            split_h1(rest)
        };
        FileParts {
            bom,
            front_matter,
            title_line,
            h1,
            body,
        }
    }
}

/// `# Title` on the first line, and the blank lines after it.
fn split_h1(text: &str) -> (Option<&str>, Option<String>, &str) {
    let first_end = text.find('\n').map_or(text.len(), |i| i + 1);
    let first = text[..first_end].trim_end_matches(['\n', '\r']);
    let Some(h1) = first.strip_prefix("# ") else {
        return (None, None, text);
    };
    // A closing sequence of `#` is not part of the title (ATX headings).
    let title = h1.trim().trim_end_matches('#').trim_end();
    if title.is_empty() {
        return (None, None, text);
    }
    let mut end = first_end;
    while end < text.len() {
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
        if text[end..line_end].trim().is_empty() {
            end = line_end;
        } else {
            break;
        }
    }
    (Some(&text[..end]), Some(title.to_string()), &text[end..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_put_back_exactly() {
        let text = "\u{feff}---\r\ntitle: X\r\n---\r\n# Not the title\r\n\r\nBody\r\n";
        let p = FileParts::split(text);
        assert!(p.bom);
        assert_eq!(p.front_matter, Some("---\r\ntitle: X\r\n---\r\n"));
        assert_eq!(p.title_line, None);
        assert_eq!(p.body, "# Not the title\r\n\r\nBody\r\n");
        let p = FileParts::split("# Plan\n\n\nBody\n");
        assert_eq!(p.title_line, Some("# Plan\n\n\n"));
        assert_eq!(p.h1.as_deref(), Some("Plan"));
        assert_eq!(p.body, "Body\n");
    }

    #[test]
    fn patches_keep_other_bytes() {
        let opts = Options::default();
        let body = "Para   one\nwrapped.\n\n* a\n* b\n\n[r]: /x\n\nLast  para.\n";
        let doc = FileDoc::parse(body, &opts);
        assert_eq!(doc.chunks.len(), 5);
        let new = render_chunks(
            &notion_markdown::parse("- inserted", notion_markdown::Dialect::V1),
            Some(&doc.chunks[2]),
            &opts,
        );
        let out = patch_file(
            &doc,
            &[
                FilePatch {
                    from: 3,
                    to: 3,
                    with: new,
                },
                FilePatch {
                    from: 4,
                    to: 5,
                    with: render_chunks(
                        &notion_markdown::parse("Changed.", notion_markdown::Dialect::V1),
                        None,
                        &opts,
                    ),
                },
            ],
            "\n",
        );
        assert_eq!(
            out,
            "Para   one\nwrapped.\n\n* a\n* b\n* inserted\n\n[r]: /x\n\nChanged.\n"
        );
        let deleted = patch_file(
            &doc,
            &[FilePatch {
                from: 0,
                to: 1,
                with: vec![],
            }],
            "\n",
        );
        assert_eq!(deleted, "* a\n* b\n\n[r]: /x\n\nLast  para.\n");
    }
}

//! v2 ("Notion-flavored Markdown") → blocks.
//!
//! Blocks are separated by blank lines; consecutive text lines form one paragraph (each line
//! break is kept as a line break). A block with children uses its tag container; only list
//! items nest by indentation (a TAB, or two spaces as GFM writes it).

use crate::attrs;
use crate::block::{self, MAX_DEPTH};
use crate::inline;
use crate::lines::{self, ListMarker};
use crate::model::{Block, BlockKind, Color, RichText};
use crate::table;
use crate::Dialect;

const D: Dialect = Dialect::V2;

pub(crate) fn parse(src: &str) -> Vec<Block> {
    parse_at(src, 0)
}

fn parse_at(src: &str, depth: usize) -> Vec<Block> {
    let src: std::borrow::Cow<'_, str> = if src.contains("\r\n") {
        src.replace("\r\n", "\n").into()
    } else {
        src.into()
    };
    let lines: Vec<&str> = src.split('\n').collect();
    let mut p = Parser {
        lines: &lines,
        pos: 0,
        closers: Vec::new(),
        lists: Vec::new(),
        depth,
        table_close: None,
    };
    let mut out = Vec::new();
    while p.pos < lines.len() {
        p.seq(0, &mut out);
    }
    out
}

/// Indentation level (a TAB or two spaces each) and the byte offset of the content.
pub(super) fn level(line: &str) -> (usize, usize) {
    let mut lvl = 0;
    let mut spaces = 0;
    let mut off = 0;
    for b in line.bytes() {
        match b {
            b'\t' => {
                lvl += 1 + spaces / 2;
                spaces = 0;
            }
            b' ' => spaces += 1,
            _ => break,
        }
        off += 1;
    }
    (lvl + spaces / 2, off)
}

/// Removes up to `n` levels of indentation (code and equation bodies inside list items).
fn strip_levels(line: &str, n: usize) -> &str {
    let mut lvl = 0;
    let mut spaces = 0;
    for (i, b) in line.bytes().enumerate() {
        if lvl + spaces / 2 >= n {
            return &line[i..];
        }
        match b {
            b'\t' => {
                lvl += 1 + spaces / 2;
                spaces = 0;
            }
            b' ' => spaces += 1,
            _ => return &line[i..],
        }
    }
    ""
}

/// Paragraph lines → inline source. Every line break is kept; a hard break's backslash stays
/// (the inline parser reads `\` + newline as a break) so the characters around emphasis
/// markers are the ones the renderer saw.
fn join_text(parts: &[&str]) -> String {
    let mut s = String::new();
    let last = parts.len().saturating_sub(1);
    for (i, p) in parts.iter().enumerate() {
        let p = p.trim();
        if i > 0 {
            s.push('\n');
        }
        if i < last && lines::is_escaped(p.as_bytes(), p.len()) {
            s.push_str(p[..p.len() - 1].trim_end());
            s.push('\\');
        } else {
            s.push_str(p);
        }
    }
    s
}

pub(super) fn text_of(parts: &[&str]) -> RichText {
    inline::parse(&join_text(parts), D)
}

/// The v2 block tags whose line starts a block (other tags are text).
pub(super) fn is_block_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "toggle"
            | "quote"
            | "callout"
            | "columns"
            | "column"
            | "synced-block"
            | "synced-block-reference"
            | "ul"
            | "ol"
            | "li"
            | "todo"
            | "table"
            | "image"
            | "audio"
            | "video"
            | "file"
            | "pdf"
            | "page"
            | "database"
            | "table-of-contents"
            | "unknown"
            | "equation"
    )
}

/// Whether a line (already trimmed) starts a block, so it cannot continue a paragraph.
pub(super) fn starts_block(t: &str) -> bool {
    lines::fence(t).is_some()
        || t.starts_with("$$")
        || lines::is_divider(t)
        || lines::heading(t).is_some()
        || t.starts_with('>')
        || lines::list_marker(t).is_some()
        || (t.starts_with("![")
            && inline::image_line(t, D).is_some_and(|(_, _, rest)| rest.is_empty()))
        || attrs::start_tag(t).is_some_and(|tag| is_block_tag(tag.name))
}

pub(super) fn push_block(out: &mut Vec<Block>, kind: BlockKind, children: Vec<Block>) {
    let b = Block::new(kind);
    if b.can_have_children() {
        out.push(Block { children, ..b });
    } else {
        out.push(b);
        out.extend(children);
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum ListKind {
    Bulleted,
    Numbered,
}

pub(super) struct Parser<'a> {
    pub(super) lines: &'a [&'a str],
    pub(super) pos: usize,
    pub(super) closers: Vec<&'static str>,
    /// The `<ul>`/`<ol>` containers around the current `<li>`.
    pub(super) lists: Vec<ListKind>,
    pub(super) depth: usize,
    pub(super) table_close: Option<Vec<usize>>,
}

impl<'a> Parser<'a> {
    pub(super) fn is_closer(&self, t: &str) -> bool {
        self.closers.iter().any(|c| attrs::is_end_tag(t, c))
    }

    /// Blocks on lines indented at least `min` levels, up to a shallower line or an end tag of
    /// an enclosing container.
    pub(super) fn seq(&mut self, min: usize, out: &mut Vec<Block>) {
        while self.pos < self.lines.len() {
            let line = self.lines[self.pos];
            let (lvl, off) = level(line);
            let t = line[off..].trim_end();
            if t.is_empty() {
                self.pos += 1;
                continue;
            }
            if lvl < min || self.is_closer(t) {
                break;
            }
            self.pos += 1;
            self.block(min, lvl, t, out);
        }
    }

    pub(super) fn nested(&mut self, min: usize, out: &mut Vec<Block>) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.seq(min, out);
        self.depth -= 1;
    }

    /// Continuation lines of a paragraph whose first line was just consumed.
    pub(super) fn more_text_lines(&mut self, min: usize, parts: &mut Vec<&'a str>) {
        while let Some(&line) = self.lines.get(self.pos) {
            let (lvl, off) = level(line);
            let t = line[off..].trim_end();
            if t.is_empty() || lvl < min || self.is_closer(t) || starts_block(t) {
                break;
            }
            parts.push(t);
            self.pos += 1;
        }
    }

    pub(super) fn block(&mut self, min: usize, lvl: usize, t: &'a str, out: &mut Vec<Block>) {
        if let Some((c, n, info)) = lines::fence(t) {
            let mut body = Vec::new();
            while let Some(&raw) = self.lines.get(self.pos) {
                self.pos += 1;
                if lines::is_fence_close(raw, c, n) {
                    break;
                }
                body.push(strip_levels(raw, lvl));
            }
            let text = body.join("\n");
            out.push(Block::new(BlockKind::Code {
                language: block::language(info),
                text,
            }));
            return;
        }
        if t == "$$" {
            let close = (self.pos..self.lines.len()).find(|&k| self.lines[k].trim() == "$$");
            if let Some(close) = close {
                let body: Vec<&str> = self.lines[self.pos..close]
                    .iter()
                    .map(|l| strip_levels(l, lvl))
                    .collect();
                self.pos = close + 1;
                out.push(Block::new(BlockKind::Equation {
                    expression: body.join("\n"),
                }));
                return;
            }
        } else if t.len() > 4 && t.starts_with("$$") && t.ends_with("$$") {
            let expression = t[2..t.len() - 2].trim().to_string();
            out.push(Block::new(BlockKind::Equation { expression }));
            return;
        }
        if lines::is_divider(t) {
            out.push(Block::new(BlockKind::Divider));
            return;
        }
        if let Some((level, rest)) = lines::heading(t) {
            let text = inline::parse(rest, D);
            out.push(Block::new(BlockKind::Heading {
                level,
                text,
                color: Color::Default,
                toggleable: false,
            }));
            return;
        }
        if t.starts_with('<') && self.tag_block(lvl, t, out) {
            return;
        }
        if t.starts_with('>') {
            if let Some(b) = self.quote(min, t) {
                out.push(b);
                return;
            }
        }
        if let Some(m) = lines::list_marker(t) {
            out.push(self.list_item(lvl, m));
            return;
        }
        if let Some((caption, url, "")) = inline::image_line(t, D) {
            out.push(Block::new(BlockKind::Image {
                url,
                caption,
                color: Color::Default,
            }));
            return;
        }
        if let Some(b) = self.pipe_table(t) {
            out.push(b);
            return;
        }
        let mut parts = vec![t];
        self.more_text_lines(min, &mut parts);
        // A setext underline right below the text makes it a heading.
        if let Some(line) = self.lines.get(self.pos) {
            let (lvl2, off) = level(line);
            if lvl2 >= min {
                if let Some(level) = lines::setext(&line[off..]) {
                    self.pos += 1;
                    let text = text_of(&parts);
                    out.push(Block::new(BlockKind::Heading {
                        level,
                        text,
                        color: Color::Default,
                        toggleable: false,
                    }));
                    return;
                }
            }
        }
        let pieces = inline::parse_pieces(&join_text(&parts), D);
        out.extend(block::paragraph_blocks(pieces, Color::Default, Vec::new()));
    }

    fn list_item(&mut self, lvl: usize, m: ListMarker<'a>) -> Block {
        let (first, kind): (&str, fn(RichText) -> BlockKind) = match m {
            ListMarker::Bullet(r) => (r, |text| BlockKind::BulletedListItem {
                text,
                color: Color::Default,
            }),
            ListMarker::Ordered(r) => (r, |text| BlockKind::NumberedListItem {
                text,
                color: Color::Default,
            }),
            ListMarker::Todo(true, r) => (r, |text| BlockKind::ToDo {
                text,
                checked: true,
                color: Color::Default,
            }),
            ListMarker::Todo(false, r) => (r, |text| BlockKind::ToDo {
                text,
                checked: false,
                color: Color::Default,
            }),
        };
        let mut parts = vec![first];
        self.more_text_lines(lvl, &mut parts);
        // Images in the item's text become its first children.
        let pieces = inline::parse_pieces(&join_text(&parts), D);
        let (text, mut children) = block::split_images(pieces, Color::Default);
        self.nested(lvl + 1, &mut children);
        Block::with_children(kind(text), children)
    }

    fn quote(&mut self, min: usize, first: &'a str) -> Option<Block> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        let strip = |t: &'a str| -> &'a str {
            let r = &t[1..];
            r.strip_prefix(' ').unwrap_or(r)
        };
        let mut inner = vec![strip(first)];
        while let Some(&line) = self.lines.get(self.pos) {
            let (lvl, off) = level(line);
            let t = line[off..].trim_end();
            if lvl < min || !t.starts_with('>') {
                break;
            }
            inner.push(strip(t));
            self.pos += 1;
        }
        let mut children = parse_at(&inner.join("\n"), self.depth + 1);
        let text = block::take_leading_text(&mut children);
        Some(Block::with_children(
            BlockKind::Quote {
                text,
                color: Color::Default,
            },
            children,
        ))
    }

    fn pipe_table(&mut self, t: &str) -> Option<Block> {
        let header = lines::pipe_cells(t)?;
        let next = self.lines.get(self.pos)?;
        if lines::delimiter_row(next.trim())? != header.len() {
            return None;
        }
        self.pos += 1;
        let mut rows = vec![header];
        while let Some(line) = self.lines.get(self.pos) {
            let t = line.trim();
            if t.is_empty() || self.is_closer(t) {
                break;
            }
            let Some(cells) = lines::pipe_cells(t) else {
                break;
            };
            rows.push(cells);
            self.pos += 1;
        }
        Some(Block::new(table::from_pipe_rows(&rows, D)))
    }
}

//! v1 ("enhanced markdown") → blocks. One line is one block; a block's children are the
//! following lines one TAB deeper. Tag containers (`<details>`, `<callout>`, …) close with their
//! end tag at their own indent.

use crate::attrs::{self, Attrs};
use crate::block::{self, MAX_DEPTH};
use crate::escape;
use crate::inline;
use crate::lines::{self, ListMarker};
use crate::model::{Block, BlockKind, Color, MediaKind, RichText};
use crate::table;
use crate::Dialect;

const D: Dialect = Dialect::V1;

pub(crate) fn parse(src: &str) -> Vec<Block> {
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
        depth: 0,
        table_close: None,
    };
    let mut out = Vec::new();
    while p.pos < lines.len() {
        out.extend(p.level(0));
    }
    out
}

/// Splits a line into its TAB depth and the rest.
fn tabs(line: &str) -> (usize, &str) {
    let n = line.bytes().take_while(|&b| b == b'\t').count();
    (n, &line[n..])
}

/// Removes up to `n` leading TABs (a code or equation body line inside a nested block).
fn strip_tabs(line: &str, n: usize) -> &str {
    let k = line.bytes().take(n).take_while(|&b| b == b'\t').count();
    &line[k..]
}

fn known_block_attr(k: &str) -> bool {
    k == "color" || k == "toggle"
}

fn text_and_color(s: &str) -> (RichText, Color, Attrs) {
    let (body, list) = attrs::split_trailing_list(s, known_block_attr);
    let list = list.unwrap_or_default();
    (inline::parse(body, D), block::color_of(&list), list)
}

struct Parser<'a> {
    lines: &'a [&'a str],
    pos: usize,
    /// End tags of the open containers (`:::` for a callout fence), innermost last.
    closers: Vec<&'static str>,
    depth: usize,
    /// For each line index, the next `</table>` line at or after it (built on first use).
    table_close: Option<Vec<usize>>,
}

impl<'a> Parser<'a> {
    fn is_closer(&self, t: &str) -> bool {
        self.closers.iter().any(|&c| {
            if c == ":::" {
                lines::colon_fence(t) == Some("")
            } else {
                attrs::is_end_tag(t, c)
            }
        })
    }

    /// Blocks whose lines are at least `min` TABs deep, up to a shallower line or an end tag
    /// of an enclosing container.
    fn level(&mut self, min: usize) -> Vec<Block> {
        let mut out: Vec<Block> = Vec::new();
        let mut setext_ok = false;
        while self.pos < self.lines.len() {
            let (d, rest) = tabs(self.lines[self.pos]);
            let t = rest.trim();
            if t.is_empty() {
                self.pos += 1;
                setext_ok = false;
                continue;
            }
            if d < min || self.is_closer(t) {
                break;
            }
            self.pos += 1;
            if setext_ok && lines::setext(t) == Some(1) {
                if let Some(last) = out.last_mut() {
                    if let BlockKind::Paragraph { text, color } = &last.kind {
                        last.kind = BlockKind::Heading {
                            level: 1,
                            text: text.clone(),
                            color: *color,
                            toggleable: false,
                        };
                    }
                }
                setext_ok = false;
                continue;
            }
            let before = (self.pos, out.len());
            self.block(d, t, &mut out);
            setext_ok = (self.pos, out.len()) == (before.0, before.1 + 1)
                && out.last().is_some_and(|b| {
                    matches!(&b.kind, BlockKind::Paragraph { text, .. } if !text.is_empty())
                        && b.children.is_empty()
                });
        }
        out
    }

    /// The children of a block at depth `d`.
    fn children(&mut self, d: usize) -> Vec<Block> {
        if self.depth >= MAX_DEPTH {
            return Vec::new();
        }
        self.depth += 1;
        let c = self.level(d + 1);
        self.depth -= 1;
        c
    }

    /// Children of a tag container, up to and including its end tag.
    fn container(&mut self, closer: &'static str, body_depth: usize) -> Vec<Block> {
        if self.depth >= MAX_DEPTH {
            return Vec::new();
        }
        self.depth += 1;
        self.closers.push(closer);
        let c = self.level(body_depth);
        self.closers.pop();
        self.depth -= 1;
        // The end tag, wherever it is indented.
        let mut k = self.pos;
        while k < self.lines.len() && self.lines[k].trim().is_empty() {
            k += 1;
        }
        if let Some(line) = self.lines.get(k) {
            let t = line.trim();
            let ends = if closer == ":::" {
                lines::colon_fence(t) == Some("")
            } else {
                attrs::is_end_tag(t, closer)
            };
            if ends {
                self.pos = k + 1;
            }
        }
        c
    }

    fn with_children(&mut self, d: usize, kind: BlockKind) -> Block {
        let mut b = Block::new(kind);
        if b.can_have_children() {
            b.children = self.children(d);
        }
        b
    }

    /// A paragraph line; an image written inside it becomes a block of its own.
    fn paragraph(&mut self, d: usize, t: &str, out: &mut Vec<Block>) {
        let (body, list) = attrs::split_trailing_list(t, known_block_attr);
        let color = block::color_of(&list.unwrap_or_default());
        let pieces = inline::parse_pieces(body, D);
        let children = self.children(d);
        out.extend(block::paragraph_blocks(pieces, color, children));
    }

    /// A list item; images in its text become its first children (Notion puts non-inline
    /// content under the item).
    fn list_item(&mut self, d: usize, m: ListMarker<'_>, out: &mut Vec<Block>) {
        let (r, kind): (&str, fn(RichText, Color) -> BlockKind) = match m {
            ListMarker::Bullet(r) => (r, |text, color| BlockKind::BulletedListItem { text, color }),
            ListMarker::Ordered(r) => {
                (r, |text, color| BlockKind::NumberedListItem { text, color })
            }
            ListMarker::Todo(true, r) => (r, |text, color| BlockKind::ToDo {
                text,
                checked: true,
                color,
            }),
            ListMarker::Todo(false, r) => (r, |text, color| BlockKind::ToDo {
                text,
                checked: false,
                color,
            }),
        };
        let (body, list) = attrs::split_trailing_list(r, known_block_attr);
        let color = block::color_of(&list.unwrap_or_default());
        let (text, mut children) = block::split_images(inline::parse_pieces(body, D), color);
        children.extend(self.children(d));
        out.push(Block::with_children(kind(text, color), children));
    }

    /// The block(s) starting with line `t` (already consumed) at depth `d`.
    fn block(&mut self, d: usize, t: &str, out: &mut Vec<Block>) {
        match self.one(d, t) {
            Some(b) => out.push(b),
            None => match lines::list_marker(t) {
                Some(m) if !lines::is_divider(t) => self.list_item(d, m, out),
                _ => self.paragraph(d, t, out),
            },
        }
    }

    /// One block of a kind that is never split; `None` for list items and paragraphs.
    fn one(&mut self, d: usize, t: &str) -> Option<Block> {
        if let Some((c, n, info)) = lines::fence(t) {
            return Some(self.code(d, c, n, info));
        }
        if t == "$$" {
            return self.equation(d);
        }
        if t.len() > 4 && t.starts_with("$$") && t.ends_with("$$") {
            let expression = t[2..t.len() - 2].trim().to_string();
            return Some(Block::new(BlockKind::Equation { expression }));
        }
        if lines::is_divider(t) {
            return Some(Block::new(BlockKind::Divider));
        }
        if let Some((level, rest)) = lines::heading(t) {
            let (text, color, list) = text_and_color(rest);
            let toggleable = attrs::flag(&list, "toggle");
            let kind = BlockKind::Heading {
                level,
                text,
                color,
                toggleable,
            };
            return Some(self.with_children(d, kind));
        }
        if t.starts_with('<') {
            if let Some(b) = self.tag_block(d, t) {
                return Some(b);
            }
        }
        if let Some(rest) = lines::colon_fence(t) {
            if let Some(b) = self.callout_fence(d, rest) {
                return Some(b);
            }
        }
        if let Some(rest) = t.strip_prefix('>') {
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            let (text, color, _) = text_and_color(rest);
            return Some(self.with_children(d, BlockKind::Quote { text, color }));
        }
        if lines::list_marker(t).is_some() {
            return None;
        }
        if let Some(b) = image(t) {
            return Some(b);
        }
        self.pipe_table(d, t)
    }

    fn code(&mut self, d: usize, c: u8, n: usize, info: &str) -> Block {
        let mut body: Vec<&str> = Vec::new();
        while self.pos < self.lines.len() {
            let raw = self.lines[self.pos];
            self.pos += 1;
            if lines::is_fence_close(raw, c, n) {
                break;
            }
            body.push(strip_tabs(raw, d));
        }
        Block::new(BlockKind::Code {
            language: block::language(info),
            text: body.join("\n"),
        })
    }

    fn equation(&mut self, d: usize) -> Option<Block> {
        let close = (self.pos..self.lines.len()).find(|&k| self.lines[k].trim() == "$$")?;
        let body: Vec<&str> = self.lines[self.pos..close]
            .iter()
            .map(|l| strip_tabs(l, d))
            .collect();
        self.pos = close + 1;
        Some(Block::new(BlockKind::Equation {
            expression: body.join("\n"),
        }))
    }

    fn callout_fence(&mut self, d: usize, rest: &str) -> Option<Block> {
        let a = rest.strip_prefix("callout")?.trim();
        let list = if a.is_empty() {
            Vec::new()
        } else {
            attrs::brace_list(a)?
        };
        let mut children = self.container(":::", d);
        let text = block::take_leading_text(&mut children);
        let icon = attrs::get(&list, "icon").map(str::to_string);
        let color = block::color_of(&list);
        Some(Block::with_children(
            BlockKind::Callout { text, icon, color },
            children,
        ))
    }

    fn next_table_close(&mut self, from: usize) -> Option<usize> {
        let lines = self.lines;
        let idx = self.table_close.get_or_insert_with(|| {
            let mut v = vec![usize::MAX; lines.len() + 1];
            for k in (0..lines.len()).rev() {
                v[k] = if attrs::is_end_tag(lines[k].trim(), "table") {
                    k
                } else {
                    v[k + 1]
                };
            }
            v
        });
        idx.get(from).copied().filter(|&k| k != usize::MAX)
    }

    fn tag_block(&mut self, d: usize, t: &str) -> Option<Block> {
        let tag = attrs::start_tag(t)?;
        let rest = &t[tag.len..];
        let a = &tag.attrs;
        let color = block::color_of(a);
        let url = || attrs::get(a, "url").map(str::to_string);
        let closed_body = |name: &str| -> Option<&str> {
            if tag.self_closing {
                rest.is_empty().then_some("")
            } else {
                rest.strip_suffix(&format!("</{name}>"))
            }
        };
        let kind = match tag.name {
            "empty-block" if rest.is_empty() => {
                return Some(self.with_children(
                    d,
                    BlockKind::Paragraph {
                        text: RichText::default(),
                        color: Color::Default,
                    },
                ));
            }
            "details" if !tag.self_closing => {
                let summary = if rest.is_empty() {
                    let next = self.lines.get(self.pos).map(|l| l.trim()).unwrap_or("");
                    let s = summary(next);
                    if s.is_some() {
                        self.pos += 1;
                    }
                    s
                } else {
                    Some(summary(rest)?)
                };
                let text = summary.map(|s| inline::parse(s, D)).unwrap_or_default();
                let children = self.container("details", d + 1);
                return Some(Block::with_children(
                    BlockKind::Toggle { text, color },
                    children,
                ));
            }
            "callout" if !tag.self_closing && rest.is_empty() => {
                let mut children = self.container("callout", d + 1);
                let text = block::take_leading_text(&mut children);
                let icon = attrs::get(a, "icon").map(str::to_string);
                return Some(Block::with_children(
                    BlockKind::Callout { text, icon, color },
                    children,
                ));
            }
            "columns" if !tag.self_closing && rest.is_empty() => {
                let children = self.container("columns", d + 1);
                return Some(Block::with_children(BlockKind::ColumnList, children));
            }
            "column" if !tag.self_closing && rest.is_empty() => {
                let ratio = attrs::get(a, "ratio").map(str::to_string);
                let children = self.container("column", d + 1);
                return Some(Block::with_children(BlockKind::Column { ratio }, children));
            }
            "synced_block" if !tag.self_closing && rest.is_empty() => {
                let children = self.container("synced_block", d + 1);
                return Some(Block::with_children(
                    BlockKind::SyncedBlock { url: url() },
                    children,
                ));
            }
            "synced_block_reference" if !tag.self_closing && rest.is_empty() => {
                let url = url()?;
                let children = self.container("synced_block_reference", d + 1);
                return Some(Block::with_children(
                    BlockKind::SyncedBlockReference { url },
                    children,
                ));
            }
            "table" if !tag.self_closing && rest.is_empty() => {
                let close = self.next_table_close(self.pos)?;
                let body = self.lines[self.pos..close].join("\n");
                let kind = table::parse_body(a, &body, D)?;
                self.pos = close + 1;
                kind
            }
            "audio" | "video" | "file" | "pdf" => {
                let kind = match tag.name {
                    "audio" => MediaKind::Audio,
                    "video" => MediaKind::Video,
                    "file" => MediaKind::File,
                    _ => MediaKind::Pdf,
                };
                let url = attrs::get(a, "src")?.to_string();
                let caption = inline::parse(closed_body(tag.name)?, D);
                BlockKind::Media {
                    kind,
                    url,
                    caption,
                    color,
                }
            }
            "page" => {
                let title = escape::unescape(closed_body("page")?.trim());
                BlockKind::ChildPage {
                    url: url()?,
                    title,
                    color,
                }
            }
            "database" => {
                let title = escape::unescape(closed_body("database")?.trim());
                let rest_attrs = a.iter().filter(|(k, _)| k != "url").cloned().collect();
                BlockKind::ChildDatabase {
                    url: url()?,
                    title,
                    attrs: rest_attrs,
                }
            }
            "table_of_contents" => {
                closed_body("table_of_contents")?.is_empty().then_some(())?;
                BlockKind::TableOfContents { color }
            }
            "unknown" => {
                closed_body("unknown")?.is_empty().then_some(())?;
                BlockKind::Unknown {
                    url: url()?,
                    alt: attrs::get(a, "alt").map(str::to_string),
                }
            }
            _ => return None,
        };
        Some(Block::new(kind))
    }

    fn pipe_table(&mut self, d: usize, t: &str) -> Option<Block> {
        let header = lines::pipe_cells(t)?;
        let (nd, next) = tabs(self.lines.get(self.pos)?);
        if nd != d || lines::delimiter_row(next)? != header.len() {
            return None;
        }
        self.pos += 1;
        let mut rows = vec![header];
        while let Some(line) = self.lines.get(self.pos) {
            let (rd, rt) = tabs(line);
            let cells = if rd == d { lines::pipe_cells(rt) } else { None };
            let Some(cells) = cells else { break };
            rows.push(cells);
            self.pos += 1;
        }
        Some(Block::new(table::from_pipe_rows(&rows, D)))
    }
}

/// `<summary>…</summary>` → its inner text.
fn summary(t: &str) -> Option<&str> {
    t.strip_prefix("<summary>")?.strip_suffix("</summary>")
}

/// `![caption](url)` with an optional ` {color="…"}`.
fn image(t: &str) -> Option<Block> {
    let (caption, url, rest) = inline::image_line(t, D)?;
    let list = if rest.is_empty() {
        Vec::new()
    } else {
        let l = attrs::brace_list(rest)?;
        l.iter().all(|(k, _)| k == "color").then_some(l)?
    };
    Some(Block::new(BlockKind::Image {
        url,
        caption,
        color: block::color_of(&list),
    }))
}

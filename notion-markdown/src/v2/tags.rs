//! v2 blocks written as tags: containers (`<toggle>`, `<callout>`, `<ul>`…) and one-line tags
//! (`<page>`, media, `<table-of-contents />`…).

use super::parse::{is_block_tag, level, push_block, starts_block, text_of, ListKind, Parser};
use crate::attrs::{self, Attrs};
use crate::block;
use crate::escape;
use crate::inline;
use crate::model::{Block, BlockKind, Color, MediaKind, RichText};
use crate::table;
use crate::Dialect;

const D: Dialect = Dialect::V2;

impl<'a> Parser<'a> {
    /// A tag container: its title (when it has one) and children, through its end tag.
    /// `rest` is whatever followed the start tag on its line.
    fn container(
        &mut self,
        lvl: usize,
        name: &'static str,
        rest: &'a str,
        titled: bool,
    ) -> Option<(RichText, Vec<Block>)> {
        let close = format!("</{name}>");
        if let Some(body) = rest.strip_suffix(close.as_str()) {
            if !titled {
                return body
                    .trim()
                    .is_empty()
                    .then(|| (RichText::default(), Vec::new()));
            }
            return Some((inline::parse(body.trim(), D), Vec::new()));
        }
        self.closers.push(name);
        let mut parts: Vec<&'a str> = Vec::new();
        if !rest.trim().is_empty() {
            if !titled {
                self.closers.pop();
                return None;
            }
            parts.push(rest.trim());
            self.more_text_lines(lvl, &mut parts);
        } else if titled {
            if let Some(&line) = self.lines.get(self.pos) {
                let (l2, off) = level(line);
                let t = line[off..].trim_end();
                if !t.is_empty() && l2 >= lvl && !self.is_closer(t) && !starts_block(t) {
                    parts.push(t);
                    self.pos += 1;
                    self.more_text_lines(lvl, &mut parts);
                }
            }
        }
        let mut children = Vec::new();
        self.nested(lvl, &mut children);
        self.closers.pop();
        let mut k = self.pos;
        while k < self.lines.len() && self.lines[k].trim().is_empty() {
            k += 1;
        }
        if self
            .lines
            .get(k)
            .is_some_and(|l| attrs::is_end_tag(l.trim(), name))
        {
            self.pos = k + 1;
        }
        let text = if titled {
            text_of(&parts)
        } else {
            RichText::default()
        };
        Some((text, children))
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

    /// A block written as a tag; `false` when the line is not one (it is then text).
    pub(super) fn tag_block(&mut self, lvl: usize, t: &'a str, out: &mut Vec<Block>) -> bool {
        let Some(tag) = attrs::start_tag(t) else {
            return false;
        };
        if !is_block_tag(tag.name) {
            return false;
        }
        let rest: &'a str = &t[tag.len..];
        let a: &Attrs = &tag.attrs;
        let color = block::color_of(a);
        let url = || attrs::get(a, "url").map(str::to_string);
        let closed_body = |name: &str| -> Option<&'a str> {
            if tag.self_closing {
                rest.is_empty().then_some("")
            } else {
                rest.strip_suffix(&format!("</{name}>"))
            }
        };
        let open = !tag.self_closing;
        match tag.name {
            "p" if tag.self_closing && rest.is_empty() => {
                out.push(Block::new(BlockKind::Paragraph {
                    text: RichText::default(),
                    color,
                }));
            }
            "p" if open => {
                let Some((text, children)) = self.container(lvl, "p", rest, true) else {
                    return false;
                };
                push_block(out, BlockKind::Paragraph { text, color }, children);
            }
            "h1" | "h2" | "h3" | "h4" if open => {
                let level = tag.name.as_bytes()[1] - b'0';
                let name = match level {
                    1 => "h1",
                    2 => "h2",
                    3 => "h3",
                    _ => "h4",
                };
                let Some((text, children)) = self.container(lvl, name, rest, true) else {
                    return false;
                };
                push_block(
                    out,
                    BlockKind::Heading {
                        level,
                        text,
                        color,
                        toggleable: false,
                    },
                    children,
                );
            }
            "toggle" if open => {
                let Some((text, children)) = self.container(lvl, "toggle", rest, true) else {
                    return false;
                };
                let heading = attrs::get(a, "heading").and_then(|h| match h {
                    "h1" => Some(1),
                    "h2" => Some(2),
                    "h3" => Some(3),
                    "h4" => Some(4),
                    _ => None,
                });
                let kind = match heading {
                    Some(level) => BlockKind::Heading {
                        level,
                        text,
                        color,
                        toggleable: true,
                    },
                    None => BlockKind::Toggle { text, color },
                };
                push_block(out, kind, children);
            }
            "quote" if open => {
                let Some((text, children)) = self.container(lvl, "quote", rest, true) else {
                    return false;
                };
                push_block(out, BlockKind::Quote { text, color }, children);
            }
            "callout" if open => {
                let Some((text, children)) = self.container(lvl, "callout", rest, true) else {
                    return false;
                };
                let icon = attrs::get(a, "icon").map(str::to_string);
                push_block(out, BlockKind::Callout { text, icon, color }, children);
            }
            "columns" if open => {
                let Some((_, children)) = self.container(lvl, "columns", rest, false) else {
                    return false;
                };
                push_block(out, BlockKind::ColumnList, children);
            }
            "column" if open => {
                let Some((_, children)) = self.container(lvl, "column", rest, false) else {
                    return false;
                };
                let ratio = attrs::get(a, "ratio").map(str::to_string);
                push_block(out, BlockKind::Column { ratio }, children);
            }
            "synced-block" if open => {
                let Some((_, children)) = self.container(lvl, "synced-block", rest, false) else {
                    return false;
                };
                push_block(out, BlockKind::SyncedBlock { url: url() }, children);
            }
            "synced-block-reference" if open => {
                let Some(u) = url() else { return false };
                let Some((_, children)) =
                    self.container(lvl, "synced-block-reference", rest, false)
                else {
                    return false;
                };
                push_block(out, BlockKind::SyncedBlockReference { url: u }, children);
            }
            "ul" | "ol" if open => {
                let kind = if tag.name == "ul" {
                    ListKind::Bulleted
                } else {
                    ListKind::Numbered
                };
                let name = if tag.name == "ul" { "ul" } else { "ol" };
                // One-line form: `<ul><li color="…">text</li></ul>`.
                if let Some(inner) = rest.strip_suffix(&format!("</{name}>")) {
                    if let Some(li) =
                        attrs::start_tag(inner).filter(|l| l.name == "li" && !l.self_closing)
                    {
                        if let Some(body) = inner[li.len..].strip_suffix("</li>") {
                            let text = inline::parse(body.trim(), D);
                            out.push(Block::new(list_kind(
                                kind,
                                text,
                                block::color_of(&li.attrs),
                            )));
                            return true;
                        }
                    }
                    return false;
                }
                if !rest.trim().is_empty() {
                    return false;
                }
                self.lists.push(kind);
                let r = self.container(lvl, name, rest, false);
                self.lists.pop();
                let Some((_, children)) = r else { return false };
                out.extend(children);
            }
            "li" if open => {
                let kind = self.lists.last().copied().unwrap_or(ListKind::Bulleted);
                let Some((text, children)) = self.container(lvl, "li", rest, true) else {
                    return false;
                };
                push_block(out, list_kind(kind, text, color), children);
            }
            "todo" if open => {
                let Some((text, children)) = self.container(lvl, "todo", rest, true) else {
                    return false;
                };
                let checked = attrs::flag(a, "checked");
                push_block(
                    out,
                    BlockKind::ToDo {
                        text,
                        checked,
                        color,
                    },
                    children,
                );
            }
            "table" if open && rest.is_empty() => {
                let Some(close) = self.next_table_close(self.pos) else {
                    return false;
                };
                let body = self.lines[self.pos..close].join("\n");
                let Some(kind) = table::parse_body(a, &body, D) else {
                    return false;
                };
                self.pos = close + 1;
                out.push(Block::new(kind));
            }
            "image" => {
                let Some(src) = attrs::get(a, "source").or_else(|| attrs::get(a, "src")) else {
                    return false;
                };
                let Some(caption) = closed_body("image") else {
                    return false;
                };
                let caption = inline::parse(caption, D);
                out.push(Block::new(BlockKind::Image {
                    url: src.to_string(),
                    caption,
                    color,
                }));
            }
            "audio" | "video" | "file" | "pdf" => {
                let kind = match tag.name {
                    "audio" => MediaKind::Audio,
                    "video" => MediaKind::Video,
                    "file" => MediaKind::File,
                    _ => MediaKind::Pdf,
                };
                let Some(src) = attrs::get(a, "source").or_else(|| attrs::get(a, "src")) else {
                    return false;
                };
                let Some(caption) = closed_body(tag.name) else {
                    return false;
                };
                let caption = inline::parse(caption, D);
                out.push(Block::new(BlockKind::Media {
                    kind,
                    url: src.to_string(),
                    caption,
                    color,
                }));
            }
            "page" => {
                let (Some(u), Some(title)) = (url(), closed_body("page")) else {
                    return false;
                };
                let title = escape::unescape(title.trim());
                out.push(Block::new(BlockKind::ChildPage {
                    url: u,
                    title,
                    color,
                }));
            }
            "database" => {
                let (Some(u), Some(title)) = (url(), closed_body("database")) else {
                    return false;
                };
                let title = escape::unescape(title.trim());
                let attrs = a.iter().filter(|(k, _)| k != "url").cloned().collect();
                out.push(Block::new(BlockKind::ChildDatabase {
                    url: u,
                    title,
                    attrs,
                }));
            }
            "table-of-contents" if closed_body("table-of-contents") == Some("") => {
                out.push(Block::new(BlockKind::TableOfContents { color }));
            }
            "unknown" if closed_body("unknown") == Some("") => {
                let Some(u) = url() else { return false };
                let alt = attrs::get(a, "alt").map(str::to_string);
                out.push(Block::new(BlockKind::Unknown { url: u, alt }));
            }
            "equation" => {
                let Some(expr) = closed_body("equation") else {
                    return false;
                };
                out.push(Block::new(BlockKind::Equation {
                    expression: expr.trim().to_string(),
                }));
            }
            _ => return false,
        }
        true
    }
}

fn list_kind(kind: ListKind, text: RichText, color: Color) -> BlockKind {
    match kind {
        ListKind::Bulleted => BlockKind::BulletedListItem { text, color },
        ListKind::Numbered => BlockKind::NumberedListItem { text, color },
    }
}

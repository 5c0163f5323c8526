//! Blocks → v2: blank lines between blocks, tag containers for colour and children, list
//! children TAB-indented, hard breaks as a trailing backslash.
//!
//! Like v1, written straight into one buffer ([`Lines`], which leaves blank lines unindented
//! here) from the borrowed tree walked in canonical shape ([`Canonical`]).

use std::fmt::Write as _;

use crate::attrs;
use crate::block::{self, Canonical, Node};
use crate::escape;
use crate::inline::{self, Break};
use crate::model::{Block, BlockKind, Color, RichText};
use crate::table::{self, TableRef};
use crate::write::{self, BlankLines, Lines};
use crate::Dialect;

const D: Dialect = Dialect::V2;

pub(crate) fn render(blocks: &[Block]) -> String {
    let mut r = Renderer {
        out: Lines::new(BlankLines::Bare, write::capacity_for(blocks)),
        scratch: String::with_capacity(write::SCRATCH_CAPACITY),
    };
    r.seq(Canonical::new(blocks));
    r.out.finish()
}

struct Renderer {
    out: Lines,
    /// Inline text is rendered here first, to be trimmed and split into lines.
    scratch: String,
}

/// A list item written in Markdown list form (the only blocks separated by a single newline).
fn is_md_list(kind: &BlockKind) -> bool {
    match kind {
        BlockKind::BulletedListItem { color, .. }
        | BlockKind::NumberedListItem { color, .. }
        | BlockKind::ToDo { color, .. } => color.is_default(),
        _ => false,
    }
}

/// Paragraph-like text, trimmed; its lines are written by [`Renderer::text_lines`].
fn para_text<'s>(scratch: &'s mut String, rt: &RichText) -> &'s str {
    inline::render_trimmed(scratch, rt, D, Break::Backslash)
}

/// Text that must stay on one line (`#` headings, captions).
fn one_line<'s>(scratch: &'s mut String, rt: &RichText) -> &'s str {
    inline::render_trimmed(scratch, rt, D, Break::BrSlash)
}

/// `<name key="value" …>`.
fn push_open_tag<'a>(
    line: &mut String,
    name: &str,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) {
    line.push('<');
    line.push_str(name);
    attrs::push_attrs(line, pairs);
    line.push('>');
}

fn push_close_tag(line: &mut String, name: &str) {
    line.push_str("</");
    line.push_str(name);
    line.push('>');
}

fn color_pair(c: Color) -> Option<(&'static str, &'static str)> {
    (!c.is_default()).then(|| ("color", c.markdown_name()))
}

/// How a Markdown list item is marked.
#[derive(Clone, Copy)]
enum Marker {
    Text(&'static str),
    Number(usize),
}

impl Renderer {
    fn seq(&mut self, nodes: Canonical<'_>) {
        let mut number = 0;
        let mut prev_list = false;
        for (i, n) in nodes.enumerate() {
            number = if matches!(n.kind, BlockKind::NumberedListItem { .. }) {
                number + 1
            } else {
                0
            };
            let list = is_md_list(n.kind);
            if i > 0 && !(prev_list && list) {
                self.out.blank_line();
            }
            self.one(&n, number);
            prev_list = list;
        }
    }

    /// Paragraph-like text as lines, each trimmed and escaped so it cannot start another
    /// block, each after `prefix`. Nothing for empty text; returns whether anything was written.
    fn text_lines(&mut self, rt: &RichText, prefix: &str) -> bool {
        let Renderer { out, scratch } = self;
        let s = para_text(scratch, rt);
        if s.is_empty() {
            return false;
        }
        for l in s.split('\n') {
            let line = out.line();
            line.push_str(prefix);
            escape::push_line_start(line, l.trim());
        }
        true
    }

    /// How many lines [`Renderer::text_lines`] writes for `rt`.
    fn text_line_count(&mut self, rt: &RichText) -> usize {
        let s = para_text(&mut self.scratch, rt);
        if s.is_empty() {
            0
        } else {
            1 + s.bytes().filter(|&b| b == b'\n').count()
        }
    }

    /// `<tag …>` NL title NL NL children NL `</tag>`.
    fn titled<'a>(
        &mut self,
        name: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        text: &RichText,
        n: &Node<'_>,
    ) {
        push_open_tag(self.out.line(), name, pairs);
        self.text_lines(text, "");
        if n.has_children() {
            self.out.blank_line();
            self.seq(n.children());
        }
        push_close_tag(self.out.line(), name);
    }

    fn untitled<'a>(
        &mut self,
        name: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        n: &Node<'_>,
    ) {
        push_open_tag(self.out.line(), name, pairs);
        self.seq(n.children());
        push_close_tag(self.out.line(), name);
    }

    /// A Markdown list item: marker + text, continuation lines and children one TAB deeper.
    fn md_item(&mut self, marker: Marker, text: &RichText, n: &Node<'_>) {
        let Renderer { out, scratch } = self;
        let line = out.line();
        let start = line.len();
        match marker {
            Marker::Text(m) => line.push_str(m),
            Marker::Number(k) => {
                let _ = write!(line, "{k}.");
            }
        }
        let s = para_text(scratch, text);
        if !s.is_empty() {
            let mut lines = s.split('\n');
            // The first line follows the marker, so it needs no block escaping.
            let first = lines.next().unwrap_or("").trim();
            line.push(' ');
            let text_at = line.len();
            line.push_str(first);
            if crate::lines::is_divider(&line[start..]) {
                // `- ---` would read as a divider.
                line.insert(text_at, '\\');
            }
            for l in lines {
                let line = out.line();
                line.push('\t');
                escape::push_line_start(line, l.trim());
            }
        }
        if !n.has_children() {
            return;
        }
        if !n.first_child().is_some_and(is_md_list) {
            self.out.blank_line();
        }
        self.out.indent += 1;
        self.seq(n.children());
        self.out.indent -= 1;
    }

    /// A coloured list item: `<ul><li color>…</li></ul>` (one line when it can be).
    fn tag_item<'a>(
        &mut self,
        list: &str,
        li_name: &str,
        li_pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        text: &RichText,
        n: &Node<'_>,
    ) {
        if !n.has_children() && self.text_line_count(text) <= 1 {
            let Renderer { out, scratch } = self;
            let t = one_line(scratch, text);
            let line = out.line();
            if !list.is_empty() {
                line.push('<');
                line.push_str(list);
                line.push('>');
            }
            push_open_tag(line, li_name, li_pairs);
            line.push_str(t);
            push_close_tag(line, li_name);
            if !list.is_empty() {
                push_close_tag(line, list);
            }
            return;
        }
        if !list.is_empty() {
            let line = self.out.line();
            line.push('<');
            line.push_str(list);
            line.push('>');
        }
        self.titled(li_name, li_pairs, text, n);
        if !list.is_empty() {
            push_close_tag(self.out.line(), list);
        }
    }

    fn one(&mut self, n: &Node<'_>, number: usize) {
        match n.kind {
            BlockKind::Paragraph { text, color } => {
                if color.is_default() && !n.has_children() {
                    if !self.text_lines(text, "") {
                        self.out.push_line("<p />");
                    }
                } else {
                    self.titled("p", color_pair(*color), text, n);
                }
            }
            BlockKind::Heading {
                level,
                text,
                color,
                toggleable,
            } => {
                let level = (*level).clamp(1, 4) as usize;
                let h = ["h1", "h2", "h3", "h4"][level - 1];
                if *toggleable {
                    let pairs = [Some(("heading", h)), color_pair(*color)];
                    self.titled("toggle", pairs.into_iter().flatten(), text, n);
                } else if !color.is_default() {
                    self.titled(h, color_pair(*color), text, n);
                } else {
                    let Renderer { out, scratch } = self;
                    let t = one_line(scratch, text);
                    let line = out.line();
                    line.push_str(&"####"[..level]);
                    if !t.is_empty() {
                        line.push(' ');
                        line.push_str(t);
                    }
                }
            }
            BlockKind::BulletedListItem { text, color } => {
                if color.is_default() {
                    self.md_item(Marker::Text("-"), text, n);
                } else {
                    self.tag_item("ul", "li", [("color", color.markdown_name())], text, n);
                }
            }
            BlockKind::NumberedListItem { text, color } => {
                if color.is_default() {
                    self.md_item(Marker::Number(number), text, n);
                } else {
                    self.tag_item("ol", "li", [("color", color.markdown_name())], text, n);
                }
            }
            BlockKind::ToDo {
                text,
                checked,
                color,
            } => {
                if color.is_default() {
                    let marker = if *checked { "- [x]" } else { "- [ ]" };
                    self.md_item(Marker::Text(marker), text, n);
                } else {
                    let checked = if *checked { "true" } else { "false" };
                    let pairs = [("checked", checked), ("color", color.markdown_name())];
                    self.tag_item("", "todo", pairs, text, n);
                }
            }
            BlockKind::Quote { text, color } => {
                if color.is_default() && !n.has_children() {
                    if !self.text_lines(text, "> ") {
                        self.out.push_line(">");
                    }
                } else {
                    self.titled("quote", color_pair(*color), text, n);
                }
            }
            BlockKind::Toggle { text, color } => {
                self.titled("toggle", color_pair(*color), text, n);
            }
            BlockKind::Callout { text, icon, color } => {
                let pairs = [icon.as_deref().map(|i| ("icon", i)), color_pair(*color)];
                self.titled("callout", pairs.into_iter().flatten(), text, n);
            }
            BlockKind::Code { language, text } => {
                let out = &mut self.out;
                let open = out.line();
                let fence = open.len();
                block::push_code_fence(open, text);
                let fence = open.len() - fence;
                block::push_fence_language(open, language);
                if !text.is_empty() {
                    for l in block::code_lines(text) {
                        out.push_line(l);
                    }
                }
                let close = out.line();
                for _ in 0..fence {
                    close.push('`');
                }
            }
            BlockKind::Equation { expression } => {
                self.out.push_line("$$");
                if !expression.is_empty() {
                    for l in block::code_lines(expression) {
                        self.out.push_line(l);
                    }
                }
                self.out.push_line("$$");
            }
            BlockKind::Divider => self.out.push_line("---"),
            BlockKind::Table { .. } => {
                if let Some(t) = TableRef::of(n.kind) {
                    let Renderer { out, scratch } = self;
                    if t.is_plain() {
                        table::render_pipe(out, scratch, &t, D);
                    } else {
                        table::render_tags(out, scratch, &t, D);
                    }
                }
            }
            BlockKind::Image {
                url,
                caption,
                color,
            } => {
                let Renderer { out, scratch } = self;
                let t = one_line(scratch, caption);
                let line = out.line();
                if color.is_default() {
                    line.push_str("![");
                    line.push_str(t);
                    line.push_str("](");
                    inline::render::push_url(line, url);
                    line.push(')');
                } else {
                    let pairs = [("source", url.as_str()), ("color", color.markdown_name())];
                    push_open_tag(line, "image", pairs);
                    line.push_str(t);
                    line.push_str("</image>");
                }
            }
            BlockKind::Media {
                kind,
                url,
                caption,
                color,
            } => {
                let Renderer { out, scratch } = self;
                let t = one_line(scratch, caption);
                let line = out.line();
                let pairs = [Some(("source", url.as_str())), color_pair(*color)];
                push_open_tag(line, kind.tag(), pairs.into_iter().flatten());
                line.push_str(t);
                push_close_tag(line, kind.tag());
            }
            BlockKind::ChildPage { url, title, color } => {
                let line = self.out.line();
                let pairs = [Some(("url", url.as_str())), color_pair(*color)];
                push_open_tag(line, "page", pairs.into_iter().flatten());
                block::push_tag_text(line, title);
                line.push_str("</page>");
            }
            BlockKind::ChildDatabase {
                url,
                title,
                attrs: a,
            } => {
                let line = self.out.line();
                let pairs = std::iter::once(("url", url.as_str()))
                    .chain(a.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                push_open_tag(line, "database", pairs);
                block::push_tag_text(line, title);
                line.push_str("</database>");
            }
            BlockKind::TableOfContents { color } => {
                let line = self.out.line();
                line.push_str("<table-of-contents");
                block::push_color(line, *color);
                line.push_str(" />");
            }
            BlockKind::ColumnList => self.untitled("columns", [], n),
            BlockKind::Column { ratio } => {
                self.untitled("column", ratio.as_deref().map(|r| ("ratio", r)), n);
            }
            BlockKind::SyncedBlock { url } => {
                self.untitled("synced-block", url.as_deref().map(|u| ("url", u)), n);
            }
            BlockKind::SyncedBlockReference { url } => {
                self.untitled("synced-block-reference", [("url", url.as_str())], n);
            }
            BlockKind::Unknown { url, alt } => {
                let line = self.out.line();
                line.push_str("<unknown");
                attrs::push_attrs(line, [("url", url.as_str())]);
                if let Some(alt) = alt {
                    attrs::push_attrs(line, [("alt", alt.as_str())]);
                }
                line.push_str("/>");
            }
        }
    }
}

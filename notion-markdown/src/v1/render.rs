//! Blocks → v1, in the layout Notion's GET returns: one line per block, TAB-indented children,
//! no blank lines, no trailing newline.
//!
//! Everything is written straight into one buffer ([`Lines`]) from the borrowed tree walked in
//! canonical shape ([`Canonical`]); inline text goes through one reused scratch buffer. A page
//! renders without copying its blocks or allocating per line.

use std::fmt::Write as _;

use crate::attrs;
use crate::block::{self, Canonical, Node};
use crate::escape;
use crate::inline::{self, Break};
use crate::model::{BlockKind, Color, RichText};
use crate::table::{self, TableRef};
use crate::write::{self, BlankLines, Lines};
use crate::Dialect;

const D: Dialect = Dialect::V1;

pub(crate) fn render(blocks: &[crate::model::Block]) -> String {
    let mut r = Renderer {
        out: Lines::new(BlankLines::Indented, write::capacity_for(blocks)),
        scratch: String::with_capacity(write::SCRATCH_CAPACITY),
    };
    r.seq(Canonical::new(blocks));
    r.out.finish()
}

struct Renderer {
    out: Lines,
    /// Inline text is rendered here first, to be trimmed (the parser trims lines).
    scratch: String,
}

/// Inline text for a block's line, trimmed (the parser trims lines).
fn text<'s>(scratch: &'s mut String, rt: &RichText) -> &'s str {
    inline::render_trimmed(scratch, rt, D, Break::Br)
}

fn color_suffix(line: &mut String, c: Color) {
    if !c.is_default() {
        line.push_str(" {color=\"");
        line.push_str(c.markdown_name());
        line.push_str("\"}");
    }
}

/// `marker text`, without a trailing blank when the text is empty.
fn push_marked(line: &mut String, marker: &str, t: &str) {
    line.push_str(marker);
    if !t.is_empty() {
        line.push(' ');
        line.push_str(t);
    }
}

impl Renderer {
    fn seq(&mut self, nodes: Canonical<'_>) {
        let mut number = 0;
        for n in nodes {
            number = if matches!(n.kind, BlockKind::NumberedListItem { .. }) {
                number + 1
            } else {
                0
            };
            self.one(&n, number);
        }
    }

    /// Children one TAB deeper.
    fn children(&mut self, n: &Node<'_>) {
        if n.has_children() {
            self.out.indent += 1;
            self.seq(n.children());
            self.out.indent -= 1;
        }
    }

    fn one(&mut self, n: &Node<'_>, number: usize) {
        let Renderer { out, scratch } = self;
        match n.kind {
            BlockKind::Paragraph { text: t, color } => {
                let t = text(scratch, t);
                let line = out.line();
                if t.is_empty() {
                    line.push_str("<empty-block/>");
                } else {
                    escape::push_line_start(line, t);
                    color_suffix(line, *color);
                }
            }
            BlockKind::Heading {
                level,
                text: t,
                color,
                toggleable,
            } => {
                let t = text(scratch, t);
                let line = out.line();
                let hashes = &"####"[..(*level).clamp(1, 4) as usize];
                push_marked(line, hashes, t);
                if *toggleable || !color.is_default() {
                    line.push_str(" {");
                    let list = line.len();
                    if *toggleable {
                        attrs::push_attrs(line, [("toggle", "true")]);
                    }
                    if !color.is_default() {
                        attrs::push_attrs(line, [("color", color.markdown_name())]);
                    }
                    // The list opens right after the brace.
                    line.remove(list);
                    line.push('}');
                }
            }
            BlockKind::BulletedListItem { text: t, color } => {
                let t = text(scratch, t);
                let line = out.line();
                let start = line.len();
                push_marked(line, "-", t);
                if crate::lines::is_divider(&line[start..]) {
                    // `- ---` would read as a divider.
                    line.insert(start + 2, '\\');
                }
                color_suffix(line, *color);
            }
            BlockKind::NumberedListItem { text: t, color } => {
                let t = text(scratch, t);
                let line = out.line();
                let _ = write!(line, "{number}.");
                if !t.is_empty() {
                    line.push(' ');
                    line.push_str(t);
                }
                color_suffix(line, *color);
            }
            BlockKind::ToDo {
                text: t,
                checked,
                color,
            } => {
                let t = text(scratch, t);
                let line = out.line();
                push_marked(line, if *checked { "- [x]" } else { "- [ ]" }, t);
                color_suffix(line, *color);
            }
            BlockKind::Quote { text: t, color } => {
                let t = text(scratch, t);
                let line = out.line();
                push_marked(line, ">", t);
                color_suffix(line, *color);
            }
            BlockKind::Toggle { text: t, color } => {
                let open = out.line();
                open.push_str("<details");
                block::push_color(open, *color);
                open.push('>');
                let t = text(scratch, t);
                let summary = out.line();
                summary.push_str("<summary>");
                summary.push_str(t);
                summary.push_str("</summary>");
            }
            BlockKind::Callout {
                text: t,
                icon,
                color,
            } => {
                let open = out.line();
                open.push_str("<callout");
                if let Some(icon) = icon {
                    attrs::push_attrs(open, [("icon", icon.as_str())]);
                }
                block::push_color(open, *color);
                open.push('>');
                let t = text(scratch, t);
                let first = out.line();
                first.push('\t');
                if t.is_empty() {
                    first.push_str("<empty-block/>");
                } else {
                    escape::push_line_start(first, t);
                }
            }
            BlockKind::Code {
                language,
                text: code,
            } => {
                let open = out.line();
                let fence = open.len();
                block::push_code_fence(open, code);
                let fence = open.len() - fence;
                block::push_fence_language(open, language);
                if !code.is_empty() {
                    for l in block::code_lines(code) {
                        out.push_line(l);
                    }
                }
                push_fence(out.line(), fence);
            }
            BlockKind::Equation { expression } => {
                out.push_line("$$");
                if !expression.is_empty() {
                    for l in block::code_lines(expression) {
                        out.push_line(l);
                    }
                }
                out.push_line("$$");
            }
            BlockKind::Divider => out.push_line("---"),
            BlockKind::Table { .. } => {
                if let Some(t) = TableRef::of(n.kind) {
                    table::render_tags(out, scratch, &t, D);
                }
            }
            BlockKind::Image {
                url,
                caption,
                color,
            } => {
                let t = text(scratch, caption);
                let line = out.line();
                line.push_str("![");
                line.push_str(t);
                line.push_str("](");
                inline::render::push_url(line, url);
                line.push(')');
                color_suffix(line, *color);
            }
            BlockKind::Media {
                kind,
                url,
                caption,
                color,
            } => {
                let t = text(scratch, caption);
                let line = out.line();
                line.push('<');
                line.push_str(kind.tag());
                attrs::push_attrs(line, [("src", url.as_str())]);
                block::push_color(line, *color);
                line.push('>');
                line.push_str(t);
                line.push_str("</");
                line.push_str(kind.tag());
                line.push('>');
            }
            BlockKind::ChildPage { url, title, color } => {
                let line = out.line();
                line.push_str("<page");
                attrs::push_attrs(line, [("url", url.as_str())]);
                block::push_color(line, *color);
                line.push('>');
                block::push_tag_text(line, title);
                line.push_str("</page>");
            }
            BlockKind::ChildDatabase {
                url,
                title,
                attrs: a,
            } => {
                let line = out.line();
                line.push_str("<database");
                attrs::push_attrs(line, [("url", url.as_str())]);
                attrs::push_attrs(line, a.iter().map(|(k, v)| (k.as_str(), v.as_str())));
                line.push('>');
                block::push_tag_text(line, title);
                line.push_str("</database>");
            }
            BlockKind::TableOfContents { color } => {
                let line = out.line();
                line.push_str("<table_of_contents");
                block::push_color(line, *color);
                line.push_str("/>");
            }
            BlockKind::ColumnList => out.push_line("<columns>"),
            BlockKind::Column { ratio } => {
                let open = out.line();
                open.push_str("<column");
                if let Some(r) = ratio {
                    attrs::push_attrs(open, [("ratio", r.as_str())]);
                }
                open.push('>');
            }
            BlockKind::SyncedBlock { url } => {
                let open = out.line();
                open.push_str("<synced_block");
                if let Some(u) = url {
                    attrs::push_attrs(open, [("url", u.as_str())]);
                }
                open.push('>');
            }
            BlockKind::SyncedBlockReference { url } => {
                let open = out.line();
                open.push_str("<synced_block_reference");
                attrs::push_attrs(open, [("url", url.as_str())]);
                open.push('>');
            }
            BlockKind::Unknown { url, alt } => {
                let line = out.line();
                line.push_str("<unknown");
                attrs::push_attrs(line, [("url", url.as_str())]);
                if let Some(alt) = alt {
                    attrs::push_attrs(line, [("alt", alt.as_str())]);
                }
                line.push_str("/>");
            }
        }
        self.children(n);
        if let Some(end) = end_tag(n.kind) {
            self.out.push_line(end);
        }
    }
}

/// The closing tag of a container block (written after its children).
fn end_tag(kind: &BlockKind) -> Option<&'static str> {
    Some(match kind {
        BlockKind::Toggle { .. } => "</details>",
        BlockKind::Callout { .. } => "</callout>",
        BlockKind::ColumnList => "</columns>",
        BlockKind::Column { .. } => "</column>",
        BlockKind::SyncedBlock { .. } => "</synced_block>",
        BlockKind::SyncedBlockReference { .. } => "</synced_block_reference>",
        _ => return None,
    })
}

fn push_fence(line: &mut String, len: usize) {
    for _ in 0..len {
        line.push('`');
    }
}

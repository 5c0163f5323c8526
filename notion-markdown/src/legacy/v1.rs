//! The original v1 renderer (see the module doc of `legacy`).

use super::block;
use super::escape;
use super::inline::{self, Break};
use super::table;
use crate::attrs;
use crate::model::{Block, BlockKind, Color, RichText};
use crate::table::TableRef;
use crate::Dialect;

const D: Dialect = Dialect::V1;

pub(crate) fn render(blocks: &[Block]) -> String {
    let blocks = block::canonical(blocks);
    let mut out = Vec::new();
    seq(&mut out, &blocks, 0);
    out.join("\n")
}

/// Inline text for a block's line, trimmed (the parser trims lines).
fn text(rt: &RichText) -> String {
    inline::render(rt, D, Break::Br).trim().to_string()
}

/// Text that starts a line by itself (a paragraph), escaped so it stays a paragraph.
fn line_text(rt: &RichText) -> String {
    escape::escape_line_start(&text(rt))
}

fn color_suffix(line: &mut String, c: Color) {
    if !c.is_default() {
        line.push_str(&format!(" {{color=\"{}\"}}", c.markdown_name()));
    }
}

/// `marker text`, without a trailing blank when the text is empty.
fn marked(marker: &str, t: String) -> String {
    if t.is_empty() {
        marker.to_string()
    } else {
        format!("{marker} {t}")
    }
}

fn seq(out: &mut Vec<String>, blocks: &[Block], depth: usize) {
    let mut number = 0;
    for b in blocks {
        number = if matches!(b.kind, BlockKind::NumberedListItem { .. }) {
            number + 1
        } else {
            0
        };
        one(out, b, depth, number);
    }
}

fn one(out: &mut Vec<String>, b: &Block, depth: usize, number: usize) {
    let pre = "\t".repeat(depth);
    let push = |out: &mut Vec<String>, s: String| out.push(format!("{pre}{s}"));
    match &b.kind {
        BlockKind::Paragraph { text: t, color } => {
            let t = line_text(t);
            if t.is_empty() {
                push(out, "<empty-block/>".into());
            } else {
                let mut line = t;
                color_suffix(&mut line, *color);
                push(out, line);
            }
        }
        BlockKind::Heading {
            level,
            text: t,
            color,
            toggleable,
        } => {
            let mut line = marked(&"#".repeat((*level).clamp(1, 4) as usize), text(t));
            let mut a: Vec<(&str, &str)> = Vec::new();
            if *toggleable {
                a.push(("toggle", "true"));
            }
            if !color.is_default() {
                a.push(("color", color.markdown_name()));
            }
            if !a.is_empty() {
                line.push_str(" {");
                let mut list = String::new();
                attrs::push_attrs(&mut list, a);
                line.push_str(list.trim_start());
                line.push('}');
            }
            push(out, line);
        }
        BlockKind::BulletedListItem { text: t, color } => {
            let mut line = marked("-", text(t));
            if crate::lines::is_divider(&line) {
                line.insert(2, '\\');
            }
            color_suffix(&mut line, *color);
            push(out, line);
        }
        BlockKind::NumberedListItem { text: t, color } => {
            let mut line = marked(&format!("{number}."), text(t));
            color_suffix(&mut line, *color);
            push(out, line);
        }
        BlockKind::ToDo {
            text: t,
            checked,
            color,
        } => {
            let mut line = marked(if *checked { "- [x]" } else { "- [ ]" }, text(t));
            color_suffix(&mut line, *color);
            push(out, line);
        }
        BlockKind::Quote { text: t, color } => {
            let mut line = marked(">", text(t));
            color_suffix(&mut line, *color);
            push(out, line);
        }
        BlockKind::Toggle { text: t, color } => {
            let mut open = String::from("<details");
            block::push_color(&mut open, *color);
            open.push('>');
            push(out, open);
            push(out, format!("<summary>{}</summary>", text(t)));
            seq(out, &b.children, depth + 1);
            push(out, "</details>".into());
            return;
        }
        BlockKind::Callout {
            text: t,
            icon,
            color,
        } => {
            let mut open = String::from("<callout");
            if let Some(icon) = icon {
                attrs::push_attrs(&mut open, [("icon", icon.as_str())]);
            }
            block::push_color(&mut open, *color);
            open.push('>');
            push(out, open);
            let t = line_text(t);
            let first = if t.is_empty() {
                "<empty-block/>".to_string()
            } else {
                t
            };
            out.push(format!("{pre}\t{first}"));
            seq(out, &b.children, depth + 1);
            push(out, "</callout>".into());
            return;
        }
        BlockKind::Code {
            language,
            text: code,
        } => {
            let fence = block::code_fence(code);
            push(out, format!("{fence}{}", block::fence_language(language)));
            if !code.is_empty() {
                for l in block::code_lines(code) {
                    push(out, l);
                }
            }
            push(out, fence);
        }
        BlockKind::Equation { expression } => {
            push(out, "$$".into());
            if !expression.is_empty() {
                for l in block::code_lines(expression) {
                    push(out, l);
                }
            }
            push(out, "$$".into());
        }
        BlockKind::Divider => push(out, "---".into()),
        BlockKind::Table { .. } => {
            if let Some(t) = TableRef::of(&b.kind) {
                let mut lines = Vec::new();
                table::render_tags(&mut lines, &t, D);
                for l in lines {
                    push(out, l);
                }
            }
        }
        BlockKind::Image {
            url,
            caption,
            color,
        } => {
            let mut line = format!("![{}](", text(caption));
            inline::push_url(&mut line, url);
            line.push(')');
            color_suffix(&mut line, *color);
            push(out, line);
        }
        BlockKind::Media {
            kind,
            url,
            caption,
            color,
        } => {
            let mut line = format!("<{}", kind.tag());
            attrs::push_attrs(&mut line, [("src", url.as_str())]);
            block::push_color(&mut line, *color);
            line.push_str(&format!(">{}</{}>", text(caption), kind.tag()));
            push(out, line);
        }
        BlockKind::ChildPage { url, title, color } => {
            let mut line = String::from("<page");
            attrs::push_attrs(&mut line, [("url", url.as_str())]);
            block::push_color(&mut line, *color);
            line.push_str(&format!(">{}</page>", block::tag_text(title)));
            push(out, line);
        }
        BlockKind::ChildDatabase {
            url,
            title,
            attrs: a,
        } => {
            let mut line = String::from("<database");
            attrs::push_attrs(&mut line, [("url", url.as_str())]);
            attrs::push_attrs(&mut line, a.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            line.push_str(&format!(">{}</database>", block::tag_text(title)));
            push(out, line);
        }
        BlockKind::TableOfContents { color } => {
            let mut line = String::from("<table_of_contents");
            block::push_color(&mut line, *color);
            line.push_str("/>");
            push(out, line);
        }
        BlockKind::ColumnList => {
            push(out, "<columns>".into());
            seq(out, &b.children, depth + 1);
            push(out, "</columns>".into());
            return;
        }
        BlockKind::Column { ratio } => {
            let mut open = String::from("<column");
            if let Some(r) = ratio {
                attrs::push_attrs(&mut open, [("ratio", r.as_str())]);
            }
            open.push('>');
            push(out, open);
            seq(out, &b.children, depth + 1);
            push(out, "</column>".into());
            return;
        }
        BlockKind::SyncedBlock { url } => {
            let mut open = String::from("<synced_block");
            if let Some(u) = url {
                attrs::push_attrs(&mut open, [("url", u.as_str())]);
            }
            open.push('>');
            push(out, open);
            seq(out, &b.children, depth + 1);
            push(out, "</synced_block>".into());
            return;
        }
        BlockKind::SyncedBlockReference { url } => {
            let mut open = String::from("<synced_block_reference");
            attrs::push_attrs(&mut open, [("url", url.as_str())]);
            open.push('>');
            push(out, open);
            seq(out, &b.children, depth + 1);
            push(out, "</synced_block_reference>".into());
            return;
        }
        BlockKind::Unknown { url, alt } => {
            let mut line = String::from("<unknown");
            attrs::push_attrs(&mut line, [("url", url.as_str())]);
            if let Some(alt) = alt {
                attrs::push_attrs(&mut line, [("alt", alt.as_str())]);
            }
            line.push_str("/>");
            push(out, line);
        }
    }
    seq(out, &b.children, depth + 1);
}

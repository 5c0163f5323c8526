//! The original v2 renderer (see the module doc of `legacy`).

use super::block;
use super::escape;
use super::inline::{self, Break};
use super::table;
use crate::attrs;
use crate::model::{Block, BlockKind, Color, RichText};
use crate::table::TableRef;
use crate::Dialect;

const D: Dialect = Dialect::V2;

pub(crate) fn render(blocks: &[Block]) -> String {
    let blocks = block::canonical(blocks);
    let mut out = Vec::new();
    seq(&mut out, &blocks);
    out.join("\n")
}

/// A list item written in Markdown list form (the only blocks separated by a single newline).
fn is_md_list(b: &Block) -> bool {
    match &b.kind {
        BlockKind::BulletedListItem { color, .. }
        | BlockKind::NumberedListItem { color, .. }
        | BlockKind::ToDo { color, .. } => color.is_default(),
        _ => false,
    }
}

fn seq(out: &mut Vec<String>, blocks: &[Block]) {
    let mut number = 0;
    let mut prev_list = false;
    for (i, b) in blocks.iter().enumerate() {
        number = if matches!(b.kind, BlockKind::NumberedListItem { .. }) {
            number + 1
        } else {
            0
        };
        let list = is_md_list(b);
        if i > 0 && !(prev_list && list) {
            out.push(String::new());
        }
        one(out, b, number);
        prev_list = list;
    }
}

/// Paragraph-like text as lines, each trimmed and escaped so it cannot start another block.
fn text_lines(rt: &RichText) -> Vec<String> {
    let s = inline::render(rt, D, Break::Backslash);
    let s = s.trim();
    if s.is_empty() {
        return Vec::new();
    }
    s.split('\n')
        .map(|l| escape::escape_line_start(l.trim()))
        .collect()
}

/// Text that must stay on one line (`#` headings, captions).
fn one_line(rt: &RichText) -> String {
    inline::render(rt, D, Break::BrSlash).trim().to_string()
}

fn open_tag(name: &str, pairs: &[(&str, &str)]) -> String {
    let mut s = format!("<{name}");
    attrs::push_attrs(&mut s, pairs.iter().copied());
    s.push('>');
    s
}

fn color_pair(c: Color) -> Option<(&'static str, &'static str)> {
    (!c.is_default()).then(|| ("color", c.markdown_name()))
}

/// `<tag …>` NL title NL NL children NL `</tag>`.
fn titled(out: &mut Vec<String>, open: String, name: &str, text: &RichText, children: &[Block]) {
    out.push(open);
    out.extend(text_lines(text));
    if !children.is_empty() {
        out.push(String::new());
        seq(out, children);
    }
    out.push(format!("</{name}>"));
}

fn untitled(out: &mut Vec<String>, open: String, name: &str, children: &[Block]) {
    out.push(open);
    seq(out, children);
    out.push(format!("</{name}>"));
}

/// A Markdown list item: marker + text, continuation lines and children one TAB deeper.
fn md_item(out: &mut Vec<String>, marker: &str, text: &RichText, children: &[Block]) {
    let lines = text_lines(text);
    match lines.split_first() {
        Some((_, rest)) => {
            // The first line follows the marker, so it needs no block escaping.
            let first = inline::render(text, D, Break::Backslash);
            let first = first
                .trim()
                .split('\n')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            let mut line = format!("{marker} {first}");
            if crate::lines::is_divider(&line) {
                // `- ---` would read as a divider.
                line.insert(marker.len() + 1, '\\');
            }
            out.push(line);
            for l in rest {
                out.push(format!("\t{l}"));
            }
        }
        None => out.push(marker.to_string()),
    }
    if children.is_empty() {
        return;
    }
    let mut kids = Vec::new();
    seq(&mut kids, children);
    if !children.first().is_some_and(is_md_list) {
        out.push(String::new());
    }
    for k in kids {
        out.push(if k.is_empty() { k } else { format!("\t{k}") });
    }
}

/// A coloured list item: `<ul><li color>…</li></ul>` (one line when it can be).
fn tag_item(
    out: &mut Vec<String>,
    list: &str,
    li: String,
    li_name: &str,
    text: &RichText,
    children: &[Block],
) {
    let lines = text_lines(text);
    if children.is_empty() && lines.len() <= 1 {
        let t = one_line(text);
        let mut line = String::new();
        if !list.is_empty() {
            line.push_str(&format!("<{list}>"));
        }
        line.push_str(&format!("{li}{t}</{li_name}>"));
        if !list.is_empty() {
            line.push_str(&format!("</{list}>"));
        }
        out.push(line);
        return;
    }
    if !list.is_empty() {
        out.push(format!("<{list}>"));
    }
    titled(out, li, li_name, text, children);
    if !list.is_empty() {
        out.push(format!("</{list}>"));
    }
}

fn one(out: &mut Vec<String>, b: &Block, number: usize) {
    let kids = &b.children;
    match &b.kind {
        BlockKind::Paragraph { text, color } => {
            if color.is_default() && kids.is_empty() {
                let lines = text_lines(text);
                if lines.is_empty() {
                    out.push("<p />".into());
                } else {
                    out.extend(lines);
                }
            } else {
                let pairs: Vec<_> = color_pair(*color).into_iter().collect();
                titled(out, open_tag("p", &pairs), "p", text, kids);
            }
        }
        BlockKind::Heading {
            level,
            text,
            color,
            toggleable,
        } => {
            let level = (*level).clamp(1, 4);
            let h = format!("h{level}");
            if *toggleable {
                let mut pairs = vec![("heading", h.as_str())];
                pairs.extend(color_pair(*color));
                titled(out, open_tag("toggle", &pairs), "toggle", text, kids);
            } else if !color.is_default() {
                let pairs: Vec<_> = color_pair(*color).into_iter().collect();
                titled(out, open_tag(&h, &pairs), &h, text, kids);
            } else {
                let hashes = "#".repeat(level as usize);
                let t = one_line(text);
                out.push(if t.is_empty() {
                    hashes
                } else {
                    format!("{hashes} {t}")
                });
            }
        }
        BlockKind::BulletedListItem { text, color } => {
            if color.is_default() {
                md_item(out, "-", text, kids);
            } else {
                let li = open_tag("li", &[("color", color.markdown_name())]);
                tag_item(out, "ul", li, "li", text, kids);
            }
        }
        BlockKind::NumberedListItem { text, color } => {
            if color.is_default() {
                md_item(out, &format!("{number}."), text, kids);
            } else {
                let li = open_tag("li", &[("color", color.markdown_name())]);
                tag_item(out, "ol", li, "li", text, kids);
            }
        }
        BlockKind::ToDo {
            text,
            checked,
            color,
        } => {
            if color.is_default() {
                md_item(out, if *checked { "- [x]" } else { "- [ ]" }, text, kids);
            } else {
                let checked = if *checked { "true" } else { "false" };
                let todo = open_tag(
                    "todo",
                    &[("checked", checked), ("color", color.markdown_name())],
                );
                tag_item(out, "", todo, "todo", text, kids);
            }
        }
        BlockKind::Quote { text, color } => {
            if color.is_default() && kids.is_empty() {
                let lines = text_lines(text);
                if lines.is_empty() {
                    out.push(">".into());
                }
                for l in lines {
                    out.push(format!("> {l}"));
                }
            } else {
                let pairs: Vec<_> = color_pair(*color).into_iter().collect();
                titled(out, open_tag("quote", &pairs), "quote", text, kids);
            }
        }
        BlockKind::Toggle { text, color } => {
            let pairs: Vec<_> = color_pair(*color).into_iter().collect();
            titled(out, open_tag("toggle", &pairs), "toggle", text, kids);
        }
        BlockKind::Callout { text, icon, color } => {
            let mut pairs = Vec::new();
            if let Some(i) = icon {
                pairs.push(("icon", i.as_str()));
            }
            pairs.extend(color_pair(*color));
            titled(out, open_tag("callout", &pairs), "callout", text, kids);
        }
        BlockKind::Code { language, text } => {
            let fence = block::code_fence(text);
            out.push(format!("{fence}{}", block::fence_language(language)));
            if !text.is_empty() {
                out.extend(block::code_lines(text));
            }
            out.push(fence);
        }
        BlockKind::Equation { expression } => {
            out.push("$$".into());
            if !expression.is_empty() {
                out.extend(block::code_lines(expression));
            }
            out.push("$$".into());
        }
        BlockKind::Divider => out.push("---".into()),
        BlockKind::Table { .. } => {
            if let Some(t) = TableRef::of(&b.kind) {
                if t.is_plain() {
                    table::render_pipe(out, &t, D);
                } else {
                    table::render_tags(out, &t, D);
                }
            }
        }
        BlockKind::Image {
            url,
            caption,
            color,
        } => {
            if color.is_default() {
                let mut line = format!("![{}](", one_line(caption));
                inline::push_url(&mut line, url);
                line.push(')');
                out.push(line);
            } else {
                let open = open_tag(
                    "image",
                    &[("source", url.as_str()), ("color", color.markdown_name())],
                );
                out.push(format!("{open}{}</image>", one_line(caption)));
            }
        }
        BlockKind::Media {
            kind,
            url,
            caption,
            color,
        } => {
            let mut pairs = vec![("source", url.as_str())];
            pairs.extend(color_pair(*color));
            let open = open_tag(kind.tag(), &pairs);
            out.push(format!("{open}{}</{}>", one_line(caption), kind.tag()));
        }
        BlockKind::ChildPage { url, title, color } => {
            let mut pairs = vec![("url", url.as_str())];
            pairs.extend(color_pair(*color));
            out.push(format!(
                "{}{}</page>",
                open_tag("page", &pairs),
                block::tag_text(title)
            ));
        }
        BlockKind::ChildDatabase {
            url,
            title,
            attrs: a,
        } => {
            let mut pairs = vec![("url", url.as_str())];
            pairs.extend(a.iter().map(|(k, v)| (k.as_str(), v.as_str())));
            out.push(format!(
                "{}{}</database>",
                open_tag("database", &pairs),
                block::tag_text(title)
            ));
        }
        BlockKind::TableOfContents { color } => {
            let mut line = String::from("<table-of-contents");
            block::push_color(&mut line, *color);
            line.push_str(" />");
            out.push(line);
        }
        BlockKind::ColumnList => untitled(out, "<columns>".into(), "columns", kids),
        BlockKind::Column { ratio } => {
            let pairs: Vec<_> = ratio.iter().map(|r| ("ratio", r.as_str())).collect();
            untitled(out, open_tag("column", &pairs), "column", kids);
        }
        BlockKind::SyncedBlock { url } => {
            let pairs: Vec<_> = url.iter().map(|u| ("url", u.as_str())).collect();
            untitled(out, open_tag("synced-block", &pairs), "synced-block", kids);
        }
        BlockKind::SyncedBlockReference { url } => {
            let open = open_tag("synced-block-reference", &[("url", url.as_str())]);
            untitled(out, open, "synced-block-reference", kids);
        }
        BlockKind::Unknown { url, alt } => {
            let mut line = String::from("<unknown");
            attrs::push_attrs(&mut line, [("url", url.as_str())]);
            if let Some(alt) = alt {
                attrs::push_attrs(&mut line, [("alt", alt.as_str())]);
            }
            line.push_str("/>");
            out.push(line);
        }
    }
}

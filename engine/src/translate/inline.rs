//! Rich text → GFM inline Markdown.
//!
//! The output must read back (through [`super::to_notion`]) as the same rich text, so the
//! writer escapes conservatively and keeps styling delimiters where CommonMark's flanking rules
//! accept them: whitespace is moved outside `**`/`*`/`~~`, a link closes the styles around it
//! and carries its own, and italics can be written with `*` or `_` ([`Style::italic`]) because
//! each fails in different neighbourhoods; the block writer tries both and verifies.
//! Notion-only styling (colours, underline, mentions) is written as Notion's inline tags, which
//! GFM keeps as inline HTML and the reader maps back.

use notion_markdown::{Annotations, Color, Dialect, RichText, Span, SpanKind};

use super::links::LinkMap;
use crate::normalize::canonical_rich_text;

/// How to write a rich text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// `*` or `_` for italics.
    pub italic: char,
    /// Inside a table cell: `|` is escaped and line breaks are `<br>`.
    pub table: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Mark {
    /// `<span color="…" underline="true">`.
    Html {
        color: Color,
        underline: bool,
    },
    Strike,
    Bold,
    Italic,
}

fn marks(a: &Annotations) -> Vec<Mark> {
    let mut out = Vec::new();
    if !a.color.is_default() || a.underline {
        out.push(Mark::Html {
            color: a.color,
            underline: a.underline,
        });
    }
    if a.strikethrough {
        out.push(Mark::Strike);
    }
    if a.bold {
        out.push(Mark::Bold);
    }
    if a.italic {
        out.push(Mark::Italic);
    }
    out
}

fn open(m: &Mark, style: Style, out: &mut String) {
    match m {
        Mark::Html { color, underline } => {
            out.push_str("<span");
            if !color.is_default() {
                out.push_str(&format!(" color=\"{}\"", color.markdown_name()));
            }
            if *underline {
                out.push_str(" underline=\"true\"");
            }
            out.push('>');
        }
        Mark::Strike => out.push_str("~~"),
        Mark::Bold => out.push_str("**"),
        Mark::Italic => out.push(style.italic),
    }
}

fn close(m: &Mark, style: Style, out: &mut String) {
    match m {
        Mark::Html { .. } => out.push_str("</span>"),
        Mark::Strike => out.push_str("~~"),
        Mark::Bold => out.push_str("**"),
        Mark::Italic => out.push(style.italic),
    }
}

/// Writes `rt` as inline GFM (line starts are not escaped here; see [`escape_line_starts`]).
pub(crate) fn render(rt: &RichText, style: Style, links: &LinkMap) -> String {
    let spans = canonical_rich_text(rt).0;
    let mut out = String::new();
    let mut i = 0;
    let mut open_marks: Vec<Mark> = Vec::new();
    while i < spans.len() {
        let link = match &spans[i].kind {
            SpanKind::Text { link: Some(l), .. } => Some(l.clone()),
            _ => None,
        };
        if let Some(url) = link {
            let mut j = i;
            let mut inner = Vec::new();
            while j < spans.len() {
                match &spans[j].kind {
                    SpanKind::Text {
                        content,
                        link: Some(l),
                    } if *l == url => {
                        inner.push(Span {
                            kind: SpanKind::Text {
                                content: content.clone(),
                                link: None,
                            },
                            annotations: spans[j].annotations,
                        });
                        j += 1;
                    }
                    _ => break,
                }
            }
            close_all(&mut open_marks, style, &mut out);
            let text = render(&RichText(inner), style, links);
            out.push('[');
            out.push_str(&text);
            out.push_str("](");
            let url = links.to_file(&url).unwrap_or(url);
            out.push_str(&destination(&url));
            out.push(')');
            i = j;
            continue;
        }
        let span = &spans[i];
        let want = marks(&span.annotations);
        let keep = open_marks
            .iter()
            .zip(&want)
            .take_while(|(a, b)| a == b)
            .count();
        while open_marks.len() > keep {
            if let Some(m) = open_marks.pop() {
                close(&m, style, &mut out);
            }
        }
        for m in &want[keep..] {
            open(m, style, &mut out);
            open_marks.push(m.clone());
        }
        match &span.kind {
            SpanKind::Text { content, .. } if span.annotations.code => {
                out.push_str(&code_span(content));
            }
            SpanKind::Text { content, .. } => {
                out.push_str(&escape_text(content, style));
            }
            SpanKind::Equation { expression } => {
                out.push('$');
                out.push_str(expression);
                out.push('$');
            }
            SpanKind::Mention { .. } => {
                let plain = Span {
                    kind: span.kind.clone(),
                    annotations: Annotations::default(),
                };
                out.push_str(&notion_markdown::render_inline(
                    &RichText(vec![plain]),
                    Dialect::V1,
                ));
            }
        }
        i += 1;
    }
    close_all(&mut open_marks, style, &mut out);
    out
}

fn close_all(open_marks: &mut Vec<Mark>, style: Style, out: &mut String) {
    while let Some(m) = open_marks.pop() {
        close(&m, style, out);
    }
}

/// A link destination: bare when CommonMark allows, else `<…>`.
fn destination(url: &str) -> String {
    let mut depth = 0i32;
    let mut balanced = true;
    for c in url.chars() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    balanced = false;
                }
            }
            _ => {}
        }
    }
    let plain = balanced
        && depth == 0
        && !url.is_empty()
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c == '<' || c == '>' || c == '\\');
    if plain {
        return url.to_string();
    }
    let mut out = String::from("<");
    for c in url.chars() {
        match c {
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '\n' => out.push_str("%0A"),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('>');
    out
}

/// `` `code` `` with a fence longer than any backtick run inside.
fn code_span(content: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = content.starts_with('`')
        || content.ends_with('`')
        || (content.starts_with(' ') && content.ends_with(' ') && !content.trim().is_empty());
    if pad {
        format!("{fence} {content} {fence}")
    } else {
        format!("{fence}{content}{fence}")
    }
}

/// Inline HTML the reader would turn into something else (`<br>` is a break, `<span>`, `<u>`
/// and mentions are Notion styling): such tags in text must be escaped.
fn meaningful_tag(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    matches!(lower.as_str(), "br" | "span" | "u") || lower.starts_with("mention-")
}

/// Length of an HTML tag at the start of `s` (`<name …>`, `</name>`, `<name/>`), if `s` starts
/// with one that GFM reads as inline HTML and the reader keeps as text.
fn raw_tag_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    if b.get(i) == Some(&b'/') {
        i += 1;
    }
    let name_start = i;
    if !b.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    while b
        .get(i)
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
    {
        i += 1;
    }
    let name = &s[name_start..i];
    if meaningful_tag(name) {
        return None;
    }
    // Attributes: only simple ones (`a="…"`, `a='…'`, `a=word`, `a`).
    loop {
        let ws = b[i..].iter().take_while(|c| **c == b' ').count();
        i += ws;
        match b.get(i) {
            Some(b'>') => return Some(i + 1),
            Some(b'/') if b.get(i + 1) == Some(&b'>') && b[name_start - 1] != b'/' => {
                return Some(i + 2)
            }
            Some(c) if ws > 0 && c.is_ascii_alphabetic() => {
                while b
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b':'))
                {
                    i += 1;
                }
                if b.get(i) == Some(&b'=') {
                    i += 1;
                    match b.get(i) {
                        Some(q @ (b'"' | b'\'')) => {
                            let q = *q;
                            let close = b[i + 1..].iter().position(|c| *c == q)?;
                            let value = &b[i + 1..i + 1 + close];
                            if value.contains(&b'\n') || value.contains(&b'<') {
                                return None;
                            }
                            i += close + 2;
                        }
                        Some(c) if c.is_ascii_alphanumeric() => {
                            while b.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
                                i += 1;
                            }
                        }
                        _ => return None,
                    }
                }
            }
            _ => return None,
        }
    }
}

/// Length of a footnote reference `[^label]` at the start of `s`.
fn footnote_ref_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix("[^")?;
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    if len == 0 || !rest[len..].starts_with(']') || rest[len + 1..].starts_with(':') {
        return None;
    }
    Some(len + 3)
}

fn entity_like(s: &str) -> bool {
    let rest = &s[1..];
    let body: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '#')
        .collect();
    !body.is_empty() && rest[body.len()..].starts_with(';')
}

/// Escapes plain text so GFM reads it back literally.
pub(crate) fn escape_text(text: &str, style: Style) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (pos, c) = chars[k];
        let rest = &text[pos..];
        match c {
            '<' => {
                if let Some(len) = raw_tag_len(rest) {
                    out.push_str(&rest[..len]);
                    k += rest[..len].chars().count();
                    continue;
                }
                out.push_str("\\<");
            }
            '[' => {
                if let Some(len) = footnote_ref_len(rest) {
                    out.push_str(&rest[..len]);
                    k += rest[..len].chars().count();
                    continue;
                }
                out.push_str("\\[");
            }
            '\\' | '`' | '*' | ']' | '$' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let prev_alnum = k > 0 && chars[k - 1].1.is_alphanumeric();
                let next_alnum = chars.get(k + 1).is_some_and(|(_, n)| n.is_alphanumeric());
                if !(prev_alnum && next_alnum) {
                    out.push('\\');
                }
                out.push('_');
            }
            '&' if entity_like(rest) => out.push_str("\\&"),
            '|' if style.table => out.push_str("\\|"),
            '!' if k + 1 == chars.len() => out.push_str("\\!"),
            '\n' if style.table => out.push_str("<br>"),
            '\n' => out.push_str("\\\n"),
            c => out.push(c),
        }
        k += 1;
    }
    out
}

/// Escapes what would start a block at the beginning of each line of `text` (a heading, a
/// list item, a quote, a setext underline, a table), so the text stays a paragraph.
pub(crate) fn escape_line_starts(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&escape_line_start(line));
    }
    out
}

fn escape_line_start(line: &str) -> String {
    let b = line.as_bytes();
    let Some(&first) = b.first() else {
        return String::new();
    };
    let after = |i: usize| {
        b.get(i)
            .is_none_or(|c| *c == b' ' || *c == b'\t' || *c == b'\\')
    };
    match first {
        b'#' | b'>' | b'|' => return format!("\\{line}"),
        b'-' | b'+' | b'=' if after(1) || line.bytes().all(|c| c == first || c == b' ') => {
            return format!("\\{line}");
        }
        b'0'..=b'9' => {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            if digits <= 9 && matches!(b.get(digits), Some(b'.') | Some(b')')) && after(digits + 1)
            {
                return format!("{}\\{}", &line[..digits], &line[digits..]);
            }
        }
        _ => {}
    }
    line.to_string()
}

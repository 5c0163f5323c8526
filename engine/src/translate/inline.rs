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
use crate::normalize::canonical_spans;

/// How to write a rich text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// `*` or `_` for italics.
    pub italic: char,
    /// Inside a table cell: `|` is escaped and line breaks are `<br>`.
    pub table: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The marks a segment is wrapped in, outermost first (at most four, so no allocation).
fn marks(a: &Annotations) -> impl Iterator<Item = Mark> {
    let html = (!a.color.is_default() || a.underline).then_some(Mark::Html {
        color: a.color,
        underline: a.underline,
    });
    [
        html,
        a.strikethrough.then_some(Mark::Strike),
        a.bold.then_some(Mark::Bold),
        a.italic.then_some(Mark::Italic),
    ]
    .into_iter()
    .flatten()
}

fn open(m: &Mark, style: Style, out: &mut String) {
    match m {
        Mark::Html { color, underline } => {
            out.push_str("<span");
            if !color.is_default() {
                out.push_str(" color=\"");
                out.push_str(color.markdown_name());
                out.push('"');
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
    let spans = canonical_spans(rt);
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
        let keep = open_marks
            .iter()
            .zip(marks(&span.annotations))
            .take_while(|(a, b)| **a == *b)
            .count();
        while open_marks.len() > keep {
            if let Some(m) = open_marks.pop() {
                close(&m, style, &mut out);
            }
        }
        for m in marks(&span.annotations).skip(keep) {
            open(&m, style, &mut out);
            open_marks.push(m);
        }
        match &span.kind {
            SpanKind::Text { content, .. } if span.annotations.code => {
                push_code_span(&mut out, content);
            }
            SpanKind::Text { content, .. } => {
                push_escaped_text(&mut out, content, style);
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

/// Appends `` `code` `` with a fence longer than any backtick run inside.
fn push_code_span(out: &mut String, content: &str) {
    let mut longest = 0;
    let mut run = 0;
    for b in content.bytes() {
        if b == b'`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let pad = content.starts_with('`')
        || content.ends_with('`')
        || (content.starts_with(' ') && content.ends_with(' ') && !content.trim().is_empty());
    let fence = |out: &mut String| {
        for _ in 0..=longest {
            out.push('`');
        }
    };
    fence(out);
    if pad {
        out.push(' ');
    }
    out.push_str(content);
    if pad {
        out.push(' ');
    }
    fence(out);
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
    let body = rest
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'#')
        .count();
    body > 0 && rest[body..].starts_with(';')
}

/// Whether a byte of text may need escaping (see [`push_escaped_text`]); everything else is
/// copied as is, so plain runs are copied in one go.
fn may_escape(b: u8) -> bool {
    matches!(
        b,
        b'<' | b'[' | b'\\' | b'`' | b'*' | b']' | b'$' | b'~' | b'_' | b'&' | b'|' | b'!' | b'\n'
    )
}

/// Appends plain text escaped so GFM reads it back literally.
pub(crate) fn push_escaped_text(out: &mut String, text: &str, style: Style) {
    // `text[copied..pos]` is pending plain text. Every byte that may need escaping is ASCII,
    // so `pos` is always a char boundary when one is found.
    let bytes = text.as_bytes();
    let mut copied = 0;
    let mut pos = 0;
    while pos < bytes.len() {
        if !may_escape(bytes[pos]) {
            pos += 1;
            continue;
        }
        out.push_str(&text[copied..pos]);
        let rest = &text[pos..];
        match bytes[pos] {
            b'<' => {
                if let Some(len) = raw_tag_len(rest) {
                    out.push_str(&rest[..len]);
                    pos += len;
                    copied = pos;
                    continue;
                }
                out.push_str("\\<");
            }
            b'[' => {
                if let Some(len) = footnote_ref_len(rest) {
                    out.push_str(&rest[..len]);
                    pos += len;
                    copied = pos;
                    continue;
                }
                out.push_str("\\[");
            }
            c @ (b'\\' | b'`' | b'*' | b']' | b'$' | b'~') => {
                out.push('\\');
                out.push(char::from(c));
            }
            b'_' => {
                let prev_alnum = text[..pos]
                    .chars()
                    .next_back()
                    .is_some_and(char::is_alphanumeric);
                let next_alnum = rest[1..].chars().next().is_some_and(char::is_alphanumeric);
                if !(prev_alnum && next_alnum) {
                    out.push('\\');
                }
                out.push('_');
            }
            b'&' if entity_like(rest) => out.push_str("\\&"),
            b'|' if style.table => out.push_str("\\|"),
            b'!' if pos + 1 == bytes.len() => out.push_str("\\!"),
            b'\n' if style.table => out.push_str("<br>"),
            b'\n' => out.push_str("\\\n"),
            c => out.push(char::from(c)),
        }
        pos += 1;
        copied = pos;
    }
    out.push_str(&text[copied..]);
}

/// Escapes what would start a block at the beginning of each line of `text` (a heading, a
/// list item, a quote, a setext underline, a table), so the text stays a paragraph. The text
/// is returned as is when no line needs it (nearly always).
pub(crate) fn escape_line_starts(text: String) -> String {
    if !text.split('\n').any(|l| line_start_escape(l).is_some()) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 4);
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
        }
        match line_start_escape(line) {
            Some(at) => {
                out.push_str(&line[..at]);
                out.push('\\');
                out.push_str(&line[at..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Where a backslash must go for `line` not to start a block, if anywhere.
fn line_start_escape(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let first = *b.first()?;
    let after = |i: usize| {
        b.get(i)
            .is_none_or(|c| *c == b' ' || *c == b'\t' || *c == b'\\')
    };
    match first {
        b'#' | b'>' | b'|' => Some(0),
        b'-' | b'+' | b'=' if after(1) || line.bytes().all(|c| c == first || c == b' ') => Some(0),
        b'0'..=b'9' => {
            let digits = line.bytes().take_while(u8::is_ascii_digit).count();
            (digits <= 9 && matches!(b.get(digits), Some(b'.') | Some(b')')) && after(digits + 1))
                .then_some(digits)
        }
        _ => None,
    }
}

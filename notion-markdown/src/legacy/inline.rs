//! The original inline renderer (see the module doc of `legacy`).

use super::escape;
use crate::attrs;
use crate::escape::always_escaped;
use crate::inline::kind_from_url;
use crate::inline::normalize;
use crate::model::{Color, Mention, RichText, Span, SpanKind};
use crate::Dialect;

pub(crate) use crate::inline::Break;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    link: Option<String>,
    color: Color,
    underline: bool,
    bold: bool,
    italic: bool,
    strike: bool,
}

impl Key {
    fn of(s: &Span) -> Key {
        let a = &s.annotations;
        let link = match &s.kind {
            SpanKind::Text { link, .. } => link.clone().filter(|l| !sanitize_url(l).is_empty()),
            _ => None,
        };
        Key {
            link,
            color: a.color,
            underline: a.underline,
            bold: a.bold,
            italic: a.italic,
            strike: a.strikethrough,
        }
    }

    fn has_markers(&self) -> bool {
        self.bold || self.italic || self.strike
    }

    fn has_wrapper(&self) -> bool {
        self.link.is_some() || !self.color.is_default() || self.underline
    }
}

/// Renders rich text as inline Markdown.
pub(crate) fn render(rt: &RichText, dialect: Dialect, brk: Break) -> String {
    render_spans(&rt.0, dialect, brk)
}

/// The line-break style for one-line contexts (headings, cells, captions, tag bodies).
pub(crate) fn one_line_break(dialect: Dialect) -> Break {
    match dialect {
        Dialect::V1 => Break::Br,
        Dialect::V2 => Break::BrSlash,
    }
}

fn render_spans(spans: &[Span], dialect: Dialect, brk: Break) -> String {
    let mut spans = normalize::split_code_breaks(demote_inexpressible_math(spans.to_vec()));
    if brk == Break::Backslash {
        spans = normalize::trim_around_breaks(spans);
    }
    if dialect == Dialect::V1 {
        spans = shift_lone_openers(spans);
    }
    let mut out = String::new();
    let mut i = 0;
    while i < spans.len() {
        let key = Key::of(&spans[i]);
        let mut j = i + 1;
        // Notion writes one link per segment (`[plain ](u)[`code`](u)`). Other neighbours with
        // the same styling share their markers: closing and reopening (`*a**$x$*`) reads as bold.
        while key.link.is_none() && j < spans.len() && Key::of(&spans[j]) == key {
            j += 1;
        }
        push_group(&mut out, &key, &spans[i..j], dialect, brk);
        i = j;
    }
    out
}

fn leading_blank(s: &Span) -> usize {
    match &s.kind {
        SpanKind::Text { content, .. } if !s.annotations.code => {
            content.len()
                - content
                    .trim_start_matches(|c: char| c.is_whitespace() && c != '\n')
                    .len()
        }
        _ => 0,
    }
}

fn ends_blank(s: &Span) -> bool {
    match &s.kind {
        SpanKind::Text { content, .. } if !s.annotations.code => content
            .chars()
            .next_back()
            .is_some_and(|c| c.is_whitespace() && c != '\n'),
        _ => false,
    }
}

/// v1 markers keep edge spaces inside (`**a **`), but a marker run with whitespace on both
/// sides cannot open (see the parser). Where a styled group would start that way, its leading
/// spaces move out in front of the markers.
fn shift_lone_openers(spans: Vec<Span>) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for mut s in spans {
        let key = Key::of(&s);
        let prev = out.last().map(|l| (Key::of(l), ends_blank(l)));
        let group_start = prev.as_ref().map(|(k, _)| k) != Some(&key);
        if group_start && key.has_markers() && !key.has_wrapper() {
            let preceded_by_blank = match &prev {
                None => true,
                Some((pk, blank)) => !pk.has_markers() && !pk.has_wrapper() && *blank,
            };
            let n = leading_blank(&s);
            if preceded_by_blank && n > 0 {
                if let SpanKind::Text { content, .. } = &mut s.kind {
                    let lead: String = content.drain(..n).collect();
                    match out.last_mut() {
                        Some(Span {
                            kind: SpanKind::Text { content: last, .. },
                            ..
                        }) if prev.is_some() => {
                            // The previous segment is plain text (checked above).
                            last.push_str(&lead);
                        }
                        _ => out.push(Span::text(lead)),
                    }
                }
            }
        }
        if !matches!(&s.kind, SpanKind::Text { content, .. } if content.is_empty()) {
            out.push(s);
        }
    }
    normalize::merge(out)
}

fn edge_blank(spans: &[Span]) -> bool {
    let text = |s: &Span| match &s.kind {
        SpanKind::Text { content, .. } if !s.annotations.code => Some(content.clone()),
        _ => None,
    };
    let first = spans.first().and_then(text).and_then(|c| c.chars().next());
    let last = spans
        .last()
        .and_then(text)
        .and_then(|c| c.chars().next_back());
    // A line break is written as markup (`<br />`, `\`), so it does not count as an edge blank.
    let blank = |c: char| c.is_whitespace() && c != '\n';
    first.is_some_and(blank) || last.is_some_and(blank)
}

fn push_group(out: &mut String, key: &Key, spans: &[Span], dialect: Dialect, brk: Break) {
    let mut inner = String::new();
    for s in spans {
        push_content(&mut inner, s, dialect, brk);
    }
    if key.has_markers() {
        if dialect == Dialect::V2 && edge_blank(spans) {
            let mut w = String::new();
            for (on, t) in [(key.strike, "<s>"), (key.bold, "<b>"), (key.italic, "<i>")] {
                if on {
                    w.push_str(t);
                }
            }
            w.push_str(&inner);
            for (on, t) in [
                (key.italic, "</i>"),
                (key.bold, "</b>"),
                (key.strike, "</s>"),
            ] {
                if on {
                    w.push_str(t);
                }
            }
            inner = w;
        } else {
            let mut open = String::new();
            if key.strike {
                open.push_str("~~");
            }
            if key.bold {
                open.push_str("**");
            }
            if key.italic {
                open.push('*');
            }
            let close: String = open.chars().rev().collect();
            inner = format!("{open}{inner}{close}");
        }
    }
    match dialect {
        Dialect::V1 => {
            if !key.color.is_default() || key.underline {
                let mut tag = String::from("<span");
                let color = key.color.markdown_name();
                let mut a: Vec<(&str, &str)> = Vec::new();
                if !key.color.is_default() {
                    a.push(("color", color));
                }
                if key.underline {
                    a.push(("underline", "true"));
                }
                attrs::push_attrs(&mut tag, a);
                inner = format!("{tag}>{inner}</span>");
            }
        }
        Dialect::V2 => {
            if key.underline {
                inner = format!("<u>{inner}</u>");
            }
            if !key.color.is_default() {
                inner = format!(
                    "<span color=\"{}\">{inner}</span>",
                    key.color.markdown_name()
                );
            }
        }
    }
    match &key.link {
        Some(url) => {
            // `!` right before a link would make it an image.
            if out.ends_with('!') && !crate::lines::is_escaped(out.as_bytes(), out.len() - 1) {
                out.insert(out.len() - 1, '\\');
            }
            out.push('[');
            out.push_str(&inner);
            out.push_str("](");
            push_url(out, &sanitize_url(url));
            out.push(')');
        }
        None => out.push_str(&inner),
    }
}

fn push_break(out: &mut String, brk: Break, mid_text: bool) {
    out.push_str(match brk {
        Break::Br => "<br>",
        Break::BrSlash => "<br />",
        Break::Backslash if mid_text => "\\\n",
        Break::Backslash => "<br />",
    });
}

fn push_content(out: &mut String, s: &Span, dialect: Dialect, brk: Break) {
    match &s.kind {
        SpanKind::Text { content, .. } => {
            let pieces: Vec<&str> = content.split('\n').collect();
            let last = pieces.len() - 1;
            for (i, piece) in pieces.iter().enumerate() {
                if i > 0 {
                    // A backslash break must have this segment's text on both sides, or the
                    // next line could start with markup that reads as a block.
                    let at_end = i == last && piece.is_empty();
                    let mid = !(s.annotations.code || at_end);
                    push_break(out, brk, mid);
                }
                if piece.is_empty() {
                    continue;
                }
                if s.annotations.code {
                    push_code(out, piece);
                } else {
                    escape::push_escaped(out, piece);
                }
            }
        }
        SpanKind::Equation { expression } => push_equation(out, expression),
        SpanKind::Mention { mention, label } => {
            push_mention(out, mention, label.as_deref(), dialect)
        }
    }
}

fn push_code(out: &mut String, c: &str) {
    let mut longest = 0;
    let mut run = 0;
    for b in c.bytes() {
        if b == b'`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest + 1);
    let pad = c.starts_with('`')
        || c.ends_with('`')
        || (c.starts_with(' ') && c.ends_with(' ') && !c.bytes().all(|b| b == b' '));
    out.push_str(&fence);
    if pad {
        out.push(' ');
    }
    out.push_str(c);
    if pad {
        out.push(' ');
    }
    out.push_str(&fence);
}

/// How inline math can be written: `$e$`, `` $`e`$ ``, or not at all.
#[derive(PartialEq, Eq)]
enum MathForm {
    Dollar,
    Backtick,
    None,
}

fn math_form(e: &str) -> MathForm {
    // Notion writes `` $`x = y_0`$ `` as soon as the formula holds a Markdown delimiter
    // (observed); plain formulas keep the short form.
    let plain = !e.chars().any(|c| c == '_' || always_escaped(c));
    if !e.is_empty()
        && !e.starts_with(char::is_whitespace)
        && !e.ends_with(char::is_whitespace)
        && plain
    {
        MathForm::Dollar
    } else if !e.contains("`$") {
        MathForm::Backtick
    } else {
        MathForm::None
    }
}

fn push_equation(out: &mut String, expr: &str) {
    let e = expr.replace(['\n', '\r'], " ");
    match math_form(&e) {
        MathForm::Dollar => {
            out.push('$');
            out.push_str(&e);
            out.push('$');
        }
        MathForm::Backtick | MathForm::None => {
            out.push_str("$`");
            out.push_str(&e);
            out.push_str("`$");
        }
    }
}

/// Inline math that no syntax can hold is kept as its characters.
fn demote_inexpressible_math(spans: Vec<Span>) -> Vec<Span> {
    spans
        .into_iter()
        .map(|s| match &s.kind {
            SpanKind::Equation { expression }
                if math_form(&expression.replace(['\n', '\r'], " ")) == MathForm::None =>
            {
                Span {
                    kind: SpanKind::Text {
                        content: expression.clone(),
                        link: None,
                    },
                    annotations: s.annotations,
                }
            }
            _ => s,
        })
        .collect()
}

fn sanitize_url(url: &str) -> String {
    url.chars().filter(|&c| c != '\n' && c != '\r').collect()
}

pub(crate) fn push_url(out: &mut String, u: &str) {
    let mut depth: i64 = 0;
    let mut balanced = true;
    for c in u.chars() {
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
    balanced &= depth == 0;
    let spaced = u.chars().any(|c| c.is_whitespace() || c.is_control());
    if !spaced && balanced && !u.contains(['<', '>', '\\']) {
        out.push_str(u);
    } else if !spaced {
        for c in u.chars() {
            if matches!(c, '\\' | '(' | ')' | '<' | '>') {
                out.push('\\');
            }
            out.push(c);
        }
    } else {
        out.push('<');
        for c in u.chars() {
            if matches!(c, '\\' | '<' | '>') {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('>');
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn push_mention(out: &mut String, m: &Mention, label: Option<&str>, dialect: Dialect) {
    match (dialect, m) {
        (
            Dialect::V1,
            Mention::Date {
                start,
                end,
                start_time,
                end_time,
                time_zone,
            },
        )
        | (
            Dialect::V2,
            Mention::Date {
                start,
                end,
                start_time,
                end_time,
                time_zone,
            },
        ) => {
            let v1 = dialect == Dialect::V1;
            out.push_str(if v1 { "<mention-date" } else { "<date" });
            let mut a: Vec<(&str, &str)> = vec![("start", start)];
            let names = if v1 {
                ["end", "startTime", "endTime", "timeZone"]
            } else {
                ["end", "start-time", "end-time", "time-zone"]
            };
            for (name, v) in names
                .into_iter()
                .zip([end, start_time, end_time, time_zone])
            {
                if let Some(v) = v {
                    a.push((name, v));
                }
            }
            attrs::push_attrs(out, a);
            out.push_str(if v1 { "/>" } else { " />" });
        }
        (Dialect::V1, _) => {
            let (tag, url) = match m {
                Mention::User { url } => ("mention-user", url),
                Mention::Page { url } => ("mention-page", url),
                Mention::Database { url } => ("mention-database", url),
                Mention::DataSource { url } => ("mention-data-source", url),
                Mention::Agent { url } => ("mention-agent", url),
                Mention::Date { start, .. } => ("mention-date", start),
            };
            // Notion's GET output is self-closing: the label is the resolved name, not data.
            out.push('<');
            out.push_str(tag);
            attrs::push_attrs(out, [("url", url.as_str())]);
            out.push_str("/>");
        }
        (Dialect::V2, _) => {
            let (ty, url) = match m {
                Mention::User { url } => ("user", url),
                Mention::Page { url } => ("page", url),
                Mention::Database { url } => ("database", url),
                Mention::DataSource { url } => ("data-source", url),
                Mention::Agent { url } => ("agent", url),
                Mention::Date { start, .. } => ("page", start),
            };
            out.push_str("<mention");
            let mut a: Vec<(&str, &str)> = vec![("url", url)];
            if kind_from_url(url) != ty {
                a.push(("type", ty));
            }
            attrs::push_attrs(out, a);
            let label = label
                .map(one_line)
                .filter(|l| !l.is_empty() && !l.contains("</mention>"));
            match label {
                Some(l) => {
                    out.push('>');
                    out.push_str(&l);
                    out.push_str("</mention>");
                }
                None => out.push_str(" />"),
            }
        }
    }
}

//! Rich text → inline Markdown, segment by segment as Notion writes it.

use std::borrow::Cow;

use super::normalize;
use super::syntax::kind_from_url;
use crate::attrs;
use crate::escape;
use crate::model::{Color, Mention, Span, SpanKind};
use crate::Dialect;

/// How a line break inside rich text is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Break {
    /// v1: `<br>`.
    Br,
    /// v2 where the text must stay on one line (headings, cells, captions): `<br />`.
    BrSlash,
    /// v2 paragraph-like text: a backslash at the end of the line.
    Backslash,
}

/// What a run of segments shares: written once around the run. Borrowed from the segment, so
/// comparing neighbours costs no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key<'a> {
    link: Option<&'a str>,
    color: Color,
    underline: bool,
    bold: bool,
    italic: bool,
    strike: bool,
}

impl<'a> Key<'a> {
    fn of(s: &'a Span) -> Key<'a> {
        let a = &s.annotations;
        let link = match &s.kind {
            // A link that is nothing but line breaks is no link.
            SpanKind::Text { link, .. } => link
                .as_deref()
                .filter(|l| l.bytes().any(|b| b != b'\n' && b != b'\r')),
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
pub(crate) fn render(spans: &[Span], dialect: Dialect, brk: Break) -> String {
    let mut out = String::new();
    render_into(&mut out, spans, dialect, brk);
    out
}

/// Appends rich text as inline Markdown to `out` (which may already hold text: only what this
/// call appends is looked at).
pub(crate) fn render_into(out: &mut String, spans: &[Span], dialect: Dialect, brk: Break) {
    let spans = prepare(spans, dialect, brk);
    let base = out.len();
    let mut i = 0;
    while i < spans.len() {
        let key = Key::of(&spans[i]);
        let mut j = i + 1;
        // Notion writes one link per segment (`[plain ](u)[`code`](u)`). Other neighbours with
        // the same styling share their markers: closing and reopening (`*a**$x$*`) reads as bold.
        while key.link.is_none() && j < spans.len() && Key::of(&spans[j]) == key {
            j += 1;
        }
        push_group(out, base, &key, &spans[i..j], dialect, brk);
        i = j;
    }
}

/// The segments in the shape the writer needs: inexpressible math demoted, line breaks moved
/// out of code, blanks around breaks trimmed (v2 paragraphs), lone openers shifted (v1), and
/// the result normalised. Rich text almost always has that shape already (parser output and
/// the engine's blocks are normalised), so it is checked first and borrowed as is; only text
/// that needs a rewrite is copied.
fn prepare(spans: &[Span], dialect: Dialect, brk: Break) -> Cow<'_, [Span]> {
    if is_prepared(spans, dialect, brk) {
        return Cow::Borrowed(spans);
    }
    let mut spans = normalize::split_code_breaks(demote_inexpressible_math(spans.to_vec()));
    if brk == Break::Backslash {
        spans = normalize::trim_around_breaks(spans);
    }
    if dialect == Dialect::V1 {
        spans = shift_lone_openers(spans);
    }
    Cow::Owned(spans)
}

/// Whether every step of [`prepare`] would leave `spans` unchanged. May answer `false` for text
/// that would in fact come out unchanged (it is then merely copied); must never answer `true`
/// otherwise.
fn is_prepared(spans: &[Span], dialect: Dialect, brk: Break) -> bool {
    let mut prev: Option<&Span> = None;
    for s in spans {
        match &s.kind {
            SpanKind::Equation { expression } => {
                if math_form(&one_line(expression)) == MathForm::None {
                    return false;
                }
            }
            SpanKind::Text { content, .. } => {
                // Empty segments are dropped; a code break is split out; (v2 paragraphs)
                // blanks next to a break are trimmed.
                if content.is_empty()
                    || (content.contains('\n') && (s.annotations.code || brk == Break::Backslash))
                {
                    return false;
                }
            }
            SpanKind::Mention { .. } => {}
        }
        if let Some(p) = prev {
            if normalize::mergeable(p, s) {
                return false;
            }
        }
        // v1: `shift_lone_openers` moves the leading blanks of a group that cannot open. While
        // nothing has moved, its output so far is the input, so its test can run on the input.
        if dialect == Dialect::V1 && leading_blank(s) > 0 {
            let key = Key::of(s);
            let prev_key = prev.map(Key::of);
            if prev_key != Some(key) && key.has_markers() && !key.has_wrapper() {
                let preceded_by_blank = match (prev, prev_key) {
                    (Some(p), Some(pk)) => !pk.has_markers() && !pk.has_wrapper() && ends_blank(p),
                    _ => true,
                };
                if preceded_by_blank {
                    return false;
                }
            }
        }
        prev = Some(s);
    }
    true
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
        let shift = {
            let key = Key::of(&s);
            let prev = out.last().map(|l| (Key::of(l), ends_blank(l)));
            let group_start = prev.as_ref().map(|(k, _)| k) != Some(&key);
            group_start && key.has_markers() && !key.has_wrapper() && {
                match &prev {
                    None => true,
                    Some((pk, blank)) => !pk.has_markers() && !pk.has_wrapper() && *blank,
                }
            }
        };
        let n = leading_blank(&s);
        if shift && n > 0 {
            let has_prev = !out.is_empty();
            if let SpanKind::Text { content, .. } = &mut s.kind {
                let lead: String = content.drain(..n).collect();
                match out.last_mut() {
                    Some(Span {
                        kind: SpanKind::Text { content: last, .. },
                        ..
                    }) if has_prev => {
                        // The previous segment is plain text (checked above).
                        last.push_str(&lead);
                    }
                    _ => out.push(Span::text(lead)),
                }
            }
        }
        if !matches!(&s.kind, SpanKind::Text { content, .. } if content.is_empty()) {
            out.push(s);
        }
    }
    normalize::merge(out)
}

/// Whether the run starts or ends with a blank that markers cannot hug (v2 then writes tags).
fn edge_blank(spans: &[Span]) -> bool {
    fn text(s: &Span) -> Option<&str> {
        match &s.kind {
            SpanKind::Text { content, .. } if !s.annotations.code => Some(content),
            _ => None,
        }
    }
    let first = spans.first().and_then(text).and_then(|c| c.chars().next());
    let last = spans
        .last()
        .and_then(text)
        .and_then(|c| c.chars().next_back());
    // A line break is written as markup (`<br />`, `\`), so it does not count as an edge blank.
    let blank = |c: char| c.is_whitespace() && c != '\n';
    first.is_some_and(blank) || last.is_some_and(blank)
}

/// Writes one run of segments sharing `key`, from the outside in: link, colour and underline
/// wrappers, emphasis markers, content; then the closers in reverse. `base` is where this
/// rich text starts in `out`.
fn push_group(
    out: &mut String,
    base: usize,
    key: &Key<'_>,
    spans: &[Span],
    dialect: Dialect,
    brk: Break,
) {
    if key.link.is_some() {
        // `!` right before a link would make it an image.
        let written = &out[base..];
        if written.ends_with('!')
            && !crate::lines::is_escaped(written.as_bytes(), written.len() - 1)
        {
            out.insert(out.len() - 1, '\\');
        }
        out.push('[');
    }
    let v1_span = dialect == Dialect::V1 && (!key.color.is_default() || key.underline);
    match dialect {
        Dialect::V1 => {
            if v1_span {
                out.push_str("<span");
                if !key.color.is_default() {
                    attrs::push_attrs(out, [("color", key.color.markdown_name())]);
                }
                if key.underline {
                    attrs::push_attrs(out, [("underline", "true")]);
                }
                out.push('>');
            }
        }
        Dialect::V2 => {
            if !key.color.is_default() {
                out.push_str("<span color=\"");
                out.push_str(key.color.markdown_name());
                out.push_str("\">");
            }
            if key.underline {
                out.push_str("<u>");
            }
        }
    }
    let tags = key.has_markers() && dialect == Dialect::V2 && edge_blank(spans);
    if key.has_markers() {
        if tags {
            for (on, t) in [(key.strike, "<s>"), (key.bold, "<b>"), (key.italic, "<i>")] {
                if on {
                    out.push_str(t);
                }
            }
        } else {
            for (on, t) in [(key.strike, "~~"), (key.bold, "**"), (key.italic, "*")] {
                if on {
                    out.push_str(t);
                }
            }
        }
    }
    for s in spans {
        push_content(out, s, dialect, brk);
    }
    if key.has_markers() {
        if tags {
            for (on, t) in [
                (key.italic, "</i>"),
                (key.bold, "</b>"),
                (key.strike, "</s>"),
            ] {
                if on {
                    out.push_str(t);
                }
            }
        } else {
            for (on, t) in [(key.italic, "*"), (key.bold, "**"), (key.strike, "~~")] {
                if on {
                    out.push_str(t);
                }
            }
        }
    }
    match dialect {
        Dialect::V1 => {
            if v1_span {
                out.push_str("</span>");
            }
        }
        Dialect::V2 => {
            if key.underline {
                out.push_str("</u>");
            }
            if !key.color.is_default() {
                out.push_str("</span>");
            }
        }
    }
    if let Some(url) = key.link {
        out.push_str("](");
        push_url(out, &sanitize_url(url));
        out.push(')');
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
            let mut pieces = content.split('\n').peekable();
            let mut first = true;
            while let Some(piece) = pieces.next() {
                if !first {
                    // A backslash break must have this segment's text on both sides, or the
                    // next line could start with markup that reads as a block.
                    let at_end = pieces.peek().is_none() && piece.is_empty();
                    let mid = !(s.annotations.code || at_end);
                    push_break(out, brk, mid);
                }
                first = false;
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
    let pad = c.starts_with('`')
        || c.ends_with('`')
        || (c.starts_with(' ') && c.ends_with(' ') && !c.bytes().all(|b| b == b' '));
    let fence = |out: &mut String| {
        for _ in 0..=longest {
            out.push('`');
        }
    };
    fence(out);
    if pad {
        out.push(' ');
    }
    out.push_str(c);
    if pad {
        out.push(' ');
    }
    fence(out);
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
    let plain = !e.chars().any(|c| c == '_' || escape::always_escaped(c));
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
    let e = one_line(expr);
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
                if math_form(&one_line(expression)) == MathForm::None =>
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

fn sanitize_url(url: &str) -> Cow<'_, str> {
    if url.contains(['\n', '\r']) {
        Cow::Owned(url.replace(['\n', '\r'], ""))
    } else {
        Cow::Borrowed(url)
    }
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

/// `s` with line breaks as spaces (borrowed when it has none).
fn one_line(s: &str) -> Cow<'_, str> {
    if s.contains(['\n', '\r']) {
        Cow::Owned(s.replace(['\n', '\r'], " "))
    } else {
        Cow::Borrowed(s)
    }
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

//! The small grammars inside inline text: tags, mentions, math, link destinations.

use std::collections::HashMap;

use crate::attrs;
use crate::escape;
use crate::model::{Annotations, Mention, Span, SpanKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Bold,
    Italic,
    Strike,
    Underline,
}

pub(super) fn style_tag(name: &str) -> Option<Style> {
    match name {
        "b" => Some(Style::Bold),
        "i" => Some(Style::Italic),
        "s" => Some(Style::Strike),
        "u" => Some(Style::Underline),
        _ => None,
    }
}

#[derive(Clone, Copy)]
pub(super) enum MentionTag {
    User,
    Page,
    Database,
    DataSource,
    Agent,
    Date,
    /// v2 `<mention>`: the kind comes from the url and `type`.
    Generic,
}

pub(super) fn mention_kind(name: &str, v2: bool) -> Option<MentionTag> {
    if v2 {
        return match name {
            "mention" => Some(MentionTag::Generic),
            "date" => Some(MentionTag::Date),
            _ => None,
        };
    }
    match name {
        "mention-user" => Some(MentionTag::User),
        "mention-page" => Some(MentionTag::Page),
        "mention-database" => Some(MentionTag::Database),
        "mention-data-source" => Some(MentionTag::DataSource),
        "mention-agent" => Some(MentionTag::Agent),
        "mention-date" => Some(MentionTag::Date),
        _ => None,
    }
}

/// The mention kind a v2 `<mention url>` means when it has no `type`.
pub(crate) fn kind_from_url(url: &str) -> &'static str {
    if url.starts_with("user://") {
        "user"
    } else if url.starts_with("agent://") {
        "agent"
    } else if url.starts_with("collection://") {
        "data-source"
    } else {
        "page"
    }
}

pub(super) fn build_mention(kind: MentionTag, a: &[(String, String)]) -> Option<Mention> {
    let url = || attrs::get(a, "url").map(str::to_string);
    Some(match kind {
        MentionTag::User => Mention::User { url: url()? },
        MentionTag::Page => Mention::Page { url: url()? },
        MentionTag::Database => Mention::Database { url: url()? },
        MentionTag::DataSource => Mention::DataSource { url: url()? },
        MentionTag::Agent => Mention::Agent { url: url()? },
        MentionTag::Generic => {
            let url = url()?;
            let ty = attrs::get(a, "type").unwrap_or_else(|| kind_from_url(&url));
            match ty {
                "user" => Mention::User { url },
                "agent" => Mention::Agent { url },
                "database" => Mention::Database { url },
                "data-source" | "data_source" => Mention::DataSource { url },
                _ => Mention::Page { url },
            }
        }
        MentionTag::Date => {
            let g = |v1: &str, v2: &str| {
                attrs::get(a, v1)
                    .or_else(|| attrs::get(a, v2))
                    .map(str::to_string)
            };
            Mention::Date {
                start: attrs::get(a, "start")?.to_string(),
                end: g("end", "end"),
                start_time: g("startTime", "start-time"),
                end_time: g("endTime", "end-time"),
                time_zone: g("timeZone", "time-zone"),
            }
        }
    })
}

pub(super) fn mention(mention: Mention, label: Option<String>) -> Span {
    Span {
        kind: SpanKind::Mention { mention, label },
        annotations: Annotations::default(),
    }
}

pub(super) fn equation(expression: String) -> Span {
    Span {
        kind: SpanKind::Equation { expression },
        annotations: Annotations::default(),
    }
}

/// `<br>`, `<br/>`, `<br />`: byte length.
pub(super) fn br_tag(s: &str) -> Option<usize> {
    ["<br>", "<br/>", "<br />"]
        .iter()
        .find(|t| s.starts_with(**t))
        .map(|t| t.len())
}

/// `<scheme:…>`: the url and byte length.
pub(super) fn autolink(s: &str) -> Option<(String, usize)> {
    let b = s.as_bytes();
    let scheme = b
        .get(1..)?
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'.' | b'-'))
        .count();
    if !(2..=32).contains(&scheme)
        || !b.get(1)?.is_ascii_alphabetic()
        || b.get(1 + scheme) != Some(&b':')
    {
        return None;
    }
    let end =
        b.iter().skip(1).position(|&c| {
            c == b'>' || c == b'<' || c.is_ascii_whitespace() || c.is_ascii_control()
        })? + 1;
    if b[end] != b'>' || end <= scheme + 2 {
        return None;
    }
    Some((s[1..end].to_string(), end + 1))
}

/// Finds the `$` closing inline math that starts at `from`: not backslash-escaped and not
/// preceded by whitespace.
pub(super) fn find_dollar_close(b: &[u8], from: usize) -> Option<usize> {
    let mut k = from;
    while k < b.len() {
        match b[k] {
            b'\\' => k += 2,
            b'$' if k > from && !b[k - 1].is_ascii_whitespace() => return Some(k),
            _ => k += 1,
        }
    }
    None
}

/// Parses a link destination starting just after `(`: the url and the index after `)`.
/// The bytes looked at are taken from `budget`; an empty budget fails the link.
pub(super) fn link_destination(
    src: &str,
    start: usize,
    budget: &mut usize,
) -> Option<(String, usize)> {
    let mut limit = start.saturating_add((*budget).min(8192)).min(src.len());
    while !src.is_char_boundary(limit) {
        limit -= 1;
    }
    let mut pos = start;
    let found = destination(&src[..limit], &mut pos);
    *budget = budget.saturating_sub(pos.saturating_sub(start) + 1);
    found
}

/// The destination grammar; `pos` is left at the furthest byte looked at.
fn destination(src: &str, pos: &mut usize) -> Option<(String, usize)> {
    let b = src.as_bytes();
    let skip_blanks = |pos: &mut usize| {
        while b.get(*pos) == Some(&b' ') {
            *pos += 1;
        }
    };
    skip_blanks(pos);
    let url;
    if b.get(*pos) == Some(&b'<') {
        *pos += 1;
        let s = *pos;
        loop {
            match *b.get(*pos)? {
                b'\\' => *pos += 2,
                b'>' => break,
                b'<' | b'\n' => return None,
                _ => *pos += 1,
            }
        }
        url = escape::unescape(src.get(s..*pos)?);
        *pos += 1;
    } else {
        let s = *pos;
        let mut depth = 0usize;
        while let Some(&c) = b.get(*pos) {
            match c {
                b'\\' if b.get(*pos + 1).is_some_and(u8::is_ascii_punctuation) => *pos += 2,
                b'(' => {
                    depth += 1;
                    *pos += 1;
                }
                b')' if depth == 0 => break,
                b')' => {
                    depth -= 1;
                    *pos += 1;
                }
                c if c.is_ascii_whitespace() || c.is_ascii_control() => break,
                _ => *pos += 1,
            }
        }
        url = escape::unescape(src.get(s..*pos)?);
    }
    skip_blanks(pos);
    // An optional title, which Notion has no place for.
    if let Some(&q @ (b'"' | b'\'')) = b.get(*pos) {
        let open = *pos;
        *pos = b.len();
        let rel = src.get(open + 1..)?.find(q as char)?;
        *pos = open + rel + 2;
        skip_blanks(pos);
    }
    (b.get(*pos) == Some(&b')') && !url.is_empty()).then(|| (url, *pos + 1))
}

pub(super) fn tick_runs(src: &str) -> HashMap<usize, Vec<usize>> {
    let b = src.as_bytes();
    let mut runs: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'`' {
            let n = b[i..].iter().take_while(|&&c| c == b'`').count();
            runs.entry(n).or_default().push(i);
            i += n;
        } else {
            i += 1;
        }
    }
    runs
}

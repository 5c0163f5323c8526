//! XML-ish tags and `{key="value"}` attribute lists, the two ways Notion hangs data off Markdown.
//!
//! Parsing is deliberately strict (double or single quotes, no bare attributes): anything that
//! does not fit is left to the caller to keep as literal text.

use std::borrow::Cow;

/// Attributes in source order; duplicates are kept (the first wins on lookup).
pub(crate) type Attrs = Vec<(String, String)>;

/// A start tag (`<callout icon="💡">`, `<empty-block/>`) found at the start of a string.
#[derive(Debug)]
pub(crate) struct StartTag<'a> {
    pub name: &'a str,
    pub attrs: Attrs,
    pub self_closing: bool,
    /// Byte length of the tag, so the caller can continue after it.
    pub len: usize,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

fn is_attr_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':'
}

fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && (s[i] == b' ' || s[i] == b'\t') {
        i += 1;
    }
    i
}

/// Parses `key="value"` pairs separated by blanks, starting at byte `i`, stopping before the
/// first byte that cannot start a pair. Returns the pairs and the index where parsing stopped;
/// `None` when a pair is malformed (an unterminated quote, a key without a value).
fn parse_pairs(src: &str, mut i: usize) -> Option<(Attrs, usize)> {
    let s = src.as_bytes();
    let mut attrs = Vec::new();
    loop {
        let j = skip_ws(s, i);
        if j >= s.len() || !is_attr_char(s[j]) {
            return Some((attrs, j));
        }
        if j == i && !attrs.is_empty() {
            // Pairs must be separated by whitespace.
            return None;
        }
        let key_start = j;
        let mut k = j;
        while k < s.len() && is_attr_char(s[k]) {
            k += 1;
        }
        let key = &src[key_start..k];
        let k = skip_ws(s, k);
        if k >= s.len() || s[k] != b'=' {
            return None;
        }
        let k = skip_ws(s, k + 1);
        let quote = *s.get(k)?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let value_start = k + 1;
        let rel = src[value_start..].bytes().position(|b| b == quote)?;
        let value = &src[value_start..value_start + rel];
        attrs.push((key.to_string(), unescape_value(value).into_owned()));
        i = value_start + rel + 1;
    }
}

/// Parses a start tag at the very beginning of `src`.
pub(crate) fn start_tag(src: &str) -> Option<StartTag<'_>> {
    let s = src.as_bytes();
    if s.len() < 2 || s[0] != b'<' || !is_name_start(s[1]) {
        return None;
    }
    let mut i = 1;
    while i < s.len() && is_name_char(s[i]) {
        i += 1;
    }
    let name = &src[1..i];
    let (attrs, j) = parse_pairs(src, i)?;
    let j = skip_ws(s, j);
    match s.get(j)? {
        b'>' => Some(StartTag {
            name,
            attrs,
            self_closing: false,
            len: j + 1,
        }),
        b'/' if s.get(j + 1) == Some(&b'>') => Some(StartTag {
            name,
            attrs,
            self_closing: true,
            len: j + 2,
        }),
        _ => None,
    }
}

/// Parses an end tag (`</callout>`) at the start of `src`: its name and byte length.
pub(crate) fn end_tag(src: &str) -> Option<(&str, usize)> {
    let s = src.as_bytes();
    if s.len() < 3 || s[0] != b'<' || s[1] != b'/' || !is_name_start(s[2]) {
        return None;
    }
    let mut i = 2;
    while i < s.len() && is_name_char(s[i]) {
        i += 1;
    }
    let name = &src[2..i];
    let j = skip_ws(s, i);
    (s.get(j) == Some(&b'>')).then_some((name, j + 1))
}

/// Whether `line` is exactly the end tag `</name>`.
pub(crate) fn is_end_tag(line: &str, name: &str) -> bool {
    matches!(end_tag(line), Some((n, len)) if n == name && len == line.len())
}

/// Parses a whole `{key="value" …}` attribute list (braces included, nothing after it).
pub(crate) fn brace_list(src: &str) -> Option<Attrs> {
    let inner = src.strip_prefix('{')?;
    let (attrs, end) = parse_pairs(inner, 0)?;
    let rest = inner[end..].trim_start();
    (rest == "}" && !attrs.is_empty()).then_some(attrs)
}

/// Splits a trailing ` {key="value"}` list off a line, if there is an unescaped one.
/// Only lists whose keys all satisfy `known` count, so ordinary braces stay text.
pub(crate) fn split_trailing_list(
    line: &str,
    known: impl Fn(&str) -> bool,
) -> (&str, Option<Attrs>) {
    if !line.ends_with('}') {
        return (line, None);
    }
    // Try the last few `{` from the right; values rarely contain braces.
    let mut end = line.len();
    for _ in 0..8 {
        let Some(open) = line[..end].rfind('{') else {
            break;
        };
        let escaped = line[..open]
            .bytes()
            .rev()
            .take_while(|&b| b == b'\\')
            .count()
            % 2
            == 1;
        if !escaped {
            if let Some(attrs) = brace_list(&line[open..]) {
                let before = &line[..open];
                let separated = before.is_empty() || before.ends_with([' ', '\t']);
                if separated && attrs.iter().all(|(k, _)| known(k)) {
                    return (before.trim_end(), Some(attrs));
                }
            }
        }
        end = open;
    }
    (line, None)
}

/// The first value of `key`.
pub(crate) fn get<'a>(attrs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Whether `key` is `"true"`.
pub(crate) fn flag(attrs: &[(String, String)], key: &str) -> bool {
    get(attrs, key) == Some("true")
}

/// Attribute values cannot hold a raw `"`; `&quot;` is the only entity we write, and newlines
/// would break the one-line-per-block layout.
pub(crate) fn escape_value(v: &str) -> Cow<'_, str> {
    if v.contains(['"', '\n', '\r']) {
        Cow::Owned(v.replace('"', "&quot;").replace(['\n', '\r'], " "))
    } else {
        Cow::Borrowed(v)
    }
}

fn unescape_value(v: &str) -> Cow<'_, str> {
    if v.contains("&quot;") {
        Cow::Owned(v.replace("&quot;", "\""))
    } else {
        Cow::Borrowed(v)
    }
}

/// Appends ` key="value"` for each pair.
pub(crate) fn push_attrs<'a>(
    out: &mut String,
    attrs: impl IntoIterator<Item = (&'a str, &'a str)>,
) {
    for (k, v) in attrs {
        out.push(' ');
        out.push_str(k);
        out.push_str("=\"");
        out.push_str(&escape_value(v));
        out.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags() {
        let t = start_tag(r#"<callout icon="💡" color="gray_bg">rest"#).unwrap();
        assert_eq!(t.name, "callout");
        assert_eq!(t.attrs.len(), 2);
        assert!(!t.self_closing);
        assert_eq!(
            &r#"<callout icon="💡" color="gray_bg">rest"#[t.len..],
            "rest"
        );
        let t = start_tag("<empty-block/>").unwrap();
        assert!(t.self_closing);
        let t = start_tag(r#"<date start="x" />"#).unwrap();
        assert!(t.self_closing);
        assert!(start_tag("<a b>").is_none());
        assert!(start_tag("< a>").is_none());
        assert!(start_tag(r#"<a b="x>"#).is_none());
        assert_eq!(end_tag("</callout>x"), Some(("callout", 10)));
    }

    #[test]
    fn trailing_lists() {
        let known = |k: &str| k == "color" || k == "toggle";
        assert_eq!(
            split_trailing_list(r#"Hello {color="blue"}"#, known),
            ("Hello", Some(vec![("color".into(), "blue".into())]))
        );
        assert_eq!(
            split_trailing_list(r#"Hello \{color="blue"}"#, known).1,
            None
        );
        assert_eq!(split_trailing_list(r#"Hello {foo="blue"}"#, known).1, None);
        assert_eq!(split_trailing_list(r#"Hello{color="blue"}"#, known).1, None);
    }
}

//! Recognisers for the one-line block openers both dialects share (headings, list markers,
//! fences, dividers, pipe rows). The renderer uses the same functions to decide when text must
//! be escaped, so the parser and renderer cannot disagree about what a line means.

/// An ATX heading: its level (`#####`+ read as 4, as Notion does) and its text.
pub(crate) fn heading(t: &str) -> Option<(u8, &str)> {
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &t[hashes..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    Some((hashes.min(4) as u8, rest.trim()))
}

/// A thematic break: three or more of the same `-`, `*` or `_`, spaces allowed between.
pub(crate) fn is_divider(t: &str) -> bool {
    let mut ch = None;
    let mut n = 0;
    for b in t.bytes() {
        match b {
            b' ' | b'\t' => {}
            b'-' | b'*' | b'_' => {
                if ch.is_some_and(|c| c != b) {
                    return false;
                }
                ch = Some(b);
                n += 1;
            }
            _ => return false,
        }
    }
    n >= 3
}

/// A setext underline (`===` → 1, `---` → 2).
pub(crate) fn setext(t: &str) -> Option<u8> {
    let t = t.trim();
    if !t.is_empty() && t.bytes().all(|b| b == b'=') {
        Some(1)
    } else if !t.is_empty() && t.bytes().all(|b| b == b'-') {
        Some(2)
    } else {
        None
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ListMarker<'a> {
    Bullet(&'a str),
    Ordered(&'a str),
    Todo(bool, &'a str),
}

fn after_marker(rest: &str) -> Option<&str> {
    if rest.is_empty() {
        Some("")
    } else if rest.starts_with([' ', '\t']) {
        Some(&rest[1..])
    } else {
        None
    }
}

/// A list item opener (`- `, `* `, `+ `, `1. `, `1) `, `- [ ] `); returns the item text.
pub(crate) fn list_marker(t: &str) -> Option<ListMarker<'_>> {
    let b = t.as_bytes();
    match b.first()? {
        b'-' | b'*' | b'+' => {
            let rest = after_marker(&t[1..])?;
            for (box_, checked) in [("[ ]", false), ("[x]", true), ("[X]", true)] {
                if let Some(r) = rest.strip_prefix(box_) {
                    if let Some(text) = after_marker(r) {
                        return Some(ListMarker::Todo(checked, text.trim()));
                    }
                }
            }
            Some(ListMarker::Bullet(rest.trim()))
        }
        b'0'..=b'9' => {
            let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits > 9 || !matches!(b.get(digits), Some(b'.' | b')')) {
                return None;
            }
            after_marker(&t[digits + 1..]).map(|r| ListMarker::Ordered(r.trim()))
        }
        _ => None,
    }
}

/// A code fence opener: fence byte, its length and the info string.
pub(crate) fn fence(t: &str) -> Option<(u8, usize, &str)> {
    let c = *t.as_bytes().first()?;
    if c != b'`' && c != b'~' {
        return None;
    }
    let n = t.bytes().take_while(|&b| b == c).count();
    if n < 3 {
        return None;
    }
    let info = t[n..].trim();
    if c == b'`' && info.contains('`') {
        return None;
    }
    Some((c, n, info))
}

/// Whether `t` closes a fence opened with `n` × `c`.
pub(crate) fn is_fence_close(t: &str, c: u8, n: usize) -> bool {
    let t = t.trim();
    t.len() >= n && t.bytes().all(|b| b == c)
}

/// A Pandoc fenced div line (`:::`, `::: callout {…}`): returns what follows the colons.
pub(crate) fn colon_fence(t: &str) -> Option<&str> {
    let n = t.bytes().take_while(|&b| b == b':').count();
    (n >= 3).then(|| t[n..].trim())
}

/// Whether byte `i` of `s` is preceded by an odd number of backslashes.
pub(crate) fn is_escaped(s: &[u8], i: usize) -> bool {
    s[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
}

/// Splits a GFM pipe-table row into raw cells (escaped pipes stay in the cell as `\|`).
/// `None` when the line has no unescaped pipe.
pub(crate) fn pipe_cells(t: &str) -> Option<Vec<&str>> {
    let t = t.trim();
    let b = t.as_bytes();
    let mut cuts = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        if c == b'|' && !is_escaped(b, i) {
            cuts.push(i);
        }
    }
    if cuts.is_empty() {
        return None;
    }
    let mut cells = Vec::new();
    let mut start = 0;
    for &c in &cuts {
        cells.push(&t[start..c]);
        start = c + 1;
    }
    cells.push(&t[start..]);
    if cuts.first() == Some(&0) {
        cells.remove(0);
    }
    if cuts.last() == Some(&(t.len() - 1)) {
        cells.pop();
    }
    Some(cells.into_iter().map(str::trim).collect())
}

/// A GFM delimiter row (`|---|:--:|`): its column count.
pub(crate) fn delimiter_row(t: &str) -> Option<usize> {
    let cells = pipe_cells(t)?;
    let ok = !cells.is_empty()
        && cells.iter().all(|c| {
            let c = c.trim();
            let inner = c.strip_prefix(':').unwrap_or(c);
            let inner = inner.strip_suffix(':').unwrap_or(inner);
            !inner.is_empty() && inner.bytes().all(|b| b == b'-')
        });
    ok.then_some(cells.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers() {
        assert_eq!(heading("##### x"), Some((4, "x")));
        assert_eq!(heading("#x"), None);
        assert_eq!(heading("#"), Some((1, "")));
        assert!(is_divider("***"));
        assert!(is_divider("- - -"));
        assert!(!is_divider("--"));
        assert_eq!(
            list_marker("- [X] done"),
            Some(ListMarker::Todo(true, "done"))
        );
        assert_eq!(list_marker("* a"), Some(ListMarker::Bullet("a")));
        assert_eq!(list_marker("-"), Some(ListMarker::Bullet("")));
        assert_eq!(list_marker("12. a"), Some(ListMarker::Ordered("a")));
        assert_eq!(list_marker("**a**"), None);
        assert_eq!(list_marker("1.5"), None);
        assert_eq!(pipe_cells("| a | b \\| c |"), Some(vec!["a", "b \\| c"]));
        assert_eq!(delimiter_row("|---|:--:|"), Some(2));
    }
}

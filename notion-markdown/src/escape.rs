//! Backslash escaping of text, so that whatever a user typed reads back as the same characters.

use crate::lines;

/// The characters Notion escapes everywhere outside code.
pub(crate) fn always_escaped(c: char) -> bool {
    matches!(
        c,
        '\\' | '*' | '~' | '`' | '$' | '[' | ']' | '<' | '>' | '{' | '}' | '|' | '^'
    )
}

fn is_ws(c: Option<char>) -> bool {
    c.is_none_or(char::is_whitespace)
}

fn is_punct(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_ascii_punctuation())
}

/// CommonMark's rule for whether a `_` run can open or close emphasis, given its neighbours.
pub(crate) fn underscore_flanking(prev: Option<char>, next: Option<char>) -> (bool, bool) {
    let left = !is_ws(next) && (!is_punct(next) || is_ws(prev) || is_punct(prev));
    let right = !is_ws(prev) && (!is_punct(prev) || is_ws(next) || is_punct(next));
    let can_open = left && (!right || is_punct(prev));
    let can_close = right && (!left || is_punct(next));
    (can_open, can_close)
}

/// Whether the text after an `&` would be read as a character reference.
fn entity_like(rest: &str) -> bool {
    let body: usize = rest
        .bytes()
        .take(33)
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
        .count();
    body > 0 && rest.as_bytes().get(body) == Some(&b';')
}

/// Bytes that may need a backslash in front: the ASCII of [`always_escaped`], plus `_` and `&`,
/// which need one depending on what surrounds them. Every other byte (all of non-ASCII text
/// included) is copied as is, so [`push_escaped`] copies runs of them in one go.
const MAY_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let special = b"\\*~`$[]<>{}|^_&";
    let mut i = 0;
    while i < special.len() {
        t[special[i] as usize] = true;
        i += 1;
    }
    t
};

/// Appends `text` (which holds no newline) escaped for inline Markdown.
///
/// `_` stays bare only inside a word (`snake_case`), the one place it can never start or end
/// emphasis whatever surrounds the text.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    // `text[copied..i]` is pending plain text. Every byte that can be escaped is ASCII, so each
    // such `i` is a char boundary.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !MAY_ESCAPE[b as usize] {
            i += 1;
            continue;
        }
        match b {
            b'_' => {
                let run_end = i + bytes[i..].iter().take_while(|&&c| c == b'_').count();
                let prev = text[..i].chars().next_back();
                let next = text[run_end..].chars().next();
                let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
                if !(word(prev) && word(next)) {
                    out.push_str(&text[copied..i]);
                    for _ in i..run_end {
                        out.push_str("\\_");
                    }
                    copied = run_end;
                }
                i = run_end;
            }
            b'&' => {
                if entity_like(&text[i + 1..]) {
                    out.push_str(&text[copied..i]);
                    out.push('\\');
                    copied = i;
                }
                i += 1;
            }
            _ => {
                out.push_str(&text[copied..i]);
                out.push('\\');
                copied = i;
                i += 1;
            }
        }
    }
    out.push_str(&text[copied..]);
}

/// Escapes `text` (no newlines) into a new string.
#[cfg(test)]
pub(crate) fn escaped(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 8);
    push_escaped(&mut s, text);
    s
}

/// Removes backslash escapes and decodes the few character references we write.
pub(crate) fn unescape(src: &str) -> String {
    let mut out = String::with_capacity(src.len());
    let mut it = src.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '\\' => match it.peek() {
                Some(&(_, n)) if n.is_ascii_punctuation() => {
                    out.push(n);
                    it.next();
                }
                _ => out.push('\\'),
            },
            '&' => match entity(&src[i..]) {
                Some((ch, len)) => {
                    out.push(ch);
                    for _ in 1..len {
                        it.next();
                    }
                }
                None => out.push('&'),
            },
            _ => out.push(c),
        }
    }
    out
}

/// Decodes a character reference at the start of `s` (`&lt;`, `&#65;`): the char and byte length.
pub(crate) fn entity(s: &str) -> Option<(char, usize)> {
    for (name, ch) in [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&amp;", '&'),
        ("&quot;", '"'),
    ] {
        if s.starts_with(name) {
            return Some((ch, name.len()));
        }
    }
    let rest = s.strip_prefix("&#")?;
    let end = rest.find(';').filter(|&e| e <= 8)?;
    let body = &rest[..end];
    let code = match body.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => body.parse::<u32>().ok()?,
    };
    let ch = char::from_u32(code).filter(|&c| c != '\0')?;
    Some((ch, end + 3))
}

/// Appends a rendered text line, escaping its start if it would otherwise open another block
/// (`# x`, `- x`, `1. x`, `---`, `===`, `:::`). Other block openers start with a character
/// that is always escaped, so they cannot appear here.
pub(crate) fn push_line_start(out: &mut String, line: &str) {
    let needs_prefix = lines::heading(line).is_some()
        || lines::is_divider(line)
        || lines::setext(line).is_some()
        || lines::colon_fence(line).is_some()
        || matches!(
            lines::list_marker(line),
            Some(lines::ListMarker::Bullet(_) | lines::ListMarker::Todo(..))
        );
    let at = if needs_prefix {
        0
    } else if let Some(lines::ListMarker::Ordered(_)) = lines::list_marker(line) {
        line.bytes().take_while(u8::is_ascii_digit).count()
    } else {
        out.push_str(line);
        return;
    };
    out.push_str(&line[..at]);
    out.push('\\');
    out.push_str(&line[at..]);
}

/// [`push_line_start`] into a new string.
#[cfg(test)]
pub(crate) fn escape_line_start(line: &str) -> String {
    let mut s = String::with_capacity(line.len() + 1);
    push_line_start(&mut s, line);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escaped("Cost $5 *net*"), r"Cost \$5 \*net\*");
        assert_eq!(escaped("snake_case"), "snake_case");
        assert_eq!(escaped("_x_"), r"\_x\_");
        assert_eq!(escaped(" _ "), r" \_ ");
        assert_eq!(escaped("a &amp; b & c"), r"a \&amp; b & c");
        assert_eq!(unescape(r"a \&amp; \* \q &lt;"), r"a &amp; * \q <");
        assert_eq!(escape_line_start("# x"), r"\# x");
        assert_eq!(escape_line_start("12. x"), r"12\. x");
        assert_eq!(escape_line_start("-5"), "-5");
    }
}

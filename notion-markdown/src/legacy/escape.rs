//! The original escaping: text collected into a `Vec<char>` first, lines returned as strings.

use crate::escape::always_escaped;
use crate::lines;

/// Whether the text after an `&` would be read as a character reference.
fn entity_like(rest: &str) -> bool {
    let body: usize = rest
        .bytes()
        .take(33)
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'#')
        .count();
    body > 0 && rest.as_bytes().get(body) == Some(&b';')
}

/// Appends `text` (which holds no newline) escaped for inline Markdown.
///
/// `_` stays bare only inside a word (`snake_case`), the one place it can never start or end
/// emphasis whatever surrounds the text.
pub(crate) fn push_escaped(out: &mut String, text: &str) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (i, c) = chars[k];
        if c == '_' {
            let run_end = chars[k..].iter().take_while(|(_, c)| *c == '_').count() + k;
            let prev = k.checked_sub(1).map(|p| chars[p].1);
            let next = chars.get(run_end).map(|&(_, c)| c);
            let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
            let intraword = word(prev) && word(next);
            for _ in k..run_end {
                if !intraword {
                    out.push('\\');
                }
                out.push('_');
            }
            k = run_end;
            continue;
        }
        if always_escaped(c) || (c == '&' && entity_like(&text[i + 1..])) {
            out.push('\\');
        }
        out.push(c);
        k += 1;
    }
}

/// Escapes `text` (no newlines) into a new string.
pub(crate) fn escaped(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 8);
    push_escaped(&mut s, text);
    s
}

/// Escapes the start of a rendered text line that would otherwise open another block
/// (`# x`, `- x`, `1. x`, `---`, `===`, `:::`). Other block openers start with a character
/// that is always escaped, so they cannot appear here.
pub(crate) fn escape_line_start(line: &str) -> String {
    let needs_prefix = lines::heading(line).is_some()
        || lines::is_divider(line)
        || lines::setext(line).is_some()
        || lines::colon_fence(line).is_some()
        || matches!(
            lines::list_marker(line),
            Some(lines::ListMarker::Bullet(_) | lines::ListMarker::Todo(..))
        );
    if needs_prefix {
        return format!("\\{line}");
    }
    if let Some(lines::ListMarker::Ordered(_)) = lines::list_marker(line) {
        let digits = line.bytes().take_while(u8::is_ascii_digit).count();
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    line.to_string()
}

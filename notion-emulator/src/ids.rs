//! Notion ids: UUIDs written dashed in responses, accepted with or without dashes in requests.

use uuid::Uuid;

/// Parses a request id: 32 hex digits, optionally in the dashed 8-4-4-4-12 form. Braced and URN
/// forms, which `Uuid::parse_str` would also take, are refused like Notion refuses them.
pub fn parse(raw: &str) -> Option<Uuid> {
    let hex_digits = raw.chars().filter(|c| c.is_ascii_hexdigit()).count();
    let ok_shape = match raw.len() {
        32 => hex_digits == 32,
        36 => hex_digits == 32 && raw.chars().filter(|c| *c == '-').count() == 4,
        _ => false,
    };
    if !ok_shape {
        return None;
    }
    Uuid::parse_str(raw).ok()
}

/// The response form: `393abc1e-edcd-81f5-ae94-ec2d55fe98ed`.
pub fn dashed(id: Uuid) -> String {
    id.hyphenated().to_string()
}

/// The URL form: `393abc1eedcd81f5ae94ec2d55fe98ed`.
pub fn compact(id: Uuid) -> String {
    id.simple().to_string()
}

pub fn new_id() -> Uuid {
    Uuid::new_v4()
}

/// The id a Notion URL points at: the fragment's id if there is one (`…#<block>`), else the
/// last 32 hex digits of the path (`…/Title-<32hex>`).
pub fn from_url(url: &str) -> Option<Uuid> {
    let (path, fragment) = match url.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (url, None),
    };
    if let Some(id) = fragment.and_then(trailing_id) {
        return Some(id);
    }
    let path = path.split('?').next().unwrap_or(path);
    trailing_id(path)
}

/// Parses the id at the end of the last path segment of `s` (dashed or compact).
fn trailing_id(s: &str) -> Option<Uuid> {
    let tail = s.rsplit('/').next().unwrap_or(s);
    let dashed_tail = tail
        .len()
        .checked_sub(36)
        .and_then(|start| tail.get(start..));
    if let Some(id) = dashed_tail.and_then(parse) {
        return Some(id);
    }
    tail.get(tail.len().checked_sub(32)?..).and_then(parse)
}

/// A URL slug of a title, as in `https://app.notion.com/p/Team-Handbook-<id>`: runs of anything
/// that is not a letter or digit become one dash.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    out
}

/// A page's `url` field.
pub fn page_url(title: &str, id: Uuid) -> String {
    let slug = slug(title);
    if slug.is_empty() {
        format!("https://app.notion.com/p/{}", compact(id))
    } else {
        format!("https://app.notion.com/p/{slug}-{}", compact(id))
    }
}

/// The URL Notion writes in Markdown for a child page (`<page url="…">`).
pub fn markdown_page_url(id: Uuid) -> String {
    format!("https://www.notion.so/{}", compact(id))
}

/// The URL Notion writes in Markdown for a block it cannot express (`<unknown url="…"/>`).
pub fn markdown_block_url(page: Uuid, block: Uuid) -> String {
    format!("https://www.notion.so/{}#{}", compact(page), compact(block))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        let id = parse("393abc1e-edcd-81f5-ae94-ec2d55fe98ed").unwrap();
        assert_eq!(parse("393abc1eedcd81f5ae94ec2d55fe98ed"), Some(id));
        assert_eq!(parse("{393abc1e-edcd-81f5-ae94-ec2d55fe98ed}"), None);
        assert_eq!(parse("not-an-id"), None);
        assert_eq!(dashed(id), "393abc1e-edcd-81f5-ae94-ec2d55fe98ed");
    }

    #[test]
    fn urls() {
        let id = parse("393abc1eedcd81f5ae94ec2d55fe98ed").unwrap();
        assert_eq!(
            page_url("Test 2026-07-04 11:08:14.736683", id),
            "https://app.notion.com/p/Test-2026-07-04-11-08-14-736683-393abc1eedcd81f5ae94ec2d55fe98ed"
        );
        assert_eq!(
            page_url("", id),
            "https://app.notion.com/p/393abc1eedcd81f5ae94ec2d55fe98ed"
        );
        assert_eq!(from_url(&page_url("Team Handbook", id)), Some(id));
        assert_eq!(from_url(&markdown_page_url(id)), Some(id));
        let block = new_id();
        assert_eq!(from_url(&markdown_block_url(id, block)), Some(block));
        assert_eq!(from_url("https://example.com/x"), None);
    }
}

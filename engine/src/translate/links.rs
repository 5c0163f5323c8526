//! Links between mapped files ↔ links between their Notion pages.
//!
//! A file links to another mapped file by a relative path (`../guide/setup.md#install`); the
//! page links to the other page (`https://www.notion.so/<id>`, or Notion's relative form
//! `/<id>?pvs=25`). The relay knows which files are mapped to which pages and passes that here
//! as a [`LinkMap`]; the translator rewrites both ways so the link keeps working on each side.
//! Ids are compared as 32 lower-case hex digits, whatever form the URL has.

use std::collections::BTreeMap;

/// The mapped files (paths relative to the Repl root) and their pages, seen from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LinkMap {
    /// Directory of the file being translated (`docs/guide`), `""` at the root.
    dir: String,
    by_path: BTreeMap<String, String>,
    by_id: BTreeMap<String, String>,
}

impl LinkMap {
    /// `current` is the path of the file being translated; `pages` lists (path, page id or URL).
    pub fn new<'a>(current: &str, pages: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let dir = match current.rfind('/') {
            Some(i) => current[..i].to_string(),
            None => String::new(),
        };
        let mut by_path = BTreeMap::new();
        let mut by_id = BTreeMap::new();
        for (path, page) in pages {
            if let Some(id) = page_id(page) {
                let path = normalize_path("", path);
                by_path.insert(path.clone(), id.clone());
                by_id.insert(id, path);
            }
        }
        LinkMap {
            dir,
            by_path,
            by_id,
        }
    }

    /// The same map seen from another file (links are relative to the file that holds them).
    pub fn for_file(&self, current: &str) -> LinkMap {
        LinkMap {
            dir: match current.rfind('/') {
                Some(i) => current[..i].to_string(),
                None => String::new(),
            },
            by_path: self.by_path.clone(),
            by_id: self.by_id.clone(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_path.is_empty()
    }

    /// The page URL for a link written in the file, if it points at a mapped file.
    pub fn to_page(&self, href: &str) -> Option<String> {
        if self.is_empty() || href.contains("://") || href.starts_with("mailto:") {
            return None;
        }
        let (path, fragment) = match href.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (href, None),
        };
        if path.is_empty() {
            return None;
        }
        let decoded = path.replace("%20", " ");
        let full = normalize_path(&self.dir, &decoded);
        let id = self.by_path.get(&full)?;
        Some(match fragment {
            Some(f) if !f.is_empty() => format!("https://www.notion.so/{id}#{f}"),
            _ => format!("https://www.notion.so/{id}"),
        })
    }

    /// The relative file link for a page URL, if the page is a mapped file.
    pub fn to_file(&self, url: &str) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let (base, fragment) = match url.split_once('#') {
            Some((b, f)) => (b, Some(f)),
            None => (url, None),
        };
        let is_notion = base.starts_with('/')
            || base.contains("notion.so/")
            || base.contains("notion.site/")
            || base.contains("app.notion.com/");
        if !is_notion {
            return None;
        }
        let id = page_id(base)?;
        let target = self.by_id.get(&id)?;
        let rel = relative(&self.dir, target).replace(' ', "%20");
        Some(match fragment {
            Some(f) if !f.is_empty() && !f.chars().all(|c| c.is_ascii_hexdigit()) => {
                format!("{rel}#{f}")
            }
            _ => rel,
        })
    }
}

/// The 32-hex page id in a page id or URL (dashes removed, lower case).
pub fn page_id(s: &str) -> Option<String> {
    let s = s.split('?').next().unwrap_or(s);
    let hex: Vec<char> = s.chars().filter(|c| *c != '-').collect();
    // The id is the last run of 32 hex digits.
    let mut best = None;
    let mut run = 0usize;
    for (i, c) in hex.iter().enumerate() {
        if c.is_ascii_hexdigit() {
            run += 1;
            if run >= 32 {
                best = Some(i + 1 - 32);
            }
        } else {
            run = 0;
        }
    }
    best.map(|start| {
        hex[start..start + 32]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase()
    })
}

/// `dir` + `path` with `.` and `..` resolved; never climbs above the root.
fn normalize_path(dir: &str, path: &str) -> String {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// The path of `target` relative to directory `dir`.
fn relative(dir: &str, target: &str) -> String {
    let from: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    let to: Vec<&str> = target.split('/').filter(|p| !p.is_empty()).collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<&str> = vec![".."; from.len() - common];
    out.extend(&to[common..]);
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn rewrites_both_ways() {
        let map = LinkMap::new("docs/a.md", [("docs/guide/setup.md", ID)]);
        let url = map.to_page("guide/setup.md#install").unwrap();
        assert_eq!(url, format!("https://www.notion.so/{ID}#install"));
        assert_eq!(map.to_file(&url).unwrap(), "guide/setup.md#install");
        assert_eq!(
            map.to_file(&format!("/{ID}?pvs=25")).unwrap(),
            "guide/setup.md"
        );
        let other = LinkMap::new("notes/b.md", [("docs/guide/setup.md", ID)]);
        assert_eq!(
            other
                .to_file(&format!("https://www.notion.so/Setup-{ID}"))
                .unwrap(),
            "../docs/guide/setup.md"
        );
        assert_eq!(map.to_page("https://example.com/x.md"), None);
        assert_eq!(map.to_page("missing.md"), None);
    }
}

//! Safe file names from page titles (SPEC §12).
//!
//! A title comes from Notion, so it is untrusted input that becomes a path in the user's Repl:
//! it must not climb out of the mapped folder (`../`), name a device on Windows (`CON`), hide
//! itself (`.env`), or collide with another file. Names are compared case-insensitively because
//! the Repl may be checked out on a case-insensitive file system.

use std::collections::BTreeSet;

/// Longest name stem we write (in characters), well under common 255-byte limits.
const MAX_STEM_CHARS: usize = 100;

const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A file name stem for a title: separators, control and Windows-reserved characters become
/// `-`, whitespace is collapsed, leading dots and trailing dots/spaces are dropped, device names
/// get a `_`, and an empty result is `Untitled`.
pub fn stem_for_title(title: &str) -> String {
    let mut s = String::with_capacity(title.len());
    let mut last_space = false;
    for c in title.chars() {
        let c = match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        };
        if c.is_whitespace() {
            if !last_space && !s.is_empty() {
                s.push(' ');
            }
            last_space = true;
        } else {
            s.push(c);
            last_space = false;
        }
    }
    let mut s = s
        .trim_start_matches(['.', ' ', '-'])
        .trim_end_matches(['.', ' '])
        .to_string();
    if s.chars().count() > MAX_STEM_CHARS {
        s = s.chars().take(MAX_STEM_CHARS).collect::<String>();
        s = s.trim_end_matches(['.', ' ']).to_string();
    }
    if s.is_empty() {
        s = "Untitled".to_string();
    }
    let lower = s.to_lowercase();
    let base = lower.split('.').next().unwrap_or("");
    if RESERVED.contains(&base) {
        s.push('_');
    }
    s
}

/// A file name for `title` with extension `ext` (`md`), not in `taken` (lower-cased names
/// already used in the folder): `Title.md`, else `Title (2).md`, `Title (3).md`, …
pub fn file_name(title: &str, ext: &str, taken: &BTreeSet<String>) -> String {
    let stem = stem_for_title(title);
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem} ({n}).{ext}")
        };
        if !taken.contains(&name.to_lowercase()) {
            return name;
        }
        n += 1;
    }
}

/// `folder/name`, for a name made by [`file_name`].
pub fn join(folder: &str, name: &str) -> String {
    let folder = folder.trim_end_matches('/');
    if folder.is_empty() {
        name.to_string()
    } else {
        format!("{folder}/{name}")
    }
}

/// Whether `path` is a plain relative path inside `folder` (no `..`, no absolute path, no empty
/// or `.` segments, no backslashes).
pub fn is_inside(folder: &str, path: &str) -> bool {
    let folder = folder.trim_end_matches('/');
    let rest = if folder.is_empty() {
        path
    } else {
        match path.strip_prefix(folder).and_then(|r| r.strip_prefix('/')) {
            Some(r) => r,
            None => return false,
        }
    };
    !rest.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && rest
            .split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_become_safe_names() {
        let none = BTreeSet::new();
        assert_eq!(file_name("Team Notes", "md", &none), "Team Notes.md");
        assert_eq!(file_name("../../etc/passwd", "md", &none), "etc-passwd.md");
        assert_eq!(file_name("a/b\\c:d", "md", &none), "a-b-c-d.md");
        assert_eq!(file_name("CON", "md", &none), "CON_.md");
        assert_eq!(file_name("nul.txt", "md", &none), "nul.txt_.md");
        assert_eq!(file_name(".env", "md", &none), "env.md");
        assert_eq!(file_name("   ", "md", &none), "Untitled.md");
        assert_eq!(file_name("dots...", "md", &none), "dots.md");
        assert_eq!(file_name("line\nbreak", "md", &none), "line break.md");
        let long = "x".repeat(500);
        assert_eq!(file_name(&long, "md", &none).chars().count(), 103);
        let taken: BTreeSet<String> = ["notes.md".to_string(), "notes (2).md".to_string()].into();
        assert_eq!(file_name("Notes", "md", &taken), "Notes (3).md");
    }

    #[test]
    fn paths_stay_inside() {
        assert!(is_inside("docs", "docs/a.md"));
        assert!(is_inside("docs", "docs/sub/a.md"));
        assert!(!is_inside("docs", "docs/../a.md"));
        assert!(!is_inside("docs", "docsx/a.md"));
        assert!(!is_inside("docs", "/docs/a.md"));
        assert!(!is_inside("", "../a.md"));
        assert!(is_inside("", "a.md"));
    }
}

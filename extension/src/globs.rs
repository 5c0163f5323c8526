//! Include/exclude globs of a folder mapping (SPEC §4), applied by the panel when it lists the
//! folder. Pure, so it is unit-tested natively.
//!
//! Syntax: `*` matches any characters within one path segment, `?` one character, `**` any
//! number of whole segments (including none). A pattern with a `/` is matched against the path
//! relative to the mapped folder (`drafts/**`, `notes/*.md`); one without is matched against the
//! file name alone (`*.draft.md`), wherever the file is. A file is in scope when it matches one
//! of the includes (or there are none) and none of the excludes.
//!
//! A listing narrowed by globs is a partial view of the folder: the relay cannot tell a file a
//! glob left out from a deleted one, so such a manifest is never `complete` (G7).

use crate::replit::{self, ReplitError};

/// Where a mapping's globs live: the Repl's ReplDB (the relay does not keep them), one key per
/// mapping, in the [`Globs::stored`] form. Not a secret: ReplDB is readable by the Repl's code
/// and collaborators.
pub fn repl_db_key(mapping_id: &str) -> String {
    format!("notion-sync/globs/{mapping_id}")
}

/// The globs of a mapping (none when nothing is stored). An unreadable ReplDB is an error, not
/// "no globs": syncing files the user excluded is worse than not syncing.
pub async fn load(mapping_id: &str) -> Result<Globs, ReplitError> {
    match replit::repl_db_get(&repl_db_key(mapping_id)).await? {
        Some(text) => Globs::from_stored(&text)
            .ok_or_else(|| ReplitError::Decode("the stored patterns are not readable".into())),
        None => Ok(Globs::default()),
    }
}

pub async fn save(mapping_id: &str, globs: &Globs) -> Result<(), ReplitError> {
    replit::repl_db_set(&repl_db_key(mapping_id), &globs.stored()).await
}

/// The globs of one mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Globs {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

/// Most patterns per list, and longest pattern: they are typed by hand.
pub const MAX_PATTERNS: usize = 50;
pub const MAX_PATTERN_LEN: usize = 200;

impl Globs {
    /// One pattern a line, `+` for an include and `-` for an exclude (plain text: no JSON
    /// codec in the wasm for this, and readable in ReplDB).
    pub fn stored(&self) -> String {
        let plus = self.include.iter().map(|p| format!("+{p}\n"));
        let minus = self.exclude.iter().map(|p| format!("-{p}\n"));
        plus.chain(minus).collect()
    }

    /// The [`stored`](Globs::stored) form back; `None` for a line it does not understand.
    pub fn from_stored(text: &str) -> Option<Globs> {
        let mut globs = Globs::default();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match line.split_at_checked(1)? {
                ("+", p) => globs.include.push(p.to_string()),
                ("-", p) => globs.exclude.push(p.to_string()),
                _ => return None,
            }
        }
        Some(globs)
    }

    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    /// Whether `rel` (a path relative to the mapped folder) is in scope.
    pub fn allows(&self, rel: &str) -> bool {
        let included = self.include.is_empty() || self.include.iter().any(|p| matches(p, rel));
        included && !self.exclude.iter().any(|p| matches(p, rel))
    }
}

/// Patterns from what the user typed: separated by commas or new lines, trimmed, a leading
/// `./` dropped. An error says which pattern is wrong.
pub fn parse_list(text: &str) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = Vec::new();
    for raw in text.split([',', '\n']) {
        let p = raw.trim();
        let p = p.strip_prefix("./").unwrap_or(p);
        if p.is_empty() {
            continue;
        }
        if p.len() > MAX_PATTERN_LEN {
            return Err(format!(
                "a pattern is longer than {MAX_PATTERN_LEN} characters"
            ));
        }
        if p.starts_with('/') || p.split('/').any(|s| s == ".." || s.is_empty()) {
            return Err(format!(
                "“{p}”: patterns are relative to the mapped folder (no leading /, no .., no //)"
            ));
        }
        if !out.iter().any(|o| o == p) {
            out.push(p.to_string());
        }
    }
    if out.len() > MAX_PATTERNS {
        return Err(format!("at most {MAX_PATTERNS} patterns"));
    }
    Ok(out)
}

/// Whether `pattern` matches `rel` (see the module docs).
pub fn matches(pattern: &str, rel: &str) -> bool {
    if !pattern.contains('/') {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        return segment_matches(pattern.as_bytes(), name.as_bytes());
    }
    let pat: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = rel.split('/').collect();
    segments_match(&pat, &path)
}

fn segments_match(pat: &[&str], path: &[&str]) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| segments_match(rest, &path[skip..])),
        Some((first, rest)) => match path.split_first() {
            Some((seg, path_rest)) => {
                segment_matches(first.as_bytes(), seg.as_bytes()) && segments_match(rest, path_rest)
            }
            None => false,
        },
    }
}

/// `*` and `?` within one segment (iterative, with backtracking to the last `*`: linear in
/// practice, never exponential).
fn segment_matches(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pat.len() && (pat[p] == b'?' || pat[p] == s[i]) {
            p += 1;
            i += 1;
        } else if p < pat.len() && pat[p] == b'*' {
            star = Some((p, i));
            p += 1;
        } else if let Some((sp, si)) = star {
            p = sp + 1;
            i = si + 1;
            star = Some((sp, si + 1));
        } else {
            return false;
        }
    }
    pat[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(include: &[&str], exclude: &[&str]) -> Globs {
        Globs {
            include: include.iter().map(|s| s.to_string()).collect(),
            exclude: exclude.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn names_and_paths() {
        assert!(matches("*.md", "a.md"));
        assert!(
            matches("*.md", "deep/er/a.md"),
            "a name pattern matches anywhere"
        );
        assert!(!matches("*.md", "a.mdx"));
        assert!(matches("draft-?.md", "x/draft-1.md"));
        assert!(!matches("draft-?.md", "draft-12.md"));
        assert!(matches("notes/*.md", "notes/a.md"));
        assert!(
            !matches("notes/*.md", "notes/sub/a.md"),
            "* stays in its segment"
        );
        assert!(
            !matches("notes/*.md", "other/notes/a.md"),
            "paths are anchored"
        );
        assert!(matches("drafts/**", "drafts/a.md"));
        assert!(matches("drafts/**", "drafts/x/y/a.md"));
        assert!(matches("**/wip/*.md", "wip/a.md"));
        assert!(matches("**/wip/*.md", "a/b/wip/c.md"));
        assert!(!matches("**/wip/*.md", "a/wip/b/c.md"));
        assert!(matches("*", "anything.md"));
        assert!(matches("a*b*c.md", "aXXbYYc.md"));
        assert!(!matches("a*b*c.md", "aXXbYY.md"));
    }

    #[test]
    fn include_then_exclude() {
        assert!(Globs::default().allows("a.md"));
        let g = globs(&["notes/**"], &["*.draft.md", "notes/private/**"]);
        assert!(g.allows("notes/a.md"));
        assert!(g.allows("notes/sub/b.md"));
        assert!(!g.allows("other/a.md"), "not included");
        assert!(!g.allows("notes/a.draft.md"), "excluded by name");
        assert!(!g.allows("notes/private/x.md"), "excluded by path");
        let g = globs(&[], &["archive/**"]);
        assert!(g.allows("a.md") && !g.allows("archive/2020/a.md"));
    }

    #[test]
    fn typed_lists() {
        assert_eq!(
            parse_list(" *.md, ./drafts/**\n\n*.md ").unwrap(),
            vec!["*.md".to_string(), "drafts/**".to_string()]
        );
        assert_eq!(parse_list("").unwrap(), Vec::<String>::new());
        assert!(parse_list("/abs/*.md").is_err());
        assert!(parse_list("../up/*.md").is_err());
        assert!(parse_list("a//b").is_err());
        assert!(parse_list(&"x".repeat(MAX_PATTERN_LEN + 1)).is_err());
        let many: Vec<String> = (0..=MAX_PATTERNS).map(|i| format!("f{i}.md")).collect();
        assert!(parse_list(&many.join(",")).is_err());
    }

    #[test]
    fn stored_form() {
        let g = globs(&["notes/**"], &["*.draft.md"]);
        assert_eq!(g.stored(), "+notes/**\n-*.draft.md\n");
        assert_eq!(Globs::from_stored(&g.stored()), Some(g));
        assert_eq!(Globs::from_stored(""), Some(Globs::default()));
        assert_eq!(Globs::from_stored("notes/**\n"), None);
    }
}

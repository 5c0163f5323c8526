//! Validated values: once parsed, the rest of the relay can trust them.

use std::fmt;

/// A file path relative to the Repl root, that cannot escape it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReplPath(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error("the path is empty")]
    Empty,
    #[error("the path is longer than 1024 bytes")]
    TooLong,
    #[error("the path must be relative to the Repl root (no leading `/`)")]
    Absolute,
    #[error("the path may not contain `.` or `..` segments, empty segments or backslashes")]
    Traversal,
    #[error("the path contains control characters")]
    Control,
}

impl ReplPath {
    pub fn parse(s: &str) -> Result<ReplPath, PathError> {
        if s.is_empty() {
            return Err(PathError::Empty);
        }
        if s.len() > 1024 {
            return Err(PathError::TooLong);
        }
        if s.starts_with('/') {
            return Err(PathError::Absolute);
        }
        if s.chars().any(char::is_control) {
            return Err(PathError::Control);
        }
        if s.contains('\\')
            || s.split('/')
                .any(|seg| seg.is_empty() || seg == "." || seg == "..")
        {
            return Err(PathError::Traversal);
        }
        Ok(ReplPath(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A name that says the file is not text (images, archives, compiled code): such a file
    /// cannot be held as code. Files without such an extension are checked as they are read
    /// (the panel skips anything that is not UTF-8).
    pub fn is_binary_by_name(&self) -> bool {
        const BINARY: &[&str] = &[
            "png", "jpg", "jpeg", "gif", "webp", "ico", "bmp", "tiff", "pdf", "zip", "gz", "tgz",
            "bz2", "xz", "7z", "rar", "tar", "jar", "war", "class", "o", "a", "so", "dylib", "dll",
            "exe", "bin", "wasm", "pyc", "db", "sqlite", "mp3", "mp4", "mov", "avi", "wav", "ogg",
            "flac", "woff", "woff2", "ttf", "otf", "eot",
        ];
        let name = self.0.rsplit('/').next().unwrap_or(&self.0);
        match name.rsplit_once('.') {
            Some((stem, ext)) if !stem.is_empty() => {
                BINARY.contains(&ext.to_ascii_lowercase().as_str())
            }
            _ => false,
        }
    }

    pub fn is_markdown(&self) -> bool {
        let lower = self.0.to_ascii_lowercase();
        lower.ends_with(".md") || lower.ends_with(".markdown")
    }
}

impl fmt::Display for ReplPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Notion id: 32 hex digits, with or without dashes; kept in the dashed form.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NotionId(String);

impl NotionId {
    pub fn parse(s: &str) -> Option<NotionId> {
        let hex: String = s.chars().filter(|c| *c != '-').collect();
        if hex.len() != 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let h = hex.to_ascii_lowercase();
        Some(NotionId(format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_escape_the_repl() {
        assert!(ReplPath::parse("docs/notes.md").is_ok());
        for bad in [
            "",
            "/etc/passwd",
            "../x.md",
            "a/../../x.md",
            "a//b.md",
            "./a.md",
            "a\\b.md",
            "a\0.md",
        ] {
            assert!(ReplPath::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(ReplPath::parse(&"a".repeat(1025)).is_err());
        assert!(ReplPath::parse("README.MD").unwrap().is_markdown());
        assert!(ReplPath::parse("img/logo.PNG").unwrap().is_binary_by_name());
        for text in ["src/main.rs", "Makefile", ".replit", "notes.txt"] {
            assert!(
                !ReplPath::parse(text).unwrap().is_binary_by_name(),
                "{text}"
            );
        }
    }

    #[test]
    fn notion_ids_normalize() {
        let id = NotionId::parse("59833787-2cf9-4fdf-8782-e53db20768a5").unwrap();
        assert_eq!(
            NotionId::parse("598337872cf94fdf8782e53db20768a5"),
            Some(id)
        );
        assert_eq!(NotionId::parse("not-an-id"), None);
        assert_eq!(NotionId::parse("../../v1/users"), None);
    }
}

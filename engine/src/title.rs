//! Page titles (SPEC §4): a page's title comes from a first-line `# H1`, else the file name
//! without its extension. A title taken from the H1 goes back to the file's first line on pull,
//! so the H1 is neither lost nor duplicated in the page body.

/// A file split into the page title and the body that becomes page content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Titled {
    pub title: String,
    /// True when the title was the file's first-line `# H1` (and is not part of `body`).
    pub from_h1: bool,
    pub body: String,
}

/// Splits `text` (a file's contents) into title and body. `path` gives the fallback title.
pub fn split(path: &str, text: &str) -> Titled {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (first, rest) = match text.find('\n') {
        Some(i) => (&text[..i], &text[i + 1..]),
        None => (text, ""),
    };
    let first = first.strip_suffix('\r').unwrap_or(first);
    if let Some(h1) = first.strip_prefix("# ") {
        let title = h1.trim();
        if !title.is_empty() {
            return Titled {
                title: title.to_string(),
                from_h1: true,
                body: rest.trim_start_matches(['\n', '\r']).to_string(),
            };
        }
    }
    Titled {
        title: file_stem(path).to_string(),
        from_h1: false,
        body: text.to_string(),
    }
}

/// Puts a title taken from the H1 back in front of the body.
pub fn join(title: &str, from_h1: bool, body: &str) -> String {
    if !from_h1 {
        return body.to_string();
    }
    if body.is_empty() {
        format!("# {title}\n")
    } else {
        format!("# {title}\n\n{body}")
    }
}

/// `docs/Team Notes.md` → `Team Notes`.
pub fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h1_becomes_the_title() {
        let t = split("notes.md", "# Plan\n\nBody\n");
        assert_eq!(
            t,
            Titled {
                title: "Plan".into(),
                from_h1: true,
                body: "Body\n".into()
            }
        );
        assert_eq!(join(&t.title, t.from_h1, &t.body), "# Plan\n\nBody\n");
    }

    #[test]
    fn file_name_is_the_fallback() {
        let t = split("docs/Team Notes.md", "Body\n");
        assert_eq!(t.title, "Team Notes");
        assert!(!t.from_h1);
        assert_eq!(t.body, "Body\n");
        assert_eq!(split(".hidden", "x").title, ".hidden");
        assert_eq!(split("README", "## Not a title").title, "README");
    }
}

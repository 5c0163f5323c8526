//! Lists the Repl's files by walking `fs.readDir` from the root.
//!
//! The extension fs API has no recursive listing, so the panel walks the tree itself, with the
//! default excludes of SPEC §4 (`.git/`, `node_modules/`, `.cache/`, `.upm/`, `target/`, hidden
//! files) and caps on depth and size so a huge Repl cannot stall the panel. A directory that
//! fails to list is reported, never taken as empty (G7: absence is never deletion).

use crate::replit::{self, NodeKind, ReplitError};

/// Directories never descended into.
pub const EXCLUDED_DIRS: &[&str] = &[".git", "node_modules", ".cache", ".upm", "target"];
/// Deepest directory level visited (the root is level 0).
pub const MAX_DEPTH: usize = 12;
/// Most entries looked at in one walk.
pub const MAX_ENTRIES: usize = 5_000;
/// Most directories listed in one walk (each is one round trip to the workspace).
pub const MAX_DIRS: usize = 400;

/// The path `readDir` takes for the Repl root.
pub const ROOT: &str = ".";

/// The result of a walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// Markdown files, relative to the Repl root, sorted.
    pub markdown: Vec<String>,
    /// Every file in scope (Markdown or not), sorted: the code-page picker and the project's
    /// file count.
    pub files: Vec<String>,
    /// Every folder in scope, sorted (the folder picker; the root is not listed).
    pub dirs: Vec<String>,
    /// A cap was hit: the list may be incomplete.
    pub truncated: bool,
    /// Directories that could not be listed, with the reason.
    pub unreadable: Vec<(String, String)>,
}

/// Whether a directory entry is left out of the walk.
pub fn is_excluded(name: &str, kind: NodeKind) -> bool {
    if name.is_empty() || name.starts_with('.') {
        return true;
    }
    kind == NodeKind::Directory && EXCLUDED_DIRS.contains(&name)
}

/// Whether a file is Markdown (what a file↔page mapping syncs).
pub fn is_markdown(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".md") || lower.ends_with(".markdown")
}

/// `dir/name`, without a `./` prefix at the root.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() || dir == ROOT {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// The directory part of a path (`ROOT` for top-level files).
pub fn parent_of(path: &str) -> &str {
    match path.rfind('/') {
        Some(i) if i > 0 => &path[..i],
        _ => ROOT,
    }
}

/// The last part of a path.
pub fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A path the panel may read or write: relative, no `..`, no empty or `.` parts, no NUL. Paths
/// come from the relay, which must not be able to make the panel write outside the Repl tree
/// the user mapped.
pub fn is_safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

/// Walks the Repl from the root and lists its Markdown files.
pub async fn list_markdown_files() -> Result<Listing, ReplitError> {
    let mut listing = Listing::default();
    let mut queue: Vec<(String, usize)> = vec![(ROOT.to_string(), 0)];
    let mut dirs_listed = 0usize;
    let mut entries_seen = 0usize;
    while let Some((dir, depth)) = queue.pop() {
        if dirs_listed >= MAX_DIRS {
            listing.truncated = true;
            break;
        }
        dirs_listed += 1;
        let entries = match replit::read_dir(&dir).await {
            Ok(entries) => entries,
            // Without the root there is nothing to show: that is an error, not an empty Repl.
            Err(e) if dir == ROOT => return Err(e),
            Err(ReplitError::NotConnected) => return Err(ReplitError::NotConnected),
            Err(e) => {
                listing.unreadable.push((dir, e.to_string()));
                continue;
            }
        };
        for entry in entries {
            entries_seen += 1;
            if entries_seen > MAX_ENTRIES {
                listing.truncated = true;
                break;
            }
            if is_excluded(&entry.name, entry.kind) {
                continue;
            }
            let path = join(&dir, &entry.name);
            match entry.kind {
                NodeKind::Directory if depth < MAX_DEPTH => {
                    listing.dirs.push(path.clone());
                    queue.push((path, depth + 1));
                }
                NodeKind::Directory => listing.truncated = true,
                NodeKind::File => {
                    if is_markdown(&path) {
                        listing.markdown.push(path.clone());
                    }
                    listing.files.push(path);
                }
                NodeKind::Other => {}
            }
        }
        if entries_seen > MAX_ENTRIES {
            break;
        }
    }
    listing.markdown.sort();
    listing.files.sort();
    listing.dirs.sort();
    Ok(listing)
}

/// Whether a path is a Markdown file a folder mapping may hold: no hidden part, no excluded
/// folder on the way (SPEC §4 scope). The relay's writes into a folder are held to the same
/// scope as the panel's listing, so it cannot have the panel write `.git/` or `node_modules/`.
pub fn in_folder_scope(path: &str) -> bool {
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        let kind = if parts.peek().is_some() {
            NodeKind::Directory
        } else {
            NodeKind::File
        };
        if is_excluded(part, kind) {
            return false;
        }
    }
    is_markdown(path)
}

/// Extensions of files that are not text (a code page holds UTF-8 text only).
const BINARY_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "webp", "ico", "bmp", "tiff", "pdf", "zip", "gz", "tgz", "bz2",
    "xz", "7z", "tar", "jar", "wasm", "exe", "dll", "so", "dylib", "a", "o", "class", "pyc",
    "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "wav", "ogg", "webm", "mov", "avi",
    "sqlite", "db", "bin",
];

/// Whether a file looks like text by its name (what the code-page picker offers). The content
/// is checked again when it is read (see [`is_text_content`]).
pub fn is_probably_text(path: &str) -> bool {
    let name = file_name(path);
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => {
            !BINARY_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        }
        _ => true,
    }
}

/// Whether read content is text: a NUL byte means binary (what git and editors assume too).
pub fn is_text_content(content: &str) -> bool {
    !content.contains('\0')
}

/// The Markdown files of one mapped folder, listed for a sync session.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderListing {
    /// Markdown files in scope, relative to the Repl root, sorted.
    pub files: Vec<String>,
    /// Every listing succeeded and no cap was hit: a file missing from `files` is really gone
    /// (G7), so the manifest may say `complete`.
    pub complete: bool,
    /// Why it is not complete, for the result (a folder that could not be listed, a cap).
    pub problems: Vec<(String, String)>,
}

/// The readDir path of a mapped folder (`""` is the Repl root).
pub fn folder_dir(folder: &str) -> String {
    let folder = folder.trim_matches('/');
    if folder.is_empty() {
        ROOT.to_string()
    } else {
        folder.to_string()
    }
}

/// Lists the Markdown files of a mapped folder (and of its subfolders when `recursive`), with
/// the scope of SPEC §4 (default excludes, hidden files). The folder itself failing to list is
/// an error: nothing can be said about its files then.
pub async fn list_folder(folder: &str, recursive: bool) -> Result<FolderListing, ReplitError> {
    let mut listing = FolderListing {
        complete: true,
        ..FolderListing::default()
    };
    let root = folder_dir(folder);
    let mut queue: Vec<(String, usize)> = vec![(root.clone(), 0)];
    let (mut dirs_listed, mut entries_seen) = (0usize, 0usize);
    while let Some((dir, depth)) = queue.pop() {
        if dirs_listed >= MAX_DIRS {
            listing.complete = false;
            listing
                .problems
                .push((dir, "too many folders; the rest was not listed".into()));
            break;
        }
        dirs_listed += 1;
        let entries = match replit::read_dir(&dir).await {
            Ok(entries) => entries,
            Err(e) if dir == root => return Err(e),
            Err(ReplitError::NotConnected) => return Err(ReplitError::NotConnected),
            Err(e) => {
                listing.complete = false;
                listing.problems.push((dir, format!("could not list: {e}")));
                continue;
            }
        };
        for entry in entries {
            entries_seen += 1;
            if entries_seen > MAX_ENTRIES {
                listing.complete = false;
                listing.problems.push((
                    dir.clone(),
                    "too many files; the rest was not listed".into(),
                ));
                break;
            }
            if is_excluded(&entry.name, entry.kind) {
                continue;
            }
            let path = join(&dir, &entry.name);
            match entry.kind {
                NodeKind::Directory if recursive && depth < MAX_DEPTH => {
                    queue.push((path, depth + 1))
                }
                NodeKind::Directory if recursive => {
                    listing.complete = false;
                    listing
                        .problems
                        .push((path, "nested too deep; not listed".into()));
                }
                NodeKind::File if is_markdown(&path) => listing.files.push(path),
                _ => {}
            }
        }
        if entries_seen > MAX_ENTRIES {
            break;
        }
    }
    listing.files.sort();
    Ok(listing)
}

/// Whether `path` exists as a file, asked of the directory listing. Used to tell "the file is
/// gone" from "the file could not be read": only a listing that succeeds without the name proves
/// absence. When the parent cannot be listed, the nearest ancestor that can decides: if the
/// missing directory is not in it, neither is the file; if it is there, we cannot tell.
pub async fn file_exists(path: &str) -> Result<bool, ReplitError> {
    let mut child = path.to_string();
    loop {
        let parent = parent_of(&child).to_string();
        match replit::read_dir(&parent).await {
            Ok(entries) => {
                let present = entries.iter().any(|e| e.name == file_name(&child));
                return if child == path {
                    Ok(present)
                } else if present {
                    Err(ReplitError::Host(format!(
                        "could not list {}",
                        parent_of(path)
                    )))
                } else {
                    Ok(false)
                };
            }
            Err(ReplitError::Host(_)) if parent != ROOT => child = parent,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes_hidden_and_build_dirs() {
        assert!(is_excluded(".git", NodeKind::Directory));
        assert!(is_excluded(".env", NodeKind::File));
        assert!(is_excluded("node_modules", NodeKind::Directory));
        assert!(is_excluded("target", NodeKind::Directory));
        assert!(!is_excluded("target", NodeKind::File));
        assert!(!is_excluded("docs", NodeKind::Directory));
        assert!(!is_excluded("notes.md", NodeKind::File));
    }

    #[test]
    fn markdown_by_extension() {
        assert!(is_markdown("a/b.md"));
        assert!(is_markdown("README.MD"));
        assert!(is_markdown("x.markdown"));
        assert!(!is_markdown("main.rs"));
        assert!(!is_markdown("md"));
    }

    #[test]
    fn paths() {
        assert_eq!(join(ROOT, "a.md"), "a.md");
        assert_eq!(join("docs", "a.md"), "docs/a.md");
        assert_eq!(parent_of("a.md"), ROOT);
        assert_eq!(parent_of("docs/x/a.md"), "docs/x");
        assert_eq!(file_name("docs/x/a.md"), "a.md");
        assert_eq!(file_name("a.md"), "a.md");
    }

    #[test]
    fn text_by_name_and_content() {
        assert!(is_probably_text("src/main.rs"));
        assert!(is_probably_text("Makefile"));
        assert!(is_probably_text("config.JSON"));
        assert!(!is_probably_text("logo.PNG"));
        assert!(!is_probably_text("a/b/app.wasm"));
        assert!(is_text_content("fn main() {}\n"));
        assert!(!is_text_content("PK\u{3}\u{4}\0\0"));
    }

    #[test]
    fn folder_scope() {
        assert!(in_folder_scope("docs/a.md"));
        assert!(in_folder_scope("a.md"));
        assert!(!in_folder_scope("docs/a.txt"));
        assert!(!in_folder_scope(".git/hooks/x.md"));
        assert!(!in_folder_scope("docs/node_modules/x.md"));
        assert!(!in_folder_scope("docs/.hidden.md"));
        assert!(!in_folder_scope("target/x.md"));
        assert!(
            in_folder_scope("target.md"),
            "only folders named target are excluded"
        );
    }

    #[test]
    fn folder_dirs() {
        assert_eq!(folder_dir(""), ROOT);
        assert_eq!(folder_dir("/"), ROOT);
        assert_eq!(folder_dir("docs/"), "docs");
        assert_eq!(folder_dir("docs/notes"), "docs/notes");
    }

    #[test]
    fn safe_paths() {
        assert!(is_safe_relative_path("notes.md"));
        assert!(is_safe_relative_path("docs/spec.md"));
        for bad in [
            "",
            "/etc/passwd",
            "../x.md",
            "docs/../../x",
            "a//b",
            "./a",
            "a\\b",
            "a\0b",
        ] {
            assert!(!is_safe_relative_path(bad), "{bad:?}");
        }
    }
}

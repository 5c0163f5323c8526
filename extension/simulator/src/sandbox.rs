//! The simulated Repl's folder, and the rule that no path from the page leaves it.
//!
//! The host page forwards paths that the panel (any page framed by the simulator) chooses, so
//! every path is resolved here first: relative only, no `..`, no NUL or backslash, and no
//! symlink on the way that points outside the folder. Paths use `/` like Replit's, relative to
//! the Repl root; `""` and `"."` name the root itself.

use std::io;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    #[error("absolute paths are not allowed: {0}")]
    Absolute(String),
    #[error("`..` is not allowed in paths: {0}")]
    ParentDir(String),
    #[error("invalid path: {0}")]
    Invalid(String),
    #[error("path leads outside the Repl (through a symlink): {0}")]
    Escapes(String),
}

/// A folder that stands in for the Repl.
#[derive(Debug, Clone)]
pub struct Sandbox {
    root: PathBuf,
}

impl Sandbox {
    /// Opens `root` (which must be an existing directory), remembering its canonical form.
    pub fn new(root: &Path) -> io::Result<Sandbox> {
        let root = root.canonicalize()?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} is not a directory", root.display()),
            ));
        }
        Ok(Sandbox { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `rel` names the root.
    pub fn is_root(rel: &str) -> bool {
        rel.split('/').all(|p| p.is_empty() || p == ".")
    }

    /// Resolves a Repl path to a real path inside the folder, or says why not.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, SandboxError> {
        if rel.contains('\0') || rel.contains('\\') || rel.len() > 4096 {
            return Err(SandboxError::Invalid(rel.to_string()));
        }
        if rel.starts_with('/') || Path::new(rel).is_absolute() {
            return Err(SandboxError::Absolute(rel.to_string()));
        }
        let mut path = self.root.clone();
        let mut checking = true;
        for part in rel.split('/') {
            match part {
                "" | "." => continue,
                ".." => return Err(SandboxError::ParentDir(rel.to_string())),
                _ => {}
            }
            // Anything else that is not a plain name (a drive prefix, say) is refused too.
            let mut components = Path::new(part).components();
            if !matches!(
                (components.next(), components.next()),
                (Some(Component::Normal(_)), None)
            ) {
                return Err(SandboxError::Invalid(rel.to_string()));
            }
            path.push(part);
            // Check each existing prefix: a symlink must stay inside the folder. Once a prefix
            // does not exist, nothing below it can be a link.
            if checking {
                match std::fs::symlink_metadata(&path) {
                    Ok(meta) if meta.file_type().is_symlink() => match path.canonicalize() {
                        Ok(target) if target.starts_with(&self.root) => {}
                        _ => return Err(SandboxError::Escapes(rel.to_string())),
                    },
                    Ok(_) => {}
                    Err(_) => checking = false,
                }
            }
        }
        Ok(path)
    }

    /// The Repl path of a real path inside the folder (`/`-separated, no leading `./`).
    pub fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> (tempfile::TempDir, Sandbox) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("repl/docs")).expect("mkdir");
        std::fs::write(dir.path().join("repl/docs/a.md"), "a").expect("write");
        std::fs::write(dir.path().join("secret.txt"), "s").expect("write");
        let sb = Sandbox::new(&dir.path().join("repl")).expect("sandbox");
        (dir, sb)
    }

    #[test]
    fn resolves_relative_paths_inside() {
        let (_d, sb) = sandbox();
        assert_eq!(
            sb.resolve("docs/a.md").expect("ok"),
            sb.root().join("docs/a.md")
        );
        assert_eq!(
            sb.resolve("./docs/a.md").expect("ok"),
            sb.root().join("docs/a.md")
        );
        assert_eq!(sb.resolve("").expect("ok"), sb.root());
        assert_eq!(sb.resolve(".").expect("ok"), sb.root());
        assert_eq!(
            sb.resolve("new/dir/file.md").expect("ok"),
            sb.root().join("new/dir/file.md")
        );
        assert!(Sandbox::is_root(".") && Sandbox::is_root("") && !Sandbox::is_root("docs"));
    }

    #[test]
    fn refuses_absolute_parent_and_odd_paths() {
        let (_d, sb) = sandbox();
        assert!(matches!(
            sb.resolve("/etc/passwd"),
            Err(SandboxError::Absolute(_))
        ));
        assert!(matches!(
            sb.resolve("../secret.txt"),
            Err(SandboxError::ParentDir(_))
        ));
        assert!(matches!(
            sb.resolve("docs/../../secret.txt"),
            Err(SandboxError::ParentDir(_))
        ));
        assert!(matches!(
            sb.resolve("docs/.."),
            Err(SandboxError::ParentDir(_))
        ));
        assert!(matches!(sb.resolve("a\0b"), Err(SandboxError::Invalid(_))));
        assert!(matches!(
            sb.resolve("a\\..\\b"),
            Err(SandboxError::Invalid(_))
        ));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_that_escape() {
        let (d, sb) = sandbox();
        std::os::unix::fs::symlink(d.path().join("secret.txt"), sb.root().join("leak.txt"))
            .expect("symlink");
        std::os::unix::fs::symlink(d.path(), sb.root().join("outside")).expect("symlink");
        std::os::unix::fs::symlink(sb.root().join("docs"), sb.root().join("inside"))
            .expect("symlink");
        std::os::unix::fs::symlink(d.path().join("nowhere"), sb.root().join("dangling"))
            .expect("symlink");
        assert!(matches!(
            sb.resolve("leak.txt"),
            Err(SandboxError::Escapes(_))
        ));
        assert!(matches!(
            sb.resolve("outside/secret.txt"),
            Err(SandboxError::Escapes(_))
        ));
        assert!(matches!(
            sb.resolve("outside/new.md"),
            Err(SandboxError::Escapes(_))
        ));
        assert!(matches!(
            sb.resolve("dangling"),
            Err(SandboxError::Escapes(_))
        ));
        assert_eq!(
            sb.resolve("inside/a.md").expect("ok"),
            sb.root().join("inside/a.md")
        );
    }

    #[test]
    fn relative_paths_back() {
        let (_d, sb) = sandbox();
        assert_eq!(
            sb.relative(&sb.root().join("docs/a.md")).as_deref(),
            Some("docs/a.md")
        );
        assert_eq!(sb.relative(Path::new("/elsewhere")), None);
    }
}

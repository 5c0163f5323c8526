//! The Replit fs API on a real folder, answering in Replit's shapes (reference §3.5): errors
//! are returned as `{error: "..."}` objects, not thrown, exactly as the panel will meet them in
//! a real workspace.

use crate::sandbox::Sandbox;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use std::io;
use std::path::Path;

/// Largest file the simulator reads or writes through the API.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

fn io_message(path: &str, e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => format!("no such file or directory: {path}"),
        io::ErrorKind::AlreadyExists => format!("already exists: {path}"),
        io::ErrorKind::PermissionDenied => format!("permission denied: {path}"),
        _ => format!("{path}: {e}"),
    }
}

fn error(message: impl Into<String>) -> Value {
    json!({ "error": message.into() })
}

/// Text as Replit's `readFile` gives it: `utf8` decodes (invalid bytes become U+FFFD);
/// `binary` maps each byte to one char (a byte string).
fn decode(bytes: Vec<u8>, encoding: Option<&str>) -> String {
    match encoding {
        Some("binary") => bytes.iter().map(|&b| b as char).collect(),
        _ => match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
        },
    }
}

pub fn read_file(sb: &Sandbox, path: &str, encoding: Option<&str>) -> Value {
    let real = match sb.resolve(path) {
        Ok(p) => p,
        Err(e) => return error(e.to_string()),
    };
    match std::fs::metadata(&real) {
        Ok(m) if m.is_dir() => return error(format!("is a directory: {path}")),
        Ok(m) if m.len() > MAX_FILE_BYTES => return error(format!("file too large: {path}")),
        Ok(_) => {}
        Err(e) => return error(io_message(path, &e)),
    }
    match std::fs::read(&real) {
        Ok(bytes) => json!({ "content": decode(bytes, encoding) }),
        Err(e) => error(io_message(path, &e)),
    }
}

/// What `writeFile` was given: a string, or a Blob the host page turned into base64.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum WriteContent {
    Base64 { base64: String },
    Text(String),
}

pub fn write_file(sb: &Sandbox, path: &str, content: WriteContent) -> Value {
    if Sandbox::is_root(path) {
        return error("cannot write to the Repl root");
    }
    let real = match sb.resolve(path) {
        Ok(p) => p,
        Err(e) => return error(e.to_string()),
    };
    let bytes = match content {
        WriteContent::Text(s) => s.into_bytes(),
        WriteContent::Base64 { base64 } => {
            match base64::engine::general_purpose::STANDARD.decode(base64) {
                Ok(b) => b,
                Err(_) => return error("invalid blob content"),
            }
        }
    };
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return error(format!("file too large: {path}"));
    }
    if real.is_dir() {
        return error(format!("is a directory: {path}"));
    }
    if let Some(parent) = real.parent() {
        if let Err(e) = std::fs::create_dir_all(parent) {
            return error(io_message(path, &e));
        }
    }
    match std::fs::write(&real, bytes) {
        Ok(()) => json!({ "success": true }),
        Err(e) => error(io_message(path, &e)),
    }
}

fn node_type(path: &Path) -> &'static str {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => "DIRECTORY",
        _ => "FILE",
    }
}

/// `{children: [{filename, type}], error: ""}`, sorted by name.
pub fn read_dir(sb: &Sandbox, path: &str) -> Value {
    let real = match sb.resolve(path) {
        Ok(p) => p,
        Err(e) => return json!({ "children": [], "error": e.to_string() }),
    };
    let entries = match std::fs::read_dir(&real) {
        Ok(entries) => entries,
        Err(e) => return json!({ "children": [], "error": io_message(path, &e) }),
    };
    let mut children: Vec<(String, &'static str)> = entries
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                node_type(&e.path()),
            )
        })
        .collect();
    children.sort();
    let children: Vec<Value> = children
        .into_iter()
        .map(|(name, t)| json!({ "filename": name, "type": t }))
        .collect();
    json!({ "children": children, "error": "" })
}

pub fn create_dir(sb: &Sandbox, path: &str) -> Value {
    let real = match sb.resolve(path) {
        Ok(p) => p,
        Err(e) => return json!({ "success": false, "error": e.to_string() }),
    };
    match std::fs::create_dir_all(&real) {
        Ok(()) => json!({ "success": true, "error": null }),
        Err(e) => json!({ "success": false, "error": io_message(path, &e) }),
    }
}

pub fn delete_file(sb: &Sandbox, path: &str) -> Value {
    let real = match sb.resolve(path) {
        Ok(p) => p,
        Err(e) => return error(e.to_string()),
    };
    if real.is_dir() {
        return error(format!("is a directory: {path}"));
    }
    match std::fs::remove_file(&real) {
        Ok(()) => json!({}),
        Err(e) => error(io_message(path, &e)),
    }
}

pub fn delete_dir(sb: &Sandbox, path: &str) -> Value {
    if Sandbox::is_root(path) {
        return error("cannot delete the Repl root");
    }
    let real = match sb.resolve(path) {
        Ok(p) => p,
        Err(e) => return error(e.to_string()),
    };
    if !real.is_dir() {
        return error(format!("not a directory: {path}"));
    }
    match std::fs::remove_dir_all(&real) {
        Ok(()) => json!({}),
        Err(e) => error(io_message(path, &e)),
    }
}

fn two_paths(
    sb: &Sandbox,
    from: &str,
    to: &str,
) -> Result<(std::path::PathBuf, std::path::PathBuf), Value> {
    if Sandbox::is_root(from) || Sandbox::is_root(to) {
        return Err(json!({ "success": false, "error": "cannot move or copy the Repl root" }));
    }
    let from_real = sb
        .resolve(from)
        .map_err(|e| json!({ "success": false, "error": e.to_string() }))?;
    let to_real = sb
        .resolve(to)
        .map_err(|e| json!({ "success": false, "error": e.to_string() }))?;
    if let Some(parent) = to_real.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| json!({ "success": false, "error": io_message(to, &e) }))?;
    }
    Ok((from_real, to_real))
}

pub fn move_path(sb: &Sandbox, from: &str, to: &str) -> Value {
    let (from_real, to_real) = match two_paths(sb, from, to) {
        Ok(p) => p,
        Err(v) => return v,
    };
    match std::fs::rename(&from_real, &to_real) {
        Ok(()) => json!({ "success": true, "error": null }),
        Err(e) => json!({ "success": false, "error": io_message(from, &e) }),
    }
}

pub fn copy_file(sb: &Sandbox, from: &str, to: &str) -> Value {
    let (from_real, to_real) = match two_paths(sb, from, to) {
        Ok(p) => p,
        Err(v) => return v,
    };
    if from_real.is_dir() {
        return json!({ "success": false, "error": format!("is a directory: {from}") });
    }
    match std::fs::copy(&from_real, &to_real) {
        Ok(_) => json!({ "success": true, "error": null }),
        Err(e) => json!({ "success": false, "error": io_message(from, &e) }),
    }
}

/// Directories the host page's tree shows collapsed (the panel's default excludes).
const TREE_SKIP: &[&str] = &[".git", "node_modules", ".cache", ".upm", "target"];
const TREE_MAX_DEPTH: usize = 8;
const TREE_MAX_ENTRIES: usize = 2000;

/// The whole tree for the host page: `{name, path, type, children?}`, capped.
pub fn tree(sb: &Sandbox) -> Value {
    let mut budget = TREE_MAX_ENTRIES;
    json!({ "name": "", "path": "", "type": "DIRECTORY", "children": tree_of(sb, sb.root(), 0, &mut budget) })
}

fn tree_of(sb: &Sandbox, dir: &Path, depth: usize, budget: &mut usize) -> Vec<Value> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    let mut out = Vec::new();
    for e in entries {
        if *budget == 0 {
            break;
        }
        *budget -= 1;
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        let rel = sb.relative(&path).unwrap_or_else(|| name.clone());
        let is_link = e.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        if path.is_dir() && !is_link {
            let children = if depth < TREE_MAX_DEPTH && !TREE_SKIP.contains(&name.as_str()) {
                tree_of(sb, &path, depth + 1, budget)
            } else {
                Vec::new()
            };
            out.push(
                json!({ "name": name, "path": rel, "type": "DIRECTORY", "children": children }),
            );
        } else {
            out.push(json!({ "name": name, "path": rel, "type": "FILE" }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox() -> (tempfile::TempDir, Sandbox) {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("docs")).expect("mkdir");
        std::fs::write(dir.path().join("docs/a.md"), "# A\n").expect("write");
        let sb = Sandbox::new(dir.path()).expect("sandbox");
        (dir, sb)
    }

    #[test]
    fn read_write_list_in_replit_shapes() {
        let (_d, sb) = sandbox();
        assert_eq!(
            read_file(&sb, "docs/a.md", Some("utf8")),
            json!({"content": "# A\n"})
        );
        assert!(read_file(&sb, "missing.md", None)["error"].is_string());
        assert!(read_file(&sb, "../x", None)["error"].is_string());
        assert!(read_file(&sb, "docs", None)["error"].is_string());

        assert_eq!(
            write_file(&sb, "new/b.md", WriteContent::Text("b".into())),
            json!({"success": true})
        );
        assert_eq!(read_file(&sb, "new/b.md", None), json!({"content": "b"}));
        assert!(write_file(&sb, "/etc/x", WriteContent::Text("x".into()))["error"].is_string());
        assert!(write_file(&sb, ".", WriteContent::Text("x".into()))["error"].is_string());

        let root = read_dir(&sb, ".");
        assert_eq!(root["error"], "");
        assert_eq!(
            root["children"],
            json!([{"filename": "docs", "type": "DIRECTORY"}, {"filename": "new", "type": "DIRECTORY"}])
        );
        assert!(read_dir(&sb, "nope")["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()));
    }

    #[test]
    fn binary_and_blob_content() {
        let (_d, sb) = sandbox();
        let blob = WriteContent::Base64 {
            base64: "/wA=".into(),
        };
        assert_eq!(write_file(&sb, "bin", blob), json!({"success": true}));
        assert_eq!(
            read_file(&sb, "bin", Some("binary")),
            json!({"content": "\u{ff}\u{0}"})
        );
        assert_eq!(
            read_file(&sb, "bin", Some("utf8")),
            json!({"content": "\u{fffd}\u{0}"})
        );
    }

    #[test]
    fn dirs_moves_copies_deletes() {
        let (_d, sb) = sandbox();
        assert_eq!(
            create_dir(&sb, "x/y"),
            json!({"success": true, "error": null})
        );
        assert_eq!(copy_file(&sb, "docs/a.md", "x/y/a.md")["success"], true);
        assert_eq!(move_path(&sb, "x/y/a.md", "x/b.md")["success"], true);
        assert_eq!(read_file(&sb, "x/b.md", None), json!({"content": "# A\n"}));
        assert_eq!(move_path(&sb, "x/b.md", "../b.md")["success"], false);
        assert_eq!(delete_file(&sb, "x/b.md"), json!({}));
        assert!(delete_file(&sb, "x/b.md")["error"].is_string());
        assert!(delete_dir(&sb, ".")["error"].is_string());
        assert_eq!(delete_dir(&sb, "x"), json!({}));
        let t = tree(&sb);
        assert_eq!(t["children"][0]["path"], "docs");
        assert_eq!(t["children"][0]["children"][0]["path"], "docs/a.md");
    }
}

//! What a `repl_project_row` mapping sends: the Repl as the workspace describes it
//! (`data.currentRepl`), its languages (`.replit` `modules`, else the files' extensions) and its
//! file count. Pure, so it is unit-tested natively; `sync` does the reading.

use crate::files;
use crate::replit::Repl;
use protocol::session::ReplProject;
use std::collections::BTreeSet;

/// Where a Repl's relative `url` (`/@user/slug`) lives.
pub const REPLIT_ORIGIN: &str = "https://replit.com";

/// The display name of a `.replit` module (`nodejs-20` → `JavaScript`), or `None` for modules
/// that are not a language (databases, tooling).
fn module_language(module: &str) -> Option<String> {
    // `python-3.11:v18-20230807-322e88b`: the part before `:` names the module and version.
    let name = module.split(':').next().unwrap_or(module).trim();
    // Leading dash-separated parts until a version (`20`, `3.11`, `stable`).
    let base: Vec<&str> = name
        .split('-')
        .take_while(|part| {
            !part.is_empty()
                && !part.starts_with(|c: char| c.is_ascii_digit())
                && !matches!(*part, "stable" | "nightly" | "beta" | "lts")
        })
        .collect();
    let base = base.join("-").to_ascii_lowercase();
    let known = match base.as_str() {
        "nodejs" | "bun" | "javascript" => "JavaScript",
        "typescript" | "deno" => "TypeScript",
        "python" | "python-with-prisma" | "pyright-extended" => "Python",
        "rust" => "Rust",
        "go" => "Go",
        "java" | "java-graalvm" => "Java",
        "ruby" => "Ruby",
        "php" => "PHP",
        "c" | "clang" => "C",
        "cpp" => "C++",
        "dotnet" | "csharp" => "C#",
        "swift" => "Swift",
        "kotlin" => "Kotlin",
        "dart" => "Dart",
        "lua" => "Lua",
        "haskell" => "Haskell",
        "r" => "R",
        "elixir" => "Elixir",
        "zig" => "Zig",
        "bash" => "Shell",
        "html" | "web" => "HTML",
        "postgresql" | "mysql" | "nix" | "replit" | "docker" => return None,
        "" => return None,
        other => return Some(other.to_string()),
    };
    Some(known.to_string())
}

/// The string values of the `modules = [...]` array of a `.replit` file (TOML), which may span
/// several lines. Other keys, tables and comments are ignored.
pub fn replit_modules(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_array = false;
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        let rest = if in_array {
            line
        } else if let Some(value) = line
            .strip_prefix("modules")
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix('='))
        {
            match value.trim_start().strip_prefix('[') {
                Some(r) => {
                    in_array = true;
                    r
                }
                None => continue,
            }
        } else {
            if line.starts_with('[') {
                // A table starts: top-level `modules` can no longer follow.
                if !out.is_empty() {
                    break;
                }
            }
            continue;
        };
        let (items, closed) = match rest.find(']') {
            Some(i) => (&rest[..i], true),
            None => (rest, false),
        };
        for item in items.split(',') {
            let item = item.trim().trim_matches('"').trim_matches('\'');
            if !item.is_empty() {
                out.push(item.to_string());
            }
        }
        if closed {
            break;
        }
    }
    out
}

/// Languages named by `.replit` modules; sorted, unique.
pub fn languages_from_modules(modules: &[String]) -> Vec<String> {
    modules
        .iter()
        .filter_map(|m| module_language(m))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Languages of the files by extension (Markdown, data and config files are not languages);
/// sorted, unique.
pub fn languages_from_files(paths: &[String]) -> Vec<String> {
    paths
        .iter()
        .filter_map(|p| {
            let ext = files::file_name(p).rsplit_once('.')?.1.to_ascii_lowercase();
            let lang = match ext.as_str() {
                "rs" => "Rust",
                "py" => "Python",
                "js" | "mjs" | "cjs" | "jsx" => "JavaScript",
                "ts" | "tsx" | "mts" => "TypeScript",
                "go" => "Go",
                "java" => "Java",
                "rb" => "Ruby",
                "php" => "PHP",
                "c" | "h" => "C",
                "cc" | "cpp" | "cxx" | "hpp" => "C++",
                "cs" => "C#",
                "swift" => "Swift",
                "kt" | "kts" => "Kotlin",
                "dart" => "Dart",
                "lua" => "Lua",
                "hs" => "Haskell",
                "r" => "R",
                "ex" | "exs" => "Elixir",
                "zig" => "Zig",
                "sh" | "bash" => "Shell",
                "html" | "htm" => "HTML",
                "css" | "scss" => "CSS",
                _ => return None,
            };
            Some(lang.to_string())
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// The project row's payload. `replit_file`: the `.replit` file's text when it exists;
/// `files`: every file of the Repl in scope (default excludes applied).
pub fn build(repl: &Repl, replit_file: Option<&str>, files: &[String]) -> ReplProject {
    let from_modules = replit_file
        .map(|t| languages_from_modules(&replit_modules(t)))
        .unwrap_or_default();
    let languages = if from_modules.is_empty() {
        languages_from_files(files)
    } else {
        from_modules
    };
    let url = if repl.url.starts_with('/') {
        format!("{REPLIT_ORIGIN}{}", repl.url)
    } else {
        repl.url.clone()
    };
    ReplProject {
        repl_id: repl.id.clone(),
        title: repl.title.clone(),
        description: repl.description.clone(),
        url,
        is_private: repl.is_private,
        created_at: repl.time_created.clone(),
        owner: repl.owner.clone(),
        languages,
        file_count: u32::try_from(files.len()).unwrap_or(u32::MAX),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn modules_of_a_replit_file() {
        let text = "entrypoint = \"main.py\"\nmodules = [\"python-3.11\", \"nodejs-20:v8-20230920-bd784b9\", \"postgresql-16\"]\n\n[nix]\nchannel = \"stable-23_05\"\n";
        assert_eq!(
            replit_modules(text),
            paths(&[
                "python-3.11",
                "nodejs-20:v8-20230920-bd784b9",
                "postgresql-16"
            ])
        );
        assert_eq!(
            languages_from_modules(&replit_modules(text)),
            paths(&["JavaScript", "Python"])
        );
        let multi = "# comment\nmodules = [\n  \"rust-stable\", # the toolchain\n  'web',\n]\nrun = \"cargo run\"\n";
        assert_eq!(replit_modules(multi), paths(&["rust-stable", "web"]));
        assert_eq!(
            languages_from_modules(&replit_modules(multi)),
            paths(&["HTML", "Rust"])
        );
        // `modules` inside a table is not the top-level key; no key at all is no modules.
        assert!(replit_modules("run = \"x\"\n[deployment]\nrun = \"y\"\n").is_empty());
        assert!(replit_modules("").is_empty());
    }

    #[test]
    fn languages_fall_back_to_extensions() {
        let files = paths(&[
            "src/main.rs",
            "web/app.ts",
            "web/index.html",
            "README.md",
            "a.json",
        ]);
        assert_eq!(
            languages_from_files(&files),
            paths(&["HTML", "Rust", "TypeScript"])
        );
        let repl = Repl {
            id: "r1".into(),
            title: "Demo".into(),
            description: "d".into(),
            url: "/@demo/demo".into(),
            is_private: false,
            time_created: Some("2024-01-01T00:00:00.000Z".into()),
            owner: Some("demo".into()),
        };
        let p = build(&repl, None, &files);
        assert_eq!(p.languages, paths(&["HTML", "Rust", "TypeScript"]));
        assert_eq!(p.file_count, 5);
        assert_eq!(p.url, "https://replit.com/@demo/demo");
        assert_eq!(p.owner.as_deref(), Some("demo"));
        assert!(!p.is_private);
        // `.replit` modules win over extensions; a `.replit` without modules does not.
        let p = build(&repl, Some("modules = [\"go-1.21\"]\n"), &files);
        assert_eq!(p.languages, paths(&["Go"]));
        let p = build(&repl, Some("run = \"x\"\n"), &files);
        assert_eq!(p.languages, paths(&["HTML", "Rust", "TypeScript"]));
    }
}

//! Code block languages: GFM info strings ↔ Notion's language names.
//!
//! Notion accepts a fixed list of languages (its names may contain spaces: `plain text`,
//! `visual basic`). A fence with no info string, or a language Notion does not know, becomes
//! `plain text` (Notion would refuse or silently change anything else). On the way back the
//! common short names are used so a re-rendered fence reads naturally (`plain text` → no info).

/// Every language Notion's code block accepts.
const NOTION: &[&str] = &[
    "abap",
    "abc",
    "agda",
    "arduino",
    "ascii art",
    "assembly",
    "bash",
    "basic",
    "bnf",
    "c",
    "c#",
    "c++",
    "clojure",
    "coffeescript",
    "coq",
    "css",
    "dart",
    "dhall",
    "diff",
    "docker",
    "ebnf",
    "elixir",
    "elm",
    "erlang",
    "f#",
    "flow",
    "fortran",
    "gherkin",
    "glsl",
    "go",
    "graphql",
    "groovy",
    "haskell",
    "hcl",
    "html",
    "idris",
    "java",
    "javascript",
    "json",
    "julia",
    "kotlin",
    "latex",
    "less",
    "lisp",
    "livescript",
    "llvm ir",
    "lua",
    "makefile",
    "markdown",
    "markup",
    "matlab",
    "mathematica",
    "mermaid",
    "nix",
    "notion formula",
    "objective-c",
    "ocaml",
    "pascal",
    "perl",
    "php",
    "plain text",
    "powershell",
    "prolog",
    "protobuf",
    "purescript",
    "python",
    "r",
    "racket",
    "reason",
    "ruby",
    "rust",
    "sass",
    "scala",
    "scheme",
    "scss",
    "shell",
    "smalltalk",
    "solidity",
    "sql",
    "swift",
    "toml",
    "typescript",
    "vb.net",
    "verilog",
    "vhdl",
    "visual basic",
    "webassembly",
    "xml",
    "yaml",
    "java/c/c++/c#",
];

/// Short names people write after a fence, and the Notion language they mean.
const ALIASES: &[(&str, &str)] = &[
    ("rs", "rust"),
    ("js", "javascript"),
    ("jsx", "javascript"),
    ("mjs", "javascript"),
    ("cjs", "javascript"),
    ("node", "javascript"),
    ("ts", "typescript"),
    ("tsx", "typescript"),
    ("py", "python"),
    ("python3", "python"),
    ("rb", "ruby"),
    ("sh", "shell"),
    ("zsh", "shell"),
    ("console", "shell"),
    ("shell-session", "shell"),
    ("ps1", "powershell"),
    ("cpp", "c++"),
    ("cc", "c++"),
    ("cxx", "c++"),
    ("hpp", "c++"),
    ("h", "c"),
    ("cs", "c#"),
    ("csharp", "c#"),
    ("fs", "f#"),
    ("fsharp", "f#"),
    ("kt", "kotlin"),
    ("kts", "kotlin"),
    ("yml", "yaml"),
    ("md", "markdown"),
    ("htm", "html"),
    ("svg", "xml"),
    ("dockerfile", "docker"),
    ("make", "makefile"),
    ("mk", "makefile"),
    ("golang", "go"),
    ("objc", "objective-c"),
    ("ml", "ocaml"),
    ("hs", "haskell"),
    ("ex", "elixir"),
    ("exs", "elixir"),
    ("erl", "erlang"),
    ("pl", "perl"),
    ("proto", "protobuf"),
    ("tex", "latex"),
    ("wasm", "webassembly"),
    ("wat", "webassembly"),
    ("vb", "visual basic"),
    ("tf", "hcl"),
    ("text", "plain text"),
    ("txt", "plain text"),
    ("plaintext", "plain text"),
    ("plain", "plain text"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("patch", "diff"),
    ("gql", "graphql"),
    ("sol", "solidity"),
];

/// The Notion language for a fence's info string (its first word, case-insensitive).
pub fn to_notion(info: &str) -> String {
    let word = info.split_whitespace().next().unwrap_or("");
    let lower = word.to_ascii_lowercase();
    // `plain text` and `visual basic` contain a space: try the whole info string first.
    let whole = info.trim().to_ascii_lowercase();
    if NOTION.contains(&whole.as_str()) {
        return whole;
    }
    if NOTION.contains(&lower.as_str()) {
        return lower;
    }
    let spaced = lower.replace('-', " ");
    if NOTION.contains(&spaced.as_str()) {
        return spaced;
    }
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == lower)
        .map(|(_, name)| (*name).to_string())
        .unwrap_or_else(|| "plain text".to_string())
}

/// The info string to write after a fence for a Notion language.
pub fn to_gfm(language: &str) -> String {
    match language {
        "plain text" | "" => String::new(),
        "c++" => "cpp".into(),
        "c#" => "csharp".into(),
        "f#" => "fsharp".into(),
        // A space would end the info string's first word; these have no common short name.
        other => other.replace(' ', "-"),
    }
}

/// The Notion language for a file's extension (code-file pages).
pub fn for_path(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "dockerfile" => return "docker".into(),
        "makefile" | "gnumakefile" => return "makefile".into(),
        _ => {}
    }
    match lower.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => to_notion(ext),
        _ => "plain text".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_both_ways() {
        assert_eq!(to_notion(""), "plain text");
        assert_eq!(to_notion("rs"), "rust");
        assert_eq!(to_notion("Rust"), "rust");
        assert_eq!(to_notion("plain text"), "plain text");
        assert_eq!(to_notion("cpp"), "c++");
        assert_eq!(to_notion("klingon"), "plain text");
        assert_eq!(to_notion("python title=x.py"), "python");
        for name in NOTION {
            let back = to_gfm(name);
            assert_eq!(to_notion(&back), *name, "{name} via {back}");
        }
        assert_eq!(for_path("src/main.rs"), "rust");
        assert_eq!(for_path("Dockerfile"), "docker");
        assert_eq!(for_path(".bashrc"), "plain text");
    }
}

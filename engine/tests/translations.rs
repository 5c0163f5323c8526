//! Translation output pinned byte for byte. For every case of the round-trip corpus (see
//! `tests/corpus/README.md`), plus whole documents and Notion's recorded page, a digest of
//! what it translates to (push in both dialects, whole-page pull of each, the canonical form)
//! is recorded in `tests/corpus/translations.txt`.
//!
//! This guards refactoring for speed: the translator's output must not change by a byte. An
//! intended change of output rewrites the file with
//! `UPDATE_EXPECT=1 cargo test -p engine --test translations` (review the listed cases).

use engine::document::FileParts;
use engine::normalize::canonical_markdown;
use engine::translate::{from_notion, from_notion_with, to_notion, to_notion_with, Options};
use notion_markdown::Dialect;
use protocol::ContentHash;

const EXPECTED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus/translations.txt");

/// The cases of `tests/fixpoint.rs`, then larger documents: all docs in one body, the bench's
/// dense unit repeated, and Notion's recorded page (pulled, then pushed back).
fn cases() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut out = Vec::new();
    let json = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(format!("{dir}/{name}")).expect(name))
            .expect("valid json")
    };
    for ex in json("commonmark-spec-0.31.2.json")
        .as_array()
        .into_iter()
        .flatten()
    {
        let md = ex["markdown"].as_str().unwrap_or_default();
        out.push((format!("spec-{}", ex["example"]), md.replace('→', "\t")));
    }
    for ex in json("gfm-extensions.json").as_array().into_iter().flatten() {
        let name = ex["name"].as_str().unwrap_or_default();
        let md = ex["markdown"].as_str().unwrap_or_default();
        out.push((format!("gfm-{name}"), md.to_string()));
    }
    let mut docs: Vec<_> = std::fs::read_dir(format!("{dir}/docs"))
        .expect("docs")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    let mut all = String::new();
    for p in docs {
        let text = std::fs::read_to_string(&p).expect("doc");
        let body = FileParts::split(&text).body.to_string();
        all.push_str(&body);
        all.push('\n');
        let stem = p.file_stem().unwrap_or_default().to_string_lossy();
        out.push((format!("doc-{stem}"), body));
    }
    out.push(("all-docs".into(), all));
    let dense = "## Section\n\nSome *emphasis*, **strong** text, `code` and a [link](https://example.com/a).\nA second line that is soft wrapped into the same paragraph.\n\n- item one\n- item two\n  - nested item\n- [ ] a task\n\n1. first\n2. second\n\n> A quote with **bold**.\n\n```rust\nfn main() {\n    println!(\"hi\");\n}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n![img](https://example.com/i.png)\n\n---\n\n";
    out.push(("dense".into(), dense.repeat(20)));
    let recorded = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../notion-markdown/tests/fixtures/notion_v1_snapshot.md"
    );
    let page = std::fs::read_to_string(recorded).expect("the recorded Notion page");
    out.push(("recorded-page".into(), from_notion(&page)));
    out
}

/// A digest of everything `md` translates to.
fn digest(md: &str) -> String {
    let v2 = Options::v2();
    let n1 = to_notion(md);
    let n2 = to_notion_with(md, &v2);
    let parts = [
        from_notion(&n1),
        from_notion_with(&n2, &v2),
        canonical_markdown(&n1, Dialect::V1),
        n1,
        n2,
    ];
    ContentHash::of(parts.join("\0")).as_str()[..16].to_string()
}

#[test]
fn translations_are_unchanged() {
    let actual: String = cases()
        .iter()
        .map(|(id, md)| format!("{id} {}\n", digest(md)))
        .collect();
    if std::env::var("UPDATE_EXPECT").is_ok() {
        std::fs::write(EXPECTED, &actual).expect("write the digests");
        return;
    }
    let expected = std::fs::read_to_string(EXPECTED).unwrap_or_default();
    let changed: Vec<&str> = actual
        .lines()
        .zip(expected.lines())
        .filter(|(a, e)| a != e)
        .map(|(a, _)| a.split(' ').next().unwrap_or(a))
        .collect();
    assert!(
        changed.is_empty() && actual.lines().count() == expected.lines().count(),
        "translation output changed for {} cases: {changed:?} (of {} recorded, {} now)",
        changed.len(),
        expected.lines().count(),
        actual.lines().count()
    );
}

//! Round-trip fixpoint over the corpus (see `tests/corpus/README.md`): the CommonMark spec
//! examples, GFM extension cases and real-world-style documents. Prints the fixpoint rate;
//! every case that is not a fixpoint must be listed, with its reason, in
//! `tests/corpus/allowlist.txt`, which may hold at most 5% of the corpus.

use std::collections::BTreeMap;

use engine::document::FileParts;
use engine::translate::{from_notion, to_notion, Dialect};

struct Case {
    id: String,
    markdown: String,
}

fn corpus() -> Vec<Case> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut out = Vec::new();
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/commonmark-spec-0.31.2.json")).expect("spec json"),
    )
    .expect("valid json");
    for ex in spec.as_array().into_iter().flatten() {
        out.push(Case {
            id: format!("spec-{}", ex["example"]),
            markdown: ex["markdown"]
                .as_str()
                .unwrap_or_default()
                .replace('→', "\t"),
        });
    }
    let gfm: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/gfm-extensions.json")).expect("gfm json"),
    )
    .expect("valid json");
    for ex in gfm.as_array().into_iter().flatten() {
        out.push(Case {
            id: format!("gfm-{}", ex["name"].as_str().unwrap_or_default()),
            markdown: ex["markdown"].as_str().unwrap_or_default().to_string(),
        });
    }
    let mut docs: Vec<_> = std::fs::read_dir(format!("{dir}/docs"))
        .expect("docs")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    for p in docs {
        let text = std::fs::read_to_string(&p).expect("doc");
        out.push(Case {
            id: format!(
                "doc-{}",
                p.file_stem().unwrap_or_default().to_string_lossy()
            ),
            // The page body: front matter and title line are not page content.
            markdown: FileParts::split(&text).body.to_string(),
        });
    }
    out
}

/// `None` when the case is a fixpoint, else what differed.
fn check(md: &str) -> Option<String> {
    let canon = |s: &str| notion_markdown::canonicalize(s, Dialect::V1);
    let n1 = canon(&to_notion(md));
    let f2 = from_notion(&n1);
    let n2 = canon(&to_notion(&f2));
    if n1 != n2 {
        return Some(format!("content changed on the way back:\n{n1}\n---\n{n2}"));
    }
    let f3 = from_notion(&n2);
    if f3 != f2 {
        return Some(format!("file not stable:\n{f2}\n---\n{f3}"));
    }
    None
}

fn allowlist() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/corpus/allowlist.txt"
    ))
    .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .map(|(id, why)| (id.trim().to_string(), why.trim().to_string()))
        .collect()
}

#[test]
fn corpus_round_trips_to_a_fixpoint() {
    let cases = corpus();
    assert!(cases.len() > 700, "corpus incomplete: {}", cases.len());
    let docs = cases.iter().filter(|c| c.id.starts_with("doc-")).count();
    assert!(docs >= 30, "at least 30 documents, found {docs}");
    let allowed = allowlist();
    assert!(
        allowed.len() * 20 <= cases.len(),
        "the allow-list holds {} cases, more than 5% of {}",
        allowed.len(),
        cases.len()
    );
    let mut failing = Vec::new();
    for c in &cases {
        if let Some(why) = check(&c.markdown) {
            failing.push((c.id.clone(), why));
        }
    }
    let pass = cases.len() - failing.len();
    println!(
        "fixpoint rate: {pass}/{} = {:.2}%",
        cases.len(),
        100.0 * pass as f64 / cases.len() as f64
    );
    let unexpected: Vec<&(String, String)> = failing
        .iter()
        .filter(|(id, _)| !allowed.contains_key(id))
        .collect();
    for (id, why) in &failing {
        println!(
            "not a fixpoint: {id} ({})",
            allowed.get(id).map_or("NOT ALLOW-LISTED", String::as_str)
        );
        if !allowed.contains_key(id) {
            println!("{why}\n");
        }
    }
    for id in allowed.keys() {
        if !failing.iter().any(|(f, _)| f == id) {
            println!("allow-listed but now a fixpoint (remove it): {id}");
        }
    }
    assert!(
        unexpected.is_empty(),
        "{} cases are not fixpoints and not allow-listed",
        unexpected.len()
    );
}

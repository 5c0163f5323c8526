//! Parsing 1 MB must stay well under 50 ms in release builds (SPEC budget), and hostile input
//! must not go quadratic. Timings are only asserted in optimised builds.

use std::time::{Duration, Instant};

use notion_markdown::{canonicalize, parse, render, Dialect};

const SNAPSHOT: &str = include_str!("fixtures/notion_v1_snapshot.md");
const MB: usize = 1 << 20;

/// Hostile inputs are smaller in debug builds, where only the absence of blow-ups is checked.
fn hostile_size() -> usize {
    if cfg!(debug_assertions) {
        MB / 16
    } else {
        MB
    }
}

fn repeat_to(unit: &str, size: usize) -> String {
    let mut s = String::with_capacity(size + unit.len());
    while s.len() < size {
        s.push_str(unit);
        s.push('\n');
    }
    s
}

/// Best of three runs, so a cold allocator or a busy machine does not decide the result.
fn time<T>(mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..3 {
        let start = Instant::now();
        let o = f();
        best = best.min(start.elapsed());
        out = Some(o);
    }
    match out {
        Some(o) => (o, best),
        None => unreachable!(),
    }
}

fn assert_fast(what: &str, took: Duration, budget_ms: u64) {
    eprintln!("{what}: {took:?}");
    if !cfg!(debug_assertions) {
        assert!(
            took < Duration::from_millis(budget_ms),
            "{what} took {took:?}"
        );
    }
}

#[test]
fn one_megabyte_of_notion_markdown() {
    let doc = repeat_to(SNAPSHOT, MB);
    let (blocks, took) = time(|| parse(&doc, Dialect::V1));
    assert_fast("parse v1 1 MB", took, 50);
    let (v2, took) = time(|| render(&blocks, Dialect::V2));
    assert_fast("render v2", took, 100);
    let (_, took) = time(|| parse(&v2, Dialect::V2));
    assert_fast("parse v2 1 MB", took, 50);
}

#[test]
fn one_megabyte_of_gfm() {
    let unit = "## Section *one*\n\nSome **bold** text with `code`, [a link](https://example.com/x) and\na soft-wrapped _second_ line.\n\n- item one\n  - nested item\n- item two\n\n1. first\n2. second\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```\n\n> quoted text\n";
    let doc = repeat_to(unit, MB);
    for d in [Dialect::V1, Dialect::V2] {
        let (_, took) = time(|| parse(&doc, d));
        assert_fast(&format!("parse GFM 1 MB {d:?}"), took, 50);
    }
}

#[test]
fn hostile_input_stays_linear() {
    let mb = hostile_size();
    let cases: Vec<(&str, String)> = vec![
        ("brackets", "[".repeat(mb / 4)),
        ("stars", "*a ".repeat(mb / 12)),
        ("dollars", "$a ".repeat(mb / 12)),
        (
            "backticks",
            (1..1500)
                .map(|n| "`".repeat(n % 40 + 1) + "x")
                .collect::<Vec<_>>()
                .join(" "),
        ),
        ("spans", "<span color=\"red\">x".repeat(mb / 80)),
        ("mentions", "<mention-page url=\"u\">x".repeat(mb / 80)),
        ("tables", "<table>\nx\n".repeat(mb / 40)),
        ("details", "<details>\n".repeat(mb / 40)),
        (
            "indent",
            (0..1200)
                .map(|n| "\t".repeat(n) + "- x")
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("quotes", "> ".repeat(mb / 8)),
        ("toggles", "<toggle>\n".repeat(mb / 40)),
        ("underscores", "_a ".repeat(mb / 12)),
        ("links", "[a](".repeat(mb / 16)),
    ];
    for (name, doc) in cases {
        for d in [Dialect::V1, Dialect::V2] {
            let (_, took) = time(|| canonicalize(&doc, d));
            assert_fast(&format!("{name} {d:?}"), took, 500);
        }
    }
}

//! GFM → Notion-flavored Markdown → GFM (both dialects) must not panic and must keep the text:
//! every letter and digit the input's Markdown shows as text (paragraphs, headings, cells,
//! code, math, the text between HTML tags) is still in the file after the round trip, as text
//! or inside markup. Markup may change (list numbers, escapes, link forms, `<br>` to a line
//! break, text that looks like a tag read back as one); words may not disappear. Link titles
//! (tooltips) are not counted: Notion links have none (docs/reliability.md).

#![no_main]

use engine::translate::{from_notion_with, to_notion_with, Options};
use libfuzzer_sys::fuzz_target;
use notion_markdown::Dialect;
use pulldown_cmark::{Event, Parser};
use std::collections::BTreeMap;

/// As the engine parses files (engine/src/translate/segment.rs).
fn options() -> pulldown_cmark::Options {
    use pulldown_cmark::Options as O;
    O::ENABLE_TABLES
        | O::ENABLE_FOOTNOTES
        | O::ENABLE_STRIKETHROUGH
        | O::ENABLE_TASKLISTS
        | O::ENABLE_MATH
}

/// Letters and digits of the text `md` shows, counted: text, code, math, and the text between
/// raw HTML tags.
fn letters(md: &str) -> BTreeMap<char, usize> {
    let mut counts = BTreeMap::new();
    let mut add = |s: &str| {
        for c in s.chars().filter(|c| c.is_alphanumeric()) {
            *counts.entry(c).or_insert(0) += 1;
        }
    };
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                add(&t)
            }
            Event::Html(t) | Event::InlineHtml(t) => add(&without_tags(&t)),
            _ => {}
        }
    }
    counts
}

/// Whether the body has an island: Notion-flavored Markdown written in the file (a line opening
/// with one of Notion's block tags, or the `<!-- notion -->` marker; engine/src/translate/
/// segment.rs). Islands are read by Notion's rules, not GFM's, so the GFM reading used to count
/// letters does not apply to them; they are still translated (and must not panic).
fn has_island(md: &str) -> bool {
    const TAGS: &[&str] = &[
        "callout",
        "details",
        "columns",
        "column",
        "page",
        "database",
        "unknown",
        "synced_block",
        "table_of_contents",
        "video",
        "audio",
        "file",
        "pdf",
        "table",
        "empty-block",
        "meeting-notes",
    ];
    md.lines().any(|l| {
        let l = l.trim_start_matches([' ', '\t']);
        l.starts_with("<!-- notion -->")
            || l.strip_prefix('<').is_some_and(|rest| {
                TAGS.iter().any(|t| {
                    rest.strip_prefix(t)
                        .is_some_and(|r| r.is_empty() || r.starts_with([' ', '>', '/', '\t']))
                })
            })
    })
}

fn raw_letters(md: &str) -> BTreeMap<char, usize> {
    let mut counts = BTreeMap::new();
    for c in md.chars().filter(|c| c.is_alphanumeric()) {
        *counts.entry(c).or_insert(0) += 1;
    }
    counts
}

fn without_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let check = !has_island(input);
    let before = letters(input);
    for dialect in [Dialect::V1, Dialect::V2] {
        let opts = Options {
            dialect,
            ..Options::default()
        };
        let notion = to_notion_with(input, &opts);
        let back = from_notion_with(&notion, &opts);
        if !check {
            continue;
        }
        // Counted in the raw file: whatever form a letter came back in (text, markup, an
        // island written in Notion's syntax), it is there.
        let after = raw_letters(&back);
        for (c, n) in &before {
            let m = after.get(c).copied().unwrap_or(0);
            assert!(
                m >= *n,
                "{dialect:?}: {c:?} shown {n} times before the round trip, {m} after\n\
                 input: {input:?}\nnotion: {notion:?}\nback: {back:?}"
            );
        }
    }
});

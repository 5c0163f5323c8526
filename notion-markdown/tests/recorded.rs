//! A real `GET /v1/pages/{id}/markdown` body (v1) from a page covering nearly every block type,
//! recorded on 2026-04-02 with Notion-Version 2026-03-11 (public fixture in
//! ben-tanen/ben-tanen.github.io, `_env/notion_bridge/tests/fixtures/notion_test_page_snapshot.md`;
//! its metadata header removed, S3 URLs replaced by placeholders there). Notion's own output must
//! already be canonical.

use notion_markdown::{canonicalize, parse, render, BlockKind, Dialect};

const SNAPSHOT: &str = include_str!("fixtures/notion_v1_snapshot.md");

/// The one construct the block model has no room for: comment anchors on text.
const COMMENT_SPAN: &str = r#"<span discussion-urls="discussion://3340ec74-530b-80d2-a520-001c5ae66a2d">how does an editorial comment appear</span>"#;

#[test]
fn notion_output_is_canonical() {
    let expected = SNAPSHOT.replace(COMMENT_SPAN, "how does an editorial comment appear");
    let out = canonicalize(SNAPSHOT, Dialect::V1);
    for (i, (a, b)) in out.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, b, "line {}", i + 1);
    }
    assert_eq!(out, expected);
}

#[test]
fn snapshot_block_types() {
    let blocks = parse(SNAPSHOT, Dialect::V1);
    let types: Vec<String> = blocks.iter().map(|b| b.api_type()).collect();
    for t in [
        "heading_1",
        "heading_4",
        "paragraph",
        "bulleted_list_item",
        "numbered_list_item",
        "to_do",
        "toggle",
        "quote",
        "table",
        "unsupported",
        "callout",
        "code",
        "image",
        "column_list",
        "child_page",
        "file",
        "child_database",
        "synced_block",
        "video",
    ] {
        assert!(types.iter().any(|x| x == t), "no {t} in {types:?}");
    }
    // The callout's first line is its text; the rest are children.
    let callout = blocks
        .iter()
        .find(|b| matches!(b.kind, BlockKind::Callout { .. }))
        .unwrap();
    if let BlockKind::Callout { text, icon, .. } = &callout.kind {
        assert_eq!(
            text.plain_text(),
            "This is a callout box with a magnifying glass as the emoji!"
        );
        assert_eq!(icon.as_deref(), Some("🔍"));
    }
    assert_eq!(callout.children.len(), 2);
    // And it survives a trip through v2.
    let v2 = render(&blocks, Dialect::V2);
    assert_eq!(
        render(&parse(&v2, Dialect::V2), Dialect::V1),
        render(&blocks, Dialect::V1)
    );
}

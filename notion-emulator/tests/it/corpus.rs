//! The Markdown corpus (`tests/corpus/*.md`; `*.v2.md` in the v2 dialect): each document
//! becomes a page; `GET …/markdown` gives its canonical form (`notion_markdown::canonicalize`),
//! and writing that back (`replace_content`) changes nothing: same text, same block ids.
//! Together the documents cover every block type of the emulator.

use std::collections::BTreeSet;
use std::path::Path;

use notion::{Block, CreatePageRequest, MarkdownVersion, PageParent};
use notion_emulator::Seed;
use notion_markdown::{canonicalize, Dialect};
use reqwest::Method;
use serde_json::json;

use crate::build::page;
use crate::support::{start, Env};

/// Block types the corpus must produce (issue 4's list).
const BLOCK_TYPES: &[&str] = &[
    "paragraph",
    "heading_1",
    "heading_2",
    "heading_3",
    "heading_4",
    "bulleted_list_item",
    "numbered_list_item",
    "to_do",
    "toggle",
    "quote",
    "callout",
    "code",
    "divider",
    "table",
    "table_row",
    "image",
    "file",
    "video",
    "audio",
    "pdf",
    "equation",
    "column_list",
    "column",
    "synced_block",
    "child_page",
    "child_database",
    "table_of_contents",
    "unsupported",
];

/// `<unknown alt>` values the corpus must carry (blocks Markdown cannot express).
const UNKNOWN_KINDS: &[&str] = &["bookmark", "embed", "link_to_page", "button"];

/// Every block below `id`, depth first.
async fn tree(env: &Env, id: &str, out: &mut Vec<Block>) {
    let children = env
        .client
        .list_all_block_children(&env.token, id)
        .await
        .unwrap();
    for b in children {
        let descend = b.has_children && b.content.type_name() != "child_page";
        let bid = b.id.clone();
        out.push(b);
        if descend {
            Box::pin(tree(env, &bid, out)).await;
        }
    }
}

async fn markdown_v(env: &Env, page: &str, dialect: Dialect) -> (String, Vec<String>) {
    let version = match dialect {
        Dialect::V1 => MarkdownVersion::V1,
        Dialect::V2 => MarkdownVersion::V2,
    };
    let md = env
        .client
        .get_page_markdown_with_version(&env.token, page, Some(version))
        .await
        .unwrap();
    (md.markdown, md.unknown_block_ids)
}

#[tokio::test]
async fn corpus_documents_round_trip_to_their_canonical_form() {
    let env = start(Seed::Empty).await;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    assert!(files.len() >= 60, "corpus has {} documents", files.len());
    let root = page(&env, "Corpus", "").await;
    let mut types = BTreeSet::new();
    let mut unknown_alts = BTreeSet::new();
    let (mut v1, mut v2) = (0, 0);
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let dialect = if name.ends_with(".v2.md") {
            v2 += 1;
            Dialect::V2
        } else {
            v1 += 1;
            Dialect::V1
        };
        let mut text = std::fs::read_to_string(file).unwrap();
        if text.contains("{{PAGE}}") {
            // A page of our own for the `<page>` tag (which moves it under the new page).
            let target = page(&env, "Sub", "").await;
            text = text.replace(
                "{{PAGE}}",
                &format!("https://www.notion.so/{}", target.replace('-', "")),
            );
        }
        let expected = canonicalize(&text, dialect);
        let created = env
            .client
            .create_page(
                &env.token,
                &CreatePageRequest {
                    parent: PageParent::PageId(root.clone()),
                    title: Some(name.clone()),
                    markdown: Some(text.clone()),
                    markdown_version: (dialect == Dialect::V2).then_some(MarkdownVersion::V2),
                    ..Default::default()
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let (got, unknown) = markdown_v(&env, &created.id, dialect).await;
        assert_eq!(got, expected, "{name}: GET is not the canonical form");

        let mut before = Vec::new();
        tree(&env, &created.id, &mut before).await;
        let version = if dialect == Dialect::V2 { "v2" } else { "v1" };
        let written = env
            .api(
                Method::PATCH,
                &format!("/v1/pages/{}/markdown", created.id),
                Some(
                    json!({"type": "replace_content", "markdown_version": version,
                    "replace_content": {"new_str": got}}),
                ),
            )
            .await;
        assert_eq!(written.status, 200, "{name}: {}", written.text);
        assert_eq!(
            written.json["markdown"],
            got.as_str(),
            "{name}: second round trip"
        );
        let (again, _) = markdown_v(&env, &created.id, dialect).await;
        assert_eq!(again, got, "{name}: second GET");
        let mut after = Vec::new();
        tree(&env, &created.id, &mut after).await;
        let ids = |bs: &[Block]| bs.iter().map(|b| b.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&after), ids(&before), "{name}: block ids changed");

        for b in &before {
            types.insert(b.content.type_name().to_string());
        }
        if !unknown.is_empty() {
            for alt in got.split("alt=\"").skip(1) {
                unknown_alts.insert(alt.split('"').next().unwrap_or("").to_string());
            }
        }
    }
    assert!(v1 >= 50 && v2 >= 10, "v1 {v1}, v2 {v2}");
    let missing: Vec<_> = BLOCK_TYPES
        .iter()
        .filter(|t| !types.contains(**t))
        .collect();
    assert!(
        missing.is_empty(),
        "block types the corpus never produced: {missing:?}"
    );
    let missing: Vec<_> = UNKNOWN_KINDS
        .iter()
        .filter(|t| !unknown_alts.contains(**t))
        .collect();
    assert!(
        missing.is_empty(),
        "unknown kinds the corpus never carried: {missing:?}"
    );
}

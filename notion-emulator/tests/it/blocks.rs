//! The blocks API: retrieve, list (paginated), append (position, limits), update, delete and
//! restore, on the same store the Markdown endpoints read.

use notion::{
    AppendBlockChildren, AppendPosition, BlockContent, CodeBlock, ContentUpdate, NewBlock,
    Pagination, Parent, ToDoBlock, UpdateBlock, UpdatePageMarkdown, UpdatePageRequest,
};
use notion_emulator::Seed;
use reqwest::Method;
use serde_json::{json, Value};

use crate::build::{self, checked, client_v, markdown, page, raw_v, text, types};
use crate::support::{assert_error, start};

fn new(raw: Value) -> NewBlock {
    serde_json::from_value(raw).expect("a block request")
}

#[tokio::test]
async fn a_page_id_is_a_child_page_block() {
    let env = start(Seed::Empty).await;
    let parent = page(&env, "Parent", "Hello").await;
    let child = build::sub_page(&env, &parent, "Child").await;
    let block = env.client.retrieve_block(&env.token, &child).await.unwrap();
    assert_eq!(block.id, child);
    assert_eq!(block.content.type_name(), "child_page");
    assert_eq!(block.parent, Some(Parent::PageId(parent.clone())));
    assert!(!block.has_children && !block.in_trash);
    assert_eq!(block.archived, None, "2026-03-11 has no `archived`");
    let listed = env
        .client
        .list_all_block_children(&env.token, &parent)
        .await
        .unwrap();
    assert_eq!(types(&listed), ["paragraph", "child_page"]);
    assert_eq!(text(&listed[0]), "Hello");
}

#[tokio::test]
async fn append_update_delete_restore_and_markdown_agree() {
    let env = start(Seed::Empty).await;
    let p = page(&env, "Work", "Intro").await;
    let appended = env
        .client
        .append_block_children(
            &env.token,
            &p,
            &AppendBlockChildren::new(vec![
                NewBlock::new(BlockContent::heading(2, "Plan")),
                NewBlock::new(BlockContent::to_do("Ship", false)),
                NewBlock::new(BlockContent::code("rust", "fn main() {}")),
                new(json!({"toggle": {"rich_text": [{"text": {"content": "More"}}],
                    "children": [{"paragraph": {"rich_text": [{"text": {"content": "Inside"}}]}}]}})),
            ]),
        )
        .await
        .unwrap();
    assert_eq!(appended.results.len(), 4, "first-level blocks only");
    assert_eq!(appended.kind.as_deref(), Some("block"));
    let toggle = &appended.results[3];
    assert!(toggle.has_children);
    assert_eq!(
        markdown(&env, &p).await,
        "Intro\n## Plan\n- [ ] Ship\n```rust\nfn main() {}\n```\n<details>\n<summary>More</summary>\n\tInside\n</details>"
    );

    // to_do.checked and code.language, partially: other fields keep their value.
    let todo = &appended.results[1];
    let updated = env
        .client
        .update_block(
            &env.token,
            &todo.id,
            &UpdateBlock::content(BlockContent::ToDo(ToDoBlock {
                rich_text: vec![notion::RichTextItem::text("Ship it")],
                color: "default".into(),
                checked: true,
            })),
        )
        .await
        .unwrap();
    assert_eq!(
        (checked(&updated), text(&updated).as_str()),
        (Some(true), "Ship it")
    );
    let code = &appended.results[2];
    let raw = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{}", code.id),
            Some(json!({"code": {"language": "python"}})),
        )
        .await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    assert_eq!(raw.json["code"]["language"], "python");
    assert_eq!(
        raw.json["code"]["rich_text"][0]["plain_text"],
        "fn main() {}"
    );
    assert!(markdown(&env, &p)
        .await
        .contains("- [x] Ship it\n```python\n"));

    // A block's type cannot change.
    let wrong = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{}", todo.id),
            Some(json!({"paragraph": {"rich_text": []}})),
        )
        .await;
    assert_error(&wrong, 400, "validation_error");

    // Delete: the block (and its subtree) leaves lists and Markdown, keeps answering GET.
    let deleted = env
        .client
        .delete_block(&env.token, &toggle.id)
        .await
        .unwrap();
    assert!(deleted.in_trash);
    let fetched = env
        .client
        .retrieve_block(&env.token, &toggle.id)
        .await
        .unwrap();
    assert!(fetched.in_trash);
    let inside = env
        .client
        .list_all_block_children(&env.token, &toggle.id)
        .await
        .unwrap();
    assert!(inside.iter().all(|b| b.in_trash));
    assert!(!markdown(&env, &p).await.contains("details"));
    // Editing under a trashed block is refused.
    let under = env
        .client
        .append_block_children(
            &env.token,
            &toggle.id,
            &AppendBlockChildren::new(vec![NewBlock::paragraph("no")]),
        )
        .await
        .unwrap_err();
    assert!(under.is_validation_error(), "{under}");
    let edit = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{}", inside[0].id),
            Some(json!({"paragraph": {"rich_text": [{"text": {"content": "x"}}]}})),
        )
        .await;
    assert_error(&edit, 400, "validation_error");

    // Restore puts it back where it was.
    let restored = env
        .client
        .update_block(&env.token, &toggle.id, &UpdateBlock::trash(false))
        .await
        .unwrap();
    assert!(!restored.in_trash && restored.has_children);
    let listed = env
        .client
        .list_all_block_children(&env.token, &p)
        .await
        .unwrap();
    assert_eq!(
        listed.last().map(|b| b.id.as_str()),
        Some(toggle.id.as_str())
    );
    assert!(markdown(&env, &p).await.ends_with("</details>"));
}

#[tokio::test]
async fn positions_start_after_block_and_the_flat_after_of_older_versions() {
    let env = start(Seed::Empty).await;
    let p = page(&env, "Order", "a\nc").await;
    let blocks = env
        .client
        .list_all_block_children(&env.token, &p)
        .await
        .unwrap();
    let a = blocks[0].id.clone();
    env.client
        .append_block_children(
            &env.token,
            &p,
            &AppendBlockChildren::new(vec![NewBlock::paragraph("b")]).after(&a),
        )
        .await
        .unwrap();
    env.client
        .append_block_children(
            &env.token,
            &p,
            &AppendBlockChildren::new(vec![NewBlock::paragraph("start")]).at_start(),
        )
        .await
        .unwrap();
    assert_eq!(markdown(&env, &p).await, "start\na\nb\nc");

    // 2025-09-03: the flat `after` (sent by the client for that version).
    let old = client_v(&env, "2025-09-03");
    old.append_block_children(
        &env.token,
        &p,
        &AppendBlockChildren::new(vec![NewBlock::paragraph("a2")]).after(&a),
    )
    .await
    .unwrap();
    assert_eq!(markdown(&env, &p).await, "start\na\na2\nb\nc");

    // 2026-03-11 no longer takes `after`; a position naming no child is refused.
    let flat = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{p}/children"),
            Some(json!({"children": [{"paragraph": {"rich_text": []}}], "after": a})),
        )
        .await;
    assert_error(&flat, 400, "validation_error");
    let stranger = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{p}/children"),
            Some(json!({"children": [{"paragraph": {"rich_text": []}}],
                "position": {"type": "after_block", "after_block": {"id": "00000000-0000-4000-8000-000000000000"}}})),
        )
        .await;
    assert_error(&stranger, 400, "validation_error");
    let _ = AppendPosition::End;
}

#[tokio::test]
async fn request_limits_are_validation_errors() {
    let env = start(Seed::Empty).await;
    let p = page(&env, "Limits", "").await;
    let path = format!("/v1/blocks/{p}/children");
    let para = |s: &str| json!({"paragraph": {"rich_text": [{"text": {"content": s}}]}});
    let send = |body: Value| env.api(Method::PATCH, &path, Some(body));

    let too_many: Vec<Value> = (0..101).map(|i| para(&i.to_string())).collect();
    assert_error(
        &send(json!({"children": too_many})).await,
        400,
        "validation_error",
    );

    let three_levels = json!({"children": [{"toggle": {"rich_text": [], "children": [
        {"toggle": {"rich_text": [], "children": [para("deep")]}}]}}]});
    assert_error(&send(three_levels).await, 400, "validation_error");

    let long = "x".repeat(2001);
    assert_error(
        &send(json!({"children": [para(&long)]})).await,
        400,
        "validation_error",
    );

    let runs: Vec<Value> = (0..101)
        .map(|_| json!({"text": {"content": "r"}}))
        .collect();
    assert_error(
        &send(json!({"children": [{"paragraph": {"rich_text": runs}}]})).await,
        400,
        "validation_error",
    );

    // 10 × (1 + 100) = 1010 block elements.
    let big: Vec<Value> = (0..10)
        .map(|_| {
            let kids: Vec<Value> = (0..100).map(|_| para("k")).collect();
            json!({"toggle": {"rich_text": [], "children": kids}})
        })
        .collect();
    assert_error(
        &send(json!({"children": big})).await,
        400,
        "validation_error",
    );

    // Over 500 KB.
    let heavy: Vec<Value> = (0..100)
        .map(|_| {
            let runs: Vec<Value> = (0..3)
                .map(|_| json!({"text": {"content": "y".repeat(1990)}}))
                .collect();
            json!({"paragraph": {"rich_text": runs}})
        })
        .collect();
    assert_error(
        &send(json!({"children": heavy})).await,
        400,
        "validation_error",
    );

    // Types that cannot be created this way.
    for bad in [
        json!({"child_page": {"title": "x"}}),
        json!({"column": {}}),
        json!({"nonsense": {}}),
    ] {
        assert_error(
            &send(json!({"children": [bad]})).await,
            400,
            "validation_error",
        );
    }
    // Nothing was written by the refused requests.
    assert_eq!(markdown(&env, &p).await, "");
    // Two levels are fine.
    let two = json!({"children": [{"toggle": {"rich_text": [], "children": [para("ok")]}}]});
    assert_eq!(send(two).await.status, 200);
}

#[tokio::test]
async fn children_are_paginated_with_cursors() {
    let env = start(Seed::Empty).await;
    let body: String = (0..7)
        .map(|i| format!("p{i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let p = page(&env, "Many", &body).await;
    let mut seen = Vec::new();
    let mut page_req = Pagination::page_size(3);
    loop {
        let list = env
            .client
            .list_block_children(&env.token, &p, &page_req)
            .await
            .unwrap();
        assert!(list.results.len() <= 3);
        seen.extend(list.results.iter().map(text));
        match list.next_cursor {
            Some(c) => {
                assert!(list.has_more);
                page_req = page_req.after(&c);
            }
            None => {
                assert!(!list.has_more);
                break;
            }
        }
    }
    assert_eq!(seen, (0..7).map(|i| format!("p{i}")).collect::<Vec<_>>());
    let bad = env
        .api(
            Method::GET,
            &format!("/v1/blocks/{p}/children?start_cursor=nope"),
            None,
        )
        .await;
    assert_error(&bad, 400, "validation_error");
    let zero = env
        .api(
            Method::GET,
            &format!("/v1/blocks/{p}/children?page_size=0"),
            None,
        )
        .await;
    assert_error(&zero, 400, "validation_error");
    // Larger page sizes are served as 100, as recorded from Notion.
    let big = env
        .api(
            Method::GET,
            &format!("/v1/blocks/{p}/children?page_size=101"),
            None,
        )
        .await;
    assert_eq!(big.status, 200);
    let missing = env
        .api(
            Method::GET,
            "/v1/blocks/00000000-0000-4000-8000-000000000000/children",
            None,
        )
        .await;
    assert_error(&missing, 404, "object_not_found");
}

/// Every creatable block type, through the API and back, and through Markdown.
#[tokio::test]
async fn every_block_type_round_trips_through_the_api_and_markdown() {
    let env = start(Seed::Empty).await;
    let target = page(&env, "Linked", "").await;
    let p = page(&env, "All types", "").await;
    let rt = |s: &str| json!([{"text": {"content": s}}]);
    let children = vec![
        json!({"paragraph": {"rich_text": [
            {"text": {"content": "bold"}, "annotations": {"bold": true}},
            {"text": {"content": " link", "link": {"url": "https://example.com"}}},
            {"type": "equation", "equation": {"expression": "x^2"}},
            {"mention": {"page": {"id": target}}},
            {"mention": {"date": {"start": "2026-01-31"}}}], "color": "blue"}}),
        json!({"heading_1": {"rich_text": rt("H1")}}),
        json!({"heading_2": {"rich_text": rt("H2"), "is_toggleable": true,
            "children": [{"paragraph": {"rich_text": rt("under")}}]}}),
        json!({"heading_3": {"rich_text": rt("H3"), "color": "red_background"}}),
        json!({"heading_4": {"rich_text": rt("H4")}}),
        json!({"bulleted_list_item": {"rich_text": rt("bullet")}}),
        json!({"numbered_list_item": {"rich_text": rt("number")}}),
        json!({"to_do": {"rich_text": rt("todo"), "checked": true}}),
        json!({"toggle": {"rich_text": rt("toggle"), "children": [{"paragraph": {"rich_text": rt("t")}}]}}),
        json!({"quote": {"rich_text": rt("quote")}}),
        json!({"callout": {"rich_text": rt("callout"), "icon": {"type": "emoji", "emoji": "💡"}, "color": "gray_background"}}),
        json!({"code": {"rich_text": rt("let x = 1;"), "language": "rust", "caption": rt("cap")}}),
        json!({"equation": {"expression": "e^{i\\pi}+1=0"}}),
        json!({"divider": {}}),
        json!({"table_of_contents": {}}),
        json!({"table": {"table_width": 2, "has_column_header": true, "children": [
            {"table_row": {"cells": [rt("a"), rt("b")]}},
            {"table_row": {"cells": [rt("1"), rt("2")]}}]}}),
        json!({"image": {"type": "external", "external": {"url": "https://example.com/i.png"}, "caption": rt("img")}}),
        json!({"video": {"external": {"url": "https://example.com/v.mp4"}}}),
        json!({"audio": {"external": {"url": "https://example.com/a.mp3"}}}),
        json!({"file": {"external": {"url": "https://example.com/f.zip"}, "name": "f.zip"}}),
        json!({"pdf": {"external": {"url": "https://example.com/d.pdf"}}}),
        json!({"bookmark": {"url": "https://example.com/b", "caption": []}}),
        json!({"embed": {"url": "https://example.com/e"}}),
        json!({"link_to_page": {"type": "page_id", "page_id": target}}),
        json!({"breadcrumb": {}}),
        json!({"column_list": {"children": [
            {"column": {"children": [{"paragraph": {"rich_text": rt("left")}}]}},
            {"column": {"width_ratio": 0.25, "children": [{"paragraph": {"rich_text": rt("right")}}]}}]}}),
        json!({"synced_block": {"synced_from": null, "children": [{"paragraph": {"rich_text": rt("synced")}}]}}),
    ];
    let raw = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{p}/children"),
            Some(json!({ "children": children })),
        )
        .await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    let created: Vec<notion::Block> = serde_json::from_value(raw.json["results"].clone()).unwrap();
    let expected_types = [
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
        "equation",
        "divider",
        "table_of_contents",
        "table",
        "image",
        "video",
        "audio",
        "file",
        "pdf",
        "bookmark",
        "embed",
        "link_to_page",
        "breadcrumb",
        "column_list",
        "synced_block",
    ];
    assert_eq!(types(&created), expected_types);
    // Typed, not `Other`: the payloads have Notion's shape.
    for b in &created {
        assert!(
            !matches!(b.content, BlockContent::Other { .. }),
            "{} fell back to Other",
            b.content.type_name()
        );
    }
    let first = &created[0];
    let items = first.content.rich_text().unwrap();
    assert!(items[0].annotations.bold);
    assert_eq!(items[1].href.as_deref(), Some("https://example.com"));
    assert!(matches!(
        items[2].content,
        notion::RichTextContent::Equation { .. }
    ));
    assert!(matches!(
        items[3].content,
        notion::RichTextContent::Mention { .. }
    ));
    assert!(matches!(
        items[4].content,
        notion::RichTextContent::Mention { .. }
    ));
    match &created[11].content {
        BlockContent::Code(CodeBlock {
            caption, language, ..
        }) => {
            assert_eq!(
                (notion::plain_text(caption).as_str(), language.as_str()),
                ("cap", "rust")
            )
        }
        other => panic!("{other:?}"),
    }
    let table = &created[15];
    assert!(table.has_children);
    let rows = env
        .client
        .list_all_block_children(&env.token, &table.id)
        .await
        .unwrap();
    assert_eq!(types(&rows), ["table_row", "table_row"]);
    let columns = env
        .client
        .list_all_block_children(&env.token, &created[25].id)
        .await
        .unwrap();
    assert_eq!(types(&columns), ["column", "column"]);

    // The Markdown view of the same blocks; API-only blocks are `<unknown>` with their ids.
    let md = env.client.get_page_markdown(&env.token, &p).await.unwrap();
    for needle in [
        "**bold**[ link](https://example.com)$`x^2`$",
        "<mention-page url=",
        "<mention-date start=\"2026-01-31\"/>",
        "{color=\"blue\"}",
        "## H2 {toggle=\"true\"}\n\tunder",
        "#### H4",
        "- [x] todo",
        "<callout icon=\"💡\" color=\"gray_bg\">",
        "```rust\nlet x = 1;\n```",
        "$$\ne^{i\\pi}+1=0\n$$",
        "---",
        "<table_of_contents/>",
        "![img](https://example.com/i.png)",
        "<video src=\"https://example.com/v.mp4\"></video>",
        "<columns>",
        "<synced_block url=",
    ] {
        assert!(
            md.markdown.contains(needle),
            "missing {needle:?} in:\n{}",
            md.markdown
        );
    }
    for (i, alt) in [
        (21, "bookmark"),
        (22, "embed"),
        (23, "link_to_page"),
        (24, "breadcrumb"),
    ] {
        assert!(md.unknown_block_ids.contains(&created[i].id), "{alt}");
        assert!(md.markdown.contains(&format!("alt=\"{alt}\"/>")), "{alt}");
    }
    assert!(!md.truncated);

    // Writing the Markdown back keeps every block (and the API-only payloads).
    let before = env
        .client
        .list_all_block_children(&env.token, &p)
        .await
        .unwrap();
    let after = env
        .client
        .update_page_markdown(
            &env.token,
            &p,
            &UpdatePageMarkdown::replace_content(&md.markdown),
        )
        .await
        .unwrap();
    assert_eq!(after.markdown, md.markdown);
    let again = env
        .client
        .list_all_block_children(&env.token, &p)
        .await
        .unwrap();
    let ids = |bs: &[notion::Block]| bs.iter().map(|b| b.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&again), ids(&before));
    let bookmark = env
        .client
        .retrieve_block(&env.token, &created[21].id)
        .await
        .unwrap();
    match bookmark.content {
        BlockContent::Bookmark(b) => assert_eq!(b.url, "https://example.com/b"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn tables_rows_and_synced_copies() {
    let env = start(Seed::Empty).await;
    let p = page(&env, "T", "<table header-row=\"true\">\n<tr>\n<td>k</td>\n<td>v</td>\n</tr>\n<tr>\n<td>a</td>\n<td>1</td>\n</tr>\n</table>").await;
    let blocks = env
        .client
        .list_all_block_children(&env.token, &p)
        .await
        .unwrap();
    let table = &blocks[0];
    match &table.content {
        BlockContent::Table(t) => assert_eq!((t.table_width, t.has_column_header), (2, true)),
        other => panic!("{other:?}"),
    }
    let rows = env
        .client
        .list_all_block_children(&env.token, &table.id)
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    // Row ids are stable across reads.
    let again = env
        .client
        .list_all_block_children(&env.token, &table.id)
        .await
        .unwrap();
    assert_eq!(rows[1].id, again[1].id);
    let row = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{}", rows[1].id),
            Some(json!({"table_row": {"cells": [[{"text": {"content": "b"}}], [{"text": {"content": "2"}}]]}})),
        )
        .await;
    assert_eq!(row.status, 200, "{}", row.text);
    let appended = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{}/children", table.id),
            Some(json!({"children": [{"table_row": {"cells": [[{"text": {"content": "c"}}], [{"text": {"content": "3"}}]]}}]})),
        )
        .await;
    assert_eq!(appended.status, 200, "{}", appended.text);
    assert_eq!(appended.json["results"][0]["type"], "table_row");
    let wrong_width = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{}/children", table.id),
            Some(json!({"children": [{"table_row": {"cells": [[{"text": {"content": "x"}}]]}}]})),
        )
        .await;
    assert_error(&wrong_width, 400, "validation_error");
    let md = markdown(&env, &p).await;
    assert!(
        md.contains("<td>b</td>") && md.contains("<td>3</td>"),
        "{md}"
    );
    // Header flags change; rows (and their ids) stay; the width cannot change.
    let flags = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{}", table.id),
            Some(json!({"table": {"has_row_header": true}})),
        )
        .await;
    assert_eq!(
        flags.json["table"]["has_row_header"], true,
        "{}",
        flags.text
    );
    let after = env
        .client
        .list_all_block_children(&env.token, &table.id)
        .await
        .unwrap();
    assert_eq!(after.len(), 3);
    assert_eq!(after[1].id, rows[1].id);
    let width = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{}", table.id),
            Some(json!({"table": {"table_width": 5}})),
        )
        .await;
    assert_error(&width, 400, "validation_error");

    // A synced block and a copy of it.
    let synced = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{p}/children"),
            Some(json!({"children": [{"synced_block": {"synced_from": null,
                "children": [{"paragraph": {"rich_text": [{"text": {"content": "shared"}}]}}]}}]})),
        )
        .await;
    let original = synced.json["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = page(&env, "Other", "").await;
    let copy = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{other}/children"),
            Some(json!({"children": [{"synced_block": {"synced_from": {"block_id": original}}}]})),
        )
        .await;
    assert_eq!(copy.status, 200, "{}", copy.text);
    assert_eq!(
        copy.json["results"][0]["synced_block"]["synced_from"]["block_id"],
        original.as_str()
    );
}

#[tokio::test]
async fn deleting_a_page_through_the_blocks_api() {
    let env = start(Seed::Empty).await;
    let parent = page(&env, "Parent", "").await;
    let child = build::sub_page(&env, &parent, "Gone soon").await;
    let deleted = env.client.delete_block(&env.token, &child).await.unwrap();
    assert_eq!(deleted.content.type_name(), "child_page");
    assert!(deleted.in_trash);
    let page = env.client.retrieve_page(&env.token, &child).await.unwrap();
    assert!(page.in_trash);
    assert!(!markdown(&env, &parent).await.contains("<page"));
    env.client
        .update_page(&env.token, &child, &UpdatePageRequest::trash(false))
        .await
        .unwrap();
    assert!(markdown(&env, &parent).await.contains("<page"));

    // 2025-09-03 answers carry `archived` too.
    let old = raw_v(
        &env,
        "2025-09-03",
        Method::GET,
        &format!("/v1/blocks/{child}"),
        None,
    )
    .await;
    assert_eq!(old.json["archived"], false);
    let _ = ContentUpdate::new("a", "b");
}

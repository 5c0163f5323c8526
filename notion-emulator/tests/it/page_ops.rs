//! `PATCH /v1/pages/{id}`, `POST /v1/pages/{id}/move`, and `POST /v1/pages` with `children`.

use notion::{
    AppendBlockChildren, CreatePageRequest, FileObject, Icon, MovePageRequest, NewBlock,
    PageParent, Parent, UpdatePageRequest,
};
use notion_emulator::Seed;
use reqwest::Method;
use serde_json::{json, Value};

use crate::build::{markdown, page, sub_page, types};
use crate::support::{assert_error, start};

#[tokio::test]
async fn update_title_icon_cover_flags_and_trash() {
    let env = start(Seed::Empty).await;
    let p = page(&env, "Draft", "Body").await;
    let updated = env
        .client
        .update_page(
            &env.token,
            &p,
            &UpdatePageRequest {
                icon: Some(Some(Icon::Emoji("🚀".into()))),
                cover: Some(Some(FileObject::External(notion::ExternalFile {
                    url: "https://example.com/c.png".into(),
                }))),
                is_locked: Some(true),
                is_archived: Some(true),
                ..UpdatePageRequest::title("Final")
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.title(), "Final");
    assert_eq!(updated.icon_text().as_deref(), Some("🚀"));
    assert!(updated.cover.is_some() && updated.is_locked && updated.is_archived);
    assert!(updated.url.contains("Final-"));
    // Only what is given changes; `null` clears.
    let cleared = env
        .client
        .update_page(
            &env.token,
            &p,
            &UpdatePageRequest {
                icon: Some(None),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(cleared.icon.is_none() && cleared.cover.is_some());
    assert_eq!(cleared.title(), "Final");
    assert_eq!(markdown(&env, &p).await, "Body");

    // A plain page has only a title; a page cannot move through PATCH.
    for body in [
        json!({"properties": {"Status": {"select": {"name": "x"}}}}),
        json!({"parent": {"page_id": p}}),
        json!({"in_trash": "yes"}),
    ] {
        let raw = env
            .api(Method::PATCH, &format!("/v1/pages/{p}"), Some(body))
            .await;
        assert_error(&raw, 400, "validation_error");
    }

    // Trash: content edits are refused until restored.
    let trashed = env
        .client
        .update_page(&env.token, &p, &UpdatePageRequest::trash(true))
        .await
        .unwrap();
    assert!(trashed.in_trash && trashed.is_trashed());
    let refused = env
        .client
        .update_page(&env.token, &p, &UpdatePageRequest::title("x"))
        .await
        .unwrap_err();
    assert!(refused.is_validation_error());
    // `archived` still works as the trash flag (older clients send it).
    let restored = env
        .api(
            Method::PATCH,
            &format!("/v1/pages/{p}"),
            Some(json!({"archived": false})),
        )
        .await;
    assert_eq!(restored.json["in_trash"], false);
}

#[tokio::test]
async fn erase_content_empties_the_body() {
    let env = start(Seed::Empty).await;
    let p = page(&env, "Full", "a\nb").await;
    let child = sub_page(&env, &p, "Kid").await;
    let erased = env
        .client
        .update_page(
            &env.token,
            &p,
            &UpdatePageRequest {
                erase_content: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(erased.title(), "Full");
    assert_eq!(markdown(&env, &p).await, "");
    assert!(
        env.client
            .retrieve_page(&env.token, &child)
            .await
            .unwrap()
            .in_trash
    );
}

#[tokio::test]
async fn move_pages_between_pages_and_into_a_data_source() {
    let env = start(Seed::Empty).await;
    let a = page(&env, "A", "").await;
    let b = page(&env, "B", "").await;
    let c = sub_page(&env, &a, "C").await;
    let moved = env
        .client
        .move_page(
            &env.token,
            &c,
            &MovePageRequest {
                parent: PageParent::PageId(b.clone()),
            },
        )
        .await
        .unwrap();
    assert_eq!(moved.parent, Some(Parent::PageId(b.clone())));
    assert!(!markdown(&env, &a).await.contains("<page"));
    assert!(markdown(&env, &b).await.contains(">C</page>"));
    // Not under itself or a descendant.
    let cycle = env
        .api(
            Method::POST,
            &format!("/v1/pages/{b}/move"),
            Some(json!({"parent": {"page_id": c}})),
        )
        .await;
    assert_error(&cycle, 400, "validation_error");
    let missing = env
        .api(
            Method::POST,
            &format!("/v1/pages/{c}/move"),
            Some(json!({})),
        )
        .await;
    assert_error(&missing, 400, "validation_error");

    // Into a data source: the page becomes a row.
    let db = env
        .api(
            Method::POST,
            "/v1/databases",
            Some(json!({"parent": {"page_id": a}, "title": [{"text": {"content": "Rows"}}]})),
        )
        .await;
    let ds = db.json["data_sources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let row = env
        .client
        .move_page(
            &env.token,
            &c,
            &MovePageRequest {
                parent: PageParent::DataSourceId(ds.clone()),
            },
        )
        .await
        .unwrap();
    assert!(
        matches!(row.parent, Some(Parent::DataSourceId { ref data_source_id, .. }) if *data_source_id == ds)
    );
    assert_eq!(row.title(), "C");
    assert!(row.properties.contains_key("Name"));
    assert!(!markdown(&env, &b).await.contains("<page"));
}

#[tokio::test]
async fn create_with_children_blocks() {
    let env = start(Seed::Empty).await;
    let parent = page(&env, "Root", "").await;
    let created = env
        .client
        .create_page(
            &env.token,
            &CreatePageRequest::blocks(
                PageParent::PageId(parent.clone()),
                "With blocks",
                vec![
                    NewBlock::new(notion::BlockContent::heading(1, "Top")),
                    NewBlock::paragraph("Text").with_children(vec![NewBlock::paragraph("nested")]),
                ],
            ),
        )
        .await
        .unwrap();
    let blocks = env
        .client
        .list_all_block_children(&env.token, &created.id)
        .await
        .unwrap();
    assert_eq!(types(&blocks), ["heading_1", "paragraph"]);
    assert!(blocks[1].has_children);
    assert_eq!(markdown(&env, &created.id).await, "# Top\nText\n\tnested");

    // The same limits as appending.
    let many: Vec<Value> = (0..101)
        .map(|_| json!({"paragraph": {"rich_text": []}}))
        .collect();
    let raw = env
        .api(
            Method::POST,
            "/v1/pages",
            Some(json!({"parent": {"page_id": parent}, "children": many})),
        )
        .await;
    assert_error(&raw, 400, "validation_error");
    let deep = json!([{"toggle": {"rich_text": [], "children": [{"toggle": {"rich_text": [],
        "children": [{"paragraph": {"rich_text": []}}]}}]}}]);
    let raw = env
        .api(
            Method::POST,
            "/v1/pages",
            Some(json!({"parent": {"page_id": parent}, "children": deep})),
        )
        .await;
    assert_error(&raw, 400, "validation_error");
    // Nothing half-created.
    let kids = env
        .client
        .list_all_block_children(&env.token, &parent)
        .await
        .unwrap();
    assert_eq!(kids.len(), 1);
    let _ = AppendBlockChildren::default();
}

#[tokio::test]
async fn a_restored_sub_page_returns_to_its_parent_body() {
    let env = start(Seed::Empty).await;
    let parent = page(&env, "Parent", "text").await;
    let child = sub_page(&env, &parent, "Kid").await;
    env.client
        .update_page(&env.token, &child, &UpdatePageRequest::trash(true))
        .await
        .unwrap();
    // A write to the parent while the child is in the trash drops its block.
    env.client
        .update_page_markdown(
            &env.token,
            &parent,
            &notion::UpdatePageMarkdown::replace_content("new text"),
        )
        .await
        .unwrap();
    env.client
        .update_page(&env.token, &child, &UpdatePageRequest::trash(false))
        .await
        .unwrap();
    let md = markdown(&env, &parent).await;
    assert!(md.starts_with("new text\n<page url="), "{md}");
    assert!(md.ends_with(">Kid</page>"), "{md}");
}

#[tokio::test]
async fn headings_become_toggleable_and_back() {
    let env = start(Seed::Empty).await;
    let p = page(&env, "H", "## Title\nafter").await;
    let heading = env
        .client
        .list_all_block_children(&env.token, &p)
        .await
        .unwrap()[0]
        .id
        .clone();
    let path = format!("/v1/blocks/{heading}");
    let on = env
        .api(
            Method::PATCH,
            &path,
            Some(json!({"heading_2": {"is_toggleable": true}})),
        )
        .await;
    assert_eq!(on.json["heading_2"]["is_toggleable"], true, "{}", on.text);
    env.client
        .append_block_children(
            &env.token,
            &heading,
            &AppendBlockChildren::new(vec![NewBlock::paragraph("inside")]),
        )
        .await
        .unwrap();
    assert_eq!(
        markdown(&env, &p).await,
        "## Title {toggle=\"true\"}\n\tinside\nafter"
    );
    // With children it must stay toggleable.
    let off = env
        .api(
            Method::PATCH,
            &path,
            Some(json!({"heading_2": {"is_toggleable": false}})),
        )
        .await;
    assert_error(&off, 400, "validation_error");
}

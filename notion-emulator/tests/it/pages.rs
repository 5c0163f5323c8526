//! POST /v1/pages (markdown) and GET /v1/pages/{id}.

use notion::{CreatePageRequest, PageParent, Parent};
use notion_emulator::Seed;
use reqwest::Method;
use serde_json::json;

use crate::support::{assert_error, start};

fn create(parent: PageParent, title: Option<&str>, markdown: &str) -> CreatePageRequest {
    CreatePageRequest {
        parent,
        title: title.map(str::to_string),
        markdown: Some(markdown.to_string()),
        ..Default::default()
    }
}

#[tokio::test]
async fn create_then_retrieve_a_workspace_page() {
    let env = start(Seed::Empty).await;
    let page = env
        .client
        .create_page(
            &env.token,
            &create(
                PageParent::Workspace,
                Some("Design Spec"),
                "Intro\n## Goals\n- Fast",
            ),
        )
        .await
        .unwrap();
    assert_eq!(page.title(), "Design Spec");
    assert_eq!(page.parent, Some(Parent::Workspace));
    assert!(!page.in_trash && !page.is_archived && !page.is_locked);
    assert_eq!(page.created_by.as_ref().unwrap().id, env.bot_id);
    assert_eq!(page.last_edited_by.as_ref().unwrap().id, env.bot_id);
    let compact = page.id.replace('-', "");
    assert_eq!(
        page.url,
        format!("https://app.notion.com/p/Design-Spec-{compact}")
    );
    assert_eq!(page.public_url, None);
    let created = page.created_time.unwrap().to_string();
    assert!(created.ends_with(":00.000Z"), "minute-floored: {created}");

    let fetched = env
        .client
        .retrieve_page(&env.token, &page.id)
        .await
        .unwrap();
    assert_eq!(fetched.id, page.id);
    assert_eq!(fetched.title(), "Design Spec");
    // Undashed ids are accepted in paths.
    let undashed = env
        .client
        .retrieve_page(&env.token, &compact)
        .await
        .unwrap();
    assert_eq!(undashed.id, page.id);
    let md = env
        .client
        .get_page_markdown(&env.token, &page.id)
        .await
        .unwrap();
    assert_eq!(md.markdown, "Intro\n## Goals\n- Fast");
}

#[tokio::test]
async fn without_a_title_the_first_h1_becomes_the_title() {
    let env = start(Seed::Empty).await;
    let page = env
        .client
        .create_page(
            &env.token,
            &create(
                PageParent::Workspace,
                None,
                "# Release Notes\nVersion 2 is out.",
            ),
        )
        .await
        .unwrap();
    assert_eq!(page.title(), "Release Notes");
    let md = env
        .client
        .get_page_markdown(&env.token, &page.id)
        .await
        .unwrap();
    assert_eq!(md.markdown, "Version 2 is out.");
}

#[tokio::test]
async fn archived_key_follows_the_version() {
    let env = start(Seed::Demo).await;
    let id = env.seeded_page_id("Roadmap");
    let current = env.api(Method::GET, &format!("/v1/pages/{id}"), None).await;
    assert_eq!(current.status, 200);
    assert!(current.json.get("archived").is_none());
    assert_eq!(current.json["in_trash"], false);
    let older = env
        .raw(
            Method::GET,
            &format!("/v1/pages/{id}"),
            Some(env.token.expose()),
            Some("2025-09-03"),
            None,
        )
        .await;
    assert_eq!(older.json["archived"], false);
}

#[tokio::test]
async fn a_sub_page_appears_in_its_parent_markdown() {
    let env = start(Seed::Empty).await;
    let parent = env
        .client
        .create_page(
            &env.token,
            &create(PageParent::Workspace, Some("Docs"), "Index"),
        )
        .await
        .unwrap();
    let child = env
        .client
        .create_page(
            &env.token,
            &create(
                PageParent::PageId(parent.id.clone()),
                Some("API"),
                "Endpoints",
            ),
        )
        .await
        .unwrap();
    assert_eq!(child.parent, Some(Parent::PageId(parent.id.clone())));
    let md = env
        .client
        .get_page_markdown(&env.token, &parent.id)
        .await
        .unwrap();
    let compact = child.id.replace('-', "");
    assert_eq!(
        md.markdown,
        format!("Index\n<page url=\"https://www.notion.so/{compact}\">API</page>")
    );
}

#[tokio::test]
async fn unknown_and_malformed_ids() {
    let env = start(Seed::Empty).await;
    let missing = "00000000-0000-4000-8000-000000000000";
    let err = env
        .client
        .retrieve_page(&env.token, missing)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    let raw = env
        .api(Method::GET, &format!("/v1/pages/{missing}"), None)
        .await;
    assert_error(&raw, 404, "object_not_found");
    assert_eq!(
        raw.json["additional_data"]["integration_id"],
        env.bot_id.as_str()
    );
    assert!(raw.json["message"].as_str().unwrap().contains(missing));
    assert_error(
        &env.api(Method::GET, "/v1/pages/not-a-uuid", None).await,
        400,
        "validation_error",
    );
}

#[tokio::test]
async fn bad_create_bodies() {
    let env = start(Seed::Empty).await;
    assert_error(
        &env.api_bytes(Method::POST, "/v1/pages", "{not json").await,
        400,
        "invalid_json",
    );
    assert_error(
        &env.api(Method::POST, "/v1/pages", Some(json!({"markdown": "x"})))
            .await,
        400,
        "validation_error",
    );
    assert_error(
        &env.api(
            Method::POST,
            "/v1/pages",
            Some(json!({"parent": {"page_id": "nope"}})),
        )
        .await,
        400,
        "validation_error",
    );
    let body =
        json!({"parent": {"workspace": true}, "properties": {"Status": {"select": {"name": "x"}}}});
    assert_error(
        &env.api(Method::POST, "/v1/pages", Some(body)).await,
        400,
        "validation_error",
    );
    let body = json!({"parent": {"data_source_id": "00000000-0000-4000-8000-000000000000"}, "markdown": "x"});
    assert_error(
        &env.api(Method::POST, "/v1/pages", Some(body)).await,
        404,
        "object_not_found",
    );
    let body =
        json!({"parent": {"workspace": true}, "markdown": "x", "children": [{"paragraph": {}}]});
    assert_error(
        &env.api(Method::POST, "/v1/pages", Some(body)).await,
        400,
        "validation_error",
    );
    let long = "x".repeat(2001);
    let body = json!({"parent": {"workspace": true}, "properties": {"title": [{"text": {"content": long}}]}});
    assert_error(
        &env.api(Method::POST, "/v1/pages", Some(body)).await,
        400,
        "validation_error",
    );
}

#[tokio::test]
async fn the_recorded_request_forms_are_accepted() {
    // notion-sdk-py sends `properties.title` as a bare array and an empty `children`.
    let env = start(Seed::Empty).await;
    let parent = env
        .client
        .create_page(&env.token, &create(PageParent::Workspace, Some("Root"), ""))
        .await
        .unwrap();
    let body = json!({"parent": {"page_id": parent.id.replace('-', "")},
        "properties": {"title": [{"text": {"content": "Test 2026-07-04 11:08:14.736683"}}]}, "children": []});
    let raw = env.api(Method::POST, "/v1/pages", Some(body)).await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    assert_eq!(
        raw.json["properties"]["title"]["title"][0]["plain_text"],
        "Test 2026-07-04 11:08:14.736683"
    );
    let compact = raw.json["id"].as_str().unwrap().replace('-', "");
    assert_eq!(
        raw.json["url"],
        format!("https://app.notion.com/p/Test-2026-07-04-11-08-14-736683-{compact}").as_str()
    );
}

#[tokio::test]
async fn a_restricted_token_sees_only_what_was_shared_and_what_it_created() {
    let env = start(Seed::Demo).await;
    let handbook = env.seeded_page_id("Team Handbook");
    let roadmap = env.seeded_page_id("Roadmap");
    let onboarding = env.seeded_page_id("Onboarding Checklist");
    let minted = env
        .emu
        .handle()
        .mint_token_for_pages("Scoped", &[&handbook])
        .unwrap();
    let token = notion::AccessToken::new(minted.token);
    env.client.retrieve_page(&token, &handbook).await.unwrap();
    // Descendants of a shared page are shared too.
    env.client.retrieve_page(&token, &onboarding).await.unwrap();
    let err = env
        .client
        .retrieve_page(&token, &roadmap)
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    let err = env
        .client
        .get_page_markdown(&token, &roadmap)
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    let own = env
        .client
        .create_page(&token, &create(PageParent::Workspace, Some("Mine"), "x"))
        .await
        .unwrap();
    env.client.retrieve_page(&token, &own.id).await.unwrap();
    let err = env
        .client
        .create_page(
            &token,
            &create(PageParent::PageId(roadmap.clone()), Some("Sneaky"), "x"),
        )
        .await
        .unwrap_err();
    assert!(err.is_not_found());
}

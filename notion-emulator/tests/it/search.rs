//! POST /v1/search.

use notion::{SearchFilter, SearchRequest, UpdatePageMarkdown};
use notion_emulator::Seed;
use reqwest::Method;
use serde_json::json;

use crate::support::{assert_error, start};

#[tokio::test]
async fn finds_pages_by_title() {
    let env = start(Seed::Demo).await;
    let req = SearchRequest {
        query: Some("road".into()),
        filter: Some(SearchFilter::Page),
        ..Default::default()
    };
    let res = env.client.search(&env.token, &req).await.unwrap();
    let titles: Vec<String> = res.results.iter().map(|r| r.title()).collect();
    assert_eq!(titles, vec!["Roadmap"]);
    assert!(!res.has_more);
    assert_eq!(res.next_cursor, None);
    assert_eq!(res.kind.as_deref(), Some("page_or_data_source"));
    let none = env
        .client
        .search(
            &env.token,
            &SearchRequest {
                query: Some("roadmap".into()),
                filter: Some(SearchFilter::DataSource),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(none.results.is_empty());
}

#[tokio::test]
async fn paginates_with_cursors() {
    let env = start(Seed::Demo).await;
    let all = env
        .client
        .search(&env.token, &SearchRequest::default())
        .await
        .unwrap();
    assert_eq!(
        all.results.len(),
        4,
        "three top-level pages and one sub-page"
    );
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = env
            .client
            .search(
                &env.token,
                &SearchRequest {
                    page_size: Some(1),
                    start_cursor: cursor.clone(),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.results.len(), 1);
        seen.push(page.results[0].id().unwrap().to_string());
        if !page.has_more {
            break;
        }
        cursor = page.next_cursor;
    }
    let expected: Vec<String> = all
        .results
        .iter()
        .map(|r| r.id().unwrap().to_string())
        .collect();
    assert_eq!(seen, expected);

    let raw = env
        .api(
            Method::POST,
            "/v1/search",
            Some(json!({"start_cursor": "bogus"})),
        )
        .await;
    assert_error(&raw, 400, "validation_error");
    let raw = env
        .api(Method::POST, "/v1/search", Some(json!({"page_size": 101})))
        .await;
    assert_error(&raw, 400, "validation_error");
    let raw = env
        .api(
            Method::POST,
            "/v1/search",
            Some(json!({"filter": {"property": "object", "value": "database"}})),
        )
        .await;
    assert_error(&raw, 400, "validation_error");
}

#[tokio::test]
async fn respects_sharing_and_trash() {
    let env = start(Seed::Demo).await;
    let roadmap = env.seeded_page_id("Roadmap");
    let scoped = env
        .emu
        .handle()
        .mint_token_for_pages("Scoped", &[&roadmap])
        .unwrap();
    let token = notion::AccessToken::new(scoped.token);
    let res = env
        .client
        .search(&token, &SearchRequest::default())
        .await
        .unwrap();
    let titles: Vec<String> = res.results.iter().map(|r| r.title()).collect();
    assert_eq!(titles, vec!["Roadmap"]);

    // Deleting the sub-page (allowed) takes it out of search.
    let handbook = env.seeded_page_id("Team Handbook");
    let md = env
        .client
        .get_page_markdown(&env.token, &handbook)
        .await
        .unwrap();
    let without_child: Vec<&str> = md
        .markdown
        .lines()
        .filter(|l| !l.starts_with("<page "))
        .collect();
    env.client
        .update_page_markdown(
            &env.token,
            &handbook,
            &UpdatePageMarkdown::ReplaceContent {
                new_str: without_child.join("\n"),
                allow_deleting_content: true,
            },
        )
        .await
        .unwrap();
    let res = env
        .client
        .search(
            &env.token,
            &SearchRequest {
                query: Some("Onboarding".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(res.results.is_empty());
}

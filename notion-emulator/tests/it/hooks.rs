//! The /__emulator test hooks.

use notion::SearchRequest;
use notion_emulator::Seed;
use reqwest::Method;
use serde_json::json;

use crate::support::{into_raw, start};

#[tokio::test]
async fn ledger_records_every_v1_call_without_secrets() {
    let env = start(Seed::Demo).await;
    env.client.users_me(&env.token).await.unwrap();
    env.client
        .search(&env.token, &SearchRequest::default())
        .await
        .unwrap();
    let _ = env.raw(Method::GET, "/v1/users/me", None, None, None).await;
    let _ = env
        .raw(Method::GET, "/__emulator/state", None, None, None)
        .await;

    let ledger = env
        .raw(Method::GET, "/__emulator/ledger", None, None, None)
        .await;
    let entries = ledger.json.as_array().unwrap();
    assert_eq!(entries.len(), 3, "hooks are not recorded: {}", ledger.text);
    assert_eq!(entries[0]["method"], "GET");
    assert_eq!(entries[0]["path"], "/v1/users/me");
    assert_eq!(entries[0]["status"], 200);
    assert_eq!(entries[1]["path"], "/v1/search");
    assert_eq!(entries[2]["status"], 400);
    assert!(entries[0]["duration_ms"].as_f64().is_some());
    assert!(entries[1]["seq"].as_u64() > entries[0]["seq"].as_u64());
    let hint = entries[0]["token_hint"].as_str().unwrap();
    assert!(!hint.is_empty() && !env.token.expose().contains(hint));
    assert!(entries[2]["token_hint"].is_null());
    assert!(!ledger.text.contains(env.token.expose()));
    assert_eq!(env.emu.handle().ledger().len(), 3);

    let cleared = env
        .raw(Method::DELETE, "/__emulator/ledger", None, None, None)
        .await;
    assert_eq!(cleared.status, 204);
    assert!(env.emu.handle().ledger().is_empty());
}

#[tokio::test]
async fn reset_state_tokens_and_html_view() {
    let env = start(Seed::Demo).await;
    let minted = env
        .raw(
            Method::POST,
            "/__emulator/tokens",
            None,
            None,
            Some(json!({"name": "Hook minted"})),
        )
        .await;
    assert_eq!(minted.status, 200, "{}", minted.text);
    assert_eq!(minted.json["workspace_name"], "Acme Docs");
    let token = notion::AccessToken::new(minted.json["token"].as_str().unwrap().to_string());
    assert_eq!(
        env.client.users_me(&token).await.unwrap().name.as_deref(),
        Some("Hook minted")
    );

    let state = env
        .raw(Method::GET, "/__emulator/state", None, None, None)
        .await;
    assert_eq!(state.json["workspace"]["name"], "Acme Docs");
    assert_eq!(state.json["pages"].as_object().unwrap().len(), 4);
    assert!(
        !state.text.contains(env.token.expose()),
        "secrets are stored hashed"
    );

    let html = into_raw(env.http.get(env.url("/__emulator/")).send().await.unwrap()).await;
    assert_eq!(html.status, 200);
    for title in [
        "Team Handbook",
        "Roadmap",
        "Meeting Notes",
        "Onboarding Checklist",
    ] {
        assert!(html.text.contains(title), "{title} listed");
    }
    let handbook = env.seeded_page_id("Team Handbook");
    let page = into_raw(
        env.http
            .get(env.url(&format!("/__emulator/pages/{handbook}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(page.text.contains("## Values"), "the page's markdown shown");

    env.client
        .create_page(
            &env.token,
            &notion::CreatePageRequest {
                parent: notion::PageParent::Workspace,
                title: Some("Extra".into()),
                markdown: None,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let reset = env
        .raw(Method::POST, "/__emulator/reset", None, None, None)
        .await;
    assert_eq!(reset.status, 204);
    assert!(env.emu.handle().find_pages("Extra").is_empty());
    assert_eq!(env.emu.handle().find_pages("Roadmap").len(), 1);
    assert!(env.emu.handle().ledger().is_empty());
    // Tokens do not survive a reset.
    assert!(env
        .client
        .users_me(&env.token)
        .await
        .unwrap_err()
        .is_unauthorized());
}

#[tokio::test]
async fn empty_seed_has_no_pages() {
    let env = start(Seed::Empty).await;
    let found = env
        .client
        .search(&env.token, &SearchRequest::default())
        .await
        .unwrap();
    assert!(found.results.is_empty());
    assert_eq!(env.emu.handle().workspace_name(), "Acme Docs");
}

//! The Notion OAuth popup flow through the relay and the emulator.

use crate::helpers::{consent, location, Db, TestApp};

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn connecting_notion_stores_a_sealed_token() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(5).await;
    app.connect_notion(&client).await;
    let status = client.connection().await.unwrap();
    assert!(status.connected);
    assert!(!status.workspace.unwrap().name.is_empty());
    // Another user is not connected by it.
    assert!(!app.login(6).await.connection().await.unwrap().connected);
}

#[tokio::test]
async fn a_forged_state_is_400() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let http = no_redirects();
    for state in ["forged", "abc.def", ""] {
        let url = app
            .url
            .join(&format!("oauth/notion/callback?code=x&state={state}"))
            .unwrap();
        assert_eq!(
            http.get(url).send().await.unwrap().status(),
            400,
            "state {state:?}"
        );
    }
    let url = app.url.join("oauth/notion/callback?code=x").unwrap();
    assert_eq!(http.get(url).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn a_state_works_once_and_tickets_are_single_use() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(5).await;
    let http = no_redirects();
    let start = app.oauth_start_url(&client).await;
    let resp = http.get(start.clone()).send().await.unwrap();
    assert!(resp.status().is_redirection());
    let authorize = location(&resp);
    // The ticket is spent.
    assert_eq!(http.get(start).send().await.unwrap().status(), 400);
    let callback = consent(&http, &authorize, true).await;
    assert_eq!(
        http.get(callback.clone()).send().await.unwrap().status(),
        200
    );
    // Replaying the callback (same state) is refused.
    assert_eq!(http.get(callback).send().await.unwrap().status(), 400);
    // An unknown ticket is refused.
    let bogus = app.url.join("oauth/notion/start?ticket=bogus").unwrap();
    assert_eq!(http.get(bogus).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn declining_consent_connects_nothing() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(5).await;
    let http = no_redirects();
    let start = app.oauth_start_url(&client).await;
    let authorize = location(&http.get(start).send().await.unwrap());
    let callback = consent(&http, &authorize, false).await;
    assert!(callback
        .query()
        .unwrap_or_default()
        .contains("error=access_denied"));
    let resp = http.get(callback).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(!client.connection().await.unwrap().connected);
}

#[tokio::test]
async fn disconnect_removes_the_connection() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(5).await;
    app.connect_notion(&client).await;
    let resp = reqwest::Client::new()
        .delete(app.url.join("api/connection").unwrap())
        .bearer_auth(client_token(&app, 5).await)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert!(!client.connection().await.unwrap().connected);
}

async fn client_token(app: &TestApp, user: i64) -> String {
    let mut c = app.client();
    c.open_session(&app.replit_token(user))
        .await
        .unwrap()
        .session_token
}

/// The relay's state on the test's database, for calling its internals directly.
async fn relay_state(app: &TestApp) -> server::startup::AppState {
    use clap::Parser;
    let config = server::config::Config::parse_from([
        "relay",
        "--secret-key",
        crate::helpers::SECRET_KEY,
        "--replit-extension-id",
        "x",
        "--database-url",
        &app.database_url,
        "--notion-client-id",
        crate::helpers::CLIENT_ID,
        "--notion-client-secret",
        crate::helpers::CLIENT_SECRET,
        "--notion-api-base",
        app.emulator.base_url().as_str(),
    ]);
    let settings = config.validate().unwrap();
    let store = server::store::Store::connect(&settings.database_url)
        .await
        .unwrap();
    server::startup::build_state(settings, store, app.url.clone()).unwrap()
}

#[tokio::test]
async fn a_refused_token_is_rotated_once_even_when_two_requests_refresh_together() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(201).await;
    app.connect_notion(&client).await;
    let state = relay_state(&app).await;
    let (_, old) = server::sync::notion_token(&state, 201).await.unwrap();
    let (a, b) = tokio::join!(
        server::notion_auth::refresh(&state, 201, &old),
        server::notion_auth::refresh(&state, 201, &old)
    );
    let (a, b) = (
        a.unwrap().expect("a new token"),
        b.unwrap().expect("a new token"),
    );
    assert_eq!(
        a.expose(),
        b.expose(),
        "both requests end with the winner's token"
    );
    assert_ne!(a.expose(), old.expose());
    let (_, stored) = server::sync::notion_token(&state, 201).await.unwrap();
    assert_eq!(stored.expose(), a.expose(), "the rotated pair is stored");
    // The new token works, and the connection still syncs.
    state
        .notion
        .users_me(&stored)
        .await
        .expect("the rotated token works");
    // A request still holding the old token adopts the new one without refreshing again.
    let again = server::notion_auth::refresh(&state, 201, &old)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.expose(), a.expose());
}

#[tokio::test]
async fn an_internal_integration_token_connects_without_oauth() {
    let app = TestApp::spawn_internal(Db::Sqlite).await.unwrap();
    let client = app.login(212).await;
    let status = client.connection().await.unwrap();
    assert!(
        status.connected,
        "connected through NOTION_TOKEN, no consent screen"
    );
    assert!(!status.workspace.unwrap().name.is_empty());
    assert!(
        client.search("").await.is_ok(),
        "the page picker works with the internal token"
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_in_the_middle_of_a_sync() {
    use crate::sync::{action, linked, Panel};
    use protocol::session::ItemAction;
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let l = linked(&app, 202, "notes.md", "# Notes\n\nFirst.\n").await;
    let state = relay_state(&app).await;
    let (_, before) = server::sync::notion_token(&state, 202).await.unwrap();
    // Notion stops accepting the access token; the refresh token still works.
    app.emulator.handle().expire_oauth_access_tokens();
    let mut file = Some("# Notes\n\nFirst.\n\nSecond.\n".to_string());
    let (_, result) = Panel { client: &l.client }
        .sync(&l.mapping, "notes.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Pushed, "{result:?}");
    assert!(l.notion.markdown(&l.page_id).await.contains("Second."));
    let (_, after) = server::sync::notion_token(&state, 202).await.unwrap();
    assert_ne!(
        after.expose(),
        before.expose(),
        "the pair was rotated and stored"
    );
    let ledger = app.emulator.ledger().await;
    assert!(
        ledger.iter().any(|e| e.path == "/v1/oauth/token"),
        "the relay refreshed through the token endpoint"
    );
}

//! users/me, authentication, versioning and generic error answers.

use notion::AccessToken;
use notion_emulator::Seed;
use reqwest::Method;

use crate::support::{assert_error, start, VERSION};

#[tokio::test]
async fn users_me_returns_the_bot_and_its_workspace() {
    let env = start(Seed::Demo).await;
    let me = env.client.users_me(&env.token).await.unwrap();
    assert!(me.is_bot());
    assert_eq!(me.id, env.bot_id);
    assert_eq!(me.name.as_deref(), Some("Test integration"));
    assert_eq!(me.workspace_name(), Some("Acme Docs"));
    let bot = me.bot.unwrap();
    assert_eq!(
        bot.owner,
        Some(notion::BotOwner::Workspace { workspace: true })
    );
    assert!(bot.workspace_limits.is_some());
    assert!(me.request_id.is_some());
}

#[tokio::test]
async fn a_bad_token_is_unauthorized() {
    let env = start(Seed::Empty).await;
    let err = env
        .client
        .users_me(&AccessToken::new("ntn_nope".into()))
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    assert!(err.request_id().is_some());
    let raw = env
        .raw(Method::GET, "/v1/users/me", None, Some(VERSION), None)
        .await;
    assert_error(&raw, 401, "unauthorized");
    assert_eq!(raw.json["message"], "API token is invalid.");
    assert_eq!(
        raw.headers
            .get("x-notion-request-id")
            .and_then(|v| v.to_str().ok()),
        raw.json["request_id"].as_str()
    );
}

#[tokio::test]
async fn notion_version_is_required_and_checked() {
    let env = start(Seed::Empty).await;
    let missing = env
        .raw(
            Method::GET,
            "/v1/users/me",
            Some(env.token.expose()),
            None,
            None,
        )
        .await;
    assert_error(&missing, 400, "missing_version");
    // The version is checked before the token, as Notion does.
    let missing_both = env.raw(Method::GET, "/v1/users/me", None, None, None).await;
    assert_error(&missing_both, 400, "missing_version");
    let unknown = env
        .raw(
            Method::GET,
            "/v1/users/me",
            Some(env.token.expose()),
            Some("1999-01-01"),
            None,
        )
        .await;
    assert_error(&unknown, 400, "validation_error");
    let old = env
        .raw(
            Method::GET,
            "/v1/users/me",
            Some(env.token.expose()),
            Some("2022-06-28"),
            None,
        )
        .await;
    assert_eq!(old.status, 200);
    assert!(old.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json; charset=utf-8"));
}

#[tokio::test]
async fn unknown_paths_and_methods_are_invalid_request_urls() {
    let env = start(Seed::Empty).await;
    assert_error(
        &env.api(Method::GET, "/v1/nope", None).await,
        400,
        "invalid_request_url",
    );
    assert_error(
        &env.api(Method::DELETE, "/v1/search", None).await,
        400,
        "invalid_request_url",
    );
    let outside = env.raw(Method::GET, "/elsewhere", None, None, None).await;
    assert_eq!(outside.status, 404);
}

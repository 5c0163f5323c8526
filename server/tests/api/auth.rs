//! Who may call the relay: Replit token verification and relay sessions (SPEC §5, §12).

use crate::helpers::{claims, mint, Db, TestApp, EXTENSION_ID};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ed25519_dalek::SigningKey;

async fn session_status(app: &TestApp, token: &str) -> u16 {
    let mut client = app.client();
    match client.open_session(token).await {
        Ok(_) => 200,
        Err(e) => e.status().expect("the relay answered"),
    }
}

#[tokio::test]
async fn a_valid_token_opens_a_session() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let mut client = app.client();
    let session = client.open_session(&app.replit_token(42)).await.unwrap();
    assert_eq!(session.user_id, 42);
    assert!(session.expires_at > server::now());
    assert!(!client.connection().await.unwrap().connected);
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_401() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let other = SigningKey::generate(&mut rand::rngs::OsRng);
    let now = server::now();
    let token = mint(&other, "test-key", claims(42, EXTENSION_ID, now, now + 300));
    assert_eq!(session_status(&app, &token).await, 401);
}

#[tokio::test]
async fn an_expired_token_is_401() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let now = server::now();
    let token = mint(
        &app.key,
        "test-key",
        claims(42, EXTENSION_ID, now - 3600, now - 600),
    );
    assert_eq!(session_status(&app, &token).await, 401);
}

#[tokio::test]
async fn forged_and_foreign_tokens_are_401() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let now = server::now();
    // Minted for another extension.
    let foreign = mint(
        &app.key,
        "test-key",
        claims(42, "another-extension", now, now + 300),
    );
    assert_eq!(session_status(&app, &foreign).await, 401);
    // Issued in the future.
    let future = mint(
        &app.key,
        "test-key",
        claims(42, EXTENSION_ID, now + 3600, now + 4000),
    );
    assert_eq!(session_status(&app, &future).await, 401);
    // alg "none": the payload of a valid token with the signature stripped.
    let valid = app.replit_token(42);
    let payload = valid.split('.').nth(1).unwrap();
    let none = format!(
        "{}.{payload}.",
        B64.encode(br#"{"typ":"JWT","alg":"none","kid":"test-key"}"#)
    );
    assert_eq!(session_status(&app, &none).await, 401);
    // HS256 with the public key as the secret (algorithm confusion).
    let hs = format!(
        "{}.{payload}.AAAA",
        B64.encode(br#"{"typ":"JWT","alg":"HS256","kid":"test-key"}"#)
    );
    assert_eq!(session_status(&app, &hs).await, 401);
    // A tampered payload under a valid signature.
    let parts: Vec<&str> = valid.split('.').collect();
    let tampered_payload =
        B64.encode(serde_json::to_vec(&claims(1, EXTENSION_ID, now, now + 300)).unwrap());
    let tampered = format!("{}.{tampered_payload}.{}", parts[0], parts[2]);
    assert_eq!(session_status(&app, &tampered).await, 401);
    // A key id that is not a plain identifier never reaches a URL or a file name.
    let bad_kid = mint(
        &app.key,
        "../../etc",
        claims(42, EXTENSION_ID, now, now + 300),
    );
    assert_eq!(session_status(&app, &bad_kid).await, 401);
    assert_eq!(session_status(&app, "not a jwt").await, 401);
}

#[tokio::test]
async fn api_routes_need_a_valid_session() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let anonymous = app.client();
    assert_eq!(
        anonymous.connection().await.unwrap_err().status(),
        Some(401)
    );
    let forged = app.client().with_session_token("eyJ1aWQiOjF9.c2ln");
    assert_eq!(
        forged.configurations().await.unwrap_err().status(),
        Some(401)
    );
    // A Replit token is not a relay session token.
    let confused = app.client().with_session_token(app.replit_token(1));
    assert_eq!(confused.ticket().await.unwrap_err().status(), Some(401));
}

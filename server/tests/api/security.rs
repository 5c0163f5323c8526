//! What must never leak: tokens and file contents in logs or at rest, and the API to foreign
//! browser origins (SPEC §5, §6, §12).

use crate::helpers::{Db, TestApp, SECRET_KEY};
use std::io::Write;
use std::sync::{Mutex, OnceLock};

/// Everything any test in this binary logs, at debug level.
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().map(|mut l| l.extend_from_slice(buf)).ok();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(|| Capture)
            .try_init();
    });
}

#[tokio::test]
async fn a_full_sync_logs_no_token_and_no_content_and_stores_no_plaintext_token() {
    capture_logs();
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(71).await;
    app.connect_notion(&client).await;
    let secret_content = "Quarterly numbers: CONFIDENTIAL-7f3a9c.\n";
    let mapping = crate::sync::new_page_mapping(&client, "secret.md").await;
    let mut file = Some(secret_content.to_string());
    crate::sync::Panel { client: &client }
        .sync(&mapping, "secret.md", &mut file)
        .await;

    // The token, as the relay holds it (sealed), opened with the test's SECRET_KEY.
    let store = server::store::Store::connect(&app.database_url)
        .await
        .unwrap();
    let conn = store.connection(71).await.unwrap().expect("connected");
    let secrets = server::crypto::Secrets::from_secret_key(SECRET_KEY);
    let token = secrets.open(&conn.access_token_enc).unwrap();
    assert!(token.len() >= 16);
    assert!(!conn.access_token_enc.contains(&token));

    // Not in the database files, byte for byte (main file and write-ahead log).
    for file in std::fs::read_dir(app.data_dir()).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        assert!(
            !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
            "a plaintext Notion token is in the database files"
        );
    }

    let logs = String::from_utf8_lossy(&LOGS.lock().unwrap()).to_string();
    assert!(!logs.is_empty(), "logs were captured");
    assert!(!logs.contains(&token), "a Notion token was logged");
    assert!(
        !logs.contains("CONFIDENTIAL-7f3a9c"),
        "file content was logged"
    );
    let replit_token = app.replit_token(71);
    let signature = replit_token.rsplit('.').next().unwrap();
    assert!(!logs.contains(signature), "a Replit token was logged");
}

#[tokio::test]
async fn foreign_browser_origins_are_refused() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let http = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        http.request(
            reqwest::Method::OPTIONS,
            app.url.join("api/connection").unwrap(),
        )
        .header("Origin", origin)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
    };
    let foreign = preflight("https://evil.example").await.unwrap();
    assert!(foreign
        .headers()
        .get("access-control-allow-origin")
        .is_none());
    let own_origin = app.url.origin().ascii_serialization();
    let own = http
        .request(
            reqwest::Method::OPTIONS,
            app.url.join("api/connection").unwrap(),
        )
        .header("Origin", &own_origin)
        .header("Access-Control-Request-Method", "GET")
        .header("Access-Control-Request-Headers", "authorization")
        .send()
        .await
        .unwrap();
    assert_eq!(
        own.headers()
            .get("access-control-allow-origin")
            .and_then(|v| v.to_str().ok()),
        Some(own_origin.as_str())
    );
}

#[tokio::test]
async fn metrics_count_requests_and_notion_calls_by_route_without_ids() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let l = crate::sync::linked(&app, 81, "metrics.md", "Counted.\n").await;
    l.client.configurations().await.unwrap();
    let text = reqwest::get(app.url.join("metrics").unwrap())
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("relay_http_requests_total"), "{text}");
    assert!(
        text.contains(r#"route="/api/sync/configurations""#),
        "{text}"
    );
    assert!(text.contains(r#"route="/api/session""#));
    assert!(
        text.contains(r#"relay_notion_requests_total{route="/v1/pages",status="200"} 1"#),
        "the page creation is counted: {text}"
    );
    assert!(
        text.contains(r#"route="/v1/pages/{id}/markdown""#),
        "{text}"
    );
    assert!(text.contains("relay_jobs_pending"), "{text}");
    assert!(!text.contains(&l.page_id), "no ids in metrics");
}

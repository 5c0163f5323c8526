//! Background work: webhooks and schedules queue remote checks; workers on any replica run each
//! job once, within Notion's rate for the token.

use crate::helpers::{fresh_postgres_url, Db, TestApp, SECRET_KEY};
use crate::sync::Linked;
use futures_util::StreamExt;
use protocol::api::SyncEvent;
use std::time::{Duration, Instant};

const FAST_WORKERS: &[&str] = &["--job-poll-interval-ms", "20"];

/// Waits for a `remote_changed` event for `mapping` on the user's socket.
async fn remote_changed(app: &TestApp, l: &Linked, within: Duration) -> bool {
    let mut ws = crate::ws::socket(app, &l.client.ticket().await.unwrap().ticket)
        .await
        .unwrap();
    let deadline = Instant::now() + within;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline.into(), ws.next()).await {
        if let Ok(SyncEvent::RemoteChanged { mapping_id }) =
            serde_json::from_str(msg.to_text().unwrap_or_default())
        {
            if mapping_id == l.mapping {
                return true;
            }
        }
    }
    false
}

#[tokio::test]
async fn a_notion_webhook_makes_open_panels_sync() {
    let app = TestApp::spawn_with(Db::Sqlite, FAST_WORKERS).await.unwrap();
    let l = crate::sync::linked(&app, 131, "w.md", "Hook.\n").await;
    let config: notion_emulator::WebhookConfig = serde_json::from_value(serde_json::json!({
        "url": app.url.join("webhooks/notion").unwrap().as_str(),
        "client_id": crate::helpers::CLIENT_ID,
        "aggregation_window_ms": 50,
        "delivery_delay_ms": 50,
        "retry_base_ms": 200,
    }))
    .unwrap();
    let handle = app.emulator.handle();
    handle.subscribe_webhooks(config).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !handle.webhook_status().verified {
        assert!(
            Instant::now() < deadline,
            "the relay answered Notion's verification handshake"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (changed, _) = tokio::join!(remote_changed(&app, &l, Duration::from_secs(15)), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        l.notion
            .replace(&l.page_id, "Hook, edited in Notion.")
            .await;
    });
    assert!(
        changed,
        "the signed webhook led to a remote check and a remote_changed event"
    );
}

#[tokio::test]
async fn unsigned_or_badly_signed_webhooks_are_401() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let http = reqwest::Client::new();
    let url = app.url.join("webhooks/notion").unwrap();
    let event = r#"{"id":"e1","type":"page.content_updated","entity":{"id":"59833787-2cf9-4fdf-8782-e53db20768a5","type":"page"}}"#;
    // Before verification nothing is accepted.
    let resp = http
        .post(url.clone())
        .header("X-Notion-Signature", "sha256=00")
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = http
        .post(url.clone())
        .json(&serde_json::json!({"verification_token": "secret_test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Unsigned events are not verification requests.
    assert_eq!(
        http.post(url.clone())
            .body(event)
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let wrong = notion_emulator::webhook_signature("secret_other", event.as_bytes());
    let resp = http
        .post(url.clone())
        .header("X-Notion-Signature", wrong)
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let right = notion_emulator::webhook_signature("secret_test", event.as_bytes());
    let resp = http
        .post(url.clone())
        .header("X-Notion-Signature", &right)
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // A replay of the same delivery is accepted and ignored.
    let resp = http
        .post(url)
        .header("X-Notion-Signature", &right)
        .body(event)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn auto_sync_checks_notion_on_schedule() {
    let app = TestApp::spawn_with(
        Db::Sqlite,
        &[
            "--job-poll-interval-ms",
            "20",
            "--scheduler-interval-secs",
            "1",
        ],
    )
    .await
    .unwrap();
    let l = crate::sync::linked(&app, 141, "a.md", "Auto.\n").await;
    let update = protocol::api::UpdateMapping {
        auto_sync: Some(true),
        sync_interval_secs: Some(60),
        ..Default::default()
    };
    l.client.update_mapping(&l.mapping, &update).await.unwrap();
    l.notion
        .replace(&l.page_id, "Auto, edited in Notion.")
        .await;
    assert!(
        remote_changed(&app, &l, Duration::from_secs(10)).await,
        "the scheduled check noticed the edit"
    );
}

#[tokio::test]
async fn a_user_cannot_start_more_syncs_than_the_limit() {
    let app = TestApp::spawn_with(Db::Sqlite, &["--max-sync-operations-per-minute", "3"])
        .await
        .unwrap();
    let l = crate::sync::linked(&app, 151, "r.md", "Rate.\n").await;
    let manifest = protocol::session::Manifest {
        mapping_id: l.mapping.clone(),
        files: vec![],
        dry_run: true,
        ..Default::default()
    };
    // The first sync (in `linked`) counts too.
    l.client.start_session(&manifest).await.unwrap();
    l.client.start_session(&manifest).await.unwrap();
    let err = l.client.start_session(&manifest).await.unwrap_err();
    assert_eq!(err.status(), Some(429));
    // Other users are not affected.
    let other = app.login(152).await;
    app.connect_notion(&other).await;
    let m = crate::sync::new_page_mapping(&other, "o.md").await;
    let manifest = protocol::session::Manifest {
        mapping_id: m,
        files: vec![],
        dry_run: true,
        ..Default::default()
    };
    other.start_session(&manifest).await.unwrap();
}

/// A relay process (the real binary) on the given database.
struct Replica(std::process::Child);

impl Replica {
    fn start(database_url: &str, notion_api: &url::Url, key_file: &std::path::Path) -> Replica {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_relay"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .args([
                "--port",
                "0",
                "--secret-key",
                SECRET_KEY,
                "--replit-extension-id",
                "replicas",
            ])
            .arg("--replit-key-source")
            .arg(key_file)
            .args([
                "--database-url",
                database_url,
                "--notion-api-base",
                notion_api.as_str(),
            ])
            .args([
                "--sync-worker-concurrency",
                "4",
                "--job-poll-interval-ms",
                "20",
                "--scheduler-interval-secs",
                "0",
            ])
            .args(["--notion-requests-per-second", "30", "--log-level", "warn"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("relay binary");
        let stdout = child.stdout.take().unwrap();
        let mut first = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut first)
            .unwrap();
        assert!(first.starts_with("listening on"), "relay started: {first}");
        Replica(child)
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .arg(self.0.id().to_string())
            .status();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn two_replicas_run_each_job_once_within_the_shared_rate() {
    let Some(database_url) = fresh_postgres_url().await else {
        return;
    };
    let store = server::store::Store::connect(&database_url).await.unwrap();
    // The emulator's rate limit runs 10× Notion's pace, like the relays' pacing (30/s).
    let emulator = notion_emulator::spawn(notion_emulator::EmulatorConfig {
        time_scale: 10.0,
        ..crate::helpers::emulator_config()
    })
    .await
    .unwrap();
    let token = emulator.mint_integration_token().await;
    let notion =
        notion::NotionClient::new(notion::ClientConfig::with_base_url(emulator.base_url()));
    let page = notion
        .create_page(
            &notion::AccessToken::new(token.clone()),
            &notion::CreatePageRequest::markdown(None, "Shared", "Body"),
        )
        .await
        .unwrap();
    // One user whose 50 mappings all point at that page, each with a base and a queued check.
    let secrets = server::crypto::Secrets::from_secret_key(SECRET_KEY);
    let conn = store
        .upsert_connection(
            &server::store::NewConnection {
                user_id: 7,
                installation_id: "i".into(),
                workspace_id: "w".into(),
                workspace_name: "W".into(),
                workspace_icon: None,
                bot_id: "b".into(),
                access_token_enc: secrets.seal(&token),
                refresh_token_enc: None,
            },
            server::now(),
        )
        .await
        .unwrap();
    let mut jobs = Vec::new();
    for i in 0..50 {
        let m = store
            .insert_mapping(
                &server::store::NewMapping {
                    user_id: 7,
                    configuration_id: conn.id.clone(),
                    kind: "file_page".into(),
                    repl_id: None,
                    path: format!("f{i}.md"),
                    notion_page_id: None,
                    notion_parent_page_id: None,
                    direction: "bidirectional".into(),
                    strategy: "merge".into(),
                },
                server::now(),
            )
            .await
            .unwrap();
        store
            .set_mapping_page(&m.id, &page.id, None, "Shared", server::now())
            .await
            .unwrap();
        store
            .put_item(
                &server::store::ItemBase {
                    mapping_id: m.id.clone(),
                    path: m.path.clone(),
                    notion_page_id: page.id.clone(),
                    local_hash: "l".into(),
                    remote_hash: "r".into(),
                    base_text: String::new(),
                    remote_markdown: String::new(),
                    title: "Shared".into(),
                    title_from_h1: false,
                    properties: "{}".into(),
                },
                server::now(),
            )
            .await
            .unwrap();
        jobs.push(
            store
                .enqueue_job(7, &m.id, "check_remote", 0, server::now())
                .await
                .unwrap()
                .unwrap(),
        );
    }
    emulator.clear_ledger().await;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("key.pem");
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePublicKey};
    std::fs::write(
        &key_file,
        key.verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
    .unwrap();
    let started = Instant::now();
    let a = Replica::start(&database_url, &emulator.base_url(), &key_file);
    let b = Replica::start(&database_url, &emulator.base_url(), &key_file);
    while store.pending_jobs().await.unwrap() > 0 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the replicas drained the queue"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop((a, b));

    let mut workers = std::collections::BTreeSet::new();
    for id in &jobs {
        let job = store.job(id).await.unwrap().unwrap();
        assert_eq!(
            (job.status.as_str(), job.attempts, job.last_error.as_deref()),
            ("done", 1, None),
            "job {id} ran exactly once"
        );
        workers.insert(
            job.worker
                .unwrap_or_default()
                .split('-')
                .next()
                .unwrap_or_default()
                .to_string(),
        );
    }
    eprintln!("replicas that ran jobs: {workers:?}");
    // Every job read the page once, and the reads kept to the shared rate (30/s here).
    let reads: Vec<_> = emulator
        .ledger()
        .await
        .into_iter()
        .filter(|e| e.method == "GET")
        .collect();
    assert_eq!(reads.len(), 50, "one Notion read per job, no duplicates");
    let first = reads
        .iter()
        .map(|e| e.received_at_ms)
        .fold(f64::INFINITY, f64::min);
    let last = reads.iter().map(|e| e.received_at_ms).fold(0.0, f64::max);
    let span_ms = last - first;
    // 50 requests at 30/s with a burst of 5 need at least (50 - 5) intervals of 33 ms.
    assert!(
        span_ms >= 45.0 * 33.0 * 0.9,
        "rate kept across replicas: 50 reads in {span_ms} ms"
    );
    let rate = 49.0 / (span_ms / 1000.0);
    eprintln!("combined rate: {rate:.1} req/s (limit 30, i.e. 3/s at Notion's pace)");
}

//! Webhooks: handshake, signatures, payload shape, aggregation, retries, sharing and order.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use notion::{CreatePageRequest, UpdatePageMarkdown};
use notion_emulator::{EmulatorConfig, RateLimit, Seed, WebhookConfig};
use serde_json::Value;

use crate::support::{start_with, Env};

/// What the receiver got: the signature header (if any) and the JSON body, raw and parsed.
#[derive(Debug, Clone)]
struct Received {
    signature: Option<String>,
    raw: Vec<u8>,
    json: Value,
}

#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    /// Answer 500 to this many event deliveries (not the handshake) first.
    fail_first: Arc<AtomicUsize>,
}

impl Receiver {
    async fn serve(self) -> String {
        let app = Router::new().route("/hook", post(receive)).with_state(self);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        url
    }

    fn all(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    fn events(&self) -> Vec<Received> {
        self.all()
            .into_iter()
            .filter(|r| r.json.get("verification_token").is_none())
            .collect()
    }

    /// Waits (bounded) until `pred` holds for the received events.
    async fn wait_for(&self, what: &str, pred: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..200 {
            let events = self.events();
            if pred(&events) {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("timed out waiting for {what}; got {:#?}", self.all());
    }
}

async fn receive(State(rx): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let is_event = json.get("verification_token").is_none();
    rx.got.lock().unwrap().push(Received {
        signature: headers
            .get("x-notion-signature")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        raw: body.to_vec(),
        json,
    });
    if is_event
        && rx
            .fail_first
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
    {
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    StatusCode::OK
}

async fn env() -> Env {
    start_with(EmulatorConfig {
        seed: Seed::Demo,
        time_scale: 60.0,
        rate_limit: RateLimit::Off,
        ..EmulatorConfig::default()
    })
    .await
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/../../shared/fixtures/notion/notionrs/notionrs_webhooks/src/events/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).expect("fixture")).expect("json")
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn handshake_then_signed_aggregated_events_shaped_like_notions() {
    let env = env().await;
    let rx = Receiver::default();
    let url = rx.clone().serve().await;
    let subscribed = env
        .emu
        .handle()
        .subscribe_webhooks(WebhookConfig::new(&url))
        .unwrap();

    // The handshake: the verification token, unsigned, once.
    for _ in 0..200 {
        if !rx.all().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let first = rx.all().first().cloned().expect("handshake sent");
    assert_eq!(
        first.json["verification_token"],
        subscribed.verification_token.as_str()
    );
    assert!(subscribed.verification_token.starts_with("secret_"));
    assert!(first.signature.is_none());

    // A page is created, then edited twice within the aggregation window.
    let page = env
        .client
        .create_page(
            &env.token,
            &CreatePageRequest::markdown(None, "Hooked", "First line\nSecond line"),
        )
        .await
        .unwrap();
    for (old, new) in [("First line", "First edit"), ("Second line", "Second edit")] {
        env.client
            .update_page_markdown(
                &env.token,
                &page.id,
                &UpdatePageMarkdown::update_content(vec![notion::ContentUpdate::new(old, new)]),
            )
            .await
            .unwrap();
    }
    let events = rx
        .wait_for("page.created and one page.content_updated", |e| {
            e.iter().any(|r| r.json["type"] == "page.content_updated")
        })
        .await;
    let types: Vec<&str> = events
        .iter()
        .filter_map(|r| r.json["type"].as_str())
        .collect();
    assert_eq!(
        types,
        ["page.created", "page.content_updated"],
        "aggregated"
    );

    for r in &events {
        let signature = r.signature.as_deref().expect("signed");
        assert_eq!(
            signature,
            notion_emulator::webhook_signature(&subscribed.verification_token, &r.raw)
        );
        assert_eq!(r.json["entity"]["id"], page.id.as_str());
        assert_eq!(r.json["entity"]["type"], "page");
        assert_eq!(r.json["attempt_number"], 1);
        assert_eq!(r.json["workspace_name"], "Acme Docs");
        assert_eq!(
            r.json["subscription_id"],
            subscribed.subscription_id.as_str()
        );
        assert_eq!(r.json["authors"][0]["type"], "bot");
        assert_eq!(r.json["data"]["parent"]["type"], "space");
    }
    let updated = &events[1].json;
    assert_eq!(
        updated["data"]["updated_blocks"].as_array().unwrap().len(),
        2,
        "both edited blocks, merged: {updated}"
    );
    // Same keys as Notion's recorded payloads (plus `api_version`, which Notion added later;
    // `accessible_by` is only for public integrations).
    for (got, name) in [
        (&events[0].json, "page.created.json"),
        (updated, "page.content_updated.json"),
    ] {
        let mut expected = keys(&fixture(name));
        expected.insert("api_version".into());
        expected.remove("accessible_by");
        assert_eq!(keys(got), expected, "{name}");
        assert_eq!(
            keys(&got["data"]),
            keys(&fixture(name)["data"]),
            "{name} data"
        );
    }
    let status = env.emu.handle().webhook_status();
    assert!(status.verified);
    assert_eq!(status.pending, 0);
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_the_attempt_number() {
    let env = env().await;
    let rx = Receiver::default();
    rx.fail_first.store(2, Ordering::SeqCst);
    let url = rx.clone().serve().await;
    env.emu
        .handle()
        .subscribe_webhooks(WebhookConfig {
            retry_base_ms: 600, // 10 ms at scale 60
            ..WebhookConfig::new(&url)
        })
        .unwrap();
    env.client
        .create_page(
            &env.token,
            &CreatePageRequest::markdown(None, "Retry me", ""),
        )
        .await
        .unwrap();
    let events = rx.wait_for("three attempts", |e| e.len() >= 3).await;
    let attempts: Vec<u64> = events
        .iter()
        .map(|r| r.json["attempt_number"].as_u64().unwrap())
        .collect();
    assert_eq!(attempts, [1, 2, 3]);
    let ids: BTreeSet<&str> = events
        .iter()
        .filter_map(|r| r.json["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 1, "the same event each time");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rx.events().len(), 3, "delivered once it was accepted");
    let log = env.emu.handle().webhook_status().deliveries;
    let statuses: Vec<Option<u16>> = log
        .iter()
        .filter(|d| d.kind == "page.created")
        .map(|d| d.status)
        .collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(200)]);
}

#[tokio::test]
async fn only_content_shared_with_the_subscriber_produces_events() {
    let env = env().await;
    let roadmap = env.seeded_page_id("Roadmap");
    let handbook = env.seeded_page_id("Team Handbook");
    let subscriber = env
        .emu
        .handle()
        .mint_token_for_pages("Subscriber", &[&roadmap])
        .unwrap();
    let rx = Receiver::default();
    let url = rx.clone().serve().await;
    env.emu
        .handle()
        .subscribe_webhooks(WebhookConfig {
            bot_id: Some(subscriber.bot_id.clone()),
            ..WebhookConfig::new(&url)
        })
        .unwrap();
    for page in [&handbook, &roadmap] {
        let md = env
            .client
            .get_page_markdown(&env.token, page)
            .await
            .unwrap();
        env.client
            .update_page_markdown(
                &env.token,
                page,
                &UpdatePageMarkdown::replace_content(&format!("{}\nAppended.", md.markdown)),
            )
            .await
            .unwrap();
    }
    let events = rx.wait_for("the Roadmap edit", |e| !e.is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let events = if rx.events().len() > events.len() {
        rx.events()
    } else {
        events
    };
    let entities: Vec<&str> = events
        .iter()
        .filter_map(|r| r.json["entity"]["id"].as_str())
        .collect();
    assert_eq!(
        entities,
        [roadmap.as_str()],
        "the Team Handbook is not shared"
    );
    assert_eq!(events[0].json["integration_id"], subscriber.bot_id.as_str());
    // Every change is still in the event log.
    let logged: Vec<_> = env
        .emu
        .handle()
        .events()
        .into_iter()
        .filter(|e| e.kind == "page.content_updated")
        .collect();
    assert_eq!(logged.len(), 2);
}

#[tokio::test]
async fn out_of_order_delivery_for_receivers_that_must_cope() {
    let env = env().await;
    let rx = Receiver::default();
    let url = rx.clone().serve().await;
    env.emu
        .handle()
        .subscribe_webhooks(WebhookConfig {
            out_of_order: true,
            aggregation_window_ms: 30_000, // 500 ms at scale 60: all three fall in one batch
            ..WebhookConfig::new(&url)
        })
        .unwrap();
    let mut created = Vec::new();
    for title in ["One", "Two", "Three"] {
        let page = env
            .client
            .create_page(&env.token, &CreatePageRequest::markdown(None, title, ""))
            .await
            .unwrap();
        created.push(page.id);
    }
    let events = rx.wait_for("three events", |e| e.len() >= 3).await;
    let order: Vec<&str> = events
        .iter()
        .filter_map(|r| r.json["entity"]["id"].as_str())
        .collect();
    created.reverse();
    assert_eq!(order, created, "newest first");
    let stamps: Vec<&str> = events
        .iter()
        .filter_map(|r| r.json["timestamp"].as_str())
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] >= w[1]), "{stamps:?}");
}

#[tokio::test]
async fn hooks_subscribe_inspect_and_unsubscribe() {
    let env = env().await;
    let rx = Receiver::default();
    let url = rx.clone().serve().await;
    let bad = env
        .raw(
            reqwest::Method::POST,
            "/__emulator/webhooks",
            None,
            None,
            Some(serde_json::json!({"url": "ftp://example.invalid/"})),
        )
        .await;
    crate::support::assert_hook_error(&bad);
    let ok = env
        .raw(
            reqwest::Method::POST,
            "/__emulator/webhooks",
            None,
            None,
            Some(serde_json::json!({"url": url, "event_types": ["page.created"]})),
        )
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert!(ok.json["verification_token"].is_string());
    env.client
        .create_page(
            &env.token,
            &CreatePageRequest::markdown(None, "Filtered", "x"),
        )
        .await
        .unwrap();
    rx.wait_for("page.created", |e| !e.is_empty()).await;
    let status = env
        .raw(
            reqwest::Method::GET,
            "/__emulator/webhooks",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(status.json["verified"], true);
    assert_eq!(status.json["subscription"]["url"], url.as_str());
    assert!(status.json["deliveries"].as_array().unwrap().len() >= 2);
    let events = env
        .raw(reqwest::Method::GET, "/__emulator/events", None, None, None)
        .await;
    assert_eq!(events.json[0]["type"], "page.created");
    let gone = env
        .raw(
            reqwest::Method::DELETE,
            "/__emulator/webhooks",
            None,
            None,
            None,
        )
        .await;
    assert_eq!(gone.status, 204);
    assert!(env.emu.handle().webhook_status().subscription.is_none());
}

#[tokio::test]
async fn data_source_schema_changes_are_delivered_with_notions_shape() {
    let env = env().await;
    let rx = Receiver::default();
    let url = rx.clone().serve().await;
    env.emu
        .handle()
        .subscribe_webhooks(WebhookConfig {
            event_types: Some(vec!["data_source.schema_updated".into()]),
            ..WebhookConfig::new(&url)
        })
        .unwrap();
    let roadmap = env.seeded_page_id("Roadmap");
    let created = env
        .api(
            reqwest::Method::POST,
            "/v1/databases",
            Some(serde_json::json!({
                "parent": {"type": "page_id", "page_id": roadmap},
                "title": [{"type": "text", "text": {"content": "Tasks"}}],
                "initial_data_source": {"properties": {"Name": {"title": {}}}}
            })),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.text);
    let ds = created.json["data_sources"][0]["id"]
        .as_str()
        .expect("a data source")
        .to_string();
    let patched = env
        .api(
            reqwest::Method::PATCH,
            &format!("/v1/data_sources/{ds}"),
            Some(serde_json::json!({"properties": {"Notes": {"rich_text": {}}}})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let events = rx.wait_for("schema_updated", |e| !e.is_empty()).await;
    let event = &events[0].json;
    assert_eq!(event["entity"]["id"], ds.as_str());
    assert_eq!(event["entity"]["type"], "data_source");
    let change = &event["data"]["updated_properties"][0];
    assert_eq!(change["name"], "Notes");
    assert_eq!(change["action"], "created");
    let expected = fixture("data_source.schema_updated.json");
    assert_eq!(keys(&event["data"]), keys(&expected["data"]));
    assert_eq!(
        keys(change),
        keys(&expected["data"]["updated_properties"][0])
    );
}

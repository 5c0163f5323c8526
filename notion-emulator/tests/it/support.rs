//! Shared setup: a running emulator, a client, a token, and raw-HTTP helpers.

use notion::{AccessToken, ClientConfig, NotionClient, Pacing, RetryPolicy};
use notion_emulator::{EmulatorConfig, RateLimit, RunningEmulator, Seed};
use serde_json::Value;

pub const VERSION: &str = "2026-03-11";

pub struct Env {
    pub emu: RunningEmulator,
    pub client: NotionClient,
    pub token: AccessToken,
    pub bot_id: String,
    pub http: reqwest::Client,
}

/// Raw answer: status, headers and JSON (or `Value::Null` for non-JSON bodies).
pub struct Raw {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub json: Value,
    pub text: String,
}

/// An emulator without a rate limit: functional tests do not measure pacing (the rate-limit
/// tests configure it themselves through [`start_with`]).
pub async fn start(seed: Seed) -> Env {
    start_with(EmulatorConfig {
        seed,
        rate_limit: RateLimit::Off,
        ..EmulatorConfig::default()
    })
    .await
}

pub async fn start_with(config: EmulatorConfig) -> Env {
    let emu = notion_emulator::spawn(config)
        .await
        .expect("emulator starts");
    let minted = emu.handle().mint_token("Test integration");
    let client = client_for(&emu);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("http client");
    Env {
        client,
        token: AccessToken::new(minted.token),
        bot_id: minted.bot_id,
        http,
        emu,
    }
}

/// A client with retries off, so tests see every answer as sent, paced to stay within the
/// emulator's rate limit (not paced when it has none).
pub fn client_for(emu: &RunningEmulator) -> NotionClient {
    let client = NotionClient::new(ClientConfig::with_base_url(emu.base_url()))
        .with_retry_policy(RetryPolicy::none());
    let handle = emu.handle();
    match handle.rate_limit() {
        RateLimit::Off => client.without_pacing(),
        RateLimit::PerSecond { rate, burst } => {
            let pacing = Pacing::new(rate, (burst / 2).max(1))
                .expect("the emulator's rate limit is valid")
                .scaled(handle.time_scale());
            client.with_pacing(pacing)
        }
    }
}

impl Env {
    pub fn url(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.emu.base_url().as_str().trim_end_matches('/'),
            path
        )
    }

    /// A request with the test token and the current Notion-Version.
    pub async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Raw {
        self.raw(method, path, Some(self.token.expose()), Some(VERSION), body)
            .await
    }

    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        version: Option<&str>,
        body: Option<Value>,
    ) -> Raw {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(v) = version {
            req = req.header("Notion-Version", v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        into_raw(req.send().await.expect("request sent")).await
    }

    /// Sends raw bytes as a JSON body (for invalid_json tests).
    pub async fn api_bytes(&self, method: reqwest::Method, path: &str, body: &'static str) -> Raw {
        let req = self
            .http
            .request(method, self.url(path))
            .bearer_auth(self.token.expose())
            .header("Notion-Version", VERSION)
            .header("Content-Type", "application/json")
            .body(body);
        into_raw(req.send().await.expect("request sent")).await
    }

    /// Block ids of a page's body (top level), from the state dump.
    pub fn block_ids(&self, page_id: &str) -> Vec<String> {
        let state = self.emu.handle().state_json();
        state["pages"][page_id]["blocks"]
            .as_array()
            .map(|blocks| {
                blocks
                    .iter()
                    .filter_map(|b| b["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn seeded_page_id(&self, title: &str) -> String {
        self.emu
            .handle()
            .find_pages(title)
            .into_iter()
            .find(|p| p.title == title)
            .map(|p| p.id)
            .unwrap_or_else(|| panic!("seeded page {title} exists"))
    }
}

pub async fn into_raw(resp: reqwest::Response) -> Raw {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap_or_default();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Raw {
        status,
        headers,
        json,
        text,
    }
}

/// Asserts a Notion error object with this status and code, carrying a request id.
pub fn assert_error(raw: &Raw, status: u16, code: &str) {
    assert_eq!(raw.status, status, "status; body: {}", raw.text);
    assert_eq!(raw.json["object"], "error", "body: {}", raw.text);
    assert_eq!(raw.json["status"], status);
    assert_eq!(raw.json["code"], code, "body: {}", raw.text);
    assert!(raw.json["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(
        raw.json["request_id"]
            .as_str()
            .is_some_and(|r| !r.is_empty()),
        "request_id: {}",
        raw.text
    );
}

/// A refused test-hook request: 400 with a Notion-style `validation_error` body (hooks are not
/// `/v1` requests, so they carry no request id).
pub fn assert_hook_error(raw: &Raw) {
    assert_eq!(raw.status, 400, "status; body: {}", raw.text);
    assert_eq!(raw.json["code"], "validation_error", "body: {}", raw.text);
    assert!(raw.json["message"].as_str().is_some_and(|m| !m.is_empty()));
}

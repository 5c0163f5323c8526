//! Client configuration.

use std::time::Duration;

/// The Notion-Version this project targets (SPEC §8 `NOTION_VERSION` default).
pub const DEFAULT_NOTION_VERSION: &str = "2026-03-11";

/// Notion's public API origin; requests go to `{base}/v1/...`.
pub const DEFAULT_BASE_URL: &str = "https://api.notion.com/";

/// Where and how to talk to Notion (or the emulator).
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// API origin, e.g. `https://api.notion.com/` or the emulator's `http://127.0.0.1:PORT/`.
    /// Never includes `/v1`.
    pub base_url: url::Url,
    /// Sent as `Notion-Version` on every request.
    pub notion_version: String,
    /// Per-attempt timeout (connect + response).
    pub timeout: Duration,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            base_url: url::Url::parse(DEFAULT_BASE_URL).expect("DEFAULT_BASE_URL is a valid URL"),
            notion_version: DEFAULT_NOTION_VERSION.to_string(),
            timeout: Duration::from_secs(60),
        }
    }
}

impl ClientConfig {
    /// The default config pointed at another origin (the emulator, a proxy).
    pub fn with_base_url(base_url: url::Url) -> Self {
        ClientConfig {
            base_url,
            ..ClientConfig::default()
        }
    }
}

/// When and how long to wait before retrying.
///
/// Kept modest: the relay's own pacing (per-token rate limiter, issue 4) is the first line of
/// defence; these retries only smooth over transient 429/529/5xx answers.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Retries after the first attempt (the official SDK uses 2).
    pub max_retries: u32,
    /// First back-off delay; doubles per retry, with jitter.
    pub base_delay: Duration,
    /// Cap on a computed back-off delay.
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for: the error is returned instead, so a
    /// caller holding a user's request is not parked for minutes.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Never retry (useful in tests that count requests).
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }
}

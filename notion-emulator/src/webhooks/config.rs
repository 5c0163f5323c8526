//! A webhook subscription's settings and what the hooks report about it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids;

/// A subscription (`POST /__emulator/webhooks` body; `--webhook-url` fills in the URL and the
/// OAuth client). Durations are at Notion's pace and divided by the time scale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    pub url: String,
    /// The subscribing public integration (OAuth client id): events only for what its bot
    /// sees, none before it is authorized.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Or the subscribing integration's bot id (e.g. a token minted through the hooks).
    /// With neither, every change produces an event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_id: Option<String>,
    /// Only these event types; all when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_types: Option<Vec<String>>,
    #[serde(default = "defaults::aggregation_window_ms")]
    pub aggregation_window_ms: u64,
    #[serde(default = "defaults::delivery_delay_ms")]
    pub delivery_delay_ms: u64,
    #[serde(default = "defaults::max_attempts")]
    pub max_attempts: u32,
    /// First retry after this long; doubles per attempt.
    #[serde(default = "defaults::retry_base_ms")]
    pub retry_base_ms: u64,
    #[serde(default)]
    pub out_of_order: bool,
}

mod defaults {
    pub fn aggregation_window_ms() -> u64 {
        10_000
    }
    pub fn delivery_delay_ms() -> u64 {
        5_000
    }
    pub fn max_attempts() -> u32 {
        8
    }
    pub fn retry_base_ms() -> u64 {
        60_000
    }
}

impl WebhookConfig {
    /// Notion's pacing for `url`, every change.
    pub fn new(url: impl Into<String>) -> Self {
        WebhookConfig {
            url: url.into(),
            client_id: None,
            bot_id: None,
            event_types: None,
            aggregation_window_ms: defaults::aggregation_window_ms(),
            delivery_delay_ms: defaults::delivery_delay_ms(),
            max_attempts: defaults::max_attempts(),
            retry_base_ms: defaults::retry_base_ms(),
            out_of_order: false,
        }
    }

    pub fn validate(&self) -> Result<url::Url, String> {
        let url = url::Url::parse(&self.url)
            .map_err(|e| format!("invalid webhook URL `{}`: {e}", self.url))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(format!("webhook URL `{}` must be http(s)", self.url));
        }
        if self.client_id.is_some() && self.bot_id.is_some() {
            return Err("a webhook subscription names `client_id` or `bot_id`, not both".into());
        }
        if let Some(bot) = &self.bot_id {
            ids::parse(bot).ok_or_else(|| format!("invalid bot id `{bot}`"))?;
        }
        if self.max_attempts == 0 {
            return Err("max_attempts must be at least 1".into());
        }
        Ok(url)
    }
}

/// What subscribing answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Subscribed {
    pub subscription_id: String,
    /// Also sent to the URL in the handshake; the HMAC key of every delivery.
    pub verification_token: String,
}

/// One delivery attempt, for `GET /__emulator/webhooks`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliveryRecord {
    /// `verification` for the handshake, else the event type.
    #[serde(rename = "type")]
    pub kind: String,
    pub event_id: Option<String>,
    pub entity_id: Option<String>,
    pub attempt_number: u32,
    /// The receiver's status; `None` when it did not answer.
    pub status: Option<u16>,
    pub error: Option<String>,
}

/// `GET /__emulator/webhooks`.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookStatus {
    pub subscription: Option<Value>,
    pub verified: bool,
    pub pending: usize,
    pub deliveries: Vec<DeliveryRecord>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn config_defaults_and_validation() {
        let c: WebhookConfig =
            serde_json::from_value(json!({"url": "http://127.0.0.1:9/hook"})).unwrap();
        assert_eq!(c, WebhookConfig::new("http://127.0.0.1:9/hook"));
        assert!(c.validate().is_ok());
        assert!(WebhookConfig::new("ftp://x/").validate().is_err());
        assert!(WebhookConfig::new("not a url").validate().is_err());
    }
}

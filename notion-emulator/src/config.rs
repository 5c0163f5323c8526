//! Emulator configuration (shared by the library and the binary's flags).

use std::net::{IpAddr, Ipv4Addr};
use std::str::FromStr;

use crate::faults::FaultPlan;
use crate::rate_limit::RateLimit;
use crate::webhooks::WebhookConfig;

/// What the workspace holds at start (and after `POST /__emulator/reset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seed {
    /// "Acme Docs" with a few realistic pages (Team Handbook, Roadmap, Meeting Notes, …).
    #[default]
    Demo,
    /// A workspace with no pages.
    Empty,
}

impl FromStr for Seed {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "demo" => Ok(Seed::Demo),
            "empty" => Ok(Seed::Empty),
            other => Err(format!(
                "unknown seed `{other}` (expected `demo` or `empty`)"
            )),
        }
    }
}

/// A registered public integration (OAuth client).
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthClientConfig {
    pub client_id: String,
    pub client_secret: String,
    /// Shown on the consent page and used as the bot's name.
    pub name: String,
    /// Allowed redirect URIs (exact match). Empty: any loopback `http(s)://127.0.0.1|localhost|[::1]`
    /// URI, which is what a developer running the relay on a random port needs.
    pub redirect_uris: Vec<String>,
}

impl std::fmt::Debug for OAuthClientConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthClientConfig")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("name", &self.name)
            .field("redirect_uris", &self.redirect_uris)
            .finish()
    }
}

impl OAuthClientConfig {
    pub const DEV_CLIENT_ID: &'static str = "notion-sync-dev";
    pub const DEV_CLIENT_SECRET: &'static str = "dev-secret";

    /// The development client every emulator knows unless told otherwise.
    pub fn dev() -> Self {
        OAuthClientConfig {
            client_id: Self::DEV_CLIENT_ID.into(),
            client_secret: Self::DEV_CLIENT_SECRET.into(),
            name: "Notion Sync for Replit (dev)".into(),
            redirect_uris: Vec::new(),
        }
    }

    /// A client that accepts any loopback redirect URI (what tests and local runs need).
    pub fn any_loopback(client_id: &str, client_secret: &str) -> Self {
        OAuthClientConfig {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            name: client_id.into(),
            redirect_uris: Vec::new(),
        }
    }

    /// A client that accepts exactly these redirect URIs.
    pub fn with_redirect_uris(
        client_id: &str,
        client_secret: &str,
        redirect_uris: Vec<String>,
    ) -> Self {
        OAuthClientConfig {
            redirect_uris,
            ..Self::any_loopback(client_id, client_secret)
        }
    }

    pub fn allows_redirect(&self, uri: &str) -> bool {
        if self.redirect_uris.is_empty() {
            return is_loopback_uri(uri);
        }
        self.redirect_uris.iter().any(|allowed| allowed == uri)
    }
}

fn is_loopback_uri(uri: &str) -> bool {
    let Ok(url) = url::Url::parse(uri) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// How to run an emulator.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    pub seed: Seed,
    /// Compresses Notion's time windows (minute rounding, code expiry, the rate limit's refill
    /// and `Retry-After`, webhook delays) by this factor.
    pub time_scale: f64,
    pub oauth_clients: Vec<OAuthClientConfig>,
    /// Per-token rate limit; Notion's (3 requests/s, bursts of 10) by default.
    pub rate_limit: RateLimit,
    /// Faults to inject; none by default.
    pub faults: FaultPlan,
    /// A webhook subscription to start with.
    pub webhook: Option<WebhookConfig>,
    /// A state dump (`GET /__emulator/state`) to start from instead of `seed`; a reset returns
    /// to it.
    pub seed_state: Option<serde_json::Value>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: Seed::Demo,
            time_scale: 1.0,
            oauth_clients: vec![OAuthClientConfig::dev()],
            rate_limit: RateLimit::default(),
            faults: FaultPlan::default(),
            webhook: None,
            seed_state: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_client_takes_any_loopback_redirect() {
        let dev = OAuthClientConfig::dev();
        assert!(dev.allows_redirect("http://127.0.0.1:4000/oauth/notion/callback"));
        assert!(dev.allows_redirect("http://localhost:1/cb"));
        assert!(dev.allows_redirect("http://[::1]:8080/cb"));
        assert!(!dev.allows_redirect("https://evil.example/cb"));
        assert!(!dev.allows_redirect("javascript:alert(1)"));
        let strict = OAuthClientConfig {
            redirect_uris: vec!["https://relay/cb".into()],
            ..dev
        };
        assert!(strict.allows_redirect("https://relay/cb"));
        assert!(!strict.allows_redirect("http://127.0.0.1/cb"));
    }
}

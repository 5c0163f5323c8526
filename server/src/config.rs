//! Configuration (SPEC §8): flags or environment variables, one struct, checked at start.
//!
//! A bad or missing setting fails at start with one line naming it, instead of a confusing error
//! on the first request.

use anyhow::{bail, Context};
use clap::Parser;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use url::Url;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "relay",
    about = "Notion Sync for Replit: the relay service",
    version
)]
pub struct Config {
    /// Address to bind.
    #[arg(long, env = "BIND", default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// Folder for the embedded SQLite database when DATABASE_URL is not set.
    #[arg(long, env = "DATA_DIR", default_value = ".data")]
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; default: a SQLite file in the data folder.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// At least 32 characters; encrypts Notion tokens and signs sessions, tickets and OAuth state.
    #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
    pub secret_key: String,
    /// The published extension's id; Replit tokens minted for any other extension are refused.
    #[arg(long, env = "REPLIT_EXTENSION_ID")]
    pub replit_extension_id: String,
    /// Where Replit's token-signing keys come from: `replit` (Replit's key endpoint), another URL
    /// base answering `{ok, value: PEM}` at `/data/extensions/publicKey/<kid>`, or a PEM file.
    #[arg(long, env = "REPLIT_KEY_SOURCE", default_value = "replit")]
    pub replit_key_source: String,
    /// The relay's public base URL (for the OAuth redirect); default: http://BIND:PORT.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<Url>,
    #[arg(long, env = "NOTION_CLIENT_ID")]
    pub notion_client_id: Option<String>,
    #[arg(long, env = "NOTION_CLIENT_SECRET", hide_env_values = true)]
    pub notion_client_secret: Option<String>,
    /// Default: PUBLIC_URL + /oauth/notion/callback.
    #[arg(long, env = "NOTION_REDIRECT_URI")]
    pub notion_redirect_uri: Option<Url>,
    /// Notion API base URL (the emulator's, in development and tests).
    #[arg(
        long,
        env = "NOTION_API_BASE",
        default_value = "https://api.notion.com/"
    )]
    pub notion_api_base: Url,
    #[arg(long, env = "NOTION_VERSION", default_value = "2026-03-11")]
    pub notion_version: String,
    /// Origins allowed to call the API from a browser (comma-separated), besides the relay's own.
    #[arg(long, env = "ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,
    /// A folder with the built panel, served at `/` (self-hosted mode).
    #[arg(long, env = "PANEL_DIR")]
    pub panel_dir: Option<PathBuf>,
    /// Tracing filter, e.g. `info` or `server=debug,tower_http=info`.
    #[arg(long, env = "LOG_LEVEL", default_value = "info")]
    pub log_level: String,
    /// Background workers running queued jobs (remote checks after webhooks and schedules).
    #[arg(long, env = "SYNC_WORKER_CONCURRENCY", default_value_t = 4)]
    pub sync_worker_concurrency: usize,
    /// Sync sessions a user may start per minute.
    #[arg(long, env = "MAX_SYNC_OPERATIONS_PER_MINUTE", default_value_t = 60)]
    pub max_sync_operations_per_minute: u32,
    /// Notion requests per second per token, for all replicas together (Notion allows 3).
    #[arg(long, env = "NOTION_REQUESTS_PER_SECOND", default_value_t = 3.0)]
    pub notion_requests_per_second: f64,
    /// How often idle workers look for due jobs, in milliseconds.
    #[arg(long, env = "JOB_POLL_INTERVAL_MS", default_value_t = 1000)]
    pub job_poll_interval_ms: u64,
    /// How often the scheduler queues auto-sync checks, in seconds (0: never).
    #[arg(long, env = "SCHEDULER_INTERVAL_SECS", default_value_t = 30)]
    pub scheduler_interval_secs: u64,
    /// The verification token Notion sent to the webhook URL; without it the relay keeps the one
    /// it receives (see --print-webhook-token).
    #[arg(long, env = "NOTION_WEBHOOK_SECRET", hide_env_values = true)]
    pub notion_webhook_secret: Option<String>,
    /// An internal integration token (self-hosting without OAuth): every user works in that
    /// integration's workspace, with the pages shared with it.
    #[arg(long, env = "NOTION_TOKEN", hide_env_values = true)]
    pub notion_token: Option<String>,
    /// Print the webhook verification token Notion sent (to paste into Notion), then exit.
    #[arg(long)]
    pub print_webhook_token: bool,
}

/// Where the keys that sign Replit extension tokens come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// Replit's own endpoint (production).
    Replit,
    /// Another server answering the same shape; http only on loopback.
    Url(Url),
    /// One PEM public key on disk, for any `kid` (development and tests).
    File(PathBuf),
}

pub const REPLIT_KEY_BASE: &str = "https://replit.com/";

impl KeySource {
    pub fn parse(s: &str) -> anyhow::Result<KeySource> {
        if s == "replit" {
            return Ok(KeySource::Replit);
        }
        if s.starts_with("http://") || s.starts_with("https://") {
            let url = Url::parse(s)
                .with_context(|| format!("REPLIT_KEY_SOURCE is not a valid URL: {s}"))?;
            if url.scheme() == "http" && !is_loopback(&url) {
                bail!(
                    "REPLIT_KEY_SOURCE: plain http is only allowed for a loopback address, got {s}"
                );
            }
            return Ok(KeySource::Url(url));
        }
        let path = PathBuf::from(s);
        if !path.is_file() {
            bail!("REPLIT_KEY_SOURCE names neither `replit`, a URL nor an existing PEM file: {s}");
        }
        Ok(KeySource::File(path))
    }

    /// The URL of the key for `kid`, when keys come from a server.
    pub fn key_url(&self, kid: &str) -> Option<Url> {
        let base = match self {
            KeySource::Replit => Url::parse(REPLIT_KEY_BASE).ok()?,
            KeySource::Url(u) => u.clone(),
            KeySource::File(_) => return None,
        };
        base.join(&format!("data/extensions/publicKey/{kid}")).ok()
    }
}

pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d == "localhost",
        None => false,
    }
}

/// Settings checked and derived once at start.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Config,
    pub key_source: KeySource,
    pub database_url: String,
    pub oauth: Option<OAuthSettings>,
}

#[derive(Debug, Clone)]
pub struct OAuthSettings {
    pub client_id: String,
    pub client_secret: String,
    /// Filled in once the listener is bound, if not configured.
    pub redirect_uri: Option<Url>,
}

impl Config {
    pub fn validate(self) -> anyhow::Result<Settings> {
        if self.secret_key.chars().count() < 32 {
            bail!("SECRET_KEY must be at least 32 characters (e.g. `openssl rand -hex 32`)");
        }
        if self.replit_extension_id.trim().is_empty() {
            bail!("REPLIT_EXTENSION_ID must name the published extension's id");
        }
        let key_source = KeySource::parse(&self.replit_key_source)?;
        let database_url = match &self.database_url {
            Some(url)
                if url.starts_with("sqlite:")
                    || url.starts_with("postgres:")
                    || url.starts_with("postgresql:") =>
            {
                url.clone()
            }
            Some(url) => bail!(
                "DATABASE_URL must start with sqlite: or postgres:, got `{}`",
                redact_url(url)
            ),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("relay.db").display()
            ),
        };
        if self.sync_worker_concurrency > 64 {
            bail!("SYNC_WORKER_CONCURRENCY must be at most 64");
        }
        if !(self.notion_requests_per_second > 0.0 && self.notion_requests_per_second <= 1000.0) {
            bail!("NOTION_REQUESTS_PER_SECOND must be above 0 (Notion allows 3)");
        }
        if self.max_sync_operations_per_minute == 0 {
            bail!("MAX_SYNC_OPERATIONS_PER_MINUTE must be at least 1");
        }
        let oauth = match (&self.notion_client_id, &self.notion_client_secret) {
            (Some(id), Some(secret)) => Some(OAuthSettings {
                client_id: id.clone(),
                client_secret: secret.clone(),
                redirect_uri: self.notion_redirect_uri.clone(),
            }),
            (None, None) => None,
            _ => bail!("NOTION_CLIENT_ID and NOTION_CLIENT_SECRET must be set together"),
        };
        Ok(Settings {
            config: self,
            key_source,
            database_url,
            oauth,
        })
    }

    pub fn socket_addr(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }
}

/// A database URL without its password, for error messages.
pub fn redact_url(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_source_never_trusts_remote_http() {
        assert_eq!(KeySource::parse("replit").unwrap(), KeySource::Replit);
        assert!(KeySource::parse("http://127.0.0.1:9000").is_ok());
        assert!(KeySource::parse("http://evil.example").is_err());
        assert!(KeySource::parse("https://keys.example").is_ok());
        assert!(KeySource::parse("/nonexistent/key.pem").is_err());
        let url = KeySource::Replit.key_url("abc").unwrap();
        assert_eq!(
            url.as_str(),
            "https://replit.com/data/extensions/publicKey/abc"
        );
    }

    fn base_config() -> Config {
        Config::parse_from([
            "relay",
            "--secret-key",
            "0123456789abcdef0123456789abcdef",
            "--replit-extension-id",
            "ext",
        ])
    }

    #[test]
    fn bad_settings_fail_with_their_name() {
        let mut c = base_config();
        c.secret_key = "short".into();
        assert!(c.validate().unwrap_err().to_string().contains("SECRET_KEY"));
        let mut c = base_config();
        c.database_url = Some("mysql://x".into());
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("DATABASE_URL"));
        let mut c = base_config();
        c.notion_client_id = Some("id".into());
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("NOTION_CLIENT_SECRET"));
        assert!(base_config().validate().is_ok());
    }
}

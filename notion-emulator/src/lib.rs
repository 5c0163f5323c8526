//! A stateful, in-memory stand-in for Notion's REST API, served over real HTTP on loopback.
//!
//! Tests, benchmarks and the offline demo run against it instead of api.notion.com. It keeps
//! pages as trees of blocks with ids, renders and parses Notion-flavored Markdown through the
//! `notion-markdown` crate, answers with the `notion` crate's models (so the JSON shape has one
//! definition), enforces `Notion-Version` and bearer auth, scopes every token to what was
//! shared with it, runs the OAuth consent flow, and records every `/v1` call in a ledger.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let emulator = notion_emulator::spawn(notion_emulator::EmulatorConfig::default()).await?;
//! let token = emulator.handle().mint_token("tests");
//! println!("{} {}", emulator.base_url(), token.token);
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```

mod app;
mod blockreq;
mod blocks;
mod config;
mod conn;
mod content;
mod convert;
mod databases;
mod edge;
mod edit;
mod errors;
pub mod events;
pub mod faults;
mod html;
mod ids;
mod infra;
mod ledger;
mod nfm;
mod objects;
mod paging;
mod persist;
mod properties;
mod query;
pub mod rate_limit;
mod routes;
mod schema;
mod seed;
mod state;
mod tasks;
pub mod testing;
mod time;
mod version;
mod views;
pub mod webhooks;

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use anyhow::Context as _;
use notion_markdown::Dialect;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Short name for [`OAuthClientConfig`].
pub use config::OAuthClientConfig as OAuthClient;
pub use config::{EmulatorConfig, OAuthClientConfig, Seed};
pub use faults::{FaultKind, FaultPlan, FaultRule};
pub use ledger::LedgerEntry;
pub use persist::LoadError;
pub use rate_limit::RateLimit;
pub use routes::hooks::MintedToken;
pub use webhooks::{sign as webhook_signature, WebhookConfig};

use app::AppState;

/// A page as the in-process handle reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageSummary {
    pub id: String,
    pub title: String,
    /// `None` for a top-level (workspace) page.
    pub parent_id: Option<String>,
    pub in_trash: bool,
}

/// In-process access to a running emulator's state, for tests that should not go through HTTP
/// to set up or inspect (the HTTP hooks under `/__emulator/` offer the same).
#[derive(Clone)]
pub struct EmulatorHandle {
    state: AppState,
}

impl EmulatorHandle {
    pub fn ledger(&self) -> Vec<LedgerEntry> {
        self.state.ledger.entries()
    }

    pub fn clear_ledger(&self) {
        self.state.ledger.clear();
    }

    /// Mints an internal-integration token that sees every page.
    pub fn mint_token(&self, name: &str) -> MintedToken {
        routes::hooks::mint(&self.state, name, None)
    }

    /// Mints a token that sees only `page_ids` and their descendants (and what it creates).
    pub fn mint_token_for_pages(
        &self,
        name: &str,
        page_ids: &[&str],
    ) -> anyhow::Result<MintedToken> {
        let pages = page_ids
            .iter()
            .map(|p| ids::parse(p).with_context(|| format!("invalid page id `{p}`")))
            .collect::<anyhow::Result<BTreeSet<_>>>()?;
        Ok(routes::hooks::mint(&self.state, name, Some(pages)))
    }

    /// Every OAuth access token stops working (401); refresh tokens still work.
    pub fn expire_oauth_access_tokens(&self) {
        self.state.lock().expire_oauth_access_tokens();
    }

    /// Back to the seed; drops pages, integrations, tokens and the ledger.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// The whole workspace as JSON (secrets only as hashes).
    pub fn state_json(&self) -> serde_json::Value {
        serde_json::to_value(&*self.state.lock()).unwrap_or(serde_json::Value::Null)
    }

    /// The per-token rate limit in force (at Notion's pace; see [`EmulatorHandle::time_scale`]).
    pub fn rate_limit(&self) -> RateLimit {
        self.state.infra.limiter.limit()
    }

    /// The time scale the emulator runs at.
    pub fn time_scale(&self) -> f64 {
        self.state.infra.time_scale
    }

    /// Replaces the fault plan (same as `POST /__emulator/faults`).
    pub fn set_faults(&self, plan: FaultPlan) -> Result<(), String> {
        plan.validate()?;
        self.state.infra.faults.set(plan);
        Ok(())
    }

    /// Subscribes a webhook URL (same as `POST /__emulator/webhooks`); the answer carries the
    /// verification token, also sent to the URL in the handshake.
    pub fn subscribe_webhooks(
        &self,
        config: WebhookConfig,
    ) -> Result<webhooks::Subscribed, String> {
        self.state.infra.webhooks.subscribe(config)
    }

    /// The subscription, pending events and delivery attempts.
    pub fn webhook_status(&self) -> webhooks::WebhookStatus {
        self.state.infra.webhooks.status()
    }

    /// Recent change events recorded by mutations (what webhooks are made from), oldest first.
    pub fn events(&self) -> Vec<events::ChangeEvent> {
        self.state.infra.webhooks.recent_events()
    }

    /// Replaces the workspace with a dump made by [`EmulatorHandle::state_json`] (same as
    /// `PUT /__emulator/state`).
    pub fn load_state(&self, dump: serde_json::Value) -> Result<(), LoadError> {
        let store = persist::load(dump)?;
        *self.state.lock() = store;
        Ok(())
    }

    /// Blocks a Markdown GET renders before it truncates (Notion: about 20 000). Lower it to
    /// exercise `truncated` and `unknown_block_ids` without building huge pages.
    pub fn set_markdown_render_cap(&self, blocks: usize) {
        self.state.lock().objects.tuning.markdown_render_cap = blocks;
    }

    /// How long an async task stays queued and how long a finished one can be polled (both at
    /// Notion's pace; the time scale divides them).
    pub fn set_async_task_timing(&self, delay: std::time::Duration, ttl: std::time::Duration) {
        let mut store = self.state.lock();
        let tuning = &mut store.objects.tuning;
        tuning.async_task_delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        tuning.async_task_ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
    }

    pub fn workspace_name(&self) -> String {
        self.state.lock().workspace.name.clone()
    }

    /// A page's Markdown (v1) regardless of sharing; `None` if there is no such page.
    pub fn page_markdown(&self, page_id: &str) -> Option<String> {
        let id = ids::parse(page_id)?;
        let store = self.state.lock();
        let page = store.pages.get(&id)?;
        Some(views::page_markdown(&store, page, Dialect::V1).markdown)
    }

    /// Pages whose title contains `title` (case-insensitive), oldest first.
    pub fn find_pages(&self, title: &str) -> Vec<PageSummary> {
        let needle = title.to_lowercase();
        let store = self.state.lock();
        let mut pages: Vec<_> = store
            .pages
            .values()
            .filter(|p| p.title_text().to_lowercase().contains(&needle))
            .collect();
        pages.sort_by_key(|p| p.seq);
        pages
            .into_iter()
            .map(|p| PageSummary {
                id: ids::dashed(p.id),
                title: p.title_text(),
                parent_id: match p.parent {
                    state::PageParentRef::Workspace => None,
                    state::PageParentRef::Page(parent) => Some(ids::dashed(parent)),
                    state::PageParentRef::DataSource(ds) => Some(ids::dashed(ds)),
                },
                in_trash: p.in_trash,
            })
            .collect()
    }
}

/// A served emulator. Dropping it stops the server too; [`RunningEmulator::shutdown`] also
/// waits for in-flight requests to finish.
pub struct RunningEmulator {
    addr: SocketAddr,
    handle: EmulatorHandle,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT/`: give this to `notion::ClientConfig::base_url`.
    pub fn base_url(&self) -> url::Url {
        let host = match self.addr.ip() {
            ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip => ip,
        };
        let authority = SocketAddr::new(host, self.addr.port());
        url::Url::parse(&format!("http://{authority}/"))
            .expect("a socket address always formats as a valid URL authority")
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn handle(&self) -> EmulatorHandle {
        self.handle.clone()
    }

    /// Shortcut for `handle().mint_token(..)`: a token that sees every page.
    pub async fn mint_integration_token(&self) -> String {
        self.handle.mint_token("Test integration").token
    }

    /// Shortcut for `handle().ledger()`.
    pub async fn ledger(&self) -> Vec<LedgerEntry> {
        self.handle.ledger()
    }

    /// Shortcut for `handle().clear_ledger()`.
    pub async fn clear_ledger(&self) {
        self.handle.clear_ledger()
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(mut self) {
        self.handle.state.infra.stop();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningEmulator {
    fn drop(&mut self) {
        self.handle.state.infra.stop();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Binds (port 0 picks a free one), seeds the workspace and serves in a background task.
pub async fn spawn(config: EmulatorConfig) -> anyhow::Result<RunningEmulator> {
    if !(config.time_scale.is_finite() && config.time_scale > 0.0) {
        anyhow::bail!(
            "time scale must be a positive number, got {}",
            config.time_scale
        );
    }
    if config
        .oauth_clients
        .iter()
        .any(|c| c.client_id.is_empty() || c.client_secret.is_empty())
    {
        anyhow::bail!("OAuth clients need a non-empty client id and secret");
    }
    config
        .faults
        .validate()
        .map_err(|e| anyhow::anyhow!("invalid faults: {e}"))?;
    let seed_state = match config.seed_state {
        Some(dump) => Some(persist::load(dump).context("loading the seed state")?),
        None => None,
    };
    let clock = time::Clock::new(config.time_scale);
    let infra = infra::Infra::new(
        config.rate_limit,
        config.faults,
        clock,
        config.time_scale,
        seed_state,
    );
    let state = AppState::new(config.seed, clock, config.oauth_clients).with_infra(infra);
    if let Some(webhook) = config.webhook {
        state
            .infra
            .webhooks
            .subscribe(webhook)
            .map_err(|e| anyhow::anyhow!("invalid webhook subscription: {e}"))?;
    }
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(config.bind, config.port))
        .await
        .with_context(|| format!("binding {}:{}", config.bind, config.port))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let router =
        routes::router(state.clone()).into_make_service_with_connect_info::<conn::ConnHandle>();
    let listener = conn::KillableListener::new(listener);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(err) = served {
            tracing::error!(%err, "emulator server stopped with an error");
        }
    });
    tracing::info!(%addr, "notion emulator listening");
    Ok(RunningEmulator {
        addr,
        handle: EmulatorHandle { state },
        stop: Some(stop),
        task: Some(task),
    })
}

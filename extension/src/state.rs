//! The panel's state (Dioxus signals shared through context) and the actions that change it.
//!
//! All state lives in signals owned by the root component, so async actions can run after the
//! component that started them has gone. Rule for every action: never hold a signal borrow
//! across an `.await` or while writing the same signal (a double borrow would panic, and
//! `panic = "abort"` kills the panel).

use crate::files::{self, Listing};
use crate::relay::{Relay, RelayError};
use crate::replit::{self, Repl, ReplitError, User};
use crate::sync::{self, Stage};
use crate::theme;
use dioxus::prelude::*;
use protocol::api::{ConnectionStatus, Mapping};
use protocol::session::SessionResult;

/// Where the panel is in its start-up.
#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// Opened top-level: there is no workspace to talk to.
    NotInReplit,
    Handshaking,
    HandshakeFailed(String),
    /// The workspace answered the handshake.
    Ready,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Loaded(T),
    Failed(String),
}

/// The relay session.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    Pending,
    Ready,
    Failed(String),
}

/// What the Retry button of the error banner does.
#[derive(Debug, Clone, PartialEq)]
pub enum Retry {
    Handshake,
    Session,
    Reload,
    Sync(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Banner {
    pub message: String,
    pub retry: Option<Retry>,
}

/// The latest Sync now, for `#sync-result`.
#[derive(Debug, Clone)]
pub struct SyncRun {
    pub mapping_id: String,
    pub path: String,
    pub stage: Stage,
    pub outcome: Option<Result<SessionResult, String>>,
}

/// The Notion OAuth popup flow.
#[derive(Debug, Clone, PartialEq)]
pub enum OAuthState {
    Idle,
    /// Waiting for the user to finish in the popup (or, when the popup was blocked, through
    /// the link shown instead).
    Waiting {
        fallback_url: Option<String>,
    },
    /// The popup closed without a connection.
    Abandoned,
}

/// All shared state; `Copy`, because signals are handles.
#[derive(Clone, Copy, PartialEq)]
pub struct AppState {
    pub phase: Signal<Phase>,
    pub user: Signal<Option<User>>,
    pub repl: Signal<Option<Repl>>,
    pub files: Signal<Loadable<Listing>>,
    pub session: Signal<SessionState>,
    pub connection: Signal<Option<ConnectionStatus>>,
    pub mappings: Signal<Loadable<Vec<Mapping>>>,
    pub banner: Signal<Option<Banner>>,
    pub sync: Signal<Option<SyncRun>>,
    pub oauth: Signal<OAuthState>,
    /// The theme subscription is made once per page.
    pub theme_followed: Signal<bool>,
}

impl AppState {
    /// Creates the signals; call from the root component only.
    pub fn new() -> AppState {
        AppState {
            phase: Signal::new(Phase::Handshaking),
            user: Signal::new(None),
            repl: Signal::new(None),
            files: Signal::new(Loadable::Loading),
            session: Signal::new(SessionState::Pending),
            connection: Signal::new(None),
            mappings: Signal::new(Loadable::Loading),
            banner: Signal::new(None),
            sync: Signal::new(None),
            oauth: Signal::new(OAuthState::Idle),
            theme_followed: Signal::new(false),
        }
    }

    pub fn show_error(mut self, message: impl Into<String>, retry: Option<Retry>) {
        self.banner.set(Some(Banner {
            message: message.into(),
            retry,
        }));
    }

    pub fn clear_error(mut self) {
        self.banner.set(None);
    }

    pub fn is_syncing(self) -> bool {
        self.sync
            .peek()
            .as_ref()
            .is_some_and(|s| s.outcome.is_none())
    }
}

/// How long the handshake may take before the panel says so (the client's default).
pub const HANDSHAKE_TIMEOUT_MS: u32 = 2000;

/// Start-up: handshake, then everything that needs the workspace, then the relay session.
pub async fn boot(mut state: AppState, relay: Relay) {
    if !replit::in_iframe() {
        state.phase.set(Phase::NotInReplit);
        return;
    }
    state.phase.set(Phase::Handshaking);
    state.clear_error();
    if let Err(e) = replit::init(HANDSHAKE_TIMEOUT_MS).await {
        let message = match e {
            ReplitError::Timeout => {
                "The Replit workspace did not answer. Reload the panel, or retry.".to_string()
            }
            other => format!("Could not connect to the Replit workspace: {other}."),
        };
        state.phase.set(Phase::HandshakeFailed(message.clone()));
        state.show_error(message, Some(Retry::Handshake));
        return;
    }
    state.phase.set(Phase::Ready);
    if !*state.theme_followed.peek() {
        state.theme_followed.set(true);
        spawn(theme::follow_workspace_theme());
    }
    spawn(load_identity(state));
    spawn(load_files(state));
    open_session(state, relay).await;
}

/// The user and the Repl, as the workspace reports them (labels for display).
pub async fn load_identity(mut state: AppState) {
    if let Ok(user) = replit::current_user().await {
        state.user.set(Some(user));
    }
    if let Ok(repl) = replit::current_repl().await {
        state.repl.set(Some(repl));
    }
}

pub async fn load_files(mut state: AppState) {
    state.files.set(Loadable::Loading);
    match files::list_markdown_files().await {
        Ok(listing) => state.files.set(Loadable::Loaded(listing)),
        Err(e) => state.files.set(Loadable::Failed(e.to_string())),
    }
}

/// Exchanges a fresh Replit token for a relay session, then loads the relay's state.
pub async fn open_session(mut state: AppState, relay: Relay) {
    state.session.set(SessionState::Pending);
    match relay.open_session().await {
        Ok(_) => {
            state.session.set(SessionState::Ready);
            state.clear_error();
            reload(state, relay).await;
        }
        Err(e) => {
            let message = session_error_message(&e, relay.base());
            state.session.set(SessionState::Failed(message.clone()));
            state.show_error(message, Some(Retry::Session));
        }
    }
}

/// What to tell the user when the session could not be opened.
pub fn session_error_message(e: &RelayError, relay_base: &str) -> String {
    match e {
        RelayError::Unreachable(_) => {
            format!("Can't reach the sync server at {relay_base}. Check that it is running, then retry.")
        }
        RelayError::Api { message, .. } if e.is_auth() => {
            format!("The sync server refused this session: {message}")
        }
        // Not the relay's error shape: something else answers at that address.
        RelayError::Api { status, code, .. } if code == "http_error" => format!(
            "The sync server at {relay_base} answered {status}. Check that the relay runs there \
             (RELAY_URL at build time), then retry."
        ),
        other => other.to_string(),
    }
}

/// Reloads the connection and the mappings.
pub async fn reload(mut state: AppState, relay: Relay) {
    match relay.connection().await {
        Ok(c) => state.connection.set(Some(c)),
        Err(e) => {
            state.show_error(e.to_string(), Some(Retry::Reload));
            return;
        }
    }
    match relay.configurations().await {
        Ok(c) => {
            state.connection.set(Some(c.connection));
            state.mappings.set(Loadable::Loaded(c.mappings));
        }
        Err(e) if e.is_not_connected() => state.mappings.set(Loadable::Loaded(Vec::new())),
        Err(e) => {
            state.mappings.set(Loadable::Failed(e.to_string()));
            state.show_error(e.to_string(), Some(Retry::Reload));
        }
    }
}

/// Runs Sync now for one mapping, with visible progress and the result in `#sync-result`.
pub async fn sync_now(mut state: AppState, relay: Relay, mapping: Mapping) {
    if state.is_syncing() {
        return;
    }
    state.clear_error();
    state.sync.set(Some(SyncRun {
        mapping_id: mapping.id.clone(),
        path: mapping.path.clone(),
        stage: Stage::Reading,
        outcome: None,
    }));
    let mut sync_signal = state.sync;
    let result = sync::run(&relay, &mapping, move |stage| {
        if let Some(run) = sync_signal.write().as_mut() {
            run.stage = stage;
        }
    })
    .await;
    let outcome = result.map_err(|e| e.to_string());
    if let Err(message) = &outcome {
        state.show_error(message.clone(), Some(Retry::Sync(mapping.id.clone())));
    }
    if let Some(run) = state.sync.write().as_mut() {
        run.outcome = Some(outcome);
    }
    // Statuses and last-synced times changed; pulled files may be new.
    reload(state, relay).await;
    spawn(load_files(state));
}

/// Runs what the banner's Retry stands for.
pub async fn retry(state: AppState, relay: Relay, what: Retry) {
    state.clear_error();
    match what {
        Retry::Handshake => boot(state, relay).await,
        Retry::Session => open_session(state, relay).await,
        Retry::Reload => reload(state, relay).await,
        Retry::Sync(id) => {
            let mapping = match &*state.mappings.peek() {
                Loadable::Loaded(list) => list.iter().find(|m| m.id == id).cloned(),
                _ => None,
            };
            match mapping {
                Some(m) => sync_now(state, relay, m).await,
                None => reload(state, relay).await,
            }
        }
    }
}

/// "3 min ago"-style age of a Unix time, for last-synced labels.
pub fn ago(now_secs: i64, then_secs: i64) -> String {
    let d = (now_secs - then_secs).max(0);
    match d {
        0..=44 => "just now".to_string(),
        45..=89 => "1 min ago".to_string(),
        90..=3599 => format!("{} min ago", (d + 30) / 60),
        3600..=86_399 => format!("{} h ago", d / 3600),
        _ => format!("{} d ago", d / 86_400),
    }
}

pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(ago(100, 100), "just now");
        assert_eq!(ago(100, 200), "just now");
        assert_eq!(ago(1000, 940), "1 min ago");
        assert_eq!(ago(1000, 700), "5 min ago");
        assert_eq!(ago(10_000, 2_000), "2 h ago");
        assert_eq!(ago(1_000_000, 0), "11 d ago");
    }

    #[test]
    fn session_errors_say_what_to_do() {
        let m = session_error_message(&RelayError::Unreachable("x".into()), "http://r");
        assert!(m.contains("http://r"));
        let m = session_error_message(
            &RelayError::Api {
                status: 401,
                code: "unauthorized".into(),
                message: "expired".into(),
            },
            "http://r",
        );
        assert!(m.contains("refused") && m.contains("expired"));
    }
}

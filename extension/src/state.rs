//! The panel's state (Dioxus signals shared through context) and the actions that change it.
//!
//! All state lives in signals owned by the root component, so async actions can run after the
//! component that started them has gone. Rule for every action: never hold a signal borrow
//! across an `.await` or while writing the same signal (a double borrow would panic, and
//! `panic = "abort"` kills the panel).

use crate::files::{self, Listing};
use crate::model::{self, ItemTrouble};
use crate::relay::{Relay, RelayError};
use crate::replit::{self, Repl, ReplitError, User};
use crate::sync::{self, Stage};
use crate::theme;
use dioxus::core::spawn_forever;
use dioxus::prelude::*;
use protocol::api::{Conflict, ConnectionStatus, Mapping, ProgressStage, SyncLog};
use protocol::session::{HeldDeletions, SessionResult};
use protocol::ContentHash;

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

impl<T> Loadable<T> {
    pub fn loaded(&self) -> Option<&T> {
        match self {
            Loadable::Loaded(v) => Some(v),
            _ => None,
        }
    }
}

/// The relay session.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionState {
    Pending,
    Ready,
    Failed(String),
}

/// What the error banner offers to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Retry {
    Handshake,
    Session,
    /// Reload the relay's state and reconnect the live status.
    Reload,
    Sync(String),
    /// Notion refused the token: sign in to Notion again (the OAuth popup).
    ReconnectNotion,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Banner {
    pub message: String,
    pub retry: Option<Retry>,
}

/// What the panel shows in its main area.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    Mappings,
    NewMapping,
    EditMapping(String),
    Preview(String),
    /// One file's history.
    History(String),
    Conflicts,
    Conflict(String),
    Activity,
    Settings,
}

impl View {
    /// The tab a view belongs to.
    pub fn tab(&self) -> Tab {
        match self {
            View::Conflicts | View::Conflict(_) => Tab::Conflicts,
            View::Activity => Tab::Activity,
            View::Settings => Tab::Settings,
            _ => Tab::Mappings,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Mappings,
    Conflicts,
    Activity,
    Settings,
}

/// What started a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Manual,
    /// A watcher saw the file change, or the mapping's interval elapsed.
    Auto,
}

/// The latest sync, for `#sync-result`.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRun {
    pub mapping_id: String,
    pub path: String,
    pub trigger: Trigger,
    pub stage: Stage,
    /// The relay's latest progress for the item (from `/ws/sync-status`).
    pub remote: Option<ProgressStage>,
    /// Every stage seen, in order (`data-progress`): the panel's and the relay's.
    pub seen: Vec<&'static str>,
    pub started_ms: f64,
    pub elapsed_ms: Option<i64>,
    pub outcome: Option<Result<SessionResult, String>>,
    /// From the run's log entry, once found.
    pub resolved: Option<i64>,
}

impl SyncRun {
    fn saw(&mut self, stage: &'static str) {
        if self.seen.last() != Some(&stage) {
            self.seen.push(stage);
        }
    }
}

/// The machine name of a relay progress stage.
pub fn remote_stage_name(stage: ProgressStage) -> &'static str {
    match stage {
        ProgressStage::ReadingNotion => "reading_notion",
        ProgressStage::WritingNotion => "writing_notion",
        ProgressStage::Planned => "planned",
    }
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
    pub conflicts: Signal<Loadable<Vec<Conflict>>>,
    pub logs: Signal<Loadable<Vec<SyncLog>>>,
    pub banner: Signal<Option<Banner>>,
    pub view: Signal<View>,
    pub sync: Signal<Option<SyncRun>>,
    /// Mapping ids waiting for the running sync to finish.
    pub queue: Signal<Vec<String>>,
    /// Per mapping: what its last sync said needs the user (page access lost, token refused).
    pub troubles: Signal<Vec<(String, ItemTrouble)>>,
    /// Per file: its hash when a sync last saw it, so a watcher ignores our own writes.
    pub known_hashes: Signal<Vec<(String, ContentHash)>>,
    /// The live-status socket is connected.
    pub live: Signal<bool>,
    pub oauth: Signal<OAuthState>,
    /// "Delete my data" went through.
    pub data_deleted: Signal<bool>,
    /// The theme subscription is made once per page.
    pub theme_followed: Signal<bool>,
    /// Bumped to make the live-status socket reconnect.
    pub live_epoch: Signal<u32>,
    /// Bumped when the relay's state changed elsewhere (a sync finished): reload it.
    pub refresh: Signal<u32>,
    /// How many auto-sync watchers are active.
    pub watching: Signal<usize>,
    /// Mappings the relay says changed in Notion (`remote_changed`), for auto-sync.
    pub remote_changed: Signal<Vec<String>>,
    /// Per folder mapping: deletions its last sync held back for confirmation (G8).
    pub held: Signal<Vec<(String, HeldDeletions)>>,
    /// Mappings whose next sync confirms the held deletions (one-shot).
    pub confirm_deletions: Signal<Vec<String>>,
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
            conflicts: Signal::new(Loadable::Loading),
            logs: Signal::new(Loadable::Loading),
            banner: Signal::new(None),
            view: Signal::new(View::Mappings),
            sync: Signal::new(None),
            queue: Signal::new(Vec::new()),
            troubles: Signal::new(Vec::new()),
            known_hashes: Signal::new(Vec::new()),
            live: Signal::new(false),
            oauth: Signal::new(OAuthState::Idle),
            data_deleted: Signal::new(false),
            theme_followed: Signal::new(false),
            live_epoch: Signal::new(0),
            refresh: Signal::new(0),
            watching: Signal::new(0),
            remote_changed: Signal::new(Vec::new()),
            held: Signal::new(Vec::new()),
            confirm_deletions: Signal::new(Vec::new()),
        }
    }

    pub fn show_error(mut self, message: impl Into<String>, retry: Option<Retry>) {
        self.banner.set(Some(Banner {
            message: message.into(),
            retry,
        }));
    }

    /// Shows what a relay error means for the user, with the action that fixes it.
    pub fn show_relay_error(mut self, e: &RelayError, relay_base: &str, retry: Option<Retry>) {
        if e.is_notion_unauthorized() {
            self.show_error(
                "Notion refused this connection (the token expired or was revoked). Reconnect \
                 Notion to keep syncing.",
                Some(Retry::ReconnectNotion),
            );
        } else if e.is_not_connected() {
            self.connection.set(Some(ConnectionStatus {
                connected: false,
                workspace: None,
            }));
            self.show_error(
                "Notion is not connected any more. Click \"Connect Notion\" to sign in again.",
                None,
            );
        } else if e.is_notion_not_found() {
            self.show_error(
                "Notion can't find that page any more: it was deleted or is no longer shared with \
                 the Notion Sync integration. Share it again in Notion (••• → Connections), then \
                 retry.",
                retry,
            );
        } else {
            self.show_error(session_error_message(e, relay_base), retry);
        }
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

    pub fn mapping(self, id: &str) -> Option<Mapping> {
        self.mappings
            .peek()
            .loaded()
            .and_then(|list| list.iter().find(|m| m.id == id).cloned())
    }

    pub fn go(mut self, view: View) {
        self.view.set(view);
    }

    /// Whether the panel is ready to talk to Notion through the relay.
    pub fn connected(self) -> bool {
        *self.session.read() == SessionState::Ready
            && self.connection.read().as_ref().is_some_and(|c| c.connected)
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
        spawn_forever(theme::follow_workspace_theme());
    }
    spawn_forever(load_identity(state));
    spawn_forever(load_files(state));
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
    if state.files.peek().loaded().is_none() {
        state.files.set(Loadable::Loading);
    }
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

/// What to tell the user when a relay call failed.
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

/// Reloads the connection, the mappings, the conflicts and the logs. Returns whether the relay
/// answered.
pub async fn reload(mut state: AppState, relay: Relay) -> bool {
    match relay.configurations().await {
        Ok(c) => {
            state.connection.set(Some(c.connection));
            state.mappings.set(Loadable::Loaded(c.mappings));
        }
        Err(e) if e.is_not_connected() => {
            state.mappings.set(Loadable::Loaded(Vec::new()));
            if let Ok(c) = relay.connection().await {
                state.connection.set(Some(c));
            }
        }
        Err(e) => {
            if state.mappings.peek().loaded().is_none() {
                state.mappings.set(Loadable::Failed(e.to_string()));
            }
            state.show_relay_error(&e, relay.base(), Some(Retry::Reload));
            return false;
        }
    }
    // Resume the live status if it had stopped (e.g. after the relay was down).
    if !*state.live.peek() {
        *state.live_epoch.write() += 1;
    }
    if state
        .connection
        .peek()
        .as_ref()
        .is_some_and(|c| c.connected)
    {
        spawn_forever(load_conflicts(state, relay.clone()));
        spawn_forever(load_logs(state, relay));
    }
    true
}

pub async fn load_conflicts(mut state: AppState, relay: Relay) {
    match relay.conflicts().await {
        // Only the ones still waiting for the user; a resolved one waits for the next sync.
        Ok(r) => state.conflicts.set(Loadable::Loaded(r.conflicts)),
        Err(e) => state.conflicts.set(Loadable::Failed(e.to_string())),
    }
}

/// How many runs the Activity tab lists.
pub const LOG_LIMIT: u32 = 10;

pub async fn load_logs(mut state: AppState, relay: Relay) {
    match relay.logs(LOG_LIMIT).await {
        Ok(r) => state.logs.set(Loadable::Loaded(r.logs)),
        Err(e) => state.logs.set(Loadable::Failed(e.to_string())),
    }
}

/// Syncs a mapping now, or as soon as the running sync ends.
pub async fn sync_now(state: AppState, relay: Relay, mapping: Mapping) {
    sync_queued(state, relay, mapping.id, Trigger::Manual).await;
}

/// The user confirmed the deletions a folder mapping's last sync held back: sync it again,
/// telling the relay so (it applies exactly those deletions, and holds any larger set again).
pub async fn confirm_deletions(mut state: AppState, relay: Relay, mapping: Mapping) {
    set_entry(&mut state.held.write(), &mapping.id, None);
    if !state.confirm_deletions.peek().contains(&mapping.id) {
        state.confirm_deletions.write().push(mapping.id.clone());
    }
    sync_now(state, relay, mapping).await;
}

/// Queues a sync of mapping `id`; runs the queue if nothing is running.
pub async fn sync_queued(mut state: AppState, relay: Relay, id: String, trigger: Trigger) {
    if state.is_syncing() {
        if !state.queue.peek().contains(&id) {
            state.queue.write().push(id);
        }
        return;
    }
    let mut next = Some(id);
    while let Some(id) = next.take() {
        if let Some(mapping) = state.mapping(&id) {
            run_one(state, relay.clone(), mapping, trigger).await;
        }
        let mut queue = state.queue.write();
        if !queue.is_empty() {
            next = Some(queue.remove(0));
        }
        drop(queue);
    }
    reload(state, relay).await;
    spawn_forever(load_files(state));
}

async fn run_one(mut state: AppState, relay: Relay, mapping: Mapping, trigger: Trigger) {
    if trigger == Trigger::Manual {
        state.clear_error();
    }
    state.sync.set(Some(SyncRun {
        mapping_id: mapping.id.clone(),
        path: mapping.path.clone(),
        trigger,
        stage: Stage::Reading,
        remote: None,
        seen: Vec::new(),
        started_ms: js_sys::Date::now(),
        elapsed_ms: None,
        outcome: None,
        resolved: None,
    }));
    let mut sync_signal = state.sync;
    // Confirming applies to this one sync only: the next one holds again if it must.
    let confirm = state.confirm_deletions.peek().contains(&mapping.id);
    if confirm {
        state
            .confirm_deletions
            .write()
            .retain(|id| id != &mapping.id);
    }
    let result = sync::run(&relay, &mapping, confirm, move |stage| {
        if let Some(run) = sync_signal.write().as_mut() {
            run.stage = stage;
            run.saw(stage.name());
        }
    })
    .await;
    let outcome = match result {
        Ok(synced) => {
            if let Some(hash) = synced.local_hash {
                set_entry(&mut state.known_hashes.write(), &mapping.path, Some(hash));
            }
            set_entry(&mut state.held.write(), &mapping.id, synced.held.clone());
            let trouble = model::item_trouble(&synced.result.items);
            set_entry(&mut state.troubles.write(), &mapping.id, trouble);
            if trouble == Some(ItemTrouble::TokenRefused) {
                state.show_error(
                    "Notion refused this connection (the token expired or was revoked). \
                     Reconnect Notion to keep syncing.",
                    Some(Retry::ReconnectNotion),
                );
            }
            Ok(synced.result)
        }
        Err(e) => {
            let message = e.to_string();
            match &e {
                sync::SyncError::Relay(re) => {
                    state.show_relay_error(re, relay.base(), Some(Retry::Sync(mapping.id.clone())))
                }
                sync::SyncError::Read(m) => {
                    state.show_error(m.clone(), Some(Retry::Sync(mapping.id.clone())))
                }
            }
            Err(message)
        }
    };
    let elapsed =
        (js_sys::Date::now() - state.sync.peek().as_ref().map_or(0.0, |r| r.started_ms)) as i64;
    if let Some(run) = state.sync.write().as_mut() {
        run.elapsed_ms = Some(elapsed.max(0));
        run.saw(if outcome.is_ok() { "done" } else { "failed" });
        run.outcome = Some(outcome);
    }
    // The run's log entry has the conflicts it resolved.
    if let Ok(logs) = relay.logs(LOG_LIMIT).await {
        let started_secs =
            (state.sync.peek().as_ref().map_or(0.0, |r| r.started_ms) / 1000.0) as i64 - 1;
        let resolved = logs
            .logs
            .iter()
            .find(|l| l.mapping_id.as_deref() == Some(&mapping.id) && l.created_at >= started_secs)
            .map(|l| l.conflicts_resolved);
        if let Some(run) = state.sync.write().as_mut() {
            run.resolved = resolved;
        }
        state.logs.set(Loadable::Loaded(logs.logs));
    }
}

/// Sets (or, with `None`, removes) the entry for `key` of a small association list.
pub fn set_entry<V>(list: &mut Vec<(String, V)>, key: &str, value: Option<V>) {
    list.retain(|(k, _)| k != key);
    if let Some(v) = value {
        list.push((key.to_string(), v));
    }
}

/// The value for `key` in a small association list.
pub fn entry<'a, V>(list: &'a [(String, V)], key: &str) -> Option<&'a V> {
    list.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// A progress event from the live status, for the running sync.
pub fn on_remote_progress(mut state: AppState, mapping_id: &str, stage: ProgressStage) {
    let mut sync = state.sync.write();
    if let Some(run) = sync.as_mut() {
        if run.mapping_id == mapping_id && run.outcome.is_none() {
            run.remote = Some(stage);
            run.saw(remote_stage_name(stage));
        }
    }
}

/// Runs what the banner's Retry stands for.
pub async fn retry(state: AppState, relay: Relay, what: Retry) {
    state.clear_error();
    match what {
        Retry::Handshake => boot(state, relay).await,
        Retry::Session => open_session(state, relay).await,
        Retry::Reload | Retry::ReconnectNotion => {
            reload(state, relay).await;
        }
        Retry::Sync(id) => match state.mapping(&id) {
            Some(m) => sync_now(state, relay, m).await,
            None => {
                reload(state, relay).await;
            }
        },
    }
}

pub fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn views_belong_to_tabs() {
        assert_eq!(View::Conflict("c".into()).tab(), Tab::Conflicts);
        assert_eq!(View::History("a.md".into()).tab(), Tab::Mappings);
        assert_eq!(View::Activity.tab(), Tab::Activity);
    }
}

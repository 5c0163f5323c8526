//! Auto-sync while the panel is open (SPEC §4): a watcher on each auto-sync mapping's file (or,
//! while the file does not exist, on its folder) marks it changed; after a quiet moment the
//! mapping syncs. Each mapping also syncs when its interval has elapsed since the last sync, and
//! when the relay reports that its Notion page changed (`remote_changed`).
//!
//! Our own writes are not edits: a change whose content hash is the one the last sync left the
//! file with is ignored. The workspace calls the watchers' callbacks from outside Dioxus, so
//! they only record what happened; the loop in [`run`] (a Dioxus task) acts on it.

use crate::files;
use crate::model;
use crate::relay::Relay;
use crate::replit::{self, Watch};
use crate::state::{self, now_secs, AppState, SessionState, Trigger};
use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;
use protocol::api::{Mapping, MappingKind};
use protocol::ContentHash;
use std::cell::RefCell;
use std::rc::Rc;

/// Wait this long after the last change before syncing (editors save in bursts).
pub const DEBOUNCE_MS: f64 = 700.0;
/// How often the loop looks at what changed.
const TICK_MS: u32 = 250;
/// Interval checks happen every this many ticks.
const INTERVAL_TICKS: u32 = 20;

/// What the callbacks saw, for the loop (a few entries: association lists, not maps).
#[derive(Default)]
struct Seen {
    /// Path, time of the last change, hash of the content then (if known).
    changed: Vec<(String, f64, Option<ContentHash>)>,
    /// Watchers that stopped (the file moved or went away, or appeared in a watched folder).
    gone: Vec<String>,
}

impl Seen {
    fn changed(&mut self, path: &str, hash: Option<ContentHash>) {
        self.changed.retain(|(p, ..)| p != path);
        self.changed
            .push((path.to_string(), js_sys::Date::now(), hash));
    }
}

/// The watchers of one panel: path → subscription.
#[derive(Default)]
pub struct Watchers {
    active: Vec<(String, Watch)>,
    seen: Rc<RefCell<Seen>>,
}

async fn watch(path: &str, seen: &Rc<RefCell<Seen>>) -> Option<Watch> {
    let (on_change, on_gone) = (seen.clone(), seen.clone());
    let (p1, p2) = (path.to_string(), path.to_string());
    let gone = move || on_gone.borrow_mut().gone.push(p2.clone());
    // Watch the file if it exists; otherwise its folder, to see it appear.
    if files::file_exists(path).await.unwrap_or(false) {
        let changed = move |content: String| {
            let hash = ContentHash::of(content.as_bytes());
            on_change.borrow_mut().changed(&p1, Some(hash));
        };
        return replit::watch_file(path, changed, gone).await.ok();
    }
    let appeared = move |children: Vec<String>| {
        if children.contains(&p1) {
            let mut seen = on_change.borrow_mut();
            seen.changed(&p1, None);
            // Now it exists: watch the file itself.
            seen.gone.push(p1.clone());
        }
    };
    replit::watch_dir(files::parent_of(path), appeared, gone)
        .await
        .ok()
}

/// Makes the watchers match the auto-sync mappings' paths.
async fn reconcile(watchers: &Rc<RefCell<Watchers>>, wanted: &[String]) {
    let seen = watchers.borrow().seen.clone();
    let gone = std::mem::take(&mut seen.borrow_mut().gone);
    loop {
        let stale = {
            let mut w = watchers.borrow_mut();
            let i = w
                .active
                .iter()
                .position(|(p, _)| !wanted.contains(p) || gone.contains(p));
            i.map(|i| w.active.swap_remove(i).1)
        };
        match stale {
            Some(watch) => watch.dispose().await,
            None => break,
        }
    }
    for path in wanted {
        if watchers.borrow().active.iter().any(|(p, _)| p == path) {
            continue;
        }
        if let Some(w) = watch(path, &seen).await {
            watchers.borrow_mut().active.push((path.clone(), w));
        }
    }
}

/// Changes that have been quiet for [`DEBOUNCE_MS`], and are not our own writes.
fn settled(state: AppState, seen: &Rc<RefCell<Seen>>) -> Vec<String> {
    let now = js_sys::Date::now();
    let mut seen = seen.borrow_mut();
    let known = state.known_hashes.peek();
    let mut ready = Vec::new();
    seen.changed.retain(|(path, at, hash)| {
        if now - at < DEBOUNCE_MS {
            return true;
        }
        let ours = hash.is_some() && state::entry(&known, path) == hash.as_ref();
        if !ours {
            ready.push(path.clone());
        }
        false
    });
    ready
}

/// The auto-sync loop; runs for the life of the panel.
pub async fn run(mut state: AppState, relay: Relay, watchers: Rc<RefCell<Watchers>>) {
    let mut tick = 0u32;
    // Mapping id → when auto-sync last tried it (a failing sync must not retry every tick).
    let mut attempted: Vec<(String, i64)> = Vec::new();
    loop {
        TimeoutFuture::new(TICK_MS).await;
        tick = tick.wrapping_add(1);
        let ready = *state.session.peek() == SessionState::Ready
            && state
                .connection
                .peek()
                .as_ref()
                .is_some_and(|c| c.connected);
        let auto: Vec<Mapping> = match ready {
            true => state
                .mappings
                .peek()
                .loaded()
                .map(|l| l.iter().filter(|m| m.auto_sync).cloned().collect())
                .unwrap_or_default(),
            false => Vec::new(),
        };
        // Watchers follow single files; folder and project mappings sync on their interval.
        let wanted: Vec<String> = auto
            .iter()
            .filter(|m| matches!(m.kind, MappingKind::FilePage | MappingKind::FileCodePage))
            .map(|m| m.path.clone())
            .collect();
        reconcile(&watchers, &wanted).await;
        let count = watchers.borrow().active.len();
        if *state.watching.peek() != count {
            state.watching.set(count);
        }
        if state.is_syncing() {
            continue;
        }

        // Due: files that changed, pages the relay saw change, and elapsed intervals.
        let mut due: Vec<String> = Vec::new();
        let seen = watchers.borrow().seen.clone();
        for path in settled(state, &seen) {
            due.extend(auto.iter().filter(|m| m.path == path).map(|m| m.id.clone()));
        }
        let remote = std::mem::take(&mut *state.remote_changed.write());
        for id in remote {
            if auto.iter().any(|m| m.id == id) {
                due.push(id);
            } else {
                // A manual mapping: show its fresh state; it syncs when asked.
                *state.refresh.write() += 1;
            }
        }
        let now = now_secs();
        if tick.is_multiple_of(INTERVAL_TICKS) {
            for m in &auto {
                let tried = state::entry(&attempted, &m.id)
                    .is_some_and(|t| now - t < i64::from(m.sync_interval_secs));
                if model::is_due(m, now) && !tried {
                    due.push(m.id.clone());
                }
            }
        }
        due.dedup();
        for id in due {
            state::set_entry(&mut attempted, &id, Some(now));
            state::sync_queued(state, relay.clone(), id, Trigger::Auto).await;
        }
    }
}

//! `#history-view[data-path]`: a file's replaced versions (`.revision[data-revision-id]`, with
//! time, side and what replaced it), a diff of the selected one against the file as it is now
//! (`#revision-diff`, `.diff-line[data-change]`), and Restore (`#restore-revision`): the relay
//! records the current file and answers the write that puts the old version back; the panel
//! writes it only if the file is still what it sent, then syncs.

use super::use_act;
use crate::diff::{self, Change};
use crate::model;
use crate::relay::{Relay, RelayError};
use crate::state::{self, now_secs, AppState, View};
use crate::sync::{self, LocalFile};
use dioxus::core::spawn_forever;
use dioxus::prelude::*;
use protocol::api::{RestoreRequest, Revision, Side};

/// Most diff lines shown.
const MAX_DIFF_LINES: usize = 1500;

fn side_label(side: Side) -> (&'static str, &'static str) {
    match side {
        Side::Repl => ("repl", "Repl"),
        Side::Notion => ("notion", "Notion"),
    }
}

fn reason_label(reason: &str) -> String {
    match reason {
        "pull" => "replaced by a pull from Notion".into(),
        "push" => "replaced by a push from the Repl".into(),
        "restore" => "replaced by a restore".into(),
        "resolve" => "replaced when a conflict was resolved".into(),
        other => format!("replaced ({other})"),
    }
}

#[derive(Debug)]
enum RestoreError {
    Relay(RelayError),
    File(String),
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RestoreError::Relay(e) => write!(f, "{e}"),
            RestoreError::File(m) => f.write_str(m),
        }
    }
}

async fn restore(
    state: AppState,
    relay: Relay,
    path: String,
    revision_id: String,
) -> Result<(), RestoreError> {
    let current = match sync::read_local(&path).await.map_err(RestoreError::File)? {
        LocalFile::Present(text) => Some(text),
        LocalFile::Absent => None,
    };
    let write = relay
        .restore(&revision_id, &RestoreRequest { current })
        .await
        .map_err(RestoreError::Relay)?;
    sync::apply_restore(&path, &write)
        .await
        .map_err(RestoreError::File)?;
    // The restored file goes to Notion with the next sync: run it now.
    let mapping = state
        .mappings
        .peek()
        .loaded()
        .and_then(|l| l.iter().find(|m| m.path == path).cloned());
    if let Some(m) = mapping {
        spawn_forever(state::sync_now(state, relay, m));
        state.go(View::Mappings);
    }
    Ok(())
}

#[component]
fn RevisionDiff(path: String, revision: Revision) -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let (rid, rpath) = (revision.id.clone(), path.clone());
    let load_relay = relay.clone();
    let compared = use_resource(move || {
        let (relay, id, path) = (load_relay.clone(), rid.clone(), rpath.clone());
        async move {
            let old = relay.revision(&id).await.map_err(|e| e.to_string())?;
            let now = match sync::read_local(&path).await? {
                LocalFile::Present(text) => text,
                LocalFile::Absent => String::new(),
            };
            Ok::<_, String>((old.content, now))
        }
    });
    let (act_path, act_id) = (path.clone(), revision.id.clone());
    let act = use_act();
    let error = (act.error)();
    let done = (act.done)();
    let busy = (act.busy)();
    rsx! {
        div { id: "revision-diff", class: "card diff-card", "data-revision-id": "{revision.id}",
            match &*compared.read() {
                None => rsx! { p { class: "dim small", role: "status", "Loading the version…" } },
                Some(Err(e)) => rsx! { p { class: "sync-error", "Could not load it: {e}" } },
                Some(Ok((old, now))) => {
                    let changes = diff::unified(old, now);
                    let (added, removed) = diff::stats(&changes);
                    let total = changes.len();
                    rsx! {
                        p { class: "small",
                            "This version → the file now: "
                            span { class: "added-count", "+{added}" }
                            " "
                            span { class: "removed-count", "−{removed}" }
                            if revision.side == Side::Notion {
                                span { class: "dim", " (as Notion's Markdown; restoring converts it)" }
                            }
                        }
                        pre { class: "lines unified", tabindex: "0", "aria-label": "Differences",
                            for (i, (change, line)) in changes.into_iter().take(MAX_DIFF_LINES).enumerate() {
                                span {
                                    key: "{i}",
                                    class: match change { Change::Same => "diff-line", Change::Added => "diff-line added", Change::Removed => "diff-line removed" },
                                    "data-change": match change { Change::Same => "same", Change::Added => "added", Change::Removed => "removed" },
                                    {match change { Change::Same => "  ", Change::Added => "+ ", Change::Removed => "− " }}
                                    "{line}\n"
                                }
                            }
                        }
                        if total > MAX_DIFF_LINES {
                            p { class: "dim small", "… {total - MAX_DIFF_LINES} more lines" }
                        }
                    }
                }
            }
            div { class: "row form-actions",
                button {
                    id: "restore-revision",
                    class: "btn btn-primary btn-small",
                    r#type: "button",
                    disabled: busy || done,
                    onclick: move |_| {
                        act.run(restore(state, relay.clone(), act_path.clone(), act_id.clone()));
                    },
                    if busy { "Restoring…" } else if done { "Restored" } else { "Restore this version" }
                }
                span { class: "dim small", "The current file is kept in history first." }
            }
            if let Some(e) = error {
                p { class: "form-error", role: "alert", "{e}" }
            }
        }
    }
}

#[component]
pub fn HistoryView(path: String) -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let list_path = path.clone();
    let revisions = use_resource(move || {
        let (relay, path) = (relay.clone(), list_path.clone());
        async move {
            relay
                .history(&path)
                .await
                .map(|r| r.revisions)
                .map_err(|e| e.to_string())
        }
    });
    let mut selected = use_signal(|| None::<Revision>);
    let chosen = selected.read().clone();
    rsx! {
        section { id: "history-view", class: "section", "data-path": "{path}",
            div { class: "row",
                h2 { class: "grow", "History · " span { class: "mono", "{path}" } }
                button {
                    class: "btn btn-secondary btn-small",
                    r#type: "button",
                    onclick: move |_| state.go(View::Mappings),
                    "Back"
                }
            }
            p { class: "dim small", "Every version a sync or a restore replaced, newest first. Nothing is ever lost." }
            match &*revisions.read() {
                None => rsx! { p { class: "dim", role: "status", "Loading history…" } },
                Some(Err(e)) => rsx! { p { class: "sync-error", "Could not load the history: {e}" } },
                Some(Ok(list)) if list.is_empty() => rsx! {
                    p { id: "no-revisions", class: "empty dim", "No replaced versions yet." }
                },
                Some(Ok(list)) => rsx! {
                    ul { id: "revision-list", class: "revision-list",
                        for r in list.iter().cloned() {
                            li {
                                key: "{r.id}",
                                class: if chosen.as_ref().is_some_and(|c| c.id == r.id) { "revision selected" } else { "revision" },
                                "data-revision-id": "{r.id}",
                                "data-side": side_label(r.side).0,
                                "data-reason": "{r.reason}",
                                button {
                                    class: "revision-button",
                                    r#type: "button",
                                    "aria-pressed": chosen.as_ref().is_some_and(|c| c.id == r.id),
                                    onclick: {
                                        let r = r.clone();
                                        move |_| selected.set(Some(r.clone()))
                                    },
                                    span { class: "badge side-{side_label(r.side).0}", {side_label(r.side).1} }
                                    span { class: "grow", {reason_label(&r.reason)} }
                                    span { class: "dim small", "{r.size} B · " {model::ago(now_secs(), r.created_at)} }
                                }
                            }
                        }
                    }
                },
            }
            if let Some(r) = chosen {
                RevisionDiff { key: "{r.id}", path: path.clone(), revision: r }
            }
        }
    }
}

//! The Files tab: the mappings as cards (`.mapping-card[data-path][data-kind]`) with their kind,
//! status, settings, last sync and actions (and the mass-deletion confirmation, G8, when a
//! folder sync held deletions back); the latest sync's result; the Repl's Markdown files.

use super::files::FilesSection;
use super::mapping_form::MappingForm;
use super::sync_result::SyncResultView;
use crate::model::{self, CardStatus, ItemTrouble};
use crate::relay::Relay;
use crate::state::{self, now_secs, AppState, Loadable, View};
use dioxus::core::spawn_forever;
use dioxus::prelude::*;
use protocol::api::{Mapping, MappingKind, MappingStatus};

#[component]
fn MappingCard(mapping: Mapping, running: bool, queued: bool, stage: Option<String>) -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let mut confirm_remove = use_signal(|| false);
    let status = CardStatus::of(&mapping, now_secs());
    let (badge, badge_class, status_value) = status.badge();
    let spec = model::kind_spec(mapping.kind);
    let title = model::notion_side_label(&mapping);
    let repl_side = model::repl_side_label(&mapping);
    let held = state::entry(&state.held.read(), &mapping.id).cloned();
    let url = model::safe_url(mapping.notion_url.as_deref());
    let last = match mapping.last_synced_at {
        Some(t) => model::ago(now_secs(), t),
        None => "never".to_string(),
    };
    let direction = model::direction_label(mapping.direction).0;
    let strategy = model::strategy_label(mapping.strategy).0;
    let frequency = model::frequency_label(&mapping);
    let trouble = state::entry(&state.troubles.read(), &mapping.id).copied();
    let id = mapping.id.clone();
    let path = mapping.path.clone();
    let sync_label = match (running, queued) {
        (true, _) => "Syncing…",
        (_, true) => "Queued",
        _ => "Sync now",
    };
    let (sync_relay, retry_relay, remove_relay) = (relay.clone(), relay.clone(), relay.clone());
    let confirm_relay = relay.clone();
    let (sync_m, retry_m, confirm_m) = (mapping.clone(), mapping.clone(), mapping.clone());
    let keep_id = id.clone();
    let (preview_id, edit_id, remove_id) = (id.clone(), id.clone(), id.clone());
    let history_path = path.clone();
    rsx! {
        li {
            class: "mapping-card card",
            "data-path": "{path}",
            "data-mapping-id": "{id}",
            "data-kind": spec.value,
            "aria-label": "{repl_side} ↔ {title}",
            div { class: "mapping-main",
                span { class: "file-icon", "aria-hidden": "true", "{spec.icon}" }
                div { class: "mapping-path mono", title: "{repl_side}", "{repl_side}" }
                div { class: "mapping-arrow", "aria-hidden": "true",
                    if spec.fixed_direction.is_some() { "→" } else { "⇄" }
                }
                div { class: "mapping-page",
                    if let Some(url) = url {
                        a { href: "{url}", target: "_blank", rel: "noopener noreferrer", title: "Open in Notion", "{title}" }
                    } else {
                        span { "{title}" }
                    }
                }
            }
            div { class: "mapping-meta",
                span { class: "status-badge badge {badge_class}", "data-status": "{status_value}", "{badge}" }
                span { class: "meta mapping-kind", "data-kind": spec.value, title: "{spec.label}", "{spec.short}" }
                span { class: "meta mapping-direction", title: "Direction", "{direction}" }
                span { class: "meta mapping-strategy", title: "When both sides changed", "{strategy}" }
                span { class: "meta mapping-frequency", "data-auto": "{mapping.auto_sync}", title: "Auto-sync", "{frequency}" }
                span { class: "meta mapping-last", title: "Last sync", "Synced {last}" }
            }
            if let Some(stage) = stage {
                div { class: "card-progress row small", role: "status",
                    div { class: "spinner small", "aria-hidden": "true" }
                    span { "{stage}" }
                }
            }
            if trouble == Some(ItemTrouble::PermissionLost) {
                div { class: "card-alert", "data-trouble": "permission_lost", role: "alert",
                    p { class: "small",
                        strong { "Notion can't reach this page any more. " }
                        "It was deleted, or it is no longer shared with Notion Sync. In Notion, open "
                        "the page → ••• → Connections and add Notion Sync (or restore it from the "
                        "trash), then retry."
                    }
                    button {
                        class: "card-retry btn btn-small",
                        r#type: "button",
                        onclick: move |_| {
                            spawn_forever(state::sync_now(state, retry_relay.clone(), retry_m.clone()));
                        },
                        "Retry"
                    }
                }
            }
            if let Some(held) = held {
                div {
                    id: "held-deletions",
                    class: "card-alert card-alert-warning held-deletions",
                    "data-trouble": "held_deletions",
                    "data-count": "{held.would_delete}",
                    role: "alert",
                    p { class: "small",
                        strong { "This sync would delete {held.would_delete} of {held.tracked} files. " }
                        "Nothing was deleted yet. Deleting moves their rows to Notion's trash (or, for rows "
                        "deleted in Notion, removes the files); history keeps every version."
                    }
                    ul { class: "held-paths small mono",
                        for p in held.paths.iter().cloned() {
                            li { key: "{p}", class: "held-path", "data-path": "{p}", "{p}" }
                        }
                    }
                    div { class: "row",
                        button {
                            id: "confirm-deletions",
                            class: "btn btn-danger btn-small",
                            r#type: "button",
                            disabled: running || queued,
                            onclick: move |_| {
                                spawn_forever(state::confirm_deletions(state, confirm_relay.clone(), confirm_m.clone()));
                            },
                            "Delete {held.would_delete} files"
                        }
                        button {
                            id: "keep-files",
                            class: "btn btn-secondary btn-small",
                            r#type: "button",
                            onclick: move |_| {
                                let mut held = state.held;
                                state::set_entry(&mut held.write(), &keep_id, None);
                            },
                            "Keep them"
                        }
                    }
                }
            }
            if mapping.status == MappingStatus::Conflicts {
                div { class: "card-alert card-alert-warning", "data-trouble": "conflicts",
                    p { class: "small", "Both sides changed. Choose which version to keep." }
                    button {
                        class: "resolve btn btn-small",
                        r#type: "button",
                        onclick: move |_| state.go(View::Conflicts),
                        "Resolve…"
                    }
                }
            }
            div { class: "mapping-actions",
                button {
                    class: "sync-now btn btn-primary btn-small",
                    r#type: "button",
                    disabled: running || queued,
                    "aria-label": "Sync {path} now",
                    onclick: move |_| {
                        spawn_forever(state::sync_now(state, sync_relay.clone(), sync_m.clone()));
                    },
                    "{sync_label}"
                }
                button {
                    class: "preview btn btn-secondary btn-small",
                    r#type: "button",
                    "aria-label": "Preview a sync of {path}",
                    onclick: move |_| state.go(View::Preview(preview_id.clone())),
                    "Preview"
                }
                // History is per file: a folder's files have theirs in the file list.
                if matches!(mapping.kind, MappingKind::FilePage | MappingKind::FileCodePage) {
                button {
                    class: "history btn btn-secondary btn-small",
                    r#type: "button",
                    "aria-label": "History of {path}",
                    onclick: move |_| state.go(View::History(history_path.clone())),
                    "History"
                }
                }
                button {
                    class: "edit btn btn-secondary btn-small",
                    r#type: "button",
                    "aria-label": "Edit the mapping of {path}",
                    onclick: move |_| state.go(View::EditMapping(edit_id.clone())),
                    "Edit"
                }
                if confirm_remove() {
                    button {
                        class: "remove-mapping btn btn-danger btn-small",
                        r#type: "button",
                        disabled: running,
                        onclick: move |_| {
                            let relay = remove_relay.clone();
                            let id = remove_id.clone();
                            spawn_forever(async move {
                                match relay.delete_mapping(&id).await {
                                    Ok(()) => {
                                        state::reload(state, relay).await;
                                    }
                                    Err(e) => state.show_relay_error(&e, relay.base(), None),
                                }
                            });
                        },
                        "Remove mapping"
                    }
                    button {
                        class: "btn btn-secondary btn-small",
                        r#type: "button",
                        onclick: move |_| confirm_remove.set(false),
                        "Keep"
                    }
                } else {
                    button {
                        class: "remove btn btn-secondary btn-small",
                        r#type: "button",
                        title: "Stop syncing; the file and the page stay as they are",
                        "aria-label": "Remove the mapping of {path}",
                        disabled: running,
                        onclick: move |_| confirm_remove.set(true),
                        "Remove"
                    }
                }
            }
        }
    }
}

#[component]
pub fn MappingsView() -> Element {
    let state = use_context::<AppState>();
    let mappings = state.mappings.read().clone();
    let run = state.sync.read().clone();
    let running = run.as_ref().filter(|s| s.outcome.is_none());
    let running_id = running.map(|r| r.mapping_id.clone());
    let stage_text = running.map(|r| match r.remote {
        Some(stage) => match stage {
            protocol::api::ProgressStage::ReadingNotion => "Reading the Notion page…".to_string(),
            protocol::api::ProgressStage::WritingNotion => "Writing to Notion…".to_string(),
            protocol::api::ProgressStage::Planned => "Applying…".to_string(),
        },
        None => r.stage.label().to_string(),
    });
    let queue = state.queue.read().clone();
    rsx! {
        section { class: "section", "aria-labelledby": "mappings-heading",
            div { class: "row",
                h2 { id: "mappings-heading", class: "grow", "Synced files" }
                if matches!(&mappings, Loadable::Loaded(list) if !list.is_empty()) {
                    button {
                        id: "new-mapping-button",
                        class: "btn btn-primary btn-small",
                        r#type: "button",
                        onclick: move |_| state.go(View::NewMapping),
                        "+ New mapping"
                    }
                }
            }
            match mappings {
                Loadable::Loading => rsx! { p { class: "dim", "Loading mappings…" } },
                Loadable::Failed(e) => rsx! { p { class: "dim", "Could not load mappings: {e}" } },
                Loadable::Loaded(list) if list.is_empty() => rsx! {
                    p { id: "no-mappings", class: "dim", "No file is synced yet. Pick one below." }
                    MappingForm { editing: None }
                },
                Loadable::Loaded(list) => rsx! {
                    ul { id: "mapping-list", class: "mapping-list",
                        for m in list {
                            MappingCard {
                                key: "{m.id}",
                                running: running_id.as_deref() == Some(m.id.as_str()),
                                queued: queue.contains(&m.id),
                                stage: if running_id.as_deref() == Some(m.id.as_str()) { stage_text.clone() } else { None },
                                mapping: m.clone(),
                            }
                        }
                    }
                },
            }
        }
        SyncResultView {}
        FilesSection {}
    }
}

//! The Activity tab: the last 10 sync runs (`#sync-logs .log-item[data-status]`), with their
//! counts, duration and errors; a run that met conflicts has a `.conflict-badge`.

use crate::model;
use crate::relay::Relay;
use crate::state::{self, now_secs, AppState, Loadable};
use dioxus::prelude::*;
use protocol::api::LogStatus;

fn status(s: LogStatus) -> (&'static str, &'static str, &'static str) {
    match s {
        LogStatus::Success => ("success", "Success", "badge-positive"),
        LogStatus::Partial => ("partial", "Partial", "badge-warning"),
        LogStatus::Failure => ("failure", "Failed", "badge-negative"),
    }
}

#[component]
pub fn ActivityView() -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let logs = state.logs.read().clone();
    let paths: Vec<(String, String)> = state
        .mappings
        .read()
        .loaded()
        .map(|l| l.iter().map(|m| (m.id.clone(), m.path.clone())).collect())
        .unwrap_or_default();
    let path_of = move |id: &Option<String>| {
        id.as_ref()
            .and_then(|id| paths.iter().find(|(m, _)| m == id))
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| "(removed mapping)".to_string())
    };
    rsx! {
        section { class: "section", "aria-labelledby": "activity-heading",
            div { class: "row",
                h2 { id: "activity-heading", class: "grow", "Last {state::LOG_LIMIT} syncs" }
                button {
                    class: "btn btn-secondary btn-small",
                    r#type: "button",
                    onclick: move |_| {
                        spawn(state::load_logs(state, relay.clone()));
                    },
                    "Refresh"
                }
            }
            match logs {
                Loadable::Loading => rsx! { p { class: "dim", "Loading…" } },
                Loadable::Failed(e) => rsx! { p { class: "dim", "Could not load the logs: {e}" } },
                Loadable::Loaded(list) if list.is_empty() => rsx! {
                    p { id: "no-logs", class: "empty dim", "No syncs yet." }
                },
                Loadable::Loaded(list) => rsx! {
                    ol { id: "sync-logs", class: "log-list",
                        for log in list {
                            li {
                                key: "{log.id}",
                                class: "log-item",
                                "data-status": status(log.status).0,
                                "data-conflicts": "{log.conflicts_detected}",
                                div { class: "row",
                                    span { class: "badge {status(log.status).2}", {status(log.status).1} }
                                    span { class: "mono grow log-path", {path_of(&log.mapping_id)} }
                                    span { class: "dim small", {model::ago(now_secs(), log.created_at)} }
                                }
                                div { class: "row small dim",
                                    span { "{log.records_processed} processed" }
                                    if log.conflicts_detected > 0 {
                                        span { class: "conflict-badge badge badge-warning",
                                            "{log.conflicts_detected} conflict"
                                            if log.conflicts_detected != 1 { "s" }
                                        }
                                    }
                                    if log.conflicts_resolved > 0 {
                                        span { class: "resolved-badge badge badge-positive", "{log.conflicts_resolved} resolved" }
                                    }
                                    span { {model::duration_label(log.duration_ms)} }
                                }
                                if let Some(details) = log.error_details.clone() {
                                    p { class: "log-error small", "{details}" }
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}

//! `#preview[data-state]`: a dry run of a mapping's sync (SPEC §4): per item what would happen —
//! created, pushed, pulled, conflict, … — with nothing written anywhere. "Sync now" then runs it.

use super::sync_result::action_label;
use crate::relay::Relay;
use crate::state::{self, AppState, View};
use crate::sync;
use dioxus::core::spawn_forever;
use dioxus::prelude::*;

#[component]
pub fn PreviewView(mapping_id: String) -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let mapping = state.mapping(&mapping_id);
    let preview_mapping = mapping.clone();
    let plan = use_resource(move || {
        let relay = relay.clone();
        let mapping = preview_mapping.clone();
        async move {
            match mapping {
                Some(m) => sync::preview(&relay, &m).await.map_err(|e| e.to_string()),
                None => Err("This mapping no longer exists.".to_string()),
            }
        }
    });
    let sync_relay = use_context::<Relay>();
    let data_state = match &*plan.read() {
        None => "running",
        Some(Ok(_)) => "done",
        Some(Err(_)) => "failed",
    };
    rsx! {
        section { id: "preview", class: "card section", "data-state": data_state, "aria-live": "polite",
            div { class: "row",
                h2 { class: "grow",
                    "Preview · "
                    span { class: "mono", {mapping.as_ref().map(|m| m.path.clone()).unwrap_or_default()} }
                }
            }
            p { class: "dim small", "What a sync would do now. Nothing is written until you sync." }
            match &*plan.read() {
                None => rsx! {
                    div { class: "row", role: "status",
                        div { class: "spinner small", "aria-hidden": "true" }
                        span { "Asking Notion…" }
                    }
                },
                Some(Err(e)) => rsx! { p { class: "sync-error", "Preview failed: {e}" } },
                Some(Ok(items)) => rsx! {
                    ul { class: "plan-items",
                        for (i, item) in items.iter().enumerate() {
                            li {
                                key: "{i}",
                                class: "plan-item",
                                "data-action": action_label(item.action).0,
                                "data-path": "{item.path}",
                                span { class: "badge action-{action_label(item.action).0}", {action_label(item.action).2} }
                                span { class: "mono", " {item.path}" }
                                if let Some(m) = item.message.clone() {
                                    div { class: "dim small item-message", "{m}" }
                                }
                            }
                        }
                    }
                },
            }
            div { class: "row form-actions",
                if let Some(m) = mapping.clone() {
                    button {
                        id: "preview-sync",
                        class: "btn btn-primary btn-small",
                        r#type: "button",
                        disabled: data_state == "running",
                        onclick: move |_| {
                            spawn_forever(state::sync_now(state, sync_relay.clone(), m.clone()));
                            state.go(View::Mappings);
                        },
                        "Sync now"
                    }
                }
                button {
                    id: "preview-close",
                    class: "btn btn-secondary btn-small",
                    r#type: "button",
                    onclick: move |_| state.go(View::Mappings),
                    "Close"
                }
            }
        }
    }
}

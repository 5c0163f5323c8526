//! The mappings as cards (`.mapping-card[data-path]`): file ↔ page, status, last sync,
//! Sync now and remove.

use super::new_mapping::NewMapping;
use crate::relay::Relay;
use crate::state::{self, ago, now_secs, AppState, Loadable, SessionState};
use dioxus::prelude::*;
use protocol::api::{Mapping, MappingStatus};

/// Badge text, CSS class and the machine value (`data-status`) for a status.
pub fn status_badge(status: MappingStatus) -> (&'static str, &'static str, &'static str) {
    match status {
        MappingStatus::NeverSynced => ("Never Synced", "badge-neutral", "never_synced"),
        MappingStatus::Synced => ("Synced", "badge-positive", "synced"),
        MappingStatus::Failed => ("Sync Failed", "badge-negative", "failed"),
        MappingStatus::Conflicts => ("Conflicts", "badge-warning", "conflicts"),
    }
}

/// A link is only made of an http(s) URL (the relay relays what Notion says).
fn safe_url(url: Option<&str>) -> Option<String> {
    url.filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .map(str::to_string)
}

#[component]
fn MappingCard(mapping: Mapping, syncing: bool, any_syncing: bool) -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let mut confirm_remove = use_signal(|| false);
    let (badge, badge_class, status_value) = status_badge(mapping.status);
    let title = mapping
        .title
        .clone()
        .unwrap_or_else(|| match mapping.notion_page_id {
            Some(_) => "Linked Notion page".to_string(),
            None => "New page (created on first sync)".to_string(),
        });
    let url = safe_url(mapping.notion_url.as_deref());
    let last = match mapping.last_synced_at {
        Some(t) => format!("Last synced {}", ago(now_secs(), t)),
        None => "Not synced yet".to_string(),
    };
    let id = mapping.id.clone();
    let remove_id = mapping.id.clone();
    let path = mapping.path.clone();
    let for_sync = mapping.clone();
    let relay_sync = relay.clone();
    rsx! {
        li { class: "mapping-card card", "data-path": "{path}", "data-mapping-id": "{id}",
            div { class: "mapping-main",
                div { class: "mapping-path mono", title: "{path}", "{path}" }
                div { class: "mapping-arrow", "aria-hidden": "true", "↔" }
                div { class: "mapping-page",
                    if let Some(url) = url {
                        a { href: "{url}", target: "_blank", rel: "noopener noreferrer", "{title}" }
                    } else {
                        span { "{title}" }
                    }
                }
            }
            div { class: "mapping-meta",
                span { class: "status-badge badge {badge_class}", "data-status": "{status_value}", "{badge}" }
                span { class: "dim small", "{last}" }
            }
            div { class: "mapping-actions",
                button {
                    class: "sync-now btn btn-primary btn-small",
                    r#type: "button",
                    disabled: any_syncing,
                    "aria-label": "Sync {path} now",
                    onclick: move |_| {
                        spawn(state::sync_now(state, relay_sync.clone(), for_sync.clone()));
                    },
                    if syncing { "Syncing…" } else { "Sync now" }
                }
                if confirm_remove() {
                    button {
                        class: "remove-mapping btn btn-danger btn-small",
                        r#type: "button",
                        disabled: any_syncing,
                        onclick: move |_| {
                            let relay = relay.clone();
                            let id = remove_id.clone();
                            spawn(async move {
                                match relay.delete_mapping(&id).await {
                                    Ok(()) => state::reload(state, relay).await,
                                    Err(e) => state.show_error(e.to_string(), None),
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
                        disabled: any_syncing,
                        onclick: move |_| confirm_remove.set(true),
                        "Remove"
                    }
                }
            }
        }
    }
}

#[component]
pub fn MappingsSection() -> Element {
    let state = use_context::<AppState>();
    let session = state.session.read().clone();
    let connected = state
        .connection
        .read()
        .as_ref()
        .is_some_and(|c| c.connected);
    if session != SessionState::Ready || !connected {
        return rsx! {};
    }
    let mappings = state.mappings.read().clone();
    let sync = state.sync.read().clone();
    let running = sync.filter(|s| s.outcome.is_none()).map(|s| s.mapping_id);
    let any_syncing = running.is_some();
    rsx! {
        section { class: "section", "aria-labelledby": "mappings-heading",
            h2 { id: "mappings-heading", "Synced files" }
            match mappings {
                Loadable::Loading => rsx! { p { class: "dim", "Loading mappings…" } },
                Loadable::Failed(e) => rsx! { p { class: "dim", "Could not load mappings: {e}" } },
                Loadable::Loaded(list) if list.is_empty() => rsx! {
                    p { id: "no-mappings", class: "dim", "No file is synced yet. Map one below." }
                },
                Loadable::Loaded(list) => rsx! {
                    ul { id: "mapping-list", class: "mapping-list",
                        for m in list {
                            MappingCard {
                                key: "{m.id}",
                                syncing: running.as_deref() == Some(m.id.as_str()),
                                any_syncing,
                                mapping: m.clone(),
                            }
                        }
                    }
                },
            }
            NewMapping {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn badges_and_links() {
        assert_eq!(status_badge(MappingStatus::NeverSynced).0, "Never Synced");
        assert_eq!(status_badge(MappingStatus::Conflicts).0, "Conflicts");
        assert_eq!(safe_url(Some("javascript:alert(1)")), None);
        assert_eq!(
            safe_url(Some("https://notion.so/x")).as_deref(),
            Some("https://notion.so/x")
        );
    }
}

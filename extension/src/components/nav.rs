//! The tabs (`#tab-mappings`, `#tab-conflicts`, `#tab-activity`, `#tab-settings`).

use crate::state::{AppState, Loadable, Tab, View};
use dioxus::prelude::*;

#[component]
pub fn Nav() -> Element {
    let state = use_context::<AppState>();
    let current = state.view.read().tab();
    let conflicts = match &*state.conflicts.read() {
        Loadable::Loaded(list) => list.iter().filter(|c| c.resolution.is_none()).count(),
        _ => 0,
    };
    let tabs = [
        (Tab::Mappings, "tab-mappings", "Files", View::Mappings),
        (
            Tab::Conflicts,
            "tab-conflicts",
            "Conflicts",
            View::Conflicts,
        ),
        (Tab::Activity, "tab-activity", "Activity", View::Activity),
        (Tab::Settings, "tab-settings", "Settings", View::Settings),
    ];
    rsx! {
        nav { class: "tabs", role: "tablist", "aria-label": "Notion Sync",
            for (tab, id, label, view) in tabs {
                button {
                    key: "{id}",
                    id: "{id}",
                    class: if tab == current { "tab active" } else { "tab" },
                    r#type: "button",
                    role: "tab",
                    "aria-selected": tab == current,
                    "aria-controls": "view",
                    onclick: move |_| state.go(view.clone()),
                    "{label}"
                    if tab == Tab::Conflicts && conflicts > 0 {
                        span { class: "count badge badge-warning", "aria-label": "{conflicts} open", "{conflicts}" }
                    }
                }
            }
        }
    }
}

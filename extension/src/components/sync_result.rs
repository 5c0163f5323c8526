//! `#sync-result`: the latest Sync now — its progress while it runs, then one line per item
//! (`.sync-item[data-action]`) and a summary.

use crate::state::AppState;
use dioxus::prelude::*;
use protocol::session::{ItemAction, SyncSummary};

/// The machine value and the label of an item's action.
pub fn action_label(action: ItemAction) -> (&'static str, &'static str) {
    match action {
        ItemAction::Created => ("created", "Created in Notion"),
        ItemAction::Pushed => ("pushed", "Pushed to Notion"),
        ItemAction::Pulled => ("pulled", "Pulled from Notion"),
        ItemAction::Unchanged => ("unchanged", "Unchanged"),
        ItemAction::Conflict => ("conflict", "Conflict"),
        ItemAction::Skipped => ("skipped", "Skipped"),
        ItemAction::Failed => ("failed", "Failed"),
    }
}

/// "1 pushed, 1 unchanged": the non-zero counts, or a plain sentence when there are none.
pub fn summary_text(s: &SyncSummary) -> String {
    let parts: Vec<String> = [
        (s.created, "created"),
        (s.pushed, "pushed"),
        (s.pulled, "pulled"),
        (s.unchanged, "unchanged"),
        (
            s.conflicts,
            if s.conflicts == 1 {
                "conflict"
            } else {
                "conflicts"
            },
        ),
        (s.skipped, "skipped"),
        (s.failed, "failed"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if parts.is_empty() {
        "Nothing to sync.".to_string()
    } else {
        parts.join(", ")
    }
}

#[component]
pub fn SyncResultView() -> Element {
    let state = use_context::<AppState>();
    let Some(run) = state.sync.read().clone() else {
        return rsx! {};
    };
    let data_state = match &run.outcome {
        None => "running",
        Some(Ok(_)) => "done",
        Some(Err(_)) => "failed",
    };
    rsx! {
        section {
            id: "sync-result",
            class: "card section sync-result",
            "data-state": "{data_state}",
            "data-path": "{run.path}",
            "aria-live": "polite",
            h2 { "Last sync · " span { class: "mono", "{run.path}" } }
            match run.outcome {
                None => rsx! {
                    div { class: "row",
                        div { class: "spinner small", role: "status", "aria-label": "Syncing" }
                        span { class: "progress", "{run.stage.label()}" }
                    }
                },
                Some(Err(message)) => rsx! {
                    p { class: "sync-error", "Sync failed: {message}" }
                },
                Some(Ok(result)) => rsx! {
                    ul { class: "sync-items",
                        for (i, item) in result.items.iter().enumerate() {
                            li {
                                key: "{i}",
                                class: "sync-item",
                                "data-action": action_label(item.action).0,
                                "data-path": "{item.path}",
                                span { class: "badge action-{action_label(item.action).0}", {action_label(item.action).1} }
                                span { class: "mono", " {item.path}" }
                                if let Some(m) = item.message.clone() {
                                    span { class: "dim small item-message", " — {m}" }
                                }
                            }
                        }
                    }
                    p { class: "summary", {summary_text(&result.summary)} }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries() {
        assert_eq!(summary_text(&SyncSummary::default()), "Nothing to sync.");
        let s = SyncSummary {
            pushed: 1,
            conflicts: 2,
            ..Default::default()
        };
        assert_eq!(summary_text(&s), "1 pushed, 2 conflicts");
        assert_eq!(action_label(ItemAction::Conflict).0, "conflict");
    }
}

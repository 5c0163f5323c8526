//! `#sync-result[data-state]`: the latest sync — per-item progress while it runs (the panel's
//! stages and the relay's, live from `/ws/sync-status`; every stage seen is listed in
//! `data-progress`), then one line per item (`.sync-item[data-action]`) and a summary
//! (`#sync-summary`: records processed, conflicts detected and resolved, errors, time).

use crate::model;
use crate::state::{remote_stage_name, AppState, Trigger};
use dioxus::prelude::*;
use protocol::api::ProgressStage;
use protocol::session::{ItemAction, SessionResult};

/// The machine value, the past-tense label and the plan label of an item's action.
pub fn action_label(action: ItemAction) -> (&'static str, &'static str, &'static str) {
    match action {
        ItemAction::Created => ("created", "Created in Notion", "Create page"),
        ItemAction::Pushed => ("pushed", "Pushed to Notion", "Push to Notion"),
        ItemAction::Pulled => ("pulled", "Pulled from Notion", "Pull into file"),
        ItemAction::Unchanged => ("unchanged", "Unchanged", "Nothing to do"),
        ItemAction::Conflict => ("conflict", "Conflict", "Conflict"),
        ItemAction::Skipped => ("skipped", "Skipped", "Skip"),
        ItemAction::Failed => ("failed", "Failed", "Fail"),
    }
}

fn remote_label(stage: ProgressStage) -> &'static str {
    match stage {
        ProgressStage::ReadingNotion => "Reading the Notion page…",
        ProgressStage::WritingNotion => "Writing to Notion…",
        ProgressStage::Planned => "Decided; applying…",
    }
}

#[component]
fn Summary(result: SessionResult, elapsed_ms: i64, resolved: Option<i64>) -> Element {
    let s = result.summary;
    let processed = s.created + s.pushed + s.pulled;
    let errors = s.failed;
    rsx! {
        dl {
            id: "sync-summary",
            class: "summary-grid",
            "data-processed": "{processed}",
            "data-conflicts-detected": "{s.conflicts}",
            "data-conflicts-resolved": resolved.map(|r| r.to_string()).unwrap_or_default(),
            "data-errors": "{errors}",
            "data-ms": "{elapsed_ms}",
            div { dt { "Records processed" } dd { "{processed}" } }
            div { dt { "Conflicts detected" } dd { "{s.conflicts}" } }
            div { dt { "Conflicts resolved" } dd { {resolved.map(|r| r.to_string()).unwrap_or_else(|| "–".into())} } }
            div { dt { "Errors" } dd { class: if errors > 0 { "bad" } else { "" }, "{errors}" } }
            div { dt { "Time" } dd { {model::duration_label(elapsed_ms)} } }
        }
        p { class: "summary", {model::summary_text(&s)} }
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
    let progress = run.seen.join(",");
    let trigger = match run.trigger {
        Trigger::Manual => "manual",
        Trigger::Auto => "auto",
    };
    rsx! {
        section {
            id: "sync-result",
            class: "card section sync-result",
            "data-state": "{data_state}",
            "data-path": "{run.path}",
            "data-progress": "{progress}",
            "data-trigger": "{trigger}",
            "aria-live": "polite",
            h2 {
                if run.trigger == Trigger::Auto { "Auto-sync · " } else { "Last sync · " }
                span { class: "mono", "{run.path}" }
            }
            match run.outcome {
                None => rsx! {
                    ul { class: "sync-items",
                        li {
                            class: "sync-item running",
                            "data-path": "{run.path}",
                            "data-stage": {run.remote.map(remote_stage_name).unwrap_or(run.stage.name())},
                            div { class: "spinner small", role: "status", "aria-label": "Syncing" }
                            span { class: "mono", " {run.path} " }
                            span { class: "progress", {run.remote.map(remote_label).unwrap_or(run.stage.label())} }
                        }
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
                    Summary { result: result.clone(), elapsed_ms: run.elapsed_ms.unwrap_or(0), resolved: run.resolved }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(action_label(ItemAction::Conflict).0, "conflict");
        assert_eq!(action_label(ItemAction::Pulled).2, "Pull into file");
    }
}

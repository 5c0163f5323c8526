//! Conflicts: the list (`#conflict-list .conflict-item[data-conflict-id]`) and the side-by-side
//! view (`#conflict-view`): base, Repl and Notion (`.conflict-col[data-side]`, changed lines
//! `.line.changed`), then Keep Repl (`#keep-repl`), Keep Notion (`#keep-notion`) or an edited
//! merge (`#merged-text`, `#resolve-merged`). The relay applies a choice on the next sync, so
//! resolving runs one. A first link (both sides had content, no base) is the same view.

use super::use_act;
use crate::diff::{self, MarkedLine};
use crate::model;
use crate::relay::{Relay, RelayError};
use crate::state::{self, now_secs, AppState, Loadable, View};
use dioxus::core::spawn_forever;
use dioxus::prelude::*;
use protocol::api::{Conflict, Resolution};

/// Longest column shown (the rest is summarized).
const MAX_LINES: usize = 2000;

fn resolution_label(r: &Resolution) -> &'static str {
    match r {
        Resolution::KeepRepl => "keep the Repl's version",
        Resolution::KeepNotion => "keep Notion's version",
        Resolution::Merged { .. } => "use your merged text",
    }
}

#[component]
pub fn ConflictsView() -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let conflicts = state.conflicts.read().clone();
    rsx! {
        section { class: "section", "aria-labelledby": "conflicts-heading",
            div { class: "row",
                h2 { id: "conflicts-heading", class: "grow", "Conflicts" }
                button {
                    class: "btn btn-secondary btn-small",
                    r#type: "button",
                    onclick: move |_| {
                        spawn(state::load_conflicts(state, relay.clone()));
                    },
                    "Refresh"
                }
            }
            match conflicts {
                Loadable::Loading => rsx! { p { class: "dim", "Loading conflicts…" } },
                Loadable::Failed(e) => rsx! { p { class: "dim", "Could not load conflicts: {e}" } },
                Loadable::Loaded(list) if list.is_empty() => rsx! {
                    p { id: "no-conflicts", class: "empty dim", "No conflicts. When a file and its page both change, you choose here." }
                },
                Loadable::Loaded(list) => rsx! {
                    ul { id: "conflict-list", class: "mapping-list",
                        for c in list {
                            li {
                                key: "{c.id}",
                                class: "conflict-item card",
                                "data-conflict-id": "{c.id}",
                                "data-path": "{c.path}",
                                div { class: "row",
                                    span { class: "mono grow", "{c.path}" }
                                    if c.base.is_empty() {
                                        span { class: "badge badge-neutral", "First link" }
                                    }
                                    span { class: "dim small", {model::ago(now_secs(), c.created_at)} }
                                }
                                match &c.resolution {
                                    Some(r) => rsx! {
                                        p { class: "small dim", "You chose to {resolution_label(r)}; it is applied at the next sync." }
                                    },
                                    None => rsx! {
                                        p { class: "small dim", "Changed in both the Repl and Notion." }
                                    },
                                }
                                button {
                                    class: "open-conflict btn btn-primary btn-small",
                                    r#type: "button",
                                    "aria-label": "Resolve the conflict on {c.path}",
                                    onclick: {
                                        let id = c.id.clone();
                                        move |_| state.go(View::Conflict(id.clone()))
                                    },
                                    "Compare and resolve"
                                }
                            }
                        }
                    }
                },
            }
        }
    }
}

#[component]
pub fn ConflictView(conflict_id: String) -> Element {
    let state = use_context::<AppState>();
    let found = state
        .conflicts
        .read()
        .loaded()
        .and_then(|l| l.iter().find(|c| c.id == conflict_id).cloned());
    match found {
        Some(conflict) => rsx! { Resolver { conflict } },
        None => rsx! {
            section { class: "card section",
                p { class: "dim", "This conflict is settled, or still loading." }
                button { class: "btn btn-secondary btn-small", r#type: "button", onclick: move |_| state.go(View::Conflicts), "Back to conflicts" }
            }
        },
    }
}

#[component]
fn Column(
    side: &'static str,
    title: &'static str,
    lines: Vec<MarkedLine>,
    note: Option<String>,
) -> Element {
    let total = lines.len();
    let changed = lines.iter().filter(|l| l.changed).count();
    rsx! {
        div { class: "conflict-col", "data-side": side, "data-changed": "{changed}",
            h3 { "{title}" span { class: "dim small", " · {changed} changed" } }
            if let Some(note) = note {
                p { class: "dim small", "{note}" }
            }
            pre { class: "lines", tabindex: "0", "aria-label": "{title}",
                for (i, l) in lines.into_iter().take(MAX_LINES).enumerate() {
                    span {
                        key: "{i}",
                        class: if l.changed { "line changed" } else { "line" },
                        "{l.text}\n"
                    }
                }
            }
            if total > MAX_LINES {
                p { class: "dim small", "… {total - MAX_LINES} more lines" }
            }
        }
    }
}

async fn resolve(
    state: AppState,
    relay: Relay,
    conflict: Conflict,
    resolution: Resolution,
) -> Result<(), RelayError> {
    relay.resolve(&conflict.id, &resolution).await?;
    // The relay applies the choice on the next sync: run it now (outliving this view).
    match state.mapping(&conflict.mapping_id) {
        Some(m) => spawn_forever(state::sync_now(state, relay, m)),
        None => spawn_forever(async move {
            state::reload(state, relay).await;
        }),
    };
    state.go(View::Mappings);
    Ok(())
}

#[component]
fn Resolver(conflict: Conflict) -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let first_link = conflict.base.is_empty();
    let repl = conflict.repl.clone().unwrap_or_default();
    let initial = (conflict.base.clone(), repl.clone(), conflict.notion.clone());
    let conflict_for_act = conflict.clone();
    let mut merged = use_signal(move || diff::merge3(&initial.0, &initial.1, &initial.2));
    let act = use_act();
    let busy = (act.busy)();
    let error = (act.error)();
    let choose =
        move |r: Resolution| act.run(resolve(state, relay.clone(), conflict_for_act.clone(), r));
    let (keep_repl, keep_notion, use_merged) = (choose.clone(), choose.clone(), choose);
    let (base_lines, repl_lines, notion_lines) = if first_link {
        (
            Vec::new(),
            diff::mark(&repl, &conflict.notion),
            diff::mark(&conflict.notion, &repl),
        )
    } else {
        let by_repl = diff::mark(&conflict.base, &repl);
        let by_notion = diff::mark(&conflict.base, &conflict.notion);
        let base = by_repl
            .into_iter()
            .zip(by_notion)
            .map(|(a, b)| MarkedLine {
                changed: a.changed || b.changed,
                text: a.text,
            })
            .collect();
        (
            base,
            diff::mark(&repl, &conflict.base),
            diff::mark(&conflict.notion, &conflict.base),
        )
    };
    let markers = diff::has_markers(&merged.read());
    let repl_missing = conflict.repl.is_none();
    let notion_missing = conflict.notion.is_empty() && !first_link;
    rsx! {
        section {
            id: "conflict-view",
            class: "section",
            "data-conflict-id": "{conflict.id}",
            "data-path": "{conflict.path}",
            "data-first-link": "{first_link}",
            div { class: "row",
                h2 { class: "grow", "Conflict · " span { class: "mono", "{conflict.path}" } }
                button {
                    class: "btn btn-secondary btn-small",
                    r#type: "button",
                    onclick: move |_| state.go(View::Conflicts),
                    "Back"
                }
            }
            if first_link {
                p { class: "small",
                    "First link: the file and the page both had content before they were linked. "
                    "Nothing has been overwritten. Choose which to keep, or merge them."
                }
            } else {
                p { class: "small",
                    "Both sides changed since the last sync (the base). Nothing has been overwritten. "
                    "Changed lines are marked."
                }
            }
            div { class: "conflict-grid",
                Column {
                    side: "base",
                    title: "Base",
                    lines: base_lines,
                    note: if first_link { Some("No common version yet (first link).".to_string()) } else { None },
                }
                Column {
                    side: "repl",
                    title: "Repl",
                    lines: repl_lines,
                    note: if repl_missing { Some("The file is gone from the Repl.".to_string()) } else { None },
                }
                Column {
                    side: "notion",
                    title: "Notion",
                    lines: notion_lines,
                    note: if notion_missing { Some("The page is gone or no longer shared.".to_string()) } else { None },
                }
            }
            div { class: "row form-actions",
                button {
                    id: "keep-repl",
                    class: "btn btn-primary",
                    r#type: "button",
                    disabled: busy || repl_missing,
                    onclick: move |_| {
                        keep_repl(Resolution::KeepRepl);
                    },
                    "Keep Repl version"
                }
                button {
                    id: "keep-notion",
                    class: "btn btn-primary",
                    r#type: "button",
                    disabled: busy || notion_missing,
                    onclick: move |_| {
                        keep_notion(Resolution::KeepNotion);
                    },
                    "Keep Notion version"
                }
            }
            div { class: "merge card",
                label { r#for: "merged-text", class: "field-label", "Or edit the merged text (written to both sides)" }
                textarea {
                    id: "merged-text",
                    class: "input mono merged",
                    rows: "12",
                    spellcheck: "false",
                    value: "{merged}",
                    oninput: move |e| merged.set(e.value()),
                }
                if markers {
                    p { id: "merge-markers-warning", class: "small warn",
                        "Settle each <<<<<<< Repl / ======= / >>>>>>> Notion block, then save."
                    }
                }
                button {
                    id: "resolve-merged",
                    class: "btn btn-primary",
                    r#type: "button",
                    disabled: busy || markers,
                    onclick: move |_| {
                        use_merged(Resolution::Merged { content: merged() });
                    },
                    if busy { "Resolving…" } else { "Use merged text" }
                }
            }
            if let Some(e) = error {
                p { class: "form-error", role: "alert", "{e}" }
            }
        }
    }
}

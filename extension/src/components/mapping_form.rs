//! Create and edit a mapping.
//!
//! Create: the kind's Repl side (a Markdown file from the Repl's tree, `#file-select`, grouped
//! by folder) ↔ its Notion side (a new page, `#target-new`, optionally inside a page found with
//! `#parent-search`; or an existing page, `#target-existing` + `#page-search`), then direction
//! (`#direction-select`), conflict strategy (`#strategy-select`) and auto-sync (`#auto-sync`,
//! `#sync-interval`); `#create-mapping`. Edit (`#save-mapping`) changes how it syncs (PATCH);
//! what it binds is fixed. Only the kinds the relay can sync are offered (see `model::KINDS`).

use super::page_picker::PagePicker;
use super::use_act;
use crate::files::{self, ROOT};
use crate::model::{self, NotionSide, ReplSide, KINDS};
use crate::relay::{Relay, RelayError};
use crate::state::{self, AppState, Loadable, View};
use dioxus::prelude::*;
use protocol::api::{
    ConflictStrategy, CreateMapping, Direction, NotionPageSummary, NotionTarget, UpdateMapping,
    DEFAULT_SYNC_INTERVAL_SECS,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    NewPage,
    ExistingPage,
}

/// What the form sends.
#[derive(Debug, Clone)]
enum Submit {
    Create(CreateMapping, UpdateMapping),
    Edit(String, UpdateMapping),
}

async fn submit(state: AppState, relay: Relay, what: Submit) -> Result<(), RelayError> {
    match what {
        Submit::Create(body, settings) => {
            let created = relay.create_mapping(&body).await?;
            if settings.auto_sync == Some(true) {
                relay.update_mapping(&created.id, &settings).await?;
            }
        }
        Submit::Edit(id, settings) => {
            relay.update_mapping(&id, &settings).await?;
        }
    }
    state::reload(state, relay).await;
    state.go(View::Mappings);
    Ok(())
}

/// The Repl's Markdown files grouped by folder (the tree, flattened one level for a `<select>`).
fn by_folder(paths: &[String]) -> Vec<(String, Vec<String>)> {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for p in paths {
        let folder = files::parent_of(p);
        match groups.iter_mut().find(|(f, _)| f == folder) {
            Some((_, list)) => list.push(p.clone()),
            None => groups.push((folder.to_string(), vec![p.clone()])),
        }
    }
    groups
}

#[component]
fn FilePicker(chosen: Signal<String>, current: String, mapped: Vec<String>) -> Element {
    let state = use_context::<AppState>();
    let files = state.files.read().clone();
    rsx! {
        label { r#for: "file-select", class: "field-label", "Markdown file in this Repl" }
        match files {
            Loadable::Loading => rsx! { p { class: "dim small", "Listing files…" } },
            Loadable::Failed(e) => rsx! { p { class: "dim small", "Could not list files: {e}" } },
            Loadable::Loaded(listing) if listing.markdown.is_empty() => rsx! {
                p { class: "dim small", "No Markdown files in this Repl yet. Create a .md file, then refresh." }
            },
            Loadable::Loaded(listing) => rsx! {
                select {
                    id: "file-select",
                    class: "input",
                    onchange: move |e| chosen.set(e.value()),
                    for (folder, paths) in by_folder(&listing.markdown) {
                        optgroup {
                            key: "{folder}",
                            label: if folder == ROOT { "/ (Repl root)".to_string() } else { format!("{folder}/") },
                            for p in paths {
                                option {
                                    key: "{p}",
                                    value: "{p}",
                                    selected: p == current,
                                    disabled: mapped.contains(&p),
                                    if mapped.contains(&p) {
                                        "{files::file_name(&p)} (already synced)"
                                    } else {
                                        "{files::file_name(&p)}"
                                    }
                                }
                            }
                        }
                    }
                }
            },
        }
    }
}

#[component]
fn SyncSettings(
    direction: Signal<Direction>,
    strategy: Signal<ConflictStrategy>,
    auto_sync: Signal<bool>,
    interval: Signal<u32>,
) -> Element {
    let auto = auto_sync();
    let current_interval = interval();
    let mut intervals = model::INTERVALS.to_vec();
    if !intervals.contains(&current_interval) {
        intervals.push(current_interval);
        intervals.sort_unstable();
    }
    rsx! {
        div { class: "form-grid",
            div {
                label { r#for: "direction-select", class: "field-label", "Direction" }
                select {
                    id: "direction-select",
                    class: "input",
                    onchange: move |e| {
                        if let Some(d) = model::direction_from(&e.value()) {
                            direction.set(d);
                        }
                    },
                    for d in model::DIRECTIONS {
                        option {
                            key: "{model::direction_label(d).1}",
                            value: model::direction_label(d).1,
                            selected: d == direction(),
                            {model::direction_label(d).0}
                        }
                    }
                }
            }
            div {
                label { r#for: "strategy-select", class: "field-label", "When both sides changed" }
                select {
                    id: "strategy-select",
                    class: "input",
                    onchange: move |e| {
                        if let Some(s) = model::strategy_from(&e.value()) {
                            strategy.set(s);
                        }
                    },
                    for s in model::STRATEGIES {
                        option {
                            key: "{model::strategy_label(s).1}",
                            value: model::strategy_label(s).1,
                            selected: s == strategy(),
                            {model::strategy_label(s).0}
                        }
                    }
                }
            }
        }
        div { class: "auto-sync row",
            label { class: "checkbox",
                input {
                    id: "auto-sync",
                    r#type: "checkbox",
                    checked: auto,
                    onchange: move |e| auto_sync.set(e.checked()),
                }
                "Sync automatically"
            }
            label { r#for: "sync-interval", class: "sr-only", "Auto-sync interval" }
            select {
                id: "sync-interval",
                class: "input input-inline",
                disabled: !auto,
                onchange: move |e| {
                    if let Ok(secs) = e.value().parse::<u32>() {
                        interval.set(secs);
                    }
                },
                for secs in intervals {
                    option {
                        key: "{secs}",
                        value: "{secs}",
                        selected: secs == current_interval,
                        "every {model::interval_label(secs)}"
                    }
                }
            }
        }
        p { class: "dim small hint",
            if auto {
                "While this panel is open, a saved change syncs within seconds; Notion's changes come in at each interval."
            } else {
                "Sync with the Sync now button, or the “Sync with Notion” command."
            }
        }
    }
}

/// `editing`: the id of the mapping being edited; `None` creates one.
#[component]
pub fn MappingForm(editing: Option<String>) -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let existing = editing.as_deref().and_then(|id| state.mapping(id));
    let initial = existing.clone();
    let direction = use_signal(|| initial.as_ref().map(|m| m.direction).unwrap_or_default());
    let strategy = use_signal(|| initial.as_ref().map(|m| m.strategy).unwrap_or_default());
    let auto_sync = use_signal(|| initial.as_ref().is_some_and(|m| m.auto_sync));
    let interval = use_signal(|| {
        initial
            .as_ref()
            .map_or(DEFAULT_SYNC_INTERVAL_SECS, |m| m.sync_interval_secs)
    });
    let chosen_path = use_signal(String::new);
    let mut target = use_signal(|| Target::NewPage);
    let selected_page = use_signal(|| None::<NotionPageSummary>);
    let parent_page = use_signal(|| None::<NotionPageSummary>);
    let save = use_act();

    if editing.is_some() && existing.is_none() {
        return rsx! {
            section { class: "card section",
                p { class: "dim", "This mapping no longer exists." }
                button { class: "btn btn-secondary btn-small", r#type: "button", onclick: move |_| state.go(View::Mappings), "Back" }
            }
        };
    }
    let spec = model::kind_spec(existing.as_ref().map_or(KINDS[0].kind, |m| m.kind));
    let mapped: Vec<String> = state
        .mappings
        .read()
        .loaded()
        .map(|l| l.iter().map(|m| m.path.clone()).collect())
        .unwrap_or_default();
    let markdown: Vec<String> = state
        .files
        .read()
        .loaded()
        .map(|l| l.markdown.clone())
        .unwrap_or_default();
    // Until the user picks one, the first file that is not synced yet.
    let current_path = {
        let chosen = chosen_path.read().clone();
        if markdown.contains(&chosen) {
            chosen
        } else {
            markdown
                .iter()
                .find(|f| !mapped.contains(f))
                .cloned()
                .unwrap_or_default()
        }
    };
    let target_now = target();
    let page_now = selected_page.read().clone();
    let busy = (save.busy)();
    let inline = state.mappings.read().loaded().is_some_and(|l| l.is_empty());

    let settings = move || UpdateMapping {
        direction: Some(direction()),
        strategy: Some(strategy()),
        auto_sync: Some(auto_sync()),
        sync_interval_secs: Some(interval()),
    };
    let can_create =
        !current_path.is_empty() && !busy && (target_now == Target::NewPage || page_now.is_some());
    let create_path = current_path.clone();
    let create = move |_| {
        let notion_target = match (target(), selected_page.read().clone()) {
            (Target::ExistingPage, Some(page)) => NotionTarget::ExistingPage { page_id: page.id },
            (Target::ExistingPage, None) => return,
            (Target::NewPage, _) => NotionTarget::NewPage {
                parent_page_id: parent_page.read().as_ref().map(|p| p.id.clone()),
            },
        };
        let body = CreateMapping {
            kind: spec.kind,
            path: create_path.clone(),
            target: notion_target,
            direction: direction(),
            strategy: strategy(),
            repl_id: state.repl.peek().as_ref().map(|r| r.id.clone()),
            recursive: false,
        };
        save.run(submit(
            state,
            relay.clone(),
            Submit::Create(body, settings()),
        ));
    };
    let edit_id = editing.clone();
    let edit_relay = use_context::<Relay>();
    let save_edit = move |_| {
        if let Some(id) = edit_id.clone() {
            save.run(submit(
                state,
                edit_relay.clone(),
                Submit::Edit(id, settings()),
            ));
        }
    };
    let error = (save.error)();

    rsx! {
        form {
            id: if editing.is_some() { "edit-mapping" } else { "new-mapping" },
            class: "card new-mapping",
            "aria-labelledby": "mapping-form-heading",
            onsubmit: move |e| e.prevent_default(),
            h3 { id: "mapping-form-heading",
                if editing.is_some() { "Edit mapping" } else { "Sync a file with Notion" }
            }
            if KINDS.len() > 1 && editing.is_none() {
                // More kinds slot in here (folder ↔ database, code page, project row).
                p { class: "dim small", "{spec.label}" }
            }
            match (&existing, spec.repl_side) {
                (Some(m), _) => rsx! {
                    p { class: "field-label", "File" }
                    p { id: "edit-path", class: "mono", "{m.path}" }
                    p { class: "field-label", "Notion page" }
                    p { class: "small", {m.title.clone().unwrap_or_else(|| "New page (created on first sync)".into())} }
                },
                (None, ReplSide::MarkdownFile) => rsx! {
                    FilePicker { chosen: chosen_path, current: current_path.clone(), mapped: mapped.clone() }
                },
            }
            if existing.is_none() && spec.notion_side == NotionSide::Page {
                fieldset { class: "targets",
                    legend { class: "field-label", "Notion page" }
                    label { class: "radio",
                        input {
                            id: "target-new",
                            r#type: "radio",
                            name: "target",
                            value: "new",
                            checked: target_now == Target::NewPage,
                            onchange: move |_| target.set(Target::NewPage),
                        }
                        "New page"
                    }
                    label { class: "radio",
                        input {
                            id: "target-existing",
                            r#type: "radio",
                            name: "target",
                            value: "existing",
                            checked: target_now == Target::ExistingPage,
                            onchange: move |_| target.set(Target::ExistingPage),
                        }
                        "Existing page"
                    }
                }
                if target_now == Target::ExistingPage {
                    PagePicker { name: "page", label: "Search Notion", selected: selected_page }
                    p { class: "dim small hint",
                        "If both the file and the page already have content, the first sync asks which to keep."
                    }
                } else {
                    details { class: "parent-picker",
                        summary { class: "small", "Create it inside a page (optional)" }
                        PagePicker { name: "parent", label: "Parent page", selected: parent_page }
                    }
                }
            }
            SyncSettings { direction, strategy, auto_sync, interval }
            if let Some(e) = error {
                p { class: "form-error", role: "alert", "{e}" }
            }
            div { class: "row form-actions",
                if editing.is_some() {
                    button {
                        id: "save-mapping",
                        class: "btn btn-primary",
                        r#type: "button",
                        disabled: busy,
                        onclick: save_edit,
                        if busy { "Saving…" } else { "Save" }
                    }
                } else {
                    button {
                        id: "create-mapping",
                        class: "btn btn-primary",
                        r#type: "button",
                        disabled: !can_create,
                        onclick: create,
                        if busy { "Creating…" } else { "Create mapping" }
                    }
                }
                if !inline || editing.is_some() {
                    button {
                        id: "cancel-mapping",
                        class: "btn btn-secondary",
                        r#type: "button",
                        onclick: move |_| state.go(View::Mappings),
                        "Cancel"
                    }
                }
            }
        }
    }
}

//! Create and edit a mapping.
//!
//! Create: the kind (`#kind-select`), its Repl side (a Markdown file, or any text file for a code
//! page, from the Repl's tree: `#file-select`, grouped by folder; a folder, `#folder-select`,
//! with `#recursive`; nothing for the project row) ↔ its Notion side (a new page or database,
//! `#target-new`, optionally inside a page found with `#parent-search`; an existing page,
//! `#target-existing` + `#page-search`; an existing database, `#target-existing` +
//! `#database-id`, its link), then direction (`#direction-select`, fixed for the project row),
//! conflict strategy (`#strategy-select`) and auto-sync (`#auto-sync`, `#sync-interval`);
//! `#create-mapping`. Edit (`#save-mapping`) changes how it syncs (PATCH); what it binds is
//! fixed. A relay that does not sync a kind yet refuses it, and the form says so.

use super::page_picker::PagePicker;
use super::use_act;
use crate::files::{self, ROOT};
use crate::globs::{self, Globs};
use crate::model::{self, NotionSide, ReplSide, KINDS};
use crate::relay::{Relay, RelayError};
use crate::state::{self, AppState, Loadable, View};
use dioxus::prelude::*;
use protocol::api::{
    ConflictStrategy, CreateMapping, Direction, MappingKind, NotionPageSummary, NotionTarget,
    UpdateMapping, DEFAULT_SYNC_INTERVAL_SECS,
};

/// New or existing page (for page kinds) or database (for database kinds).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    New,
    Existing,
}

/// What the form sends (folder mappings: with their globs, kept in ReplDB).
#[derive(Debug, Clone)]
enum Submit {
    Create(CreateMapping, UpdateMapping, Globs),
    Edit(String, UpdateMapping, Option<Globs>),
}

/// Why creating failed, in words: a relay that does not sync the kind yet says so plainly.
fn create_error(kind: MappingKind, e: RelayError) -> String {
    if e.is_kind_not_supported() {
        format!(
            "The sync server can't sync “{}” mappings yet, so nothing was created. {e}",
            model::kind_spec(kind).label
        )
    } else {
        e.to_string()
    }
}

async fn submit(state: AppState, relay: Relay, what: Submit) -> Result<(), String> {
    match what {
        Submit::Create(body, settings, globs) => {
            let created = relay
                .create_mapping(&body)
                .await
                .map_err(|e| create_error(body.kind, e))?;
            if !globs.is_empty() {
                if let Err(e) = globs::save(&created.id, &globs).await {
                    // Without its patterns the mapping would sync files the user left out:
                    // take it back rather than keep it half made.
                    let undone = relay.delete_mapping(&created.id).await;
                    return Err(match undone {
                        Ok(()) => format!(
                            "Could not save the include/exclude patterns, so the mapping was not created: {e}"
                        ),
                        Err(_) => format!(
                            "Could not save the include/exclude patterns ({e}); remove the new mapping and try again."
                        ),
                    });
                }
            }
            if settings.auto_sync == Some(true) {
                relay
                    .update_mapping(&created.id, &settings)
                    .await
                    .map_err(|e| e.to_string())?;
            }
        }
        Submit::Edit(id, settings, globs) => {
            if let Some(globs) = globs {
                globs::save(&id, &globs).await.map_err(|e| {
                    format!("Could not save the include/exclude patterns; nothing was changed: {e}")
                })?;
            }
            relay
                .update_mapping(&id, &settings)
                .await
                .map_err(|e| e.to_string())?;
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

/// The files a kind's file picker offers.
fn candidates(side: ReplSide, listing: &files::Listing) -> Vec<String> {
    match side {
        ReplSide::MarkdownFile => listing.markdown.clone(),
        ReplSide::TextFile => listing
            .files
            .iter()
            .filter(|p| files::is_probably_text(p))
            .cloned()
            .collect(),
        ReplSide::Folder | ReplSide::Repl => Vec::new(),
    }
}

/// The folders a folder picker offers: `""` (the Repl root) first, then the tree.
fn folder_choices(listing: &files::Listing) -> Vec<String> {
    std::iter::once(String::new())
        .chain(listing.dirs.iter().cloned())
        .collect()
}

fn folder_label(folder: &str) -> String {
    if folder.is_empty() {
        "/ (Repl root)".to_string()
    } else {
        format!("{folder}/")
    }
}

#[component]
fn FilePicker(
    chosen: Signal<String>,
    current: String,
    mapped: Vec<String>,
    side: ReplSide,
) -> Element {
    let state = use_context::<AppState>();
    let files = state.files.read().clone();
    let (label, none) = match side {
        ReplSide::TextFile => (
            "Text file in this Repl",
            "No text files in this Repl yet. Create one, then refresh.",
        ),
        _ => (
            "Markdown file in this Repl",
            "No Markdown files in this Repl yet. Create a .md file, then refresh.",
        ),
    };
    rsx! {
        label { r#for: "file-select", class: "field-label", "{label}" }
        match files {
            Loadable::Loading => rsx! { p { class: "dim small", "Listing files…" } },
            Loadable::Failed(e) => rsx! { p { class: "dim small", "Could not list files: {e}" } },
            Loadable::Loaded(listing) if candidates(side, &listing).is_empty() => rsx! {
                p { class: "dim small", "{none}" }
            },
            Loadable::Loaded(listing) => rsx! {
                select {
                    id: "file-select",
                    class: "input",
                    onchange: move |e| chosen.set(e.value()),
                    for (folder, paths) in by_folder(&candidates(side, &listing)) {
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
fn FolderPicker(
    chosen: Signal<Option<String>>,
    current: Option<String>,
    mapped: Vec<String>,
    recursive: Signal<bool>,
) -> Element {
    let state = use_context::<AppState>();
    let files = state.files.read().clone();
    rsx! {
        label { r#for: "folder-select", class: "field-label", "Folder in this Repl" }
        match files {
            Loadable::Loading => rsx! { p { class: "dim small", "Listing folders…" } },
            Loadable::Failed(e) => rsx! { p { class: "dim small", "Could not list folders: {e}" } },
            Loadable::Loaded(listing) => rsx! {
                select {
                    id: "folder-select",
                    class: "input",
                    onchange: move |e| chosen.set(Some(e.value())),
                    for folder in folder_choices(&listing) {
                        option {
                            key: "{folder}",
                            value: "{folder}",
                            selected: current.as_deref() == Some(folder.as_str()),
                            disabled: mapped.contains(&folder),
                            if mapped.contains(&folder) {
                                "{folder_label(&folder)} (already synced)"
                            } else {
                                "{folder_label(&folder)}"
                            }
                        }
                    }
                }
            },
        }
        label { class: "checkbox",
            input {
                id: "recursive",
                r#type: "checkbox",
                checked: recursive(),
                onchange: move |e| recursive.set(e.checked()),
            }
            "Include subfolders"
        }
        p { class: "dim small hint",
            "Each .md file becomes a row; front matter keys become properties. Hidden files, "
            ".git, node_modules, .cache, .upm and target are left out, and files over 2 MB are skipped."
        }
    }
}

/// The patterns typed in the form, or what is wrong with them.
fn parse_globs(include: &str, exclude: &str) -> Result<Globs, String> {
    Ok(Globs {
        include: globs::parse_list(include).map_err(|e| format!("Include: {e}"))?,
        exclude: globs::parse_list(exclude).map_err(|e| format!("Exclude: {e}"))?,
    })
}

#[component]
fn GlobFields(include: Signal<String>, exclude: Signal<String>, error: Option<String>) -> Element {
    rsx! {
        div { class: "form-grid",
            div {
                label { r#for: "include-globs", class: "field-label", "Only files matching (optional)" }
                input {
                    id: "include-globs",
                    class: "input mono",
                    r#type: "text",
                    autocomplete: "off",
                    placeholder: "notes/**, *.md",
                    value: "{include}",
                    oninput: move |e| include.set(e.value()),
                }
            }
            div {
                label { r#for: "exclude-globs", class: "field-label", "Leave out (optional)" }
                input {
                    id: "exclude-globs",
                    class: "input mono",
                    r#type: "text",
                    autocomplete: "off",
                    placeholder: "drafts/**, *.wip.md",
                    value: "{exclude}",
                    oninput: move |e| exclude.set(e.value()),
                }
            }
        }
        if let Some(e) = error {
            p { id: "globs-error", class: "form-error small", role: "alert", "{e}" }
        } else {
            p { class: "dim small hint",
                "Comma-separated, relative to the folder: * within a name, ** across folders. "
                "With patterns set, deleting a file in the Repl does not delete its row."
            }
        }
    }
}

#[component]
fn SyncSettings(
    fixed_direction: Option<Direction>,
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
                    // A kind that syncs one way only offers that way.
                    disabled: fixed_direction.is_some(),
                    onchange: move |e| {
                        if let Some(d) = model::direction_from(&e.value()) {
                            direction.set(d);
                        }
                    },
                    for d in model::DIRECTIONS.into_iter().filter(|d| fixed_direction.is_none_or(|f| f == *d)) {
                        option {
                            key: "{model::direction_label(d).1}",
                            value: model::direction_label(d).1,
                            selected: d == fixed_direction.unwrap_or(direction()),
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

/// What the form would create, or why it cannot yet (`None`).
#[allow(clippy::too_many_arguments)]
fn create_body(
    spec: &model::KindSpec,
    file: &str,
    folder: Option<&str>,
    recursive: bool,
    target: Target,
    page: Option<&NotionPageSummary>,
    parent: Option<&NotionPageSummary>,
    database_link: &str,
    direction: Direction,
    strategy: ConflictStrategy,
    repl_id: Option<String>,
) -> Option<CreateMapping> {
    let path = match spec.repl_side {
        ReplSide::MarkdownFile | ReplSide::TextFile if !file.is_empty() => file.to_string(),
        ReplSide::MarkdownFile | ReplSide::TextFile => return None,
        ReplSide::Folder => folder?.to_string(),
        // The Repl itself: its root.
        ReplSide::Repl => String::new(),
    };
    let parent_page_id = parent.map(|p| p.id.clone());
    let target = match (spec.notion_side, target) {
        (NotionSide::Page, Target::New) => NotionTarget::NewPage { parent_page_id },
        (NotionSide::Page, Target::Existing) => NotionTarget::ExistingPage {
            page_id: page?.id.clone(),
        },
        (NotionSide::Database, Target::New) => NotionTarget::NewDatabase { parent_page_id },
        (NotionSide::Database, Target::Existing) => NotionTarget::ExistingDatabase {
            database_id: model::notion_id_from(database_link)?,
        },
    };
    Some(CreateMapping {
        kind: spec.kind,
        path,
        target,
        direction: spec.fixed_direction.unwrap_or(direction),
        strategy,
        repl_id,
        recursive: spec.repl_side == ReplSide::Folder && recursive,
    })
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
    let mut kind = use_signal(|| KINDS[0].kind);
    let mut chosen_path = use_signal(String::new);
    let mut chosen_folder = use_signal(|| None::<String>);
    let recursive = use_signal(|| false);
    let mut target = use_signal(|| Target::New);
    let mut selected_page = use_signal(|| None::<NotionPageSummary>);
    let parent_page = use_signal(|| None::<NotionPageSummary>);
    let mut database_link = use_signal(String::new);
    let selected_database = use_signal(|| None::<NotionPageSummary>);
    let include_text = use_signal(String::new);
    let exclude_text = use_signal(String::new);
    // Editing a folder mapping: its stored patterns, loaded once (Save waits for them, so it
    // never overwrites them with empty fields).
    let editing_folder = existing
        .as_ref()
        .filter(|m| m.kind == MappingKind::FolderDatabase)
        .map(|m| m.id.clone());
    let mut globs_state = use_signal(|| match editing_folder {
        Some(_) => Loadable::Loading,
        None => Loadable::Loaded(()),
    });
    use_future(move || {
        let id = editing_folder.clone();
        let (mut include_text, mut exclude_text) = (include_text, exclude_text);
        async move {
            let Some(id) = id else { return };
            match globs::load(&id).await {
                Ok(g) => {
                    include_text.set(g.include.join(", "));
                    exclude_text.set(g.exclude.join(", "));
                    globs_state.set(Loadable::Loaded(()));
                }
                Err(e) => globs_state.set(Loadable::Failed(format!(
                    "Could not read the include/exclude patterns: {e}"
                ))),
            }
        }
    });
    let save = use_act();

    if editing.is_some() && existing.is_none() {
        return rsx! {
            section { class: "card section",
                p { class: "dim", "This mapping no longer exists." }
                button { class: "btn btn-secondary btn-small", r#type: "button", onclick: move |_| state.go(View::Mappings), "Back" }
            }
        };
    }
    let spec = model::kind_spec(existing.as_ref().map_or(kind(), |m| m.kind));
    let mapped: Vec<String> = state
        .mappings
        .read()
        .loaded()
        .map(|l| {
            l.iter()
                .filter(|m| model::kind_spec(m.kind).repl_side == spec.repl_side)
                .map(|m| m.path.clone())
                .collect()
        })
        .unwrap_or_default();
    let listing = state.files.read().loaded().cloned().unwrap_or_default();
    let offered = candidates(spec.repl_side, &listing);
    // Until the user picks one, the first file (or folder) that is not synced yet.
    let current_path = {
        let chosen = chosen_path.read().clone();
        if offered.contains(&chosen) {
            chosen
        } else {
            offered
                .iter()
                .find(|f| !mapped.contains(f))
                .cloned()
                .unwrap_or_default()
        }
    };
    let current_folder = {
        let folders = folder_choices(&listing);
        match chosen_folder.read().clone() {
            Some(f) if folders.contains(&f) => Some(f),
            _ => folders.into_iter().find(|f| !mapped.contains(f)),
        }
    };
    let target_now = target();
    let busy = (save.busy)();
    let inline = state.mappings.read().loaded().is_some_and(|l| l.is_empty());
    let database_invalid = !database_link.read().trim().is_empty()
        && model::notion_id_from(&database_link.read()).is_none();

    let settings = move || UpdateMapping {
        direction: Some(spec.fixed_direction.unwrap_or(direction())),
        strategy: Some(strategy()),
        auto_sync: Some(auto_sync()),
        sync_interval_secs: Some(interval()),
    };
    let repl_id = state.repl.read().as_ref().map(|r| r.id.clone());
    let body = create_body(
        spec,
        &current_path,
        current_folder.as_deref(),
        recursive(),
        target_now,
        selected_page.read().as_ref(),
        parent_page.read().as_ref(),
        // A database picked in the search, else the pasted link.
        &selected_database
            .read()
            .as_ref()
            .map_or_else(|| database_link.read().clone(), |d| d.id.clone()),
        direction(),
        strategy(),
        repl_id,
    );
    let folder_side = spec.repl_side == ReplSide::Folder;
    let parsed_globs = parse_globs(&include_text.read(), &exclude_text.read());
    let globs_error = match (&*globs_state.read(), &parsed_globs) {
        (Loadable::Failed(e), _) => Some(e.clone()),
        (_, Err(e)) if folder_side => Some(e.clone()),
        _ => None,
    };
    let globs_ready = !folder_side
        || (parsed_globs.is_ok() && matches!(*globs_state.read(), Loadable::Loaded(())));
    let can_create = body.is_some() && !busy && globs_ready;
    let create_globs = parsed_globs.clone();
    let create = move |_| {
        let globs = match (&create_globs, folder_side) {
            (Ok(g), true) => g.clone(),
            (Err(_), true) => return,
            (_, false) => Globs::default(),
        };
        if let Some(body) = body.clone() {
            save.run(submit(
                state,
                relay.clone(),
                Submit::Create(body, settings(), globs),
            ));
        }
    };
    let edit_id = editing.clone();
    let edit_relay = use_context::<Relay>();
    let edit_globs = parsed_globs.clone();
    let save_edit = move |_| {
        let globs = match (&edit_globs, folder_side) {
            (Ok(g), true) => Some(g.clone()),
            (Err(_), true) => return,
            (_, false) => None,
        };
        if let Some(id) = edit_id.clone() {
            save.run(submit(
                state,
                edit_relay.clone(),
                Submit::Edit(id, settings(), globs),
            ));
        }
    };
    let error = (save.error)();
    let (notion_noun, new_label, existing_label) = match spec.notion_side {
        NotionSide::Page => ("Notion page", "New page", "Existing page"),
        NotionSide::Database => ("Notion database", "New database", "Existing database"),
    };
    let heading = match (editing.is_some(), spec.repl_side) {
        (true, _) => "Edit mapping",
        (false, ReplSide::Folder) => "Sync a folder with Notion",
        (false, ReplSide::Repl) => "Add this Repl to a Notion database",
        (false, _) => "Sync a file with Notion",
    };
    let repl_title = state
        .repl
        .read()
        .as_ref()
        .map(|r| r.title.clone())
        .unwrap_or_default();

    rsx! {
        form {
            id: if editing.is_some() { "edit-mapping" } else { "new-mapping" },
            class: "card new-mapping",
            "aria-labelledby": "mapping-form-heading",
            "data-kind": spec.value,
            onsubmit: move |e| e.prevent_default(),
            h3 { id: "mapping-form-heading", "{heading}" }
            if editing.is_none() {
                label { r#for: "kind-select", class: "field-label", "What to sync" }
                select {
                    id: "kind-select",
                    class: "input",
                    onchange: move |e| {
                        if let Some(k) = model::kind_from(&e.value()) {
                            kind.set(k);
                            let mut error = save.error;
                            error.set(None);
                            // What was picked for another kind does not carry over.
                            chosen_path.set(String::new());
                            chosen_folder.set(None);
                            selected_page.set(None);
                            database_link.set(String::new());
                            target.set(Target::New);
                        }
                    },
                    for k in KINDS {
                        option { key: "{k.value}", value: k.value, selected: k.kind == spec.kind, {k.label} }
                    }
                }
            }
            match (&existing, spec.repl_side) {
                (Some(m), _) => rsx! {
                    p { class: "field-label", "{spec.label}" }
                    p { id: "edit-path", class: "mono", {model::repl_side_label(m)} }
                    p { class: "field-label", "{notion_noun}" }
                    p { class: "small", {model::notion_side_label(m)} }
                },
                (None, ReplSide::MarkdownFile | ReplSide::TextFile) => rsx! {
                    FilePicker { chosen: chosen_path, current: current_path.clone(), mapped: mapped.clone(), side: spec.repl_side }
                },
                (None, ReplSide::Folder) => rsx! {
                    FolderPicker { chosen: chosen_folder, current: current_folder.clone(), mapped: mapped.clone(), recursive }
                },
                (None, ReplSide::Repl) => rsx! {
                    p { class: "field-label", "This Repl" }
                    p { id: "project-repl", class: "small",
                        strong { "{repl_title}" }
                        " — its title, description, link, visibility, creation date, owner, languages and file count become one row. Replit → Notion only."
                    }
                },
            }
            if existing.is_none() {
                fieldset { class: "targets",
                    legend { class: "field-label", "{notion_noun}" }
                    label { class: "radio",
                        input {
                            id: "target-new",
                            r#type: "radio",
                            name: "target",
                            value: "new",
                            checked: target_now == Target::New,
                            onchange: move |_| target.set(Target::New),
                        }
                        "{new_label}"
                    }
                    label { class: "radio",
                        input {
                            id: "target-existing",
                            r#type: "radio",
                            name: "target",
                            value: "existing",
                            checked: target_now == Target::Existing,
                            onchange: move |_| target.set(Target::Existing),
                        }
                        "{existing_label}"
                    }
                }
                match (spec.notion_side, target_now) {
                    (NotionSide::Page, Target::Existing) => rsx! {
                        PagePicker { name: "page", label: "Search Notion", selected: selected_page }
                        p { class: "dim small hint",
                            "If both the file and the page already have content, the first sync asks which to keep."
                        }
                    },
                    (NotionSide::Database, Target::Existing) => rsx! {
                        PagePicker { name: "database", label: "Search Notion databases", selected: selected_database, object: "database" }
                        label { r#for: "database-id", class: "field-label", "Or paste the database's link" }
                        input {
                            id: "database-id",
                            class: "input",
                            r#type: "text",
                            autocomplete: "off",
                            placeholder: "https://www.notion.so/…",
                            "aria-invalid": database_invalid,
                            value: "{database_link}",
                            oninput: move |e| database_link.set(e.value()),
                        }
                        p { class: if database_invalid { "form-error small" } else { "dim small hint" },
                            if database_invalid {
                                "That is not a Notion database link or id."
                            } else {
                                "In Notion, open the database as a full page → ••• → Copy link. It must be shared with Notion Sync (••• → Connections)."
                            }
                        }
                    },
                    (_, Target::New) => rsx! {
                        details { class: "parent-picker",
                            summary { class: "small", "Create it inside a page (optional)" }
                            PagePicker { name: "parent", label: "Parent page", selected: parent_page }
                        }
                    },
                }
            }
            if folder_side {
                GlobFields { include: include_text, exclude: exclude_text, error: globs_error }
            }
            SyncSettings { fixed_direction: spec.fixed_direction, direction, strategy, auto_sync, interval }
            if let Some(e) = error {
                p { id: "mapping-error", class: "form-error", role: "alert", "{e}" }
            }
            div { class: "row form-actions",
                if editing.is_some() {
                    button {
                        id: "save-mapping",
                        class: "btn btn-primary",
                        r#type: "button",
                        disabled: busy || !globs_ready,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn body(
        kind: MappingKind,
        file: &str,
        folder: Option<&str>,
        target: Target,
    ) -> Option<CreateMapping> {
        create_body(
            model::kind_spec(kind),
            file,
            folder,
            true,
            target,
            None,
            None,
            "https://www.notion.so/acme/Projects-1c2d3e4f0000400080000123456789ab",
            Direction::Bidirectional,
            ConflictStrategy::Merge,
            Some("repl".into()),
        )
    }

    #[test]
    fn bodies_per_kind() {
        let b = body(MappingKind::FolderDatabase, "", Some(""), Target::New).unwrap();
        assert_eq!(b.path, "");
        assert!(b.recursive);
        assert_eq!(
            b.target,
            NotionTarget::NewDatabase {
                parent_page_id: None
            }
        );
        let b = body(
            MappingKind::FolderDatabase,
            "",
            Some("docs"),
            Target::Existing,
        )
        .unwrap();
        assert_eq!(
            b.target,
            NotionTarget::ExistingDatabase {
                database_id: "1c2d3e4f-0000-4000-8000-0123456789ab".into()
            }
        );
        // No folder chosen (every one is mapped): nothing to create.
        assert!(body(MappingKind::FolderDatabase, "", None, Target::New).is_none());

        let b = body(MappingKind::FileCodePage, "src/main.rs", None, Target::New).unwrap();
        assert_eq!(
            (b.kind, b.path.as_str()),
            (MappingKind::FileCodePage, "src/main.rs")
        );
        assert!(!b.recursive);
        assert_eq!(
            b.target,
            NotionTarget::NewPage {
                parent_page_id: None
            }
        );
        // An existing page needs a page picked; a file kind needs a file.
        assert!(body(MappingKind::FilePage, "a.md", None, Target::Existing).is_none());
        assert!(body(MappingKind::FilePage, "", None, Target::New).is_none());

        // The project row: the Repl root, Replit → Notion whatever the select said.
        let b = body(
            MappingKind::ReplProjectRow,
            "a.md",
            Some("docs"),
            Target::New,
        )
        .unwrap();
        assert_eq!(b.path, "");
        assert_eq!(b.direction, Direction::ReplitToNotion);
        assert!(!b.recursive);
        assert_eq!(
            b.target,
            NotionTarget::NewDatabase {
                parent_page_id: None
            }
        );
    }
}

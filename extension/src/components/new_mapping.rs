//! The create-mapping form: a Markdown file of the Repl (`#file-select`) ↔ a new Notion page
//! (`#target-new`, the default) or an existing one found by search (`#target-existing`,
//! `#page-search`, `.page-result`), then `#create-mapping`.

use crate::relay::Relay;
use crate::state::{self, AppState, Loadable};
use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;
use protocol::api::{CreateMapping, MappingKind, NotionPageSummary, NotionTarget};

/// Wait this long after the last keystroke before searching (Notion search is rate limited).
const SEARCH_DEBOUNCE_MS: u32 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    NewPage,
    ExistingPage,
}

async fn search(
    relay: Relay,
    query: String,
    mut results: Signal<Loadable<Vec<NotionPageSummary>>>,
) {
    TimeoutFuture::new(SEARCH_DEBOUNCE_MS).await;
    results.set(Loadable::Loading);
    match relay.search(&query).await {
        Ok(r) => results.set(Loadable::Loaded(r.results)),
        Err(e) => results.set(Loadable::Failed(e.to_string())),
    }
}

#[component]
pub fn NewMapping() -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let mut chosen_path = use_signal(String::new);
    let mut target = use_signal(|| Target::NewPage);
    let mut query = use_signal(String::new);
    let mut results = use_signal(|| Loadable::Loaded(Vec::<NotionPageSummary>::new()));
    let mut selected_page = use_signal(|| None::<NotionPageSummary>);
    let mut search_task = use_signal(|| None::<dioxus_core::Task>);
    let mut creating = use_signal(|| false);

    let files = state.files.read().clone();
    let mapped: Vec<String> = match &*state.mappings.read() {
        Loadable::Loaded(list) => list.iter().map(|m| m.path.clone()).collect(),
        _ => Vec::new(),
    };
    let markdown = match &files {
        Loadable::Loaded(listing) => listing.markdown.clone(),
        _ => Vec::new(),
    };
    // Until the user picks one, the select shows the first file that is not synced yet.
    let current_path = {
        let chosen = chosen_path.read().clone();
        if markdown.contains(&chosen) {
            chosen
        } else {
            markdown
                .iter()
                .find(|f| !mapped.contains(f))
                .or(markdown.first())
                .cloned()
                .unwrap_or_default()
        }
    };
    let target_now = target();
    let page_now = selected_page.read().clone();
    let can_create = !current_path.is_empty()
        && !creating()
        && (target_now == Target::NewPage || page_now.is_some());

    let relay_search = relay.clone();
    let run_search = move |q: String| {
        if let Some(task) = search_task.take() {
            task.cancel();
        }
        if q.trim().is_empty() {
            results.set(Loadable::Loaded(Vec::new()));
            return;
        }
        search_task.set(Some(spawn(search(relay_search.clone(), q, results))));
    };
    let mut run_search_focus = run_search.clone();
    let mut run_search_input = run_search.clone();

    let create_path = current_path.clone();
    let create = move |_| {
        let path = create_path.clone();
        let notion_target = match (target(), selected_page.read().clone()) {
            (Target::ExistingPage, Some(page)) => NotionTarget::ExistingPage { page_id: page.id },
            (Target::ExistingPage, None) => return,
            (Target::NewPage, _) => NotionTarget::NewPage {
                parent_page_id: None,
            },
        };
        let relay = relay.clone();
        let repl_id = state.repl.peek().as_ref().map(|r| r.id.clone());
        creating.set(true);
        spawn(async move {
            let body = CreateMapping {
                kind: MappingKind::FilePage,
                path,
                target: notion_target,
                direction: Default::default(),
                strategy: Default::default(),
                repl_id,
            };
            match relay.create_mapping(&body).await {
                Ok(_) => {
                    // Ready for the next mapping: back to the defaults.
                    selected_page.set(None);
                    chosen_path.set(String::new());
                    target.set(Target::NewPage);
                    query.set(String::new());
                    results.set(Loadable::Loaded(Vec::new()));
                    state.clear_error();
                    state::reload(state, relay).await;
                }
                Err(e) => state.show_error(e.to_string(), None),
            }
            creating.set(false);
        });
    };

    rsx! {
        form {
            id: "new-mapping",
            class: "card new-mapping",
            "aria-labelledby": "new-mapping-heading",
            onsubmit: move |e| e.prevent_default(),
            h3 { id: "new-mapping-heading", "Sync a file with Notion" }
            label { r#for: "file-select", class: "field-label", "Markdown file" }
            match files {
                Loadable::Loading => rsx! { p { class: "dim small", "Listing files…" } },
                Loadable::Failed(e) => rsx! { p { class: "dim small", "Could not list files: {e}" } },
                Loadable::Loaded(_) if markdown.is_empty() => rsx! {
                    p { class: "dim small", "No Markdown files in this Repl yet." }
                },
                Loadable::Loaded(_) => rsx! {
                    select {
                        id: "file-select",
                        class: "input",
                        onchange: move |e| chosen_path.set(e.value()),
                        for f in markdown.iter() {
                            option {
                                key: "{f}",
                                value: "{f}",
                                selected: *f == current_path,
                                if mapped.contains(f) { "{f} (already synced)" } else { "{f}" }
                            }
                        }
                    }
                },
            }
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
                        onchange: move |_| {
                            target.set(Target::ExistingPage);
                            run_search_focus(query());
                        },
                    }
                    "Existing page"
                }
            }
            if target_now == Target::ExistingPage {
                div { class: "page-picker",
                    label { r#for: "page-search", class: "field-label", "Search Notion" }
                    input {
                        id: "page-search",
                        class: "input",
                        r#type: "search",
                        placeholder: "Page title",
                        autocomplete: "off",
                        value: "{query}",
                        oninput: move |e| {
                            let q = e.value();
                            query.set(q.clone());
                            run_search_input(q);
                        },
                    }
                    match results() {
                        Loadable::Loading => rsx! { p { class: "dim small", "Searching…" } },
                        Loadable::Failed(e) => rsx! { p { class: "dim small", "Search failed: {e}" } },
                        Loadable::Loaded(list) if list.is_empty() && !query.read().trim().is_empty() => rsx! {
                            p { class: "dim small", "No pages found. Is the page shared with the integration?" }
                        },
                        Loadable::Loaded(list) => rsx! {
                            ul { class: "page-results", role: "listbox", "aria-label": "Notion pages",
                                for page in list {
                                    li { key: "{page.id}",
                                        button {
                                            class: if page_now.as_ref().is_some_and(|p| p.id == page.id) { "page-result selected" } else { "page-result" },
                                            r#type: "button",
                                            "data-page-id": "{page.id}",
                                            "aria-pressed": page_now.as_ref().is_some_and(|p| p.id == page.id),
                                            onclick: {
                                                let page = page.clone();
                                                move |_| selected_page.set(Some(page.clone()))
                                            },
                                            span { class: "page-icon", "aria-hidden": "true",
                                                {page.icon.clone().filter(|i| !i.starts_with("http") && i.chars().count() <= 4).unwrap_or_else(|| "📄".to_string())}
                                            }
                                            span { "{page.title}" }
                                        }
                                    }
                                }
                            }
                        },
                    }
                    if let Some(page) = page_now.clone() {
                        p { id: "selected-page", class: "small", "Selected: " strong { "{page.title}" } }
                    }
                }
            }
            button {
                id: "create-mapping",
                class: "btn btn-primary",
                r#type: "button",
                disabled: !can_create,
                onclick: create,
                if creating() { "Creating…" } else { "Create mapping" }
            }
        }
    }
}

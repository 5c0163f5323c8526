//! A Notion page or database picker with search: the relay's `GET /api/notion/search?q=`
//! (debounced; an empty query lists recent ones). Used for "link an existing page"
//! (`#page-search`, `.page-result[data-page-id]`, `#selected-page`), "create inside a page"
//! (`#parent-search`, `.parent-result`, `#selected-parent`) and "link an existing database"
//! (`#database-search`, `.database-result`, `#selected-database`; `object: "database"`).

use crate::relay::Relay;
use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;
use protocol::api::NotionPageSummary;

/// Wait this long after the last keystroke before searching (Notion search is rate limited).
const SEARCH_DEBOUNCE_MS: u32 = 300;

fn page_icon(page: &NotionPageSummary) -> String {
    page.icon
        .clone()
        .filter(|i| !i.starts_with("http") && i.chars().count() <= 4)
        .unwrap_or_else(|| "📄".to_string())
}

#[component]
pub fn PagePicker(
    /// `page` or `parent`: prefixes the ids and classes of the picker's elements.
    name: &'static str,
    label: &'static str,
    selected: Signal<Option<NotionPageSummary>>,
    /// What to search for: `page` or `database`.
    #[props(default = "page")]
    object: &'static str,
) -> Element {
    let relay = use_context::<Relay>();
    let mut query = use_signal(String::new);
    // Restarts (cancelling the previous search) whenever the query changes: that is the debounce.
    let results = use_resource(move || {
        let q = query();
        let relay = relay.clone();
        async move {
            TimeoutFuture::new(SEARCH_DEBOUNCE_MS).await;
            relay
                .search(q.trim(), object)
                .await
                .map(|r| r.results)
                .map_err(|e| e.to_string())
        }
    });
    let current = selected.read().clone();
    let input_id = format!("{name}-search");
    let result_class = format!("{name}-result");
    rsx! {
        div { class: "page-picker",
            label { r#for: "{input_id}", class: "field-label", "{label}" }
            input {
                id: "{input_id}",
                class: "input",
                r#type: "search",
                placeholder: if object == "database" { "Search databases by title" } else { "Search pages by title" },
                autocomplete: "off",
                value: "{query}",
                oninput: move |e| query.set(e.value()),
            }
            match &*results.read() {
                None => rsx! { p { class: "dim small", role: "status", "Searching…" } },
                Some(Err(e)) => rsx! { p { class: "dim small", "Search failed: {e}" } },
                Some(Ok(list)) if list.is_empty() => rsx! {
                    p { class: "dim small",
                        if object == "database" {
                            "No databases found. Is the database shared with the Notion Sync integration?"
                        } else {
                            "No pages found. Is the page shared with the Notion Sync integration?"
                        }
                    }
                },
                Some(Ok(list)) => rsx! {
                    ul { class: "page-results", role: "listbox", "aria-label": if object == "database" { "Notion databases" } else { "Notion pages" },
                        for page in list.iter().cloned() {
                            li { key: "{page.id}",
                                button {
                                    class: if current.as_ref().is_some_and(|p| p.id == page.id) { "{result_class} selected" } else { "{result_class}" },
                                    r#type: "button",
                                    role: "option",
                                    "data-page-id": "{page.id}",
                                    "aria-selected": current.as_ref().is_some_and(|p| p.id == page.id),
                                    onclick: {
                                        let page = page.clone();
                                        move |_| selected.set(Some(page.clone()))
                                    },
                                    span { class: "page-icon", "aria-hidden": "true",
                                        if object == "database" { "🗃️" } else { {page_icon(&page)} }
                                    }
                                    span { "{page.title}" }
                                }
                            }
                        }
                    }
                },
            }
            if let Some(page) = current {
                p { id: "selected-{name}", class: "small selected-page",
                    "Selected: "
                    strong { "{page.title}" }
                    button {
                        class: "btn-link small",
                        r#type: "button",
                        onclick: move |_| selected.set(None),
                        "Clear"
                    }
                }
            }
        }
    }
}

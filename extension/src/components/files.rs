//! The Repl's Markdown files (`#file-list .file-item[data-path]`), which shows the workspace
//! connection works before anything else does; each has its history (`.file-history`).

use crate::state::{self, AppState, Loadable, View};
use dioxus::prelude::*;

#[component]
pub fn FilesSection() -> Element {
    let state = use_context::<AppState>();
    let files = state.files.read().clone();
    let connected = state.connected();
    let mapped: Vec<String> = match &*state.mappings.read() {
        Loadable::Loaded(list) => list.iter().map(|m| m.path.clone()).collect(),
        _ => Vec::new(),
    };
    rsx! {
        section { class: "section", "aria-labelledby": "files-heading",
            div { class: "row",
                h2 { id: "files-heading", class: "grow", "Markdown files in this Repl" }
                button {
                    class: "btn btn-secondary btn-small",
                    r#type: "button",
                    "aria-label": "Refresh the file list",
                    onclick: move |_| {
                        spawn(state::load_files(state));
                    },
                    "Refresh"
                }
            }
            match files {
                Loadable::Loading => rsx! { p { class: "dim", "Listing files…" } },
                Loadable::Failed(e) => rsx! { p { class: "dim", "Could not list the Repl's files: {e}" } },
                Loadable::Loaded(listing) => rsx! {
                    if listing.markdown.is_empty() {
                        p { class: "dim", "No Markdown files found." }
                    }
                    ul { id: "file-list", class: "file-list",
                        for f in listing.markdown.iter().cloned() {
                            li { key: "{f}", class: "file-item", "data-path": "{f}",
                                span { class: "mono grow", "{f}" }
                                if mapped.contains(&f) {
                                    span { class: "badge badge-positive small", "synced" }
                                }
                                if connected {
                                    button {
                                        class: "file-history btn-link small",
                                        r#type: "button",
                                        "aria-label": "History of {f}",
                                        onclick: {
                                            let f = f.clone();
                                            move |_| state.go(View::History(f.clone()))
                                        },
                                        "History"
                                    }
                                }
                            }
                        }
                    }
                    if listing.truncated {
                        p { class: "dim small", "Only part of the Repl was listed (it is very large)." }
                    }
                    for (dir, why) in listing.unreadable.iter() {
                        p { class: "dim small", "Could not list {dir}: {why}" }
                    }
                },
            }
        }
    }
}

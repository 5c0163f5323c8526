//! The panel header: name, the Replit user and the Repl (`#repl-user`).

use crate::state::AppState;
use dioxus::prelude::*;

#[component]
pub fn Header() -> Element {
    let state = use_context::<AppState>();
    let user = state.user.read().clone();
    let repl = state.repl.read().clone();
    rsx! {
        header { class: "panel-header",
            img { class: "logo", src: "icon.svg", alt: "", width: "20", height: "20" }
            h1 { "Notion Sync" }
            div { id: "repl-user", class: "who",
                if let Some(user) = user {
                    span { class: "username", title: "Replit user", "@{user.username}" }
                }
                if let Some(repl) = repl {
                    span { class: "repl-title", title: "Repl", "{repl.title}" }
                }
            }
        }
    }
}

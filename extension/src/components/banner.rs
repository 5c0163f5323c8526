//! `#error-banner`: the current error, what to do, and the action that fixes it (`.retry`).

use super::connection::{oauth_flow, open_popup};
use crate::relay::Relay;
use crate::state::{self, AppState, Retry};
use dioxus::core::spawn_forever;
use dioxus::prelude::*;

#[component]
pub fn ErrorBanner() -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let banner = state.banner.read().clone();
    let Some(banner) = banner else {
        return rsx! {};
    };
    rsx! {
        div { id: "error-banner", class: "banner banner-error", role: "alert",
            span { class: "banner-icon", "aria-hidden": "true", "!" }
            span { class: "banner-text", "{banner.message}" }
            match banner.retry {
                Some(Retry::ReconnectNotion) => rsx! {
                    button {
                        class: "retry reconnect btn btn-primary btn-small",
                        r#type: "button",
                        onclick: move |_| {
                            // Synchronously, inside the click: popup blockers allow only this.
                            let popup = open_popup();
                            state.clear_error();
                            spawn_forever(oauth_flow(state, relay.clone(), popup));
                        },
                        "Reconnect Notion"
                    }
                },
                Some(retry) => rsx! {
                    button {
                        class: "retry btn btn-small",
                        r#type: "button",
                        onclick: move |_| {
                            spawn_forever(state::retry(state, relay.clone(), retry.clone()));
                        },
                        "Retry"
                    }
                },
                None => rsx! {},
            }
            button {
                class: "btn-icon",
                r#type: "button",
                "aria-label": "Dismiss",
                title: "Dismiss",
                onclick: move |_| state.clear_error(),
                "×"
            }
        }
    }
}

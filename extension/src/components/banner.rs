//! `#error-banner`: the current error, what to do, and a Retry.

use crate::relay::Relay;
use crate::state::{self, AppState};
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
            span { class: "banner-text", "{banner.message}" }
            if let Some(retry) = banner.retry.clone() {
                button {
                    class: "btn btn-small",
                    r#type: "button",
                    onclick: move |_| {
                        spawn(state::retry(state, relay.clone(), retry.clone()));
                    },
                    "Retry"
                }
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

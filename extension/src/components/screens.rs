//! Whole-panel screens (outside Replit, connecting) and the status footer with the test hooks
//! `#handshake-ok` and `#panel-ready`.

use crate::relay::Relay;
use crate::state::{self, AppState, SessionState};
use dioxus::core::spawn_forever;
use dioxus::prelude::*;

/// Shown when the panel is opened top-level: without a parent frame the Replit client would
/// talk to itself and pretend to be connected (reference §3.3), so the panel does not even try.
#[component]
pub fn NotInReplit() -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    rsx! {
        main { id: "not-in-replit", class: "panel screen",
            img { class: "screen-logo", src: "icon.svg", alt: "", width: "48", height: "48" }
            h1 { "Notion Sync" }
            p { class: "lead", "Open this panel inside Replit (or the workspace simulator)." }
            p { class: "dim",
                "This page is the Notion Sync extension. It reads and writes your Repl's files through "
                "the Replit workspace, so it only works as a tool inside a Repl: open it from the "
                "Extensions tab, or run "
                code { "cargo xtask run" }
                " and open the simulator URL it prints."
            }
            button {
                class: "retry btn btn-secondary",
                r#type: "button",
                onclick: move |_| {
                    spawn_forever(state::boot(state, relay.clone()));
                },
                "Check again"
            }
        }
    }
}

#[component]
pub fn Connecting() -> Element {
    rsx! {
        main { class: "panel screen", "aria-busy": "true",
            div { class: "spinner", role: "status", "aria-label": "Connecting" }
            p { class: "dim", "Connecting to the Replit workspace…" }
        }
    }
}

/// Under the error banner when the workspace did not answer the handshake.
#[component]
pub fn HandshakeHelp() -> Element {
    rsx! {
        section { class: "card section",
            p { "The panel is inside a frame, but nothing answered the Replit Extensions handshake." }
            p { class: "dim small",
                "Open it as a tool from the Replit workspace (the Preview pane is not an extension "
                "host; use Extension Devtools → Load Locally while developing), or inside the "
                "workspace simulator."
            }
        }
    }
}

#[component]
pub fn StatusFooter() -> Element {
    let state = use_context::<AppState>();
    let session = state.session.read().clone();
    let live = (state.live)();
    let watching = (state.watching)();
    rsx! {
        footer { class: "status-footer",
            span { id: "handshake-ok", class: "status ok", "Replit workspace" }
            match session {
                SessionState::Ready => rsx! {
                    span { id: "panel-ready", class: "status ok", "Sync server" }
                },
                SessionState::Pending => rsx! {
                    span { class: "status pending", "Sync server…" }
                },
                SessionState::Failed(_) => rsx! {
                    span { class: "status bad", "Sync server" }
                },
            }
            span {
                id: "live-status",
                class: if live { "status ok" } else { "status" },
                "data-live": "{live}",
                title: "Live sync progress",
                "Live"
            }
            span {
                id: "auto-sync-status",
                class: if watching > 0 { "status ok" } else { "status" },
                "data-watching": "{watching}",
                title: "Files watched for auto-sync",
                "Auto-sync: {watching}"
            }
        }
    }
}

//! Notion connection: "Connect Notion" (OAuth popup), the connected workspace, Disconnect.
//!
//! The popup is opened synchronously inside the click handler (anything later is a popup
//! blocker's target), on `about:blank`; only then is a single-use ticket fetched and the popup
//! sent to the relay's OAuth start. The panel learns the outcome by polling `GET
//! /api/connection`, which works even when the popup's opener link is cut (COOP), and falls back
//! to a link the user can open when the popup was blocked.

use crate::relay::Relay;
use crate::state::{self, AppState, OAuthState, SessionState, View};
use dioxus::core::spawn_forever;
use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;
use protocol::api::Workspace;

/// Longest wait for the user to finish in Notion.
const MAX_POLLS: u32 = 600;
/// Polls after the popup looks closed (a COOP page can make an open popup look closed).
const POLLS_AFTER_CLOSE: u32 = 3;

pub(super) fn open_popup() -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    window
        .open_with_url_and_target_and_features(
            "about:blank",
            "notion-oauth",
            "popup,width=520,height=700",
        )
        .ok()
        .flatten()
}

/// Runs the Notion sign-in in `popup` (opened by the click) and waits for it to finish. Also
/// used to reconnect when Notion refused the stored token: the connection then already exists,
/// so the end is the popup closing (the relay's "connected" page closes itself).
pub(super) async fn oauth_flow(mut state: AppState, relay: Relay, popup: Option<web_sys::Window>) {
    let reconnect = state
        .connection
        .peek()
        .as_ref()
        .is_some_and(|c| c.connected);
    state.clear_error();
    state.oauth.set(OAuthState::Waiting { fallback_url: None });
    let ticket = match relay.ticket().await {
        Ok(t) => t,
        Err(e) => {
            if let Some(p) = &popup {
                let _ = p.close();
            }
            state.oauth.set(OAuthState::Idle);
            state.show_error(e.to_string(), None);
            return;
        }
    };
    let url = relay.oauth_start_url(&ticket.ticket);
    let fallback_url = match &popup {
        Some(p) if p.location().set_href(&url).is_ok() => None,
        _ => Some(url),
    };
    if reconnect && fallback_url.is_some() {
        state.oauth.set(OAuthState::Idle);
        state.show_error(
            "The Notion sign-in window was blocked. Allow popups for this panel, then reconnect.",
            Some(state::Retry::ReconnectNotion),
        );
        return;
    }
    state.oauth.set(OAuthState::Waiting { fallback_url });

    let mut polls_after_close = 0;
    for _ in 0..MAX_POLLS {
        TimeoutFuture::new(1000).await;
        if !matches!(*state.oauth.peek(), OAuthState::Waiting { .. }) {
            return; // cancelled
        }
        let closed = popup.as_ref().is_some_and(|p| p.closed().unwrap_or(true));
        if reconnect {
            if closed {
                state.oauth.set(OAuthState::Idle);
                state::reload(state, relay).await;
                return;
            }
            continue;
        }
        if let Ok(c) = relay.connection().await {
            if c.connected {
                state.connection.set(Some(c));
                state.oauth.set(OAuthState::Idle);
                state::reload(state, relay).await;
                return;
            }
        }
        if closed {
            polls_after_close += 1;
            if polls_after_close > POLLS_AFTER_CLOSE {
                break;
            }
        }
    }
    state.oauth.set(OAuthState::Abandoned);
}

async fn disconnect(mut state: AppState, relay: Relay) {
    match relay.disconnect().await {
        Ok(()) => {
            state.view.set(View::Mappings);
            state.sync.set(None);
            state::reload(state, relay).await;
        }
        Err(e) => state.show_relay_error(&e, relay.base(), None),
    }
}

fn copy_to_clipboard(text: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

#[component]
fn WorkspaceIcon(icon: Option<String>) -> Element {
    match icon {
        Some(src) if src.starts_with("https://") || src.starts_with("http://") => rsx! {
            img { class: "ws-icon", src: "{src}", alt: "", width: "20", height: "20" }
        },
        Some(emoji) if !emoji.is_empty() && emoji.chars().count() <= 4 => rsx! {
            span { class: "ws-icon", "aria-hidden": "true", "{emoji}" }
        },
        _ => rsx! {
            span { class: "ws-icon ws-icon-default", "aria-hidden": "true", "N" }
        },
    }
}

#[component]
fn Connected(workspace: Option<Workspace>) -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let mut confirm = use_signal(|| false);
    let name = workspace
        .as_ref()
        .map(|w| w.name.clone())
        .unwrap_or_else(|| "Notion".to_string());
    let icon = workspace.and_then(|w| w.icon);
    rsx! {
        div { class: "row",
            WorkspaceIcon { icon }
            div { id: "connection-status", class: "grow", "data-connected": "true",
                div { class: "strong", "{name}" }
                div { class: "dim small", "Notion workspace connected" }
            }
            if !confirm() {
                button {
                    id: "disconnect-notion",
                    class: "btn btn-secondary btn-small",
                    r#type: "button",
                    onclick: move |_| confirm.set(true),
                    "Disconnect"
                }
            }
        }
        if confirm() {
            div { id: "disconnect-confirm", class: "confirm", role: "group", "aria-label": "Confirm disconnect",
                p { class: "small",
                    "Disconnect {name}? Notion Sync forgets the token and your mappings; your files and "
                    "Notion pages stay as they are."
                }
                div { class: "row",
                    button {
                        id: "confirm-disconnect",
                        class: "btn btn-danger btn-small",
                        r#type: "button",
                        onclick: move |_| {
                            confirm.set(false);
                            spawn_forever(disconnect(state, relay.clone()));
                        },
                        "Disconnect"
                    }
                    button {
                        class: "btn btn-secondary btn-small",
                        r#type: "button",
                        onclick: move |_| confirm.set(false),
                        "Cancel"
                    }
                }
            }
        }
    }
}

#[component]
fn NotConnected() -> Element {
    let mut state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let oauth = state.oauth.read().clone();
    rsx! {
        if (state.data_deleted)() {
            p { id: "data-deleted", class: "notice small", role: "status",
                "Your Notion Sync data was deleted and Notion was disconnected. Your files and Notion pages are untouched."
            }
        }
        div { id: "connection-status", class: "dim", "data-connected": "false",
            "Connect a Notion workspace to sync this Repl's files with Notion pages."
        }
        match oauth {
            OAuthState::Waiting { fallback_url } => rsx! {
                div { class: "row",
                    div { class: "spinner small", role: "status", "aria-label": "Waiting for Notion" }
                    span { class: "grow", "Waiting for you to finish in the Notion window…" }
                    button {
                        class: "btn btn-secondary btn-small",
                        r#type: "button",
                        onclick: move |_| state.oauth.set(OAuthState::Idle),
                        "Cancel"
                    }
                }
                if let Some(url) = fallback_url {
                    div { id: "oauth-fallback", class: "fallback",
                        p { class: "small",
                            "The popup was blocked. Open this link to connect Notion (it works once, for 60 seconds):"
                        }
                        div { class: "row",
                            a {
                                id: "oauth-link",
                                href: "{url}",
                                target: "_blank",
                                rel: "noopener",
                                "Open Notion sign-in"
                            }
                            button {
                                class: "btn btn-secondary btn-small",
                                r#type: "button",
                                onclick: move |_| copy_to_clipboard(&url),
                                "Copy link"
                            }
                        }
                    }
                }
            },
            other => rsx! {
                if other == OAuthState::Abandoned {
                    p { class: "small dim", "Notion was not connected. You can try again." }
                }
                button {
                    id: "connect-notion",
                    class: "btn btn-primary",
                    r#type: "button",
                    onclick: move |_| {
                        // Synchronously, inside the click: popup blockers allow only this.
                        let popup = open_popup();
                        spawn_forever(oauth_flow(state, relay.clone(), popup));
                    },
                    "Connect Notion"
                }
            },
        }
    }
}

#[component]
pub fn ConnectionSection() -> Element {
    let state = use_context::<AppState>();
    let session = state.session.read().clone();
    let connection = state.connection.read().clone();
    rsx! {
        section { class: "card section", "aria-labelledby": "connection-heading",
            h2 { id: "connection-heading", "Notion" }
            match (session, connection) {
                (SessionState::Pending, _) => rsx! {
                    p { class: "dim", "Connecting to the sync server…" }
                },
                (SessionState::Failed(_), _) => rsx! {
                    p { class: "dim", "Not connected to the sync server." }
                },
                (SessionState::Ready, None) => rsx! {
                    p { class: "dim", "Checking your Notion connection…" }
                },
                (SessionState::Ready, Some(c)) if c.connected => rsx! {
                    Connected { workspace: c.workspace }
                },
                (SessionState::Ready, Some(_)) => rsx! { NotConnected {} },
            }
        }
    }
}

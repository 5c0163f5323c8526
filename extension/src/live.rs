//! Live sync status: `GET /ws/sync-status?ticket=` (a WebSocket; a browser cannot send headers
//! on one, so a single-use ticket from `POST /api/tickets` authenticates it).
//!
//! Per-item progress goes to the running sync's `#sync-result`; a `sync_completed` — from this
//! panel, the background page's commands, or another tab — refreshes the mappings and logs.
//! When the socket drops, the panel reconnects; when the relay cannot be reached at all, it
//! says so with a Retry instead of retrying forever in silence.

use crate::relay::Relay;
use crate::state::{self, AppState, Retry};
use dioxus::prelude::*;
use gloo_timers::future::TimeoutFuture;
use protocol::api::ProgressStage;
use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

/// How often the task looks at the socket's state.
const CHECK_MS: u32 = 400;
/// Reconnect attempts after a drop before telling the user.
const MAX_RECONNECTS: u32 = 3;

/// The fields of a [`protocol::api::SyncEvent`] the panel uses, read as one flat struct (an
/// internally tagged enum costs the wasm several times more code to decode).
#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    mapping_id: String,
    #[serde(default)]
    stage: Option<ProgressStage>,
}

/// Keeps the live status connected for as long as `epoch` is current.
pub async fn follow(mut state: AppState, relay: Relay, epoch: u32) {
    let mut attempts = 0;
    loop {
        if *state.live_epoch.peek() != epoch {
            return;
        }
        let ticket = match relay.ticket().await {
            Ok(t) => t,
            Err(e) => {
                state.live.set(false);
                if e.is_unreachable() {
                    state.show_error(
                        format!(
                            "Can't reach the sync server at {}. Check that it is running, then retry.",
                            relay.base()
                        ),
                        Some(Retry::Reload),
                    );
                }
                return;
            }
        };
        let Ok(socket) = WebSocket::new(&relay.ws_url(&ticket.ticket)) else {
            return;
        };
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let Some(text) = e.data().as_string() else {
                return;
            };
            let Ok(event) = crate::relay::parse::<Event>(&text) else {
                return;
            };
            match (event.kind.as_str(), event.stage) {
                ("item_progress", Some(stage)) => {
                    state::on_remote_progress(state, &event.mapping_id, stage)
                }
                ("sync_completed", _) => *state.refresh.write() += 1,
                // Notion changed (a webhook or the relay's scheduled check): auto-sync picks it up.
                ("remote_changed", _) => state.remote_changed.write().push(event.mapping_id),
                _ => {}
            }
        });
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let mut opened = false;
        while *state.live_epoch.peek() == epoch {
            TimeoutFuture::new(CHECK_MS).await;
            match socket.ready_state() {
                WebSocket::OPEN if !opened => {
                    opened = true;
                    attempts = 0;
                    state.live.set(true);
                }
                WebSocket::CLOSING | WebSocket::CLOSED => break,
                _ => {}
            }
        }
        socket.set_onmessage(None);
        let _ = socket.close();
        drop(on_message);
        state.live.set(false);
        if *state.live_epoch.peek() != epoch {
            return;
        }
        attempts += 1;
        if attempts > MAX_RECONNECTS {
            state.show_error(
                "Lost the live connection to the sync server. Retry to reconnect.",
                Some(Retry::Reload),
            );
            return;
        }
        // Events may have been missed while disconnected.
        *state.refresh.write() += 1;
        TimeoutFuture::new(500 * attempts).await;
    }
}

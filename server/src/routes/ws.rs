//! `GET /ws/sync-status?ticket=`: the user's live sync events as JSON text frames.
//!
//! A browser cannot set headers on a WebSocket, so it authenticates with a single-use ticket from
//! `POST /api/tickets`, taken before the upgrade.

use crate::crypto::fingerprint;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use protocol::api::paths;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::WS_SYNC_STATUS, get(upgrade))
}

#[derive(Deserialize)]
struct WsQuery {
    ticket: String,
}

async fn upgrade(
    State(state): State<AppState>,
    Query(q): Query<WsQuery>,
    ws: WebSocketUpgrade,
) -> ApiResult<Response> {
    let (user_id, _) = state
        .store
        .take_ticket(&fingerprint(&q.ticket), crate::now())
        .await?
        .ok_or_else(|| {
            ApiError::unauthorized("the ticket is unknown, used or expired; get a new one")
        })?;
    let events = state.events.subscribe();
    Ok(ws.on_upgrade(move |socket| forward(socket, user_id, events)))
}

async fn forward(
    mut socket: WebSocket,
    user_id: i64,
    mut events: tokio::sync::broadcast::Receiver<(i64, protocol::api::SyncEvent)>,
) {
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok((uid, event)) if uid == user_id => {
                    let Ok(text) = serde_json::to_string(&event) else { continue };
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                // Missed events are not replayed; the panel reloads state on sync_completed anyway.
                Err(RecvError::Lagged(_)) => {}
                Err(RecvError::Closed) => return,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            },
        }
    }
}

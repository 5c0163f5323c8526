//! One module per resource; each exports `router()`.
//!
//! - `session`: Replit token → relay session; single-use tickets.
//! - `oauth`: the Notion OAuth popup (start, callback).
//! - `connection`: the user's Notion connection; the page picker's search.
//! - `configurations`: mappings.
//! - `sync`: the sync-session protocol.
//! - `logs`: recent sync runs.
//! - `conflicts`: what a sync could not settle, and the user's choice.
//! - `history`: replaced versions and restore.
//! - `me`: delete my data.
//! - `ws`: live sync progress over a WebSocket.
//! - `webhooks`: Notion's webhook deliveries.

mod configurations;
mod conflicts;
mod connection;
mod history;
mod logs;
mod me;
mod oauth;
mod session;
mod sync;
pub mod webhooks;
mod ws;

use crate::startup::AppState;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(protocol::api::paths::HEALTH, get(|| async { "ok" }))
        .merge(session::router())
        .merge(oauth::router())
        .merge(connection::router())
        .merge(configurations::router())
        .merge(sync::router())
        .merge(logs::router())
        .merge(conflicts::router())
        .merge(history::router())
        .merge(me::router())
        .merge(ws::router())
        .merge(webhooks::router())
}

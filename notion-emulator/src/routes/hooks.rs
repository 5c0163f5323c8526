//! Test hooks under the reserved `/__emulator/` prefix (never part of Notion's API, never in
//! the ledger): request ledger, reset, state dump and token minting. The HTML view is in
//! `view.rs`; faults, webhooks and loading state in `infra.rs`.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use super::JsonBody;
use crate::app::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::ledger::LedgerEntry;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__emulator/ledger", get(ledger).delete(clear_ledger))
        .route("/__emulator/reset", post(reset))
        .route("/__emulator/state", get(state_dump))
        .route("/__emulator/tokens", post(mint_token))
}

async fn ledger(State(state): State<AppState>) -> Json<Vec<LedgerEntry>> {
    Json(state.ledger.entries())
}

async fn clear_ledger(State(state): State<AppState>) -> StatusCode {
    state.ledger.clear();
    StatusCode::NO_CONTENT
}

async fn reset(State(state): State<AppState>) -> StatusCode {
    state.reset();
    StatusCode::NO_CONTENT
}

async fn state_dump(State(state): State<AppState>) -> Response {
    let store = state.lock();
    match serde_json::to_value(&*store) {
        Ok(value) => Json(value).into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}

/// `POST /__emulator/tokens` body: both fields optional.
#[derive(Debug, Default, Deserialize)]
pub struct MintRequest {
    /// The integration's name (shown in `users/me` and 404 messages).
    pub name: Option<String>,
    /// Restrict the token to these pages and their descendants; omitted: sees everything.
    pub pages: Option<Vec<String>>,
}

/// An internal-integration token minted for tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MintedToken {
    pub token: String,
    pub bot_id: String,
    pub workspace_id: String,
    pub workspace_name: String,
}

async fn mint_token(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<MintRequest>,
) -> ApiResult<Json<MintedToken>> {
    let pages = match req.pages {
        None => None,
        Some(raw) => Some(
            raw.iter()
                .map(|p| {
                    ids::parse(p)
                        .ok_or_else(|| ApiError::validation(format!("invalid page id `{p}`")))
                })
                .collect::<ApiResult<BTreeSet<_>>>()?,
        ),
    };
    Ok(Json(mint(
        &state,
        req.name.as_deref().unwrap_or("Test integration"),
        pages,
    )))
}

pub(crate) fn mint(
    state: &AppState,
    name: &str,
    pages: Option<BTreeSet<uuid::Uuid>>,
) -> MintedToken {
    let now = state.clock.now();
    let mut store = state.lock();
    let (bot_id, token) = store.mint_internal(name, pages, now);
    MintedToken {
        token,
        bot_id: ids::dashed(bot_id),
        workspace_id: ids::dashed(store.workspace.id),
        workspace_name: store.workspace.name.clone(),
    }
}

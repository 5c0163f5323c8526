//! The sync-session protocol over HTTP (SPEC §4): `POST /api/sync/sessions`, then
//! `…/{id}/contents`, then `…/{id}/ack`. The logic lives in [`crate::sync`].

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::startup::AppState;
use crate::sync;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::{Json, Router};
use protocol::api::paths;
use protocol::session::{
    Ack, Manifest, SessionPlan, SessionResult, SessionStarted, UploadContents,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SYNC_SESSIONS, post(start))
        .route(
            &format!("{}/{{id}}/contents", paths::SYNC_SESSIONS),
            post(upload),
        )
        .route(&format!("{}/{{id}}/ack", paths::SYNC_SESSIONS), post(ack))
}

async fn start(
    State(state): State<AppState>,
    user: AuthUser,
    Json(manifest): Json<Manifest>,
) -> ApiResult<Json<SessionStarted>> {
    Ok(Json(sync::start(&state, &user, manifest).await?))
}

async fn upload(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(contents): Json<UploadContents>,
) -> ApiResult<Json<SessionPlan>> {
    Ok(Json(sync::upload(&state, &user, &id, contents).await?))
}

async fn ack(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(ack): Json<Ack>,
) -> ApiResult<Json<SessionResult>> {
    Ok(Json(sync::acknowledge(&state, &user, &id, ack).await?))
}

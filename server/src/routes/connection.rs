//! `GET|DELETE /api/connection` and `GET /api/notion/search` (the page picker).

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::sync::notion_token;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use protocol::api::{paths, ConnectionStatus, NotionPageSummary, NotionSearchResponse, Workspace};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::CONNECTION, get(status).delete(disconnect))
        .route(paths::NOTION_SEARCH, get(search))
}

pub(crate) async fn connection_status(
    state: &AppState,
    user_id: i64,
) -> ApiResult<ConnectionStatus> {
    let conn = state.store.connection(user_id).await?;
    Ok(ConnectionStatus {
        connected: conn.is_some(),
        workspace: conn.map(|c| Workspace {
            id: c.workspace_id,
            name: c.workspace_name,
            icon: c.workspace_icon,
        }),
    })
}

async fn status(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<ConnectionStatus>> {
    crate::notion_auth::ensure_internal_connection(&state, &user).await?;
    Ok(Json(connection_status(&state, user.user_id).await?))
}

/// Revokes the Notion token (best effort: a token Notion already dropped is no reason to keep
/// the connection) and deletes the connection with its mappings.
async fn disconnect(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    revoke(&state, user.user_id).await;
    state.store.delete_connection(user.user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes the user's Notion token, if any. Best effort: a token Notion already dropped is no
/// reason to keep our copy.
pub(crate) async fn revoke(state: &AppState, user_id: i64) {
    let (Ok((_, token)), Some(oauth)) = (notion_token(state, user_id).await, &state.oauth) else {
        return;
    };
    if let Err(e) = state
        .notion
        .revoke_token(oauth.client_id(), oauth.client_secret(), &token)
        .await
    {
        tracing::warn!(error = %e, "revoking the Notion token failed; deleting the connection anyway");
    }
}

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

async fn search(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Json<NotionSearchResponse>> {
    if q.q.chars().count() > 200 {
        return Err(ApiError::bad_request(
            "query_too_long",
            "search for at most 200 characters",
        ));
    }
    let (_, token) = notion_token(&state, user.user_id).await?;
    let req = notion::SearchRequest::pages(&q.q);
    state.pace(&token).await?;
    let resp = state
        .notion
        .search(&token, &req)
        .await
        .map_err(ApiError::notion)?;
    let results = resp
        .pages()
        .map(|p| NotionPageSummary {
            id: p.id.clone(),
            title: p.title(),
            url: p.url.clone(),
            icon: p.icon_text(),
        })
        .collect();
    Ok(Json(NotionSearchResponse { results }))
}

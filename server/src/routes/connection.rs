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
    /// `page` (default) or `database`.
    #[serde(default)]
    object: Option<String>,
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
    let databases = match q.object.as_deref() {
        None | Some("page") => false,
        Some("database") => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                "bad_object",
                format!("search for `page` or `database`, not `{other}`"),
            ))
        }
    };
    let (_, token) = notion_token(&state, user.user_id).await?;
    let req = if databases {
        notion::SearchRequest::data_sources(&q.q)
    } else {
        notion::SearchRequest::pages(&q.q)
    };
    state.pace(&token).await?;
    let resp = state
        .notion
        .search(&token, &req)
        .await
        .map_err(ApiError::notion)?;
    let results = if databases {
        database_summaries(&resp)
    } else {
        resp.pages()
            .map(|p| NotionPageSummary {
                id: p.id.clone(),
                title: p.title(),
                url: p.url.clone(),
                icon: p.icon_text(),
            })
            .collect()
    };
    Ok(Json(NotionSearchResponse { results }))
}

/// Databases found through their data sources (what search returns since 2025-09-03): a folder
/// or project mapping links the database, so each appears once, under its database id.
fn database_summaries(resp: &notion::ListResponse<notion::SearchResult>) -> Vec<NotionPageSummary> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for r in &resp.results {
        let (id, title, icon) = match r {
            notion::SearchResult::DataSource(ds) => {
                let id = match &ds.parent {
                    Some(notion::Parent::DatabaseId(db)) => db.clone(),
                    Some(notion::Parent::DataSourceId {
                        database_id: Some(db),
                        ..
                    }) => db.clone(),
                    _ => ds.id.clone(),
                };
                (id, ds.title(), None)
            }
            notion::SearchResult::Database(db) => (db.id.clone(), db.title(), None),
            _ => continue,
        };
        if seen.insert(id.clone()) {
            out.push(NotionPageSummary {
                url: format!("https://www.notion.so/{}", id.replace('-', "")),
                id,
                title,
                icon,
            });
        }
    }
    out
}

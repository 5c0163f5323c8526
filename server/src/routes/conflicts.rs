//! `GET /api/conflicts`, `POST /api/conflicts/{id}/resolve`: the user settles what a sync could
//! not. The choice is applied by the next sync, and only to the versions the user saw.

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::StoredConflict;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use protocol::api::{paths, Conflict, ConflictsResponse, Resolution};

pub fn router() -> Router<AppState> {
    Router::new().route(paths::CONFLICTS, get(list)).route(
        &format!("{}/{{id}}/resolve", paths::CONFLICTS),
        post(resolve),
    )
}

fn to_api(c: StoredConflict) -> Conflict {
    let resolution = match (c.status.as_str(), c.resolution.as_deref()) {
        ("resolved", Some("keep_repl")) => Some(Resolution::KeepRepl),
        ("resolved", Some("keep_notion")) => Some(Resolution::KeepNotion),
        ("resolved", Some("merged")) => Some(Resolution::Merged {
            content: c.resolved_text.unwrap_or_default(),
        }),
        _ => None,
    };
    Conflict {
        id: c.id,
        mapping_id: c.mapping_id,
        path: c.path,
        base: c.base_text,
        repl: c.local_text,
        notion: c.remote_text,
        created_at: c.created_at,
        resolution,
    }
}

async fn list(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<ConflictsResponse>> {
    let conflicts = state
        .store
        .conflicts(user.user_id)
        .await?
        .into_iter()
        .map(to_api)
        .collect();
    Ok(Json(ConflictsResponse { conflicts }))
}

async fn resolve(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(resolution): Json<Resolution>,
) -> ApiResult<Json<Conflict>> {
    let conflict = state
        .store
        .conflict(user.user_id, &id)
        .await?
        .filter(|c| c.status == "open" || c.status == "resolved")
        .ok_or_else(|| ApiError::not_found("no such open conflict"))?;
    let (name, text) = match &resolution {
        Resolution::KeepRepl if conflict.local_text.is_none() => {
            return Err(ApiError::bad_request(
                "no_repl_version",
                "the file is gone; keep Notion's version or write a merge",
            ))
        }
        Resolution::KeepNotion
            if conflict
                .remote_hash
                .as_deref()
                .unwrap_or_default()
                .is_empty() =>
        {
            return Err(ApiError::bad_request(
                "no_notion_version",
                "the page is gone; keep the Repl's version or write a merge",
            ))
        }
        Resolution::Merged { content } if content.len() as u64 > crate::sync::MAX_FILE_BYTES => {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "the merged text is over the size limit",
            ))
        }
        Resolution::KeepRepl => ("keep_repl", None),
        Resolution::KeepNotion => ("keep_notion", None),
        Resolution::Merged { content } => ("merged", Some(content.as_str())),
    };
    if !state
        .store
        .resolve_conflict(user.user_id, &id, name, text)
        .await?
    {
        return Err(ApiError::not_found("no such open conflict"));
    }
    let updated = state
        .store
        .conflict(user.user_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such open conflict"))?;
    Ok(Json(to_api(updated)))
}

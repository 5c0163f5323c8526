//! History (G16): `GET /api/history?path=`, `GET /api/history/{id}`,
//! `POST /api/history/{id}/restore`.

use crate::auth::AuthUser;
use crate::domain::ReplPath;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::{NewRevision, RevisionRecord};
use crate::sync::parse_enum;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use protocol::api::{paths, HistoryResponse, RestoreRequest, Revision, RevisionContent, Side};
use protocol::session::FileWrite;
use protocol::ContentHash;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::HISTORY, get(list))
        .route(&format!("{}/{{id}}", paths::HISTORY), get(one))
        .route(&format!("{}/{{id}}/restore", paths::HISTORY), post(restore))
}

fn to_api(r: RevisionRecord) -> ApiResult<Revision> {
    Ok(Revision {
        side: parse_enum(&r.side).unwrap_or(Side::Repl),
        hash: ContentHash::parse(&r.hash).map_err(|e| ApiError::internal(anyhow::Error::new(e)))?,
        id: r.id,
        path: r.path,
        reason: r.reason,
        size: r.size,
        created_at: r.created_at,
    })
}

#[derive(Deserialize)]
struct HistoryQuery {
    path: String,
    limit: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<Json<HistoryResponse>> {
    // A project row's history is kept under its mapping's path, which no file can have.
    let path = if crate::sync::project_row::is_project_path(&q.path) {
        q.path.clone()
    } else {
        ReplPath::parse(&q.path)
            .map_err(|e| ApiError::bad_request("invalid_path", e.to_string()))?
            .as_str()
            .to_string()
    };
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let revisions = state
        .store
        .revisions(user.user_id, &path, limit)
        .await?
        .into_iter()
        .map(to_api)
        .collect::<ApiResult<_>>()?;
    Ok(Json(HistoryResponse { revisions }))
}

async fn one(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Json<RevisionContent>> {
    let (record, content) = state
        .store
        .revision(user.user_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such version"))?;
    Ok(Json(RevisionContent {
        revision: to_api(record)?,
        content,
    }))
}

/// Restoring is a file write the panel makes (the relay never writes Repl files), after the
/// file's current content has been recorded — so a restore itself can be undone.
async fn restore(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<RestoreRequest>,
) -> ApiResult<Json<FileWrite>> {
    let (record, content) = state
        .store
        .revision(user.user_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such version"))?;
    if crate::sync::project_row::is_project_path(&record.path) {
        return Err(ApiError::bad_request(
            "not_restorable",
            "a project row's values come from the Repl; sync it to write them again",
        ));
    }
    let kind = match record.mapping_id.as_deref() {
        Some(m) => state.store.mapping(user.user_id, m).await?.map(|m| m.kind),
        None => None,
    };
    let content = match parse_enum::<Side>(&record.side) {
        // A code page's Markdown is the file's code (its form is the current file's).
        Some(Side::Notion) if kind.as_deref() == Some(crate::sync::CODE_KIND) => {
            match engine::code_page::from_markdown(&content, notion_markdown::Dialect::V1) {
                Some(code) => {
                    let form =
                        engine::normalize::TextForm::detect(req.current.as_deref().unwrap_or("\n"));
                    engine::code_page::file_text(&code, form)
                }
                None => engine::translate::from_notion(&content),
            }
        }
        Some(Side::Notion) => engine::translate::from_notion(&content),
        _ => content,
    };
    if let Some(current) = &req.current {
        if current.len() as u64 > crate::sync::MAX_FILE_BYTES {
            return Err(ApiError::bad_request(
                "too_large",
                "the current file is too large to keep in history",
            ));
        }
        state
            .store
            .record_revision(
                &NewRevision {
                    user_id: user.user_id,
                    mapping_id: record.mapping_id.as_deref(),
                    path: &record.path,
                    side: "repl",
                    reason: "restore",
                    content: current,
                },
                crate::now(),
            )
            .await?;
    }
    Ok(Json(FileWrite {
        path: record.path,
        expected_hash: req.current.as_deref().map(ContentHash::of),
        new_hash: ContentHash::of(&content),
        content,
        op: Default::default(),
    }))
}

//! `GET /api/logs?limit=`: the user's latest sync runs.

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::startup::AppState;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use protocol::api::{paths, LogStatus, LogsResponse, SyncLog};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::LOGS, get(logs))
}

#[derive(Deserialize)]
struct LogsQuery {
    limit: Option<i64>,
}

async fn logs(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<LogsQuery>,
) -> ApiResult<Json<LogsResponse>> {
    let limit = q.limit.unwrap_or(10).clamp(1, 100);
    let logs = state
        .store
        .logs(user.user_id, limit)
        .await?
        .into_iter()
        .map(|l| SyncLog {
            id: l.id,
            mapping_id: l.mapping_id,
            operation: l.operation,
            status: match l.status.as_str() {
                "success" => LogStatus::Success,
                "partial" => LogStatus::Partial,
                _ => LogStatus::Failure,
            },
            records_processed: l.records_processed,
            conflicts_detected: l.conflicts_detected,
            conflicts_resolved: l.conflicts_resolved,
            error_details: l.error_details,
            duration_ms: l.duration_ms,
            created_at: l.created_at,
        })
        .collect();
    Ok(Json(LogsResponse { logs }))
}

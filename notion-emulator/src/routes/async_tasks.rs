//! `GET /v1/async_tasks/{id}`.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::{Extension, Json};
use notion::AsyncTask;

use super::Ctx;
use crate::app::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::tasks;

/// The origin the caller used (`http://127.0.0.1:PORT`), for `status_url`.
pub(crate) fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

pub async fn retrieve(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<AsyncTask>> {
    let base = origin(&headers);
    match tasks::poll(&state, &id, ctx.bot_id, &base) {
        Some(mut task) => {
            task.request_id = Some(ctx.request_id.clone());
            Ok(Json(task))
        }
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            notion::codes::OBJECT_NOT_FOUND,
            format!("Could not find async task with ID: {id}. Finished tasks expire."),
        )),
    }
}

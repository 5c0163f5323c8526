//! `DELETE /api/me`: delete my data — every row of the user, after revoking the Notion token.

use crate::auth::AuthUser;
use crate::error::ApiResult;
use crate::startup::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::delete;
use axum::Router;
use protocol::api::paths;

pub fn router() -> Router<AppState> {
    Router::new().route(paths::ME, delete(delete_me))
}

async fn delete_me(State(state): State<AppState>, user: AuthUser) -> ApiResult<StatusCode> {
    super::connection::revoke(&state, user.user_id).await;
    state.store.delete_user(user.user_id).await?;
    tracing::info!(user_id = user.user_id, "deleted all of a user's data");
    Ok(StatusCode::NO_CONTENT)
}

//! `GET /v1/users/me`.

use axum::extract::State;
use axum::{Extension, Json};
use notion::User;

use super::Ctx;
use crate::app::AppState;
use crate::errors::ApiResult;
use crate::views;

/// The integration's bot user: name, owner and workspace (the relay shows the workspace name).
pub async fn me(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
) -> ApiResult<Json<User>> {
    let store = state.lock();
    let bot = ctx.bot(&store)?;
    let mut user = views::bot_user(&store, bot);
    user.request_id = Some(ctx.request_id.clone());
    Ok(Json(user))
}

//! `GET /v1/users` and `GET /v1/users/{id}`: the workspace's people and integrations' bots.

use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use notion::{ListResponse, User};
use uuid::Uuid;

use super::{path_id, Ctx};
use crate::app::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::paging;
use crate::state::Store;
use crate::views;

/// Every user, people first (with the e-mail Notion shows to integrations that may read it).
fn all_users(store: &Store) -> Vec<(Uuid, User)> {
    let mut out: Vec<(Uuid, User)> = store
        .people
        .values()
        .map(|p| {
            let mut user = views::person(p);
            if let Some(person) = &mut user.person {
                person.email_verified = Some(true);
            }
            (p.id, user)
        })
        .collect();
    out.extend(
        store
            .bots
            .values()
            .map(|b| (b.id, views::bot_user(store, b))),
    );
    out
}

pub async fn list(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<ListResponse<User>>> {
    let pairs = paging::query_pairs(query.as_deref());
    let page_size = paging::page_size_param(paging::query_value(&pairs, "page_size"))?;
    let cursor = paging::query_value(&pairs, "start_cursor").filter(|c| !c.is_empty());
    let store = state.lock();
    ctx.bot(&store)?;
    let (users, next) = paging::page(all_users(&store), |(id, _)| *id, cursor, page_size)?;
    let mut out = ListResponse::new("user", users.into_iter().map(|(_, u)| u).collect(), next);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

pub async fn retrieve(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> ApiResult<Json<User>> {
    let id = path_id("user_id", &raw)?;
    let store = state.lock();
    let bot = ctx.bot(&store)?;
    let mut user = all_users(&store)
        .into_iter()
        .find(|(uid, _)| *uid == id)
        .map(|(_, u)| u)
        .ok_or_else(|| ApiError::not_found("user", id, &bot.name, bot.id))?;
    user.request_id = Some(ctx.request_id.clone());
    Ok(Json(user))
}

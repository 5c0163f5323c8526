//! Routes of the blocks, page-update, database, data-source, async-task and user-list endpoints,
//! merged
//! into the bearer-authenticated `/v1` router.

use axum::routing::{get, patch, post};
use axum::Router;

use super::{async_tasks, blocks, data_sources, databases, page_update, people};
use crate::app::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/v1/blocks/{id}",
            get(blocks::retrieve)
                .patch(blocks::update)
                .delete(blocks::delete),
        )
        .route(
            "/v1/blocks/{id}/children",
            get(blocks::list_children).patch(blocks::append_children),
        )
        .route("/v1/pages/{id}", patch(page_update::update))
        .route("/v1/pages/{id}/move", post(page_update::move_page))
        .route(
            "/v1/pages/{id}/properties/{property_id}",
            get(page_update::property),
        )
        .route("/v1/databases", post(databases::create))
        .route(
            "/v1/databases/{id}",
            get(databases::retrieve).patch(databases::update),
        )
        .route("/v1/databases/{id}/query", post(databases::query))
        .route("/v1/data_sources", post(data_sources::create))
        .route(
            "/v1/data_sources/{id}",
            get(data_sources::retrieve).patch(data_sources::update),
        )
        .route("/v1/data_sources/{id}/query", post(data_sources::query))
        .route(
            "/v1/data_sources/{id}/templates",
            get(data_sources::templates),
        )
        .route("/v1/async_tasks/{id}", get(async_tasks::retrieve))
        .route("/v1/users", get(people::list))
        .route("/v1/users/{id}", get(people::retrieve))
}

//! Test hooks for the edge: faults, webhooks, recorded change events, and loading state.
//!
//! - `GET|POST|DELETE /__emulator/faults`: the fault plan (`{seed, rules}` or `{spec}`)
//! - `GET|POST|DELETE /__emulator/webhooks`: the webhook subscription and its deliveries
//! - `GET /__emulator/events`: recent change events (what webhooks are made from)
//! - `PUT /__emulator/state`: load a dump made by `GET /__emulator/state`

use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::JsonBody;
use crate::app::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::faults::{FaultPlan, FaultStatus};
use crate::persist;
use crate::webhooks::{Subscribed, WebhookConfig, WebhookStatus};

/// A dump is the whole workspace; allow far more than API requests (500 KB at Notion).
const MAX_DUMP_BYTES: usize = 256 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/__emulator/faults",
            get(faults).post(set_faults).delete(clear_faults),
        )
        .route(
            "/__emulator/webhooks",
            get(webhooks).post(subscribe).delete(unsubscribe),
        )
        .route("/__emulator/events", get(events))
        .route(
            "/__emulator/state",
            put(load_state).layer(DefaultBodyLimit::max(MAX_DUMP_BYTES)),
        )
}

async fn faults(State(state): State<AppState>) -> Json<FaultStatus> {
    Json(state.infra.faults.status())
}

/// Either the structured plan or the `--faults` text form.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FaultBody {
    Spec { spec: String },
    Plan(FaultPlan),
}

async fn set_faults(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<FaultBody>,
) -> ApiResult<Json<FaultStatus>> {
    let plan = match body {
        FaultBody::Spec { spec } => spec.parse::<FaultPlan>().map_err(ApiError::validation)?,
        FaultBody::Plan(plan) => {
            plan.validate().map_err(ApiError::validation)?;
            plan
        }
    };
    state.infra.faults.set(plan);
    Ok(Json(state.infra.faults.status()))
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.infra.faults.set(FaultPlan::default());
    StatusCode::NO_CONTENT
}

async fn webhooks(State(state): State<AppState>) -> Json<WebhookStatus> {
    Json(state.infra.webhooks.status())
}

async fn subscribe(
    State(state): State<AppState>,
    JsonBody(config): JsonBody<WebhookConfig>,
) -> ApiResult<Json<Subscribed>> {
    state
        .infra
        .webhooks
        .subscribe(config)
        .map(Json)
        .map_err(ApiError::validation)
}

async fn unsubscribe(State(state): State<AppState>) -> StatusCode {
    state.infra.webhooks.unsubscribe();
    StatusCode::NO_CONTENT
}

async fn events(State(state): State<AppState>) -> Response {
    Json(state.infra.webhooks.recent_events()).into_response()
}

async fn load_state(
    State(state): State<AppState>,
    JsonBody(dump): JsonBody<Value>,
) -> ApiResult<StatusCode> {
    let store = persist::load(dump).map_err(|e| ApiError::validation(e.to_string()))?;
    *state.lock() = store;
    Ok(StatusCode::NO_CONTENT)
}

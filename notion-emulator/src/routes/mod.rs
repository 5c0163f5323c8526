//! HTTP surface: the `/v1` API, OAuth, and the `/__emulator` test hooks.
//!
//! Two middlewares frame every `/v1` request:
//! - [`tag_and_record`] (outermost) gives it a request id, makes sure every JSON answer carries
//!   `request_id` (and the `x-notion-request-id` header) and writes the ledger entry;
//! - [`require_version_and_token`] (bearer routes only) enforces `Notion-Version` and resolves
//!   the bearer token to an integration, in that order, as Notion does.

mod api;
mod async_tasks;
mod blocks;
mod data_sources;
mod databases;
pub(crate) mod hooks;
mod infra;
pub(crate) mod markdown;
mod oauth;
mod page_update;
pub(crate) mod pages;
mod people;
mod search;
mod users;
mod view;

use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde_json::Value;
use uuid::Uuid;

use crate::app::AppState;
use crate::errors::ApiError;
use crate::state::{token_hint, BotRecord, Store};
use crate::version::ApiVersion;

pub fn router(state: AppState) -> Router {
    let bearer = Router::new()
        .route("/v1/users/me", get(users::me))
        .route("/v1/pages", post(pages::create))
        .route("/v1/pages/{id}", get(pages::retrieve))
        .route(
            "/v1/pages/{id}/markdown",
            get(markdown::retrieve).patch(markdown::update),
        )
        .route("/v1/search", post(search::search))
        .merge(api::routes())
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            require_version_and_token,
        ));
    let oauth = Router::new()
        .route(
            "/v1/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize_submit),
        )
        .route("/v1/oauth/token", post(oauth::token))
        .route("/v1/oauth/revoke", post(oauth::revoke))
        .route("/v1/oauth/introspect", post(oauth::introspect));
    bearer
        .merge(oauth)
        .merge(hooks::router())
        .merge(infra::router())
        .merge(view::router())
        .fallback(fallback)
        .method_not_allowed_fallback(fallback)
        // Faults and the rate limit run inside the ledger's middleware, so it records them.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::edge::edge,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            tag_and_record,
        ))
        .with_state(state)
}

/// The request id of the request being served (set by [`tag_and_record`]).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// An authenticated API request: who calls, with which version.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub request_id: String,
    pub version: ApiVersion,
    pub bot_id: Uuid,
}

impl Ctx {
    /// The calling integration (it exists: the middleware resolved it under the same lock
    /// discipline, and integrations are only removed by a reset).
    pub fn bot<'a>(&self, store: &'a Store) -> Result<&'a BotRecord, ApiError> {
        store
            .bots
            .get(&self.bot_id)
            .ok_or_else(ApiError::unauthorized)
    }
}

async fn fallback(req: Request) -> Response {
    if req.uri().path().starts_with("/v1/") {
        ApiError::invalid_request_url().into_response()
    } else {
        (axum::http::StatusCode::NOT_FOUND, "not found").into_response()
    }
}

pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

async fn require_version_and_token(
    State(state): State<AppState>,
    mut req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let version = match req.headers().get("notion-version") {
        None => return Err(ApiError::missing_version()),
        Some(raw) => raw.to_str().ok().and_then(ApiVersion::parse).ok_or_else(|| {
            ApiError::validation(format!(
                "Notion-Version header failed validation: Notion-Version should be a supported version such as `{}`.",
                ApiVersion::CURRENT.as_str()
            ))
        })?,
    };
    let token = bearer_token(req.headers()).ok_or_else(ApiError::unauthorized)?;
    let bot_id = state
        .lock()
        .bot_for_token(token)
        .map(|b| b.id)
        .ok_or_else(ApiError::unauthorized)?;
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    req.extensions_mut().insert(Ctx {
        request_id,
        version,
        bot_id,
    });
    Ok(next.run(req).await)
}

/// Largest answer the middleware will buffer to add `request_id` (answers are far smaller).
const MAX_TAGGED_BODY: usize = 64 * 1024 * 1024;

async fn tag_and_record(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if !path.starts_with("/v1/") {
        return next.run(req).await;
    }
    let started = Instant::now();
    let received_at_ms = crate::ledger::now_unix_ms();
    let request_id = Uuid::new_v4().to_string();
    let method = req.method().to_string();
    let hint = bearer_token(req.headers()).map(token_hint);
    req.extensions_mut().insert(RequestId(request_id.clone()));

    let response = next.run(req).await;
    let fault = response
        .extensions()
        .get::<crate::edge::InjectedFault>()
        .map(|f| f.0.as_str().to_string());
    let response = tag_response(response, &request_id).await;
    let status = response.status().as_u16();
    let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::debug!(%method, %path, status, duration_ms, %request_id, "request");
    state.ledger.record(crate::ledger::LedgerEntry {
        seq: 0,
        method,
        path,
        status,
        duration_ms,
        token_hint: hint,
        request_id,
        received_at_ms,
        fault,
    });
    response
}

/// Adds `request_id` to JSON object bodies that lack it, and Notion's headers.
async fn tag_response(response: Response, request_id: &str) -> Response {
    let is_json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    let (mut parts, body) = response.into_parts();
    if let Ok(value) = HeaderValue::from_str(request_id) {
        parts.headers.insert("x-notion-request-id", value);
    }
    if !is_json {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_TAGGED_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    parts.headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(mut map)) if !map.contains_key("request_id") => {
            map.insert("request_id".into(), Value::from(request_id));
            Body::from(serde_json::to_vec(&map).unwrap_or_else(|_| bytes.to_vec()))
        }
        _ => Body::from(bytes),
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, body)
}

/// A JSON body read the way Notion reads it: unparsable → `invalid_json`, wrong shape →
/// `validation_error`, empty → `{}`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::validation(format!("body failed validation: {e}")))?;
        let value: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            serde_json::from_slice(&bytes).map_err(ApiError::invalid_json)?
        };
        serde_json::from_value(value)
            .map(JsonBody)
            .map_err(|e| ApiError::validation(format!("body failed validation: {e}")))
    }
}

/// Parses an id from the URL path, answering Notion's validation error for malformed ones.
pub(crate) fn path_id(param: &str, raw: &str) -> Result<Uuid, ApiError> {
    crate::ids::parse(raw).ok_or_else(|| ApiError::invalid_path_id(param, raw))
}

/// Reads an optional field of a JSON object body with a typed error message.
pub(crate) fn field<'a>(body: &'a Value, name: &str) -> Option<&'a Value> {
    body.get(name).filter(|v| !v.is_null())
}

pub(crate) fn expect_object<'a>(
    value: &'a Value,
    path: &str,
) -> Result<&'a serde_json::Map<String, Value>, ApiError> {
    value.as_object().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: {path} should be an object, instead was `{value}`."
        ))
    })
}

pub(crate) fn expect_str<'a>(value: Option<&'a Value>, path: &str) -> Result<&'a str, ApiError> {
    match value {
        Some(Value::String(s)) => Ok(s),
        None => Err(ApiError::validation(format!(
            "body failed validation: {path} should be defined, instead was `undefined`."
        ))),
        Some(other) => Err(ApiError::validation(format!(
            "body failed validation: {path} should be a string, instead was `{other}`."
        ))),
    }
}

pub(crate) fn optional_bool(value: Option<&Value>, path: &str) -> Result<bool, ApiError> {
    match value {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(ApiError::validation(format!(
            "body failed validation: {path} should be a boolean, instead was `{other}`."
        ))),
    }
}

/// `markdown_version` as a dialect (`v1` default).
pub(crate) fn dialect(
    value: Option<&str>,
    path: &str,
) -> Result<notion_markdown::Dialect, ApiError> {
    match value {
        None | Some("v1") => Ok(notion_markdown::Dialect::V1),
        Some("v2") => Ok(notion_markdown::Dialect::V2),
        Some(other) => Err(ApiError::validation(format!(
            "body failed validation: {path} should be one of `v1`, `v2`, instead was `{other}`."
        ))),
    }
}

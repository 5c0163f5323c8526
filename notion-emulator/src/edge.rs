//! The middleware in front of every route: injected faults and the per-token rate limit for
//! `/v1` requests, then, after any request, the collection of the change events it recorded
//! (for webhooks).

use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use notion::codes;

use crate::app::AppState;
use crate::conn::ConnHandle;
use crate::errors::ApiError;
use crate::faults::{FaultKind, CLOUDFLARE_502};
use crate::rate_limit::{self, format_seconds, Refusal};
use crate::routes::bearer_token;
use crate::state::token_hint;

/// Marks a response whose request got an injected fault (read by the ledger).
#[derive(Debug, Clone, Copy)]
pub struct InjectedFault(pub FaultKind);

pub async fn edge(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/v1/") {
        let response = next.run(req).await;
        collect_events(&state);
        return response;
    }
    let conn = req
        .extensions()
        .get::<ConnectInfo<ConnHandle>>()
        .map(|c| c.0.clone());
    let fault = state
        .infra
        .faults
        .decide(req.method().as_str(), req.uri().path());
    if let Some(fault) = fault {
        tracing::debug!(kind = fault.kind.as_str(), "injecting a fault");
        match fault.kind {
            FaultKind::Delay => {
                let mut stopping = state.infra.stopping();
                tokio::select! {
                    _ = tokio::time::sleep(fault.delay) => {}
                    _ = stopping.wait_for(|stop| *stop) => {}
                }
            }
            FaultKind::Lost => {}
            FaultKind::Reset => {
                let response = match &conn {
                    Some(conn) => {
                        conn.kill();
                        StatusCode::BAD_GATEWAY.into_response()
                    }
                    None => fault_response(FaultKind::BadGateway, state.infra.time_scale),
                };
                return mark(response, fault.kind);
            }
            kind => return mark(fault_response(kind, state.infra.time_scale), kind),
        }
    }
    if let Some(token) = bearer_token(req.headers()) {
        if let Err(refusal) = state
            .infra
            .limiter
            .check(&token_hint(token), Instant::now())
        {
            return rate_limited(&refusal);
        }
    }
    let response = next.run(req).await;
    collect_events(&state);
    match (fault, conn) {
        (Some(fault), Some(conn)) if fault.kind == FaultKind::Lost => {
            conn.kill();
            mark(response, fault.kind)
        }
        (Some(fault), _) => mark(response, fault.kind),
        _ => response,
    }
}

/// Moves the events the request recorded into the webhook emitter.
fn collect_events(state: &AppState) {
    let mut store = state.lock();
    state.infra.webhooks.collect(&mut store);
}

fn mark(mut response: Response, kind: FaultKind) -> Response {
    response.extensions_mut().insert(InjectedFault(kind));
    response
}

/// Notion's 429: `rate_limited`, `Retry-After`, `additional_data.rate_limit_reason`.
fn rate_limited(refusal: &Refusal) -> Response {
    let mut err = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        codes::RATE_LIMITED,
        "You have been rate limited. Please try again in a few minutes.",
    );
    err.additional_data = Some(serde_json::json!({ "rate_limit_reason": rate_limit::REASON }));
    with_retry_after(err.into_response(), &refusal.retry_after)
}

fn with_retry_after(mut response: Response, value: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
    response
}

/// The answer an injected status fault gives.
fn fault_response(kind: FaultKind, time_scale: f64) -> Response {
    // One second at Notion's pace, compressed like the rate limiter's `Retry-After`.
    let retry_after = if time_scale == 1.0 {
        "1".to_string()
    } else {
        format_seconds(1.0 / time_scale)
    };
    match kind {
        FaultKind::RateLimited => rate_limited(&Refusal {
            retry_after,
            wait: std::time::Duration::ZERO,
        }),
        FaultKind::Overloaded => {
            let err = ApiError::new(
                overloaded_status(),
                codes::SERVICE_OVERLOAD,
                "Notion is overloaded. Please try again later.",
            );
            with_retry_after(err.into_response(), &retry_after)
        }
        FaultKind::InternalError => ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            codes::INTERNAL_SERVER_ERROR,
            "Unexpected error occurred.",
        )
        .into_response(),
        FaultKind::Unavailable => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            codes::SERVICE_UNAVAILABLE,
            "Notion is unavailable. Please try again later.",
        )
        .into_response(),
        FaultKind::BadGateway | FaultKind::Reset | FaultKind::Lost | FaultKind::Delay => {
            let mut response = (StatusCode::BAD_GATEWAY, CLOUDFLARE_502).into_response();
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
            response
        }
    }
}

/// 529 is not a standard status; `StatusCode` still carries it.
fn overloaded_status() -> StatusCode {
    StatusCode::from_u16(529).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}

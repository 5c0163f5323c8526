//! `POST /api/session` and `POST /api/tickets`.

use crate::auth::replit::TokenError;
use crate::auth::session::{self, SessionClaims, SESSION_TTL_SECS};
use crate::auth::AuthUser;
use crate::crypto::{fingerprint, random_token};
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use protocol::api::{paths, SessionRequest, SessionResponse, TicketResponse};

/// How long a ticket lives: long enough to open a popup, too short to be worth stealing.
pub const TICKET_TTL_SECS: i64 = 60;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::SESSION, post(create_session))
        .route(paths::TICKETS, post(create_ticket))
}

async fn create_session(
    State(state): State<AppState>,
    Json(req): Json<SessionRequest>,
) -> ApiResult<Json<SessionResponse>> {
    let now = crate::now();
    let identity = state
        .verifier
        .verify(&req.replit_token, now)
        .await
        .map_err(|e| match e {
            TokenError::KeyFetch(source) => {
                tracing::warn!(error = format!("{source:#}"), "replit key fetch failed");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "replit_keys_unavailable",
                    "could not fetch Replit's signing key; try again shortly",
                )
            }
            other => {
                tracing::info!(reason = %other, "replit token refused");
                ApiError::unauthorized(format!("Replit sign-in refused: {other}"))
            }
        })?;
    let claims = SessionClaims {
        uid: identity.user_id,
        iid: identity.installation_id,
        exp: now + SESSION_TTL_SECS,
    };
    let token = session::issue(&state.secrets, &claims);
    Ok(Json(SessionResponse {
        session_token: token,
        expires_at: claims.exp,
        user_id: claims.uid,
    }))
}

async fn create_ticket(
    State(state): State<AppState>,
    user: AuthUser,
) -> ApiResult<Json<TicketResponse>> {
    let ticket = random_token();
    let now = crate::now();
    state
        .store
        .insert_ticket(
            &fingerprint(&ticket),
            user.user_id,
            &user.installation_id,
            now + TICKET_TTL_SECS,
        )
        .await?;
    Ok(Json(TicketResponse {
        ticket,
        expires_in: TICKET_TTL_SECS as u32,
    }))
}

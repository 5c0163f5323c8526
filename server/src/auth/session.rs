//! The relay's session token: `base64url(claims).signature`, HMAC-signed with a key derived from
//! SECRET_KEY.
//!
//! Stateless on purpose: any replica can verify it without a database read, which is what lets
//! the relay scale out (SPEC §7). It is short-lived; the panel renews it with a fresh Replit
//! token, which is the real credential.

use crate::crypto::Secrets;
use crate::error::ApiError;
use crate::startup::AppState;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// Session lifetime.
pub const SESSION_TTL_SECS: i64 = 3600;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionClaims {
    /// Verified Replit user id.
    pub uid: i64,
    /// Replit installation id (recorded with the user's rows).
    pub iid: String,
    pub exp: i64,
}

pub fn issue(secrets: &Secrets, claims: &SessionClaims) -> String {
    let payload = B64.encode(serde_json::to_vec(claims).unwrap_or_default());
    let sig = secrets.sign_session(payload.as_bytes());
    format!("{payload}.{sig}")
}

pub fn verify(secrets: &Secrets, token: &str, now: i64) -> Option<SessionClaims> {
    let (payload, sig) = token.split_once('.')?;
    if !secrets.verify_session(payload.as_bytes(), sig) {
        return None;
    }
    let claims: SessionClaims = serde_json::from_slice(&B64.decode(payload).ok()?).ok()?;
    (claims.exp > now).then_some(claims)
}

/// The caller, from a valid `Authorization: Bearer <session token>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthUser {
    pub user_id: i64,
    pub installation_id: String,
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("sign in: no session token was sent"))?;
        let token = header.strip_prefix("Bearer ").ok_or_else(|| {
            ApiError::unauthorized("the Authorization header must be `Bearer <token>`")
        })?;
        let claims = verify(&state.secrets, token, crate::now()).ok_or_else(|| {
            ApiError::unauthorized("the session has expired or is invalid; reload the panel")
        })?;
        Ok(AuthUser {
            user_id: claims.uid,
            installation_id: claims.iid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_verify_and_expire() {
        let s = Secrets::from_secret_key("a-very-long-secret-key-for-tests-0001");
        let claims = SessionClaims {
            uid: 7,
            iid: "inst".into(),
            exp: 1000,
        };
        let t = issue(&s, &claims);
        assert_eq!(verify(&s, &t, 999), Some(claims.clone()));
        assert_eq!(verify(&s, &t, 1000), None);
        let other = Secrets::from_secret_key("a-very-long-secret-key-for-tests-0002");
        assert_eq!(verify(&other, &t, 0), None);
        let (payload, sig) = t.split_once('.').unwrap();
        let forged = B64.encode(br#"{"uid":8,"iid":"inst","exp":1000}"#);
        assert_eq!(verify(&s, &format!("{forged}.{sig}"), 0), None);
        assert_eq!(verify(&s, payload, 0), None);
    }
}

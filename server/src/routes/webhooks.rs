//! `POST /webhooks/notion`: Notion's webhook deliveries (SPEC §5). Events are signals, never
//! data: a verified event about a mapped page queues a remote check, which tells the user's open
//! panels to sync.
//!
//! Notion first sends an unsigned `{"verification_token": …}` once; that token is the HMAC key of
//! every later delivery (`X-Notion-Signature: sha256=<hex>` over the raw body). The relay keeps it
//! sealed unless `NOTION_WEBHOOK_SECRET` is configured; `relay --print-webhook-token` shows it
//! for pasting into Notion's "Verify" dialog.

use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

pub const PATH: &str = "/webhooks/notion";
/// The `relay_secrets` row holding the verification token.
pub const TOKEN_SECRET: &str = "notion_webhook_verification_token";

pub fn router() -> Router<AppState> {
    Router::new().route(PATH, post(receive))
}

#[derive(Deserialize)]
struct Event {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    entity: Entity,
}

#[derive(Deserialize)]
struct Entity {
    id: String,
    #[serde(rename = "type")]
    kind: String,
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let signature = headers
        .get("x-notion-signature")
        .and_then(|v| v.to_str().ok());
    let Some(signature) = signature else {
        return verification(&state, &body).await;
    };
    let key = verification_token(&state)
        .await?
        .ok_or_else(|| ApiError::unauthorized("this relay has not been verified by Notion yet"))?;
    if !signature_valid(&key, &body, signature) {
        tracing::warn!("notion webhook with a bad signature");
        return Err(ApiError::unauthorized("bad webhook signature"));
    }
    let event: Event = serde_json::from_slice(&body)
        .map_err(|_| ApiError::bad_request("invalid_event", "not a Notion webhook event"))?;
    let now = crate::now();
    if !state.store.record_webhook_event(&event.id, now).await? {
        return Ok(StatusCode::OK);
    }
    if event.entity.kind == "page" && event.kind.starts_with("page.") {
        let page_id = crate::domain::NotionId::parse(&event.entity.id).ok_or_else(|| {
            ApiError::bad_request("invalid_event", "the event's page id is not a Notion id")
        })?;
        let run_at = crate::pacing::now_ms();
        for (user_id, mapping_id) in state.store.mappings_for_page(page_id.as_str()).await? {
            state
                .store
                .enqueue_job(user_id, &mapping_id, crate::jobs::CHECK_REMOTE, run_at, now)
                .await?;
        }
    }
    tracing::info!(kind = %event.kind, "notion webhook");
    Ok(StatusCode::OK)
}

/// The one-time, unsigned handshake: keep the token (sealed) for checking later deliveries.
async fn verification(state: &AppState, body: &[u8]) -> ApiResult<StatusCode> {
    #[derive(Deserialize)]
    struct Verification {
        verification_token: String,
    }
    let v: Verification = serde_json::from_slice(body)
        .map_err(|_| ApiError::unauthorized("webhook deliveries must be signed"))?;
    if v.verification_token.is_empty() || v.verification_token.len() > 512 {
        return Err(ApiError::bad_request(
            "invalid_token",
            "not a verification token",
        ));
    }
    state
        .store
        .put_secret(
            TOKEN_SECRET,
            &state.secrets.seal(&v.verification_token),
            crate::now(),
        )
        .await?;
    tracing::info!("received Notion's webhook verification token; `relay --print-webhook-token` shows it for Notion's Verify dialog");
    Ok(StatusCode::OK)
}

/// The configured token, else the one Notion sent.
pub async fn verification_token(state: &AppState) -> ApiResult<Option<String>> {
    if let Some(t) = &state.settings.config.notion_webhook_secret {
        return Ok(Some(t.clone()));
    }
    let Some(sealed) = state.store.secret(TOKEN_SECRET).await? else {
        return Ok(None);
    };
    let token = state
        .secrets
        .open(&sealed)
        .map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
    Ok(Some(token))
}

fn signature_valid(key: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes()) else {
        return false;
    };
    mac.update(body);
    // Constant-time comparison.
    mac.verify_slice(&sig).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_over_the_raw_body() {
        let body = br#"{"id":"e1"}"#;
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"secret_abc").unwrap();
        mac.update(body);
        let good = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        assert!(signature_valid("secret_abc", body, &good));
        assert!(!signature_valid("secret_abd", body, &good));
        assert!(!signature_valid("secret_abc", br#"{"id":"e2"}"#, &good));
        assert!(!signature_valid("secret_abc", body, "sha256=zz"));
        assert!(!signature_valid(
            "secret_abc",
            body,
            good.trim_start_matches("sha256=")
        ));
    }
}

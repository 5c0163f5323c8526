//! Verification of Replit extension auth tokens (reference/replit-extensions.md §5.3).
//!
//! The token is a JWT signed with Ed25519. We check, in order: the header (`typ` JWT, `alg` EdDSA
//! only — no algorithm confusion, a well-formed `kid`), the signature against the key for that
//! `kid`, the times (`exp` not past, `iat` not in the future) and that `extensionId` is ours.
//! Keys are fetched from the configured [`KeySource`] and cached per `kid`.

use crate::config::KeySource;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// The verified identity a token carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplitIdentity {
    pub user_id: i64,
    pub installation_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("the token header is not typ JWT with alg EdDSA")]
    WrongAlgorithm,
    #[error("the token's key id is not acceptable")]
    BadKeyId,
    #[error("no signing key is known for this token")]
    UnknownKey,
    #[error("the token signature does not verify")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is issued in the future")]
    NotYetValid,
    #[error("the token was issued for another extension")]
    WrongExtension,
    #[error("could not fetch Replit's signing key")]
    KeyFetch(#[source] anyhow::Error),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Claims {
    user_id: i64,
    installation_id: String,
    extension_id: String,
    iat: i64,
    #[allow(dead_code)] // checked by jsonwebtoken; kept so a missing `exp` fails to parse
    exp: i64,
}

/// Leeway for clock skew between Replit and us.
const LEEWAY_SECS: u64 = 30;
/// How long a fetched key is trusted before it is fetched again.
const KEY_TTL: Duration = Duration::from_secs(3600);

#[derive(Clone)]
pub struct ReplitVerifier {
    source: KeySource,
    extension_id: String,
    http: reqwest::Client,
    cache: Arc<RwLock<HashMap<String, (DecodingKey, Instant)>>>,
}

impl ReplitVerifier {
    pub fn new(source: KeySource, extension_id: String) -> ReplitVerifier {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        ReplitVerifier {
            source,
            extension_id,
            http,
            cache: Arc::default(),
        }
    }

    pub async fn verify(&self, token: &str, now: i64) -> Result<ReplitIdentity, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::EdDSA || header.typ.as_deref() != Some("JWT") {
            return Err(TokenError::WrongAlgorithm);
        }
        let kid = header.kid.ok_or(TokenError::BadKeyId)?;
        let kid_ok = !kid.is_empty()
            && kid.len() <= 128
            && kid
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !kid_ok {
            return Err(TokenError::BadKeyId);
        }
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.leeway = LEEWAY_SECS;
        validation.validate_exp = true;
        validation.set_required_spec_claims(&["exp", "iat"]);
        let data = jsonwebtoken::decode::<Claims>(token, &key, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                ErrorKind::InvalidSignature => TokenError::BadSignature,
                ErrorKind::InvalidAlgorithm => TokenError::WrongAlgorithm,
                _ => TokenError::Malformed,
            }
        })?;
        let claims = data.claims;
        // jsonwebtoken reads the clock itself for `exp`; `iat` is ours to check, against the
        // caller's clock, with the 60 s allowance Replit's own client uses.
        if claims.iat > now + 60 {
            return Err(TokenError::NotYetValid);
        }
        if claims.exp < now - LEEWAY_SECS as i64 {
            return Err(TokenError::Expired);
        }
        if claims.extension_id != self.extension_id {
            return Err(TokenError::WrongExtension);
        }
        Ok(ReplitIdentity {
            user_id: claims.user_id,
            installation_id: claims.installation_id,
        })
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, TokenError> {
        if let Some((key, at)) = self.cache.read().await.get(kid) {
            if at.elapsed() < KEY_TTL {
                return Ok(key.clone());
            }
        }
        let pem = match &self.source {
            KeySource::File(path) => tokio::fs::read_to_string(path).await.map_err(|e| {
                TokenError::KeyFetch(anyhow::Error::new(e).context("reading REPLIT_KEY_SOURCE"))
            })?,
            source => {
                let url = source.key_url(kid).ok_or(TokenError::BadKeyId)?;
                self.fetch_pem(url).await?
            }
        };
        let key = DecodingKey::from_ed_pem(pem.as_bytes()).map_err(|_| TokenError::UnknownKey)?;
        self.cache
            .write()
            .await
            .insert(kid.to_string(), (key.clone(), Instant::now()));
        Ok(key)
    }

    async fn fetch_pem(&self, url: url::Url) -> Result<String, TokenError> {
        #[derive(Deserialize)]
        struct KeyResponse {
            ok: bool,
            value: Option<String>,
        }
        let resp = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| TokenError::KeyFetch(e.into()))?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Err(TokenError::UnknownKey);
        }
        let body: KeyResponse = resp
            .error_for_status()
            .map_err(|e| TokenError::KeyFetch(e.into()))?
            .json()
            .await
            .map_err(|e| TokenError::KeyFetch(e.into()))?;
        match (body.ok, body.value) {
            (true, Some(pem)) => Ok(pem),
            _ => Err(TokenError::UnknownKey),
        }
    }
}

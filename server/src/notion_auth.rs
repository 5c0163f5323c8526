//! Keeping a connection's Notion token usable.
//!
//! - [`TokenKeeper`]: the Notion client asks it for a replacement whenever Notion answers 401,
//!   so an expired OAuth token is refreshed in the middle of any sync and the call retried.
//! - [`refresh`]: after Notion refused an access token, rotate the pair once. Refreshes are
//!   serialized across replicas by a compare-and-swap on the stored refresh token: Notion
//!   invalidates a refresh token when it is used, so of two replicas refreshing at once one wins
//!   and the other adopts the winner's tokens instead of failing with `invalid_grant`.
//! - [`ensure_internal_connection`]: self-hosting with an internal integration token
//!   (`NOTION_TOKEN`) instead of OAuth: every user gets a connection to that integration's
//!   workspace without a consent screen.

use crate::crypto::Secrets;
use crate::error::{ApiError, ApiResult};
use crate::notion_oauth::NotionOAuth;
use crate::startup::AppState;
use crate::store::{NewConnection, Store};
use notion::AccessToken;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A fresh access token for the user's connection, or `None` when the refused token cannot be
/// replaced (no refresh token, or Notion refused the refresh: the user must reconnect).
pub async fn refresh(
    state: &AppState,
    user_id: i64,
    refused: &AccessToken,
) -> ApiResult<Option<AccessToken>> {
    state.tokens.refresh(user_id, refused).await
}

/// What renewing a refused token needs, shared with the Notion client (which asks it on a 401,
/// see [`notion::TokenRenewer`]) without a cycle through [`AppState`].
#[derive(Clone)]
pub struct TokenKeeper {
    store: Store,
    secrets: Secrets,
    oauth: Option<Arc<NotionOAuth>>,
    /// Which user each access token handed out belongs to (by SHA-256, never the token), so a
    /// refused token can be traced to its connection. Bounded: cleared when it grows large.
    owners: Arc<Mutex<HashMap<[u8; 32], i64>>>,
}

const MAX_OWNERS: usize = 100_000;

impl TokenKeeper {
    pub fn new(store: Store, secrets: Secrets, oauth: Option<Arc<NotionOAuth>>) -> TokenKeeper {
        TokenKeeper {
            store,
            secrets,
            oauth,
            owners: Arc::default(),
        }
    }

    fn key(token: &str) -> [u8; 32] {
        Sha256::digest(token.as_bytes()).into()
    }

    /// Notes that `token` is `user_id`'s (called wherever a stored token is opened for use).
    pub fn remember(&self, user_id: i64, token: &AccessToken) {
        let mut owners = self.owners.lock().unwrap_or_else(|e| e.into_inner());
        if owners.len() >= MAX_OWNERS {
            owners.clear();
        }
        owners.insert(Self::key(token.expose()), user_id);
    }

    /// The renewal the Notion client asks for after a 401: the owner's refreshed token, if any.
    pub async fn renew(&self, refused: AccessToken) -> Option<AccessToken> {
        let owner = self
            .owners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&Self::key(refused.expose()))
            .copied()?;
        match self.refresh(owner, &refused).await {
            Ok(Some(fresh)) => {
                self.remember(owner, &fresh);
                Some(fresh)
            }
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(user_id = owner, error = ?e, "renewing a refused Notion token failed");
                None
            }
        }
    }

    /// See [`refresh`].
    pub async fn refresh(
        &self,
        user_id: i64,
        refused: &AccessToken,
    ) -> ApiResult<Option<AccessToken>> {
        let conn = self
            .store
            .connection(user_id)
            .await?
            .ok_or_else(ApiError::not_connected)?;
        let open = |sealed: &str| {
            self.secrets.open(sealed).map_err(|e| {
                ApiError::internal(anyhow::Error::new(e).context("opening a stored Notion token"))
            })
        };
        let current = open(&conn.access_token_enc)?;
        if current != refused.expose() {
            // Another request already rotated it.
            return Ok(Some(AccessToken::new(current)));
        }
        let (Some(oauth), Some(refresh_enc)) = (&self.oauth, &conn.refresh_token_enc) else {
            return Ok(None);
        };
        let refresh_token = open(refresh_enc)?;
        match oauth.refresh(&refresh_token).await {
            Ok(grant) => {
                let access_enc = self.secrets.seal(&grant.access_token);
                // Notion normally rotates the refresh token too; keep the old one if it did not.
                let new_refresh = grant.refresh_token.as_deref().map(|t| self.secrets.seal(t));
                let refresh_to_store = new_refresh.as_deref().unwrap_or(refresh_enc);
                let won = self
                    .store
                    .rotate_tokens(
                        user_id,
                        refresh_enc,
                        &access_enc,
                        Some(refresh_to_store),
                        crate::now(),
                    )
                    .await?;
                if won {
                    tracing::info!(user_id, "rotated the Notion token pair");
                    return Ok(Some(AccessToken::new(grant.access_token)));
                }
                self.adopt(user_id, &current).await
            }
            Err(e) => {
                // The usual cause: another request (or replica) used the same refresh token a
                // moment ago. Notion has already rotated the pair, but the winner may not have
                // stored it yet; give it a moment before concluding the user must reconnect.
                for _ in 0..ADOPT_ATTEMPTS {
                    if let Some(token) = self.adopt(user_id, &current).await? {
                        return Ok(Some(token));
                    }
                    tokio::time::sleep(ADOPT_WAIT).await;
                }
                tracing::warn!(
                    user_id,
                    error = format!("{e:#}"),
                    "refreshing the Notion token failed"
                );
                self.adopt(user_id, &current).await
            }
        }
    }

    /// The tokens another replica stored meanwhile, if any.
    async fn adopt(&self, user_id: i64, stale: &str) -> ApiResult<Option<AccessToken>> {
        let Some(conn) = self.store.connection(user_id).await? else {
            return Ok(None);
        };
        let token = self
            .secrets
            .open(&conn.access_token_enc)
            .map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
        Ok((token != stale).then(|| AccessToken::new(token)))
    }
}

/// How long a refused refresh waits for a concurrent winner to store the rotated pair: up to
/// `ADOPT_ATTEMPTS × ADOPT_WAIT` (the winner's store follows its token call within milliseconds;
/// the margin covers a loaded database).
const ADOPT_ATTEMPTS: u32 = 40;
const ADOPT_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// With `NOTION_TOKEN` configured, connects the user to that integration's workspace.
pub async fn ensure_internal_connection(
    state: &AppState,
    user: &crate::auth::AuthUser,
) -> ApiResult<bool> {
    let Some(token) = &state.settings.config.notion_token else {
        return Ok(false);
    };
    if state.store.connection(user.user_id).await?.is_some() {
        return Ok(true);
    }
    let access = AccessToken::new(token.clone());
    state.pace(&access).await?;
    let me = state
        .notion
        .users_me(&access)
        .await
        .map_err(ApiError::notion)?;
    let bot = me.bot.clone().unwrap_or_default();
    state
        .store
        .upsert_connection(
            &NewConnection {
                user_id: user.user_id,
                installation_id: user.installation_id.clone(),
                workspace_id: bot
                    .workspace_id
                    .clone()
                    .unwrap_or_else(|| "internal".into()),
                workspace_name: bot
                    .workspace_name
                    .clone()
                    .unwrap_or_else(|| "Notion workspace".into()),
                workspace_icon: None,
                bot_id: me.id.clone(),
                access_token_enc: state.secrets.seal(token),
                refresh_token_enc: None,
            },
            crate::now(),
        )
        .await?;
    Ok(true)
}

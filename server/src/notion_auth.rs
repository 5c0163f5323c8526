//! Keeping a connection's Notion token usable.
//!
//! - [`refresh`]: after Notion refused an access token, rotate the pair once. Refreshes are
//!   serialized across replicas by a compare-and-swap on the stored refresh token: Notion
//!   invalidates a refresh token when it is used, so of two replicas refreshing at once one wins
//!   and the other adopts the winner's tokens instead of failing with `invalid_grant`.
//! - [`ensure_internal_connection`]: self-hosting with an internal integration token
//!   (`NOTION_TOKEN`) instead of OAuth: every user gets a connection to that integration's
//!   workspace without a consent screen.

use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::NewConnection;
use notion::AccessToken;

/// A fresh access token for the user's connection, or `None` when the refused token cannot be
/// replaced (no refresh token, or Notion refused the refresh: the user must reconnect).
pub async fn refresh(
    state: &AppState,
    user_id: i64,
    refused: &AccessToken,
) -> ApiResult<Option<AccessToken>> {
    let conn = state
        .store
        .connection(user_id)
        .await?
        .ok_or_else(ApiError::not_connected)?;
    let open = |sealed: &str| {
        state.secrets.open(sealed).map_err(|e| {
            ApiError::internal(anyhow::Error::new(e).context("opening a stored Notion token"))
        })
    };
    let current = open(&conn.access_token_enc)?;
    if current != refused.expose() {
        // Another request already rotated it.
        return Ok(Some(AccessToken::new(current)));
    }
    let (Some(oauth), Some(refresh_enc)) = (&state.oauth, &conn.refresh_token_enc) else {
        return Ok(None);
    };
    let refresh_token = open(refresh_enc)?;
    match oauth.refresh(&refresh_token).await {
        Ok(grant) => {
            let access_enc = state.secrets.seal(&grant.access_token);
            // Notion normally rotates the refresh token too; keep the old one if it did not.
            let new_refresh = grant
                .refresh_token
                .as_deref()
                .map(|t| state.secrets.seal(t));
            let refresh_to_store = new_refresh.as_deref().unwrap_or(refresh_enc);
            let won = state
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
            adopt(state, user_id, &current).await
        }
        Err(e) => {
            // The usual cause: another request (or replica) used the same refresh token a moment
            // ago. Notion has already rotated the pair, but the winner may not have stored it
            // yet; give it a moment before concluding the user must reconnect.
            for _ in 0..ADOPT_ATTEMPTS {
                if let Some(token) = adopt(state, user_id, &current).await? {
                    return Ok(Some(token));
                }
                tokio::time::sleep(ADOPT_WAIT).await;
            }
            tracing::warn!(
                user_id,
                error = format!("{e:#}"),
                "refreshing the Notion token failed"
            );
            adopt(state, user_id, &current).await
        }
    }
}

/// How long a refused refresh waits for a concurrent winner to store the rotated pair: up to
/// `ADOPT_ATTEMPTS × ADOPT_WAIT` (the winner's store follows its token call within milliseconds;
/// the margin covers a loaded database).
const ADOPT_ATTEMPTS: u32 = 40;
const ADOPT_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

/// The tokens another replica stored meanwhile, if any.
async fn adopt(state: &AppState, user_id: i64, stale: &str) -> ApiResult<Option<AccessToken>> {
    let Some(conn) = state.store.connection(user_id).await? else {
        return Ok(None);
    };
    let token = state
        .secrets
        .open(&conn.access_token_enc)
        .map_err(|e| ApiError::internal(anyhow::Error::new(e)))?;
    Ok((token != stale).then(|| AccessToken::new(token)))
}

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

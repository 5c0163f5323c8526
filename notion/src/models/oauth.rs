//! OAuth token endpoint bodies (`/v1/oauth/token`, `/introspect`, `/revoke`).

use serde::{Deserialize, Serialize};

use super::user::BotOwner;

/// Token response for both grants. Access-token lifetime is not exposed: refresh on 401.
/// Each refresh rotates the pair; the old refresh token then fails with `invalid_grant`.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(default = "bearer")]
    pub token_type: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    pub bot_id: String,
    #[serde(default)]
    pub workspace_id: Option<String>,
    #[serde(default)]
    pub workspace_name: Option<String>,
    #[serde(default)]
    pub workspace_icon: Option<String>,
    #[serde(default)]
    pub owner: Option<BotOwner>,
    #[serde(default)]
    pub duplicated_template_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

fn bearer() -> String {
    "bearer".to_string()
}

impl std::fmt::Debug for TokenResponse {
    /// Tokens are secrets: never printed, even in debug output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &"***")
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "***"))
            .field("bot_id", &self.bot_id)
            .field("workspace_id", &self.workspace_id)
            .field("workspace_name", &self.workspace_name)
            .finish_non_exhaustive()
    }
}

/// Grant for `POST /v1/oauth/token`.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "grant_type", rename_all = "snake_case")]
pub enum TokenGrant {
    AuthorizationCode {
        code: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        redirect_uri: Option<String>,
    },
    RefreshToken {
        refresh_token: String,
    },
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenGrant::AuthorizationCode { redirect_uri, .. } => f
                .debug_struct("AuthorizationCode")
                .field("code", &"***")
                .field("redirect_uri", redirect_uri)
                .finish(),
            TokenGrant::RefreshToken { .. } => f
                .debug_struct("RefreshToken")
                .field("refresh_token", &"***")
                .finish(),
        }
    }
}

/// `POST /v1/oauth/introspect` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntrospectResponse {
    pub active: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `POST /v1/oauth/revoke` response (just a request id).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RevokeResponse {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

//! Notion OAuth (authorization code) with the `oauth2` crate.
//!
//! Notion's token response carries the workspace (id, name, icon) and the bot id next to the
//! standard fields; they are modelled as extra token fields so one request yields everything a
//! connection needs.

use anyhow::Context;
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, RedirectUrl, RefreshToken, StandardRevocableToken, StandardTokenResponse,
    TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotionTokenFields {
    pub bot_id: String,
    pub workspace_id: String,
    #[serde(default)]
    pub workspace_name: Option<String>,
    #[serde(default)]
    pub workspace_icon: Option<String>,
}

impl ExtraTokenFields for NotionTokenFields {}

type NotionTokenResponse = StandardTokenResponse<NotionTokenFields, BasicTokenType>;

type BareClient = oauth2::Client<
    BasicErrorResponse,
    NotionTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
>;

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    NotionTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// What a successful authorization gives.
#[derive(Clone)]
pub struct NotionGrant {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub bot_id: String,
    pub workspace_id: String,
    pub workspace_name: String,
    pub workspace_icon: Option<String>,
}

impl std::fmt::Debug for NotionGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotionGrant")
            .field("workspace_id", &self.workspace_id)
            .finish_non_exhaustive()
    }
}

fn grant(token: &NotionTokenResponse) -> NotionGrant {
    let extra = token.extra_fields();
    NotionGrant {
        access_token: token.access_token().secret().clone(),
        refresh_token: token.refresh_token().map(|t| t.secret().clone()),
        bot_id: extra.bot_id.clone(),
        workspace_id: extra.workspace_id.clone(),
        workspace_name: extra
            .workspace_name
            .clone()
            .unwrap_or_else(|| "Notion workspace".into()),
        workspace_icon: extra.workspace_icon.clone(),
    }
}

pub struct NotionOAuth {
    client: OAuthClient,
    http: oauth2::reqwest::Client,
    client_id: String,
    client_secret: String,
}

impl NotionOAuth {
    pub fn new(
        client_id: &str,
        client_secret: &str,
        api_base: &Url,
        redirect: Url,
    ) -> anyhow::Result<NotionOAuth> {
        let auth = api_base
            .join("v1/oauth/authorize")
            .context("NOTION_API_BASE")?;
        let token = api_base.join("v1/oauth/token").context("NOTION_API_BASE")?;
        let client: OAuthClient = BareClient::new(ClientId::new(client_id.to_string()))
            .set_client_secret(ClientSecret::new(client_secret.to_string()))
            .set_auth_uri(AuthUrl::from_url(auth))
            .set_token_uri(TokenUrl::from_url(token))
            .set_redirect_uri(RedirectUrl::from_url(redirect));
        // Following redirects from a token endpoint could leak the code to another host.
        let http = oauth2::reqwest::ClientBuilder::new()
            .redirect(oauth2::reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .context("building the OAuth HTTP client")?;
        Ok(NotionOAuth {
            client,
            http,
            client_id: client_id.to_string(),
            client_secret: client_secret.to_string(),
        })
    }

    /// Where to send the user's browser; `state` comes back on the callback.
    pub fn authorize_url(&self, state: &str) -> Url {
        let state = state.to_string();
        let (url, _) = self
            .client
            .authorize_url(move || CsrfToken::new(state))
            .add_extra_param("owner", "user")
            .url();
        url
    }

    pub async fn exchange(&self, code: &str) -> anyhow::Result<NotionGrant> {
        let token = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| anyhow::anyhow!("Notion's token endpoint refused the code: {e}"))?;
        Ok(grant(&token))
    }

    /// Rotates the token pair: Notion answers a new access token and a new refresh token, and
    /// the old refresh token stops working.
    pub async fn refresh(&self, refresh_token: &str) -> anyhow::Result<NotionGrant> {
        let token = self
            .client
            .exchange_refresh_token(&RefreshToken::new(refresh_token.to_string()))
            .request_async(&self.http)
            .await
            .map_err(|e| anyhow::anyhow!("Notion's token endpoint refused the refresh: {e}"))?;
        Ok(grant(&token))
    }

    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }
}

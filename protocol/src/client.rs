//! A native client for the relay API, for tests, benchmarks and the simulation.
//!
//! It speaks exactly what the panel speaks, so a test that passes through it exercises the same
//! contract the browser does.

use crate::api::{self, paths};
use crate::session::{Ack, Manifest, SessionPlan, SessionResult, SessionStarted, UploadContents};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("relay answered {status}: {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    #[error("relay unreachable")]
    Http(#[from] reqwest::Error),
    #[error("bad relay url")]
    Url(#[from] url::ParseError),
}

impl ClientError {
    /// The HTTP status, when the relay answered at all.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct RelayClient {
    base: url::Url,
    http: reqwest::Client,
    session_token: Option<String>,
}

impl std::fmt::Debug for RelayClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelayClient")
            .field("base", &self.base.as_str())
            .finish_non_exhaustive()
    }
}

impl RelayClient {
    pub fn new(base: url::Url) -> RelayClient {
        RelayClient {
            base,
            http: reqwest::Client::new(),
            session_token: None,
        }
    }

    pub fn base(&self) -> &url::Url {
        &self.base
    }

    /// The relay session token, once a session is open.
    pub fn session_token(&self) -> Option<&str> {
        self.session_token.as_deref()
    }

    /// Exchanges a Replit extension token for a relay session and keeps it for later calls.
    pub async fn open_session(
        &mut self,
        replit_token: &str,
    ) -> Result<api::SessionResponse, ClientError> {
        let body = api::SessionRequest {
            replit_token: replit_token.to_string(),
        };
        let resp: api::SessionResponse = self.post(paths::SESSION, &body).await?;
        self.session_token = Some(resp.session_token.clone());
        Ok(resp)
    }

    pub fn with_session_token(mut self, token: impl Into<String>) -> RelayClient {
        self.session_token = Some(token.into());
        self
    }

    pub async fn ticket(&self) -> Result<api::TicketResponse, ClientError> {
        self.post(paths::TICKETS, &serde_json_empty()).await
    }

    pub async fn connection(&self) -> Result<api::ConnectionStatus, ClientError> {
        self.get(paths::CONNECTION, &[]).await
    }

    pub async fn search(&self, query: &str) -> Result<api::NotionSearchResponse, ClientError> {
        self.get(paths::NOTION_SEARCH, &[("q", query)]).await
    }

    /// Databases (by their database id) whose title matches `query`.
    pub async fn search_databases(
        &self,
        query: &str,
    ) -> Result<api::NotionSearchResponse, ClientError> {
        self.get(
            paths::NOTION_SEARCH,
            &[("q", query), ("object", "database")],
        )
        .await
    }

    pub async fn configurations(&self) -> Result<api::Configurations, ClientError> {
        self.get(paths::CONFIGURATIONS, &[]).await
    }

    pub async fn create_mapping(
        &self,
        body: &api::CreateMapping,
    ) -> Result<api::Mapping, ClientError> {
        self.post(paths::CONFIGURATIONS, body).await
    }

    pub async fn update_mapping(
        &self,
        id: &str,
        body: &api::UpdateMapping,
    ) -> Result<api::Mapping, ClientError> {
        let req = self
            .http
            .patch(self.base.join(&paths::configuration(id))?)
            .json(body);
        let resp = self.authorize(req).send().await?;
        Ok(check(resp).await?.json().await?)
    }

    pub async fn delete_mapping(&self, id: &str) -> Result<(), ClientError> {
        self.delete(&paths::configuration(id)).await
    }

    async fn delete(&self, path: &str) -> Result<(), ClientError> {
        let req = self.http.delete(self.base.join(path)?);
        let resp = self.authorize(req).send().await?;
        check(resp).await.map(|_| ())
    }

    pub async fn start_session(&self, manifest: &Manifest) -> Result<SessionStarted, ClientError> {
        self.post(paths::SYNC_SESSIONS, manifest).await
    }

    pub async fn upload(
        &self,
        session_id: &str,
        contents: &UploadContents,
    ) -> Result<SessionPlan, ClientError> {
        self.post(&paths::session_contents(session_id), contents)
            .await
    }

    pub async fn ack(&self, session_id: &str, ack: &Ack) -> Result<SessionResult, ClientError> {
        self.post(&paths::session_ack(session_id), ack).await
    }

    pub async fn conflicts(&self) -> Result<api::ConflictsResponse, ClientError> {
        self.get(paths::CONFLICTS, &[]).await
    }

    pub async fn resolve(
        &self,
        id: &str,
        resolution: &api::Resolution,
    ) -> Result<api::Conflict, ClientError> {
        self.post(&paths::conflict_resolve(id), resolution).await
    }

    pub async fn history(&self, path: &str) -> Result<api::HistoryResponse, ClientError> {
        self.get(paths::HISTORY, &[("path", path)]).await
    }

    pub async fn revision(&self, id: &str) -> Result<api::RevisionContent, ClientError> {
        self.get(&paths::revision(id), &[]).await
    }

    pub async fn restore(
        &self,
        id: &str,
        req: &api::RestoreRequest,
    ) -> Result<crate::session::FileWrite, ClientError> {
        self.post(&paths::revision_restore(id), req).await
    }

    /// Deletes every row the relay holds for the user (and revokes the Notion token).
    pub async fn delete_me(&self) -> Result<(), ClientError> {
        self.delete(paths::ME).await
    }

    /// Disconnects Notion (revoking the token) and removes the connection's mappings.
    pub async fn disconnect(&self) -> Result<(), ClientError> {
        self.delete(paths::CONNECTION).await
    }

    pub async fn logs(&self, limit: u32) -> Result<api::LogsResponse, ClientError> {
        self.get(paths::LOGS, &[("limit", &limit.to_string())])
            .await
    }

    fn authorize(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.session_token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ClientError> {
        let req = self.http.get(self.base.join(path)?).query(query);
        let resp = self.authorize(req).send().await?;
        Ok(check(resp).await?.json().await?)
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, ClientError> {
        let req = self.http.post(self.base.join(path)?).json(body);
        let resp = self.authorize(req).send().await?;
        Ok(check(resp).await?.json().await?)
    }
}

fn serde_json_empty() -> serde_json::Value {
    serde_json::json!({})
}

async fn check(resp: reqwest::Response) -> Result<reqwest::Response, ClientError> {
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let text = resp.text().await.unwrap_or_default();
    let (code, message) = match serde_json_error(&text) {
        Some(e) => (e.error.code, e.error.message),
        None => ("http_error".to_string(), text),
    };
    Err(ClientError::Api {
        status: status.as_u16(),
        code,
        message,
    })
}

fn serde_json_error(text: &str) -> Option<api::ErrorBody> {
    serde_json::from_str(text).ok()
}

//! A typed client for the relay API (`protocol::api::paths`), over the browser's `fetch`.
//!
//! Identity: the relay session token is kept in memory only — never in localStorage or cookies,
//! which a third-party iframe may not have and which would outlive the Replit token it came from
//! (SPEC §9). Every load starts from a fresh Replit auth token; a 401 (or a session about to
//! expire) renews the session with another fresh token, once, and retries the call.

use crate::replit::{self, ReplitError};
use gloo_net::http::Request;
use protocol::api::{self, paths};
use protocol::session::{
    Ack, FileWrite, Manifest, SessionPlan, SessionResult, SessionStarted, UploadContents,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// Why a relay call failed, in terms the panel can explain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayError {
    /// No HTTP answer at all (offline, relay down, CORS refused).
    Unreachable(String),
    /// The relay answered with an error body.
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// The relay answered something this panel does not understand.
    Decode(String),
    /// Getting a Replit identity token failed.
    Identity(ReplitError),
}

impl RelayError {
    /// The relay refused who we are (bad or expired Replit token, wrong extension).
    pub fn is_auth(&self) -> bool {
        matches!(
            self,
            RelayError::Api {
                status: 401 | 403,
                code,
                ..
            } if code != NOTION_UNAUTHORIZED
        )
    }

    /// No answer at all: the relay is down or unreachable.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, RelayError::Unreachable(_))
    }

    /// Notion refused the connection's token (expired or revoked): reconnect.
    pub fn is_notion_unauthorized(&self) -> bool {
        matches!(self, RelayError::Api { code, .. } if code == NOTION_UNAUTHORIZED)
    }

    /// The Notion page is gone or no longer shared with the integration.
    pub fn is_notion_not_found(&self) -> bool {
        matches!(self, RelayError::Api { code, .. } if code == "notion_not_found")
    }

    /// The relay does not sync this kind of mapping (yet).
    pub fn is_kind_not_supported(&self) -> bool {
        matches!(self, RelayError::Api { code, .. } if code == "kind_not_supported")
    }

    /// The user has no Notion workspace connected.
    pub fn is_not_connected(&self) -> bool {
        matches!(self, RelayError::Api { code, .. } if code == "not_connected")
    }
}

impl fmt::Display for RelayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RelayError::Unreachable(_) => {
                f.write_str("Can't reach the sync server. Check your connection, then retry.")
            }
            RelayError::Api { message, .. } if !message.is_empty() => f.write_str(message),
            RelayError::Api { status, code, .. } => {
                write!(f, "The sync server answered {status} ({code}).")
            }
            RelayError::Decode(m) => write!(f, "Unexpected answer from the sync server: {m}"),
            RelayError::Identity(e) => write!(f, "Could not get your Replit identity: {e}"),
        }
    }
}

impl std::error::Error for RelayError {}

/// The relay's code for "Notion refused the connection's token".
pub const NOTION_UNAUTHORIZED: &str = "notion_unauthorized";

/// The relay base URL: `RELAY_URL` baked in at build time, else the panel's own origin
/// (self-hosted mode, where the relay serves the panel).
pub fn relay_base_url() -> String {
    let configured = option_env!("RELAY_URL").unwrap_or("").trim();
    let base = if configured.is_empty() {
        web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .unwrap_or_default()
    } else {
        configured.to_string()
    };
    base.trim_end_matches('/').to_string()
}

#[derive(Default)]
struct Session {
    token: Option<String>,
    /// Unix seconds.
    expires_at: i64,
}

/// Renew this many seconds before the relay session expires, so a call never races expiry.
const RENEW_MARGIN_SECS: i64 = 30;

/// The relay client; cheap to clone (clones share the session).
#[derive(Clone)]
pub struct Relay {
    base: Rc<str>,
    session: Rc<RefCell<Session>>,
}

impl PartialEq for Relay {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.session, &other.session)
    }
}

fn now_secs() -> i64 {
    (js_sys::Date::now() / 1000.0) as i64
}

impl Relay {
    pub fn new(base: String) -> Relay {
        Relay {
            base: base.into(),
            session: Rc::default(),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Exchanges a fresh Replit auth token for a relay session (`POST /api/session`).
    pub async fn open_session(&self) -> Result<api::SessionResponse, RelayError> {
        let replit_token = replit::auth_token().await.map_err(RelayError::Identity)?;
        let body = to_json(&api::SessionRequest { replit_token })?;
        let text = send(
            Method::Post,
            &self.url(paths::SESSION),
            &[],
            None,
            Some(body),
        )
        .await?;
        let resp: api::SessionResponse = parse(&text)?;
        let mut s = self.session.borrow_mut();
        s.token = Some(resp.session_token.clone());
        s.expires_at = resp.expires_at;
        Ok(resp)
    }

    pub async fn ticket(&self) -> Result<api::TicketResponse, RelayError> {
        parse(
            &self
                .authorized(Method::Post, paths::TICKETS, &[], Some("{}".into()))
                .await?,
        )
    }

    /// The URL that starts Notion's OAuth flow in the popup (the ticket authenticates it).
    pub fn oauth_start_url(&self, ticket: &str) -> String {
        format!(
            "{}?ticket={}",
            self.url(paths::OAUTH_START),
            String::from(js_sys::encode_uri_component(ticket))
        )
    }

    pub async fn connection(&self) -> Result<api::ConnectionStatus, RelayError> {
        self.get(paths::CONNECTION, &[]).await
    }

    pub async fn disconnect(&self) -> Result<(), RelayError> {
        self.delete(paths::CONNECTION).await
    }

    /// `object`: `page` or `database`.
    pub async fn search(
        &self,
        query: &str,
        object: &str,
    ) -> Result<api::NotionSearchResponse, RelayError> {
        self.get(paths::NOTION_SEARCH, &[("q", query), ("object", object)])
            .await
    }

    pub async fn configurations(&self) -> Result<api::Configurations, RelayError> {
        self.get(paths::CONFIGURATIONS, &[]).await
    }

    pub async fn create_mapping(
        &self,
        body: &api::CreateMapping,
    ) -> Result<api::Mapping, RelayError> {
        self.post(paths::CONFIGURATIONS, body).await
    }

    pub async fn delete_mapping(&self, id: &str) -> Result<(), RelayError> {
        self.delete(&paths::configuration(id)).await
    }

    pub async fn update_mapping(
        &self,
        id: &str,
        body: &api::UpdateMapping,
    ) -> Result<api::Mapping, RelayError> {
        self.send_body(Method::Patch, &paths::configuration(id), body)
            .await
    }

    pub async fn logs(&self, limit: u32) -> Result<api::LogsResponse, RelayError> {
        self.get(paths::LOGS, &[("limit", &limit.to_string())])
            .await
    }

    pub async fn conflicts(&self) -> Result<api::ConflictsResponse, RelayError> {
        self.get(paths::CONFLICTS, &[]).await
    }

    pub async fn resolve(
        &self,
        id: &str,
        resolution: &api::Resolution,
    ) -> Result<api::Conflict, RelayError> {
        self.post(&paths::conflict_resolve(id), resolution).await
    }

    pub async fn history(&self, path: &str) -> Result<api::HistoryResponse, RelayError> {
        self.get(paths::HISTORY, &[("path", path)]).await
    }

    pub async fn revision(&self, id: &str) -> Result<api::RevisionContent, RelayError> {
        self.get(&paths::revision(id), &[]).await
    }

    pub async fn restore(
        &self,
        id: &str,
        body: &api::RestoreRequest,
    ) -> Result<FileWrite, RelayError> {
        self.post(&paths::revision_restore(id), body).await
    }

    /// Deletes every row the relay keeps about the user (after revoking the Notion token).
    pub async fn delete_me(&self) -> Result<(), RelayError> {
        self.delete(paths::ME).await
    }

    /// The live-progress WebSocket's URL for a ticket (`http` → `ws`, `https` → `wss`).
    pub fn ws_url(&self, ticket: &str) -> String {
        let base = if let Some(rest) = self.base.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = self.base.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            self.base.to_string()
        };
        format!(
            "{base}{}?ticket={}",
            paths::WS_SYNC_STATUS,
            String::from(js_sys::encode_uri_component(ticket))
        )
    }

    pub async fn start_session(&self, manifest: &Manifest) -> Result<SessionStarted, RelayError> {
        self.post(paths::SYNC_SESSIONS, manifest).await
    }

    pub async fn upload(
        &self,
        session_id: &str,
        contents: &UploadContents,
    ) -> Result<SessionPlan, RelayError> {
        self.post(&paths::session_contents(session_id), contents)
            .await
    }

    pub async fn ack(&self, session_id: &str, ack: &Ack) -> Result<SessionResult, RelayError> {
        self.post(&paths::session_ack(session_id), ack).await
    }

    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, RelayError> {
        parse(&self.authorized(Method::Get, path, query, None).await?)
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, RelayError> {
        self.send_body(Method::Post, path, body).await
    }

    async fn send_body<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> Result<T, RelayError> {
        let body = to_json(body)?;
        parse(&self.authorized(method, path, &[], Some(body)).await?)
    }

    async fn delete(&self, path: &str) -> Result<(), RelayError> {
        self.authorized(Method::Delete, path, &[], None).await?;
        Ok(())
    }

    /// Sends with the session token; renews the session (fresh Replit token) when it is about to
    /// expire or the relay answers 401, and retries once. Answers the body's text. One
    /// non-generic function for every call keeps the wasm small.
    async fn authorized(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<String>,
    ) -> Result<String, RelayError> {
        let expiring = {
            let s = self.session.borrow();
            s.token.is_none() || s.expires_at - RENEW_MARGIN_SECS <= now_secs()
        };
        if expiring {
            self.open_session().await?;
        }
        let url = self.url(path);
        let token = || self.session.borrow().token.clone().unwrap_or_default();
        match send(method, &url, query, Some(&token()), body.clone()).await {
            // Our session was refused (not Notion's token): renew it once.
            Err(e @ RelayError::Api { status: 401, .. }) if !e.is_notion_unauthorized() => {
                self.open_session().await?;
                send(method, &url, query, Some(&token()), body).await
            }
            other => other,
        }
    }
}

#[derive(Clone, Copy)]
enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

fn unreachable(e: gloo_net::Error) -> RelayError {
    RelayError::Unreachable(e.to_string())
}

/// JSON text of a request body. In the browser, serde-wasm-bindgen and the browser's own JSON
/// (rather than serde_json) keep a JSON parser and printer out of the wasm.
#[cfg(target_arch = "wasm32")]
fn to_json<B: Serialize>(body: &B) -> Result<String, RelayError> {
    let value = body
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| RelayError::Decode(e.to_string()))?;
    js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| RelayError::Decode("could not encode the request".into()))
}

#[cfg(not(target_arch = "wasm32"))]
fn to_json<B: Serialize>(body: &B) -> Result<String, RelayError> {
    serde_json::to_string(body).map_err(|e| RelayError::Decode(e.to_string()))
}

/// Decodes a JSON answer. An empty body (204) reads as `null`, which `()` and `Option` accept.
#[cfg(target_arch = "wasm32")]
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, RelayError> {
    let text = if text.trim().is_empty() { "null" } else { text };
    let value = js_sys::JSON::parse(text).map_err(|_| RelayError::Decode("not JSON".into()))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| RelayError::Decode(e.to_string()))
}

#[cfg(not(target_arch = "wasm32"))]
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, RelayError> {
    let text = if text.trim().is_empty() { "null" } else { text };
    serde_json::from_str(text).map_err(|e| RelayError::Decode(e.to_string()))
}

/// One HTTP exchange; a non-2xx answer becomes [`RelayError::Api`].
async fn send(
    method: Method,
    url: &str,
    query: &[(&str, &str)],
    token: Option<&str>,
    body: Option<String>,
) -> Result<String, RelayError> {
    let mut req = match method {
        Method::Get => Request::get(url),
        Method::Post => Request::post(url),
        Method::Patch => Request::patch(url),
        Method::Delete => Request::delete(url),
    };
    if !query.is_empty() {
        req = req.query(query.iter().copied());
    }
    if let Some(token) = token {
        req = req.header("Authorization", &format!("Bearer {token}"));
    }
    let resp = match body {
        Some(body) => {
            req.header("Content-Type", "application/json")
                .body(body)
                .map_err(|e| RelayError::Decode(e.to_string()))?
                .send()
                .await
        }
        None => req.send().await,
    }
    .map_err(unreachable)?;
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    if resp.ok() {
        Ok(text)
    } else {
        Err(api_error(status, &text))
    }
}

/// Builds the error of a failed call from its status and body.
pub fn api_error(status: u16, body: &str) -> RelayError {
    match parse::<api::ErrorBody>(body) {
        Ok(e) => RelayError::Api {
            status,
            code: e.error.code,
            message: e.error.message,
        },
        Err(_) => RelayError::Api {
            status,
            code: "http_error".to_string(),
            message: if body.trim().is_empty() || body.len() > 300 {
                String::new()
            } else {
                body.trim().to_string()
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_become_messages() {
        let e = api_error(
            409,
            r#"{"error":{"code":"not_connected","message":"Connect Notion first."}}"#,
        );
        assert!(e.is_not_connected());
        assert_eq!(e.to_string(), "Connect Notion first.");
        let e = api_error(401, "");
        assert!(e.is_auth());
        assert_eq!(e.to_string(), "The sync server answered 401 (http_error).");
        let e = api_error(
            401,
            r#"{"error":{"code":"notion_unauthorized","message":"reconnect Notion"}}"#,
        );
        assert!(e.is_notion_unauthorized() && !e.is_auth());
        let e = api_error(502, "bad gateway");
        assert_eq!(e.to_string(), "bad gateway");
    }
}

//! A typed client for the relay API (`protocol::api::paths`), over the browser's `fetch`.
//!
//! Identity: the relay session token is kept in memory only — never in localStorage or cookies,
//! which a third-party iframe may not have and which would outlive the Replit token it came from
//! (SPEC §9). Every load starts from a fresh Replit auth token; a 401 (or a session about to
//! expire) renews the session with another fresh token, once, and retries the call.

use crate::replit::{self, ReplitError};
use gloo_net::http::{Request, RequestBuilder, Response};
use protocol::api::{self, paths};
use protocol::session::{
    Ack, Manifest, SessionPlan, SessionResult, SessionStarted, UploadContents,
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
                ..
            }
        )
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
        let body = api::SessionRequest { replit_token };
        let req = Request::post(&self.url(paths::SESSION));
        let resp: api::SessionResponse = decode(send_json(req, &body).await?).await?;
        let mut s = self.session.borrow_mut();
        s.token = Some(resp.session_token.clone());
        s.expires_at = resp.expires_at;
        Ok(resp)
    }

    pub async fn ticket(&self) -> Result<api::TicketResponse, RelayError> {
        self.post(paths::TICKETS, &EmptyBody {}).await
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

    pub async fn search(&self, query: &str) -> Result<api::NotionSearchResponse, RelayError> {
        self.get(paths::NOTION_SEARCH, &[("q", query)]).await
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
        let url = self.url(path);
        let query = query.to_vec();
        let resp = self
            .authorized(
                move || Request::get(&url).query(query.iter().copied()),
                None::<&EmptyBody>,
            )
            .await?;
        decode(resp).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
    ) -> Result<T, RelayError> {
        let url = self.url(path);
        let resp = self
            .authorized(move || Request::post(&url), Some(body))
            .await?;
        decode(resp).await
    }

    async fn delete(&self, path: &str) -> Result<(), RelayError> {
        let url = self.url(path);
        self.authorized(move || Request::delete(&url), None::<&EmptyBody>)
            .await?;
        Ok(())
    }

    /// Sends with the session token; renews the session (fresh Replit token) when it is about to
    /// expire or the relay answers 401, and retries once.
    async fn authorized<B: Serialize>(
        &self,
        build: impl Fn() -> RequestBuilder,
        body: Option<&B>,
    ) -> Result<Response, RelayError> {
        let expiring = {
            let s = self.session.borrow();
            s.token.is_none() || s.expires_at - RENEW_MARGIN_SECS <= now_secs()
        };
        if expiring {
            self.open_session().await?;
        }
        match self.send_once(&build, body).await {
            Err(RelayError::Api { status: 401, .. }) => {
                self.open_session().await?;
                self.send_once(&build, body).await
            }
            other => other,
        }
    }

    async fn send_once<B: Serialize>(
        &self,
        build: &impl Fn() -> RequestBuilder,
        body: Option<&B>,
    ) -> Result<Response, RelayError> {
        let token = self.session.borrow().token.clone().unwrap_or_default();
        let req = build().header("Authorization", &format!("Bearer {token}"));
        match body {
            Some(body) => send_json(req, body).await,
            None => check(req.send().await.map_err(unreachable)?).await,
        }
    }
}

#[derive(Serialize)]
struct EmptyBody {}

fn unreachable(e: gloo_net::Error) -> RelayError {
    RelayError::Unreachable(e.to_string())
}

async fn send_json<B: Serialize>(req: RequestBuilder, body: &B) -> Result<Response, RelayError> {
    let req = req
        .json(body)
        .map_err(|e| RelayError::Decode(e.to_string()))?;
    check(req.send().await.map_err(unreachable)?).await
}

/// Turns a non-2xx answer into [`RelayError::Api`] with the relay's `ErrorBody` when it has one.
async fn check(resp: Response) -> Result<Response, RelayError> {
    if resp.ok() {
        return Ok(resp);
    }
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    Err(api_error(status, &text))
}

/// Builds the error of a failed call from its status and body.
pub fn api_error(status: u16, body: &str) -> RelayError {
    match serde_json_error(body) {
        Some(e) => RelayError::Api {
            status,
            code: e.error.code,
            message: e.error.message,
        },
        None => RelayError::Api {
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

fn serde_json_error(body: &str) -> Option<api::ErrorBody> {
    serde_json::from_str(body).ok()
}

async fn decode<T: DeserializeOwned>(resp: Response) -> Result<T, RelayError> {
    resp.json::<T>()
        .await
        .map_err(|e| RelayError::Decode(e.to_string()))
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
        let e = api_error(502, "bad gateway");
        assert_eq!(e.to_string(), "bad gateway");
    }
}

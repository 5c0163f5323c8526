//! The HTTP client: one `execute` path that every endpoint method goes through, so headers,
//! retries, error mapping and tracing are the same everywhere.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{ACCEPT, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::Instrument;

use crate::config::{ClientConfig, RetryPolicy};
use crate::errors::NotionError;
use crate::models::{
    AsyncTask, CreatePageRequest, ErrorObject, IntrospectResponse, MarkdownVersion, Page,
    PageMarkdown, RevokeResponse, SearchRequest, SearchResponse, TokenGrant, TokenResponse,
    UpdatePageMarkdown, User,
};
use crate::pacing::{Pacer, Pacing};
use crate::retry::{
    backoff_delay, parse_retry_after, retry_after_delay, should_retry_status,
    should_retry_transport,
};
use crate::token::AccessToken;

/// Longest wait for a TCP (and TLS) connection, within the per-attempt timeout.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Header carrying Notion's request id on every response.
const REQUEST_ID_HEADER: &str = "x-notion-request-id";

/// Typed Notion REST client. Cheap to clone (shares one connection pool).
#[derive(Clone)]
pub struct NotionClient {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    retry: RetryPolicy,
    /// Per-token pacing shared by every clone; `None` when switched off.
    pacer: Option<Arc<Pacer>>,
    /// Told of every HTTP attempt (for metrics); never sees tokens, ids or bodies.
    observer: Option<Observer>,
    /// Asked once per call for a replacement when Notion refuses a bearer token (401).
    renewer: Option<TokenRenewer>,
}

/// Replaces an access token Notion refused (401 `unauthorized`), e.g. by refreshing the OAuth
/// pair; `None` when there is no replacement (the 401 then stands). The call is retried once
/// with the replacement, so an expired token costs one extra request, not a failed sync.
pub type TokenRenewer = Arc<
    dyn Fn(AccessToken) -> futures::future::BoxFuture<'static, Option<AccessToken>> + Send + Sync,
>;

/// One HTTP attempt, as an [`Observer`] sees it.
#[derive(Debug, Clone, Copy)]
pub struct CallRecord<'a> {
    pub method: &'a str,
    /// The route with placeholders (`/v1/pages/{id}/markdown`).
    pub route: &'static str,
    /// `None` when no response arrived (timeout, connection error).
    pub status: Option<u16>,
    pub duration: Duration,
}

/// Receives a [`CallRecord`] per attempt; must be cheap (it runs on the request path).
pub type Observer = Arc<dyn Fn(&CallRecord<'_>) + Send + Sync>;

impl std::fmt::Debug for NotionClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NotionClient")
            .field("base_url", &self.inner.config.base_url.as_str())
            .field("notion_version", &self.inner.config.notion_version)
            .finish()
    }
}

/// How a request authenticates: bearer for the API, HTTP Basic (client credentials) for the
/// OAuth token endpoints.
pub(crate) enum Auth<'a> {
    Bearer(&'a AccessToken),
    Basic {
        client_id: &'a str,
        client_secret: &'a str,
    },
}

/// One logical API call (possibly several attempts).
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    /// For tracing: the route with placeholders (`/v1/pages/{id}`), never ids or content.
    pub(crate) route: &'static str,
    /// Path segments after `/v1/`; each is percent-encoded on its own.
    pub(crate) segments: Vec<&'a str>,
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Vec<u8>>,
    pub(crate) auth: Auth<'a>,
}

/// The raw outcome of one attempt.
struct Answer {
    status: u16,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

impl NotionClient {
    pub fn new(config: ClientConfig) -> Self {
        let http = reqwest::Client::builder()
            .user_agent(concat!("notion-sync/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.timeout.min(CONNECT_TIMEOUT))
            .build()
            // Building only fails if the TLS backend cannot initialise; the default client has
            // the same failure mode, so fall back to it rather than panic here.
            .unwrap_or_default();
        NotionClient {
            inner: Arc::new(Inner {
                http,
                config,
                retry: RetryPolicy::default(),
                pacer: Some(Arc::new(Pacer::new(Pacing::notion()))),
                observer: None,
                renewer: None,
            }),
        }
    }

    /// Paces bearer requests per token with `pacing` (default: [`Pacing::notion`], 3 requests/s
    /// on average). The returned client and its clones share one pacer.
    pub fn with_pacing(self, pacing: Pacing) -> Self {
        self.rebuild(|inner| inner.pacer = Some(Arc::new(Pacer::new(pacing))))
    }

    /// No client-side pacing (the server's 429s and `Retry-After` still apply).
    pub fn without_pacing(self) -> Self {
        self.rebuild(|inner| inner.pacer = None)
    }

    /// The pacing in force, if any.
    pub fn pacing(&self) -> Option<Pacing> {
        self.inner.pacer.as_ref().map(|p| p.pacing())
    }

    fn rebuild(self, change: impl FnOnce(&mut Inner)) -> Self {
        let mut inner = Inner {
            http: self.inner.http.clone(),
            config: self.inner.config.clone(),
            retry: self.inner.retry.clone(),
            pacer: self.inner.pacer.clone(),
            observer: self.inner.observer.clone(),
            renewer: self.inner.renewer.clone(),
        };
        change(&mut inner);
        NotionClient {
            inner: Arc::new(inner),
        }
    }

    /// Reports every HTTP attempt to `observer` (e.g. to count Notion calls by route and status).
    pub fn with_observer(self, observer: Observer) -> Self {
        self.rebuild(|inner| inner.observer = Some(observer))
    }

    /// Renews refused bearer tokens with `renewer` (see [`TokenRenewer`]).
    pub fn with_token_renewer(self, renewer: TokenRenewer) -> Self {
        self.rebuild(|inner| inner.renewer = Some(renewer))
    }

    /// Replaces the retry policy (e.g. [`RetryPolicy::none`] in tests that count calls).
    pub fn with_retry_policy(self, retry: RetryPolicy) -> Self {
        self.rebuild(|inner| inner.retry = retry)
    }

    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// `GET /v1/users/me`: the bot user behind the token (workspace name, owner).
    pub async fn users_me(&self, token: &AccessToken) -> Result<User, NotionError> {
        self.execute(Call {
            method: Method::GET,
            route: "/v1/users/me",
            segments: vec!["users", "me"],
            query: vec![],
            body: None,
            auth: Auth::Bearer(token),
        })
        .await
    }

    /// `POST /v1/search`: one page of title-search results.
    pub async fn search(
        &self,
        token: &AccessToken,
        req: &SearchRequest,
    ) -> Result<SearchResponse, NotionError> {
        self.execute(Call {
            method: Method::POST,
            route: "/v1/search",
            segments: vec!["search"],
            query: vec![],
            body: Some(encode(req)?),
            auth: Auth::Bearer(token),
        })
        .await
    }

    /// `GET /v1/pages/{id}`: properties and metadata, no content.
    pub async fn retrieve_page(
        &self,
        token: &AccessToken,
        page_id: &str,
    ) -> Result<Page, NotionError> {
        self.execute(Call {
            method: Method::GET,
            route: "/v1/pages/{id}",
            segments: vec!["pages", page_id],
            query: vec![],
            body: None,
            auth: Auth::Bearer(token),
        })
        .await
    }

    /// `POST /v1/pages` (with Markdown content). Not idempotent: after a timeout, look for the
    /// page before creating it again.
    pub async fn create_page(
        &self,
        token: &AccessToken,
        req: &CreatePageRequest,
    ) -> Result<Page, NotionError> {
        self.execute(Call {
            method: Method::POST,
            route: "/v1/pages",
            segments: vec!["pages"],
            query: vec![],
            body: Some(encode(req)?),
            auth: Auth::Bearer(token),
        })
        .await
    }

    /// `GET /v1/pages/{id}/markdown` in Notion's default dialect (v1).
    pub async fn get_page_markdown(
        &self,
        token: &AccessToken,
        page_id: &str,
    ) -> Result<PageMarkdown, NotionError> {
        self.get_page_markdown_with_version(token, page_id, None)
            .await
    }

    /// `GET /v1/pages/{id}/markdown` with an explicit `markdown_version` (`None`: server default).
    pub async fn get_page_markdown_with_version(
        &self,
        token: &AccessToken,
        page_id: &str,
        version: Option<MarkdownVersion>,
    ) -> Result<PageMarkdown, NotionError> {
        let query = version
            .map(|v| ("markdown_version", v.as_str().to_string()))
            .into_iter();
        self.execute(Call {
            method: Method::GET,
            route: "/v1/pages/{id}/markdown",
            segments: vec!["pages", page_id, "markdown"],
            query: query.collect(),
            body: None,
            auth: Auth::Bearer(token),
        })
        .await
    }

    /// `PATCH /v1/pages/{id}/markdown`. The answer is the whole page after the edit: use it as
    /// the new remote base.
    pub async fn update_page_markdown(
        &self,
        token: &AccessToken,
        page_id: &str,
        req: &UpdatePageMarkdown,
    ) -> Result<PageMarkdown, NotionError> {
        self.execute(Call {
            method: Method::PATCH,
            route: "/v1/pages/{id}/markdown",
            segments: vec!["pages", page_id, "markdown"],
            query: vec![],
            body: Some(encode(req)?),
            auth: Auth::Bearer(token),
        })
        .await
    }

    /// `GET /v1/async_tasks/{id}`.
    pub async fn retrieve_async_task(
        &self,
        token: &AccessToken,
        task_id: &str,
    ) -> Result<AsyncTask, NotionError> {
        self.execute(Call {
            method: Method::GET,
            route: "/v1/async_tasks/{id}",
            segments: vec!["async_tasks", task_id],
            query: vec![],
            body: None,
            auth: Auth::Bearer(token),
        })
        .await
    }

    /// `POST /v1/oauth/token` with HTTP Basic client authentication.
    pub async fn oauth_token(
        &self,
        client_id: &str,
        client_secret: &str,
        grant: &TokenGrant,
    ) -> Result<TokenResponse, NotionError> {
        self.execute(Call {
            method: Method::POST,
            route: "/v1/oauth/token",
            segments: vec!["oauth", "token"],
            query: vec![],
            body: Some(encode(grant)?),
            auth: Auth::Basic {
                client_id,
                client_secret,
            },
        })
        .await
    }

    /// `POST /v1/oauth/introspect`.
    pub async fn introspect_token(
        &self,
        client_id: &str,
        client_secret: &str,
        token: &AccessToken,
    ) -> Result<IntrospectResponse, NotionError> {
        self.execute(Call {
            method: Method::POST,
            route: "/v1/oauth/introspect",
            segments: vec!["oauth", "introspect"],
            query: vec![],
            body: Some(encode(&serde_json::json!({ "token": token.expose() }))?),
            auth: Auth::Basic {
                client_id,
                client_secret,
            },
        })
        .await
    }

    /// `POST /v1/oauth/revoke`: the token stops working (disconnect).
    pub async fn revoke_token(
        &self,
        client_id: &str,
        client_secret: &str,
        token: &AccessToken,
    ) -> Result<(), NotionError> {
        let _: RevokeResponse = self
            .execute(Call {
                method: Method::POST,
                route: "/v1/oauth/revoke",
                segments: vec!["oauth", "revoke"],
                query: vec![],
                body: Some(encode(&serde_json::json!({ "token": token.expose() }))?),
                auth: Auth::Basic {
                    client_id,
                    client_secret,
                },
            })
            .await?;
        Ok(())
    }

    /// Runs a call with retries, inside a tracing span that carries method, route, status,
    /// attempts and Notion's request id (never tokens, ids in bodies or content).
    pub(crate) async fn execute<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
    ) -> Result<T, NotionError> {
        let span = tracing::info_span!(
            "notion.request",
            method = %call.method,
            route = call.route,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        self.execute_inner(call).instrument(span).await
    }

    async fn execute_inner<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, NotionError> {
        let url = self.url_for(&call)?;
        let policy = &self.inner.retry;
        let span = tracing::Span::current();
        let mut attempt: u32 = 0;
        // The token that replaced a refused one, once (see `TokenRenewer`).
        let mut renewed: Option<AccessToken> = None;
        loop {
            attempt += 1;
            span.record("attempts", attempt);
            let retries_left = attempt <= policy.max_retries;
            let bearer = match (&renewed, &call.auth) {
                (Some(token), _) => Some(token),
                (None, Auth::Bearer(token)) => Some(*token),
                (None, Auth::Basic { .. }) => None,
            };
            if let (Some(pacer), Some(token)) = (&self.inner.pacer, bearer) {
                pacer.ready(token.expose()).await;
            }
            let started = std::time::Instant::now();
            let result = self.attempt(&call, bearer, url.clone()).await;
            if let Some(observe) = &self.inner.observer {
                observe(&CallRecord {
                    method: call.method.as_str(),
                    route: call.route,
                    status: result.as_ref().ok().map(|a| a.status),
                    duration: started.elapsed(),
                });
            }
            let answer = match result {
                Ok(answer) => answer,
                Err(err) => {
                    if retries_left && should_retry_transport(&call.method) {
                        let delay = backoff_delay(policy, attempt);
                        tracing::warn!(error = %err, ?delay, "notion transport error, retrying");
                        tokio::time::sleep(delay).await;
                        continue;
                    }
                    return Err(err);
                }
            };
            span.record("status", answer.status);
            if let Some(id) = &answer.request_id {
                span.record("request_id", id.as_str());
            }
            if (200..300).contains(&answer.status) {
                tracing::debug!("notion request succeeded");
                return serde_json::from_slice(&answer.body).map_err(NotionError::Decode);
            }
            let error = decode_error(&answer);
            if answer.status == 401 && renewed.is_none() {
                if let (Some(renew), Some(token)) = (&self.inner.renewer, bearer) {
                    if let Some(fresh) = renew(token.clone()).await {
                        tracing::info!("notion refused the token; retrying with a renewed one");
                        renewed = Some(fresh);
                        continue;
                    }
                }
            }
            if retries_left && should_retry_status(&call.method, answer.status) {
                let delay = match answer.retry_after {
                    Some(wait) if wait > policy.max_retry_after => return Err(error),
                    Some(wait) => retry_after_delay(wait),
                    None => backoff_delay(policy, attempt),
                };
                tracing::warn!(
                    status = answer.status,
                    ?delay,
                    "notion request failed, retrying"
                );
                tokio::time::sleep(delay).await;
                continue;
            }
            tracing::debug!(
                status = answer.status,
                code = error.code(),
                "notion request failed"
            );
            return Err(error);
        }
    }

    async fn attempt(
        &self,
        call: &Call<'_>,
        bearer: Option<&AccessToken>,
        url: url::Url,
    ) -> Result<Answer, NotionError> {
        let config = &self.inner.config;
        let mut req = self
            .inner
            .http
            .request(call.method.clone(), url)
            .timeout(config.timeout)
            .header("Notion-Version", &config.notion_version)
            .header(ACCEPT, "application/json");
        req = match (bearer, &call.auth) {
            (Some(token), _) => req.bearer_auth(token.expose()),
            (None, Auth::Bearer(token)) => req.bearer_auth(token.expose()),
            (
                None,
                Auth::Basic {
                    client_id,
                    client_secret,
                },
            ) => req.basic_auth(client_id, Some(client_secret)),
        };
        if let Some(body) = &call.body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let resp = req.send().await.map_err(transport_error)?;
        let status = resp.status().as_u16();
        let headers = resp.headers();
        let request_id = headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let retry_after = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let body = resp.bytes().await.map_err(transport_error)?.to_vec();
        Ok(Answer {
            status,
            request_id,
            retry_after,
            body,
        })
    }

    fn url_for(&self, call: &Call<'_>) -> Result<url::Url, NotionError> {
        let mut url = self.inner.config.base_url.clone();
        {
            let mut segments = url
                .path_segments_mut()
                .map_err(|_| NotionError::InvalidRequest("base URL cannot hold a path".into()))?;
            segments.pop_if_empty().push("v1");
            for segment in &call.segments {
                segments.push(segment);
            }
        }
        if !call.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(call.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }
}

pub(crate) fn encode<T: Serialize + ?Sized>(body: &T) -> Result<Vec<u8>, NotionError> {
    serde_json::to_vec(body).map_err(|e| NotionError::InvalidRequest(e.to_string()))
}

fn transport_error(err: reqwest::Error) -> NotionError {
    if err.is_timeout() {
        NotionError::Timeout
    } else {
        NotionError::Http(err)
    }
}

/// Maps an error answer to [`NotionError`], preferring the body's request id over the header's.
fn decode_error(answer: &Answer) -> NotionError {
    let parsed = serde_json::from_slice::<ErrorObject>(&answer.body).ok();
    let request_id = parsed
        .as_ref()
        .and_then(|e| e.request_id.clone())
        .or_else(|| answer.request_id.clone());
    if answer.status == 429 {
        return NotionError::RateLimited {
            retry_after: answer.retry_after,
            request_id,
        };
    }
    match parsed {
        Some(err) if !err.code.is_empty() => NotionError::Api {
            status: answer.status,
            code: err.code,
            message: err.message,
            request_id,
        },
        _ => NotionError::UnexpectedStatus {
            status: answer.status,
            request_id,
        },
    }
}

//! Builds the relay from its settings: database, secrets, verifier, Notion client, router.
//!
//! [`app`] is the router alone (used by tests with `oneshot`); [`Application`] binds a listener
//! first, so port 0 works and the real address is known before serving.

use crate::auth::ReplitVerifier;
use crate::config::{OAuthSettings, Settings};
use crate::crypto::Secrets;
use crate::metrics::Metrics;
use crate::notion_oauth::NotionOAuth;
use crate::store::Store;
use anyhow::Context;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::Router;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::trace::TraceLayer;
use url::Url;

/// Largest request body: a 2 MB file plus JSON escaping and the rest of a session upload.
pub const MAX_BODY_BYTES: usize = 6 * 1024 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub secrets: Secrets,
    pub verifier: ReplitVerifier,
    pub notion: notion::NotionClient,
    pub oauth: Option<Arc<NotionOAuth>>,
    /// The relay's own public base URL.
    pub public_url: Url,
    pub metrics: Metrics,
    pub events: crate::events::Events,
    /// Shared by all replicas through the database.
    pub pacer: crate::pacing::Pacer,
    /// Renews refused Notion tokens (shared with the Notion client).
    pub tokens: crate::notion_auth::TokenKeeper,
    /// Names this process's job workers.
    pub replica_id: String,
}

impl AppState {
    /// Waits for the token's next Notion request slot (shared by all replicas).
    pub async fn pace(&self, token: &notion::AccessToken) -> crate::error::ApiResult<()> {
        Ok(self.pacer.wait(token).await?)
    }
}

impl axum::extract::FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Metrics {
        state.metrics.clone()
    }
}

pub fn app(state: AppState) -> Router {
    let cors = cors_layer(&state);
    let mut router = crate::routes::router()
        .route("/metrics", axum::routing::get(crate::metrics::endpoint))
        .route_layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            crate::metrics::track,
        ));
    if let Some(dir) = &state.settings.config.panel_dir {
        // Self-hosted mode: the relay serves the panel, so the panel's origin is the relay's.
        let index = ServeFile::new(dir.join("index.html"));
        router = router.fallback_service(ServeDir::new(dir).fallback(index));
    }
    router
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(cors)
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                // The matched route, never the raw URI: it may carry tickets or OAuth codes.
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_else(|| "static".into());
                tracing::info_span!("request", method = %req.method(), route)
            }),
        )
        .with_state(state)
}

fn cors_layer(state: &AppState) -> CorsLayer {
    let mut origins: Vec<HeaderValue> = state
        .settings
        .config
        .allowed_origins
        .iter()
        .filter(|o| !o.trim().is_empty())
        .filter_map(|o| HeaderValue::from_str(o.trim().trim_end_matches('/')).ok())
        .collect();
    if let Ok(own) = HeaderValue::from_str(&state.public_url.origin().ascii_serialization()) {
        origins.push(own);
    }
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_methods([Method::GET, Method::POST, Method::PATCH, Method::DELETE])
        .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

pub struct Application {
    listener: tokio::net::TcpListener,
    state: AppState,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Application> {
        let addr = settings.config.socket_addr();
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        let local = listener.local_addr()?;
        let public_url = match &settings.config.public_url {
            Some(u) => u.clone(),
            None => Url::parse(&format!("http://{local}/")).context("building the public URL")?,
        };
        let store = Store::connect(&settings.database_url).await?;
        let state = build_state(settings, store, public_url)?;
        Ok(Application { listener, state })
    }

    pub fn base_url(&self) -> &Url {
        &self.state.public_url
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let store = self.state.store.clone();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let workers = crate::jobs::spawn(&self.state, stop_rx);
        let served = axum::serve(self.listener, app(self.state))
            .with_graceful_shutdown(shutdown)
            .await
            .context("serving");
        let _ = stop_tx.send(true);
        for w in workers {
            // A job mid-flight gets a moment to finish; its lease covers it if not.
            let _ = tokio::time::timeout(Duration::from_secs(5), w).await;
        }
        store.close().await;
        served
    }
}

pub fn build_state(settings: Settings, store: Store, public_url: Url) -> anyhow::Result<AppState> {
    let secrets = Secrets::from_secret_key(&settings.config.secret_key);
    let verifier = ReplitVerifier::new(
        settings.key_source.clone(),
        settings.config.replit_extension_id.clone(),
    );
    let metrics = Metrics::new();
    let oauth = match &settings.oauth {
        Some(OAuthSettings {
            client_id,
            client_secret,
            redirect_uri,
        }) => {
            let redirect = match redirect_uri {
                Some(u) => u.clone(),
                None => public_url.join(protocol::api::paths::OAUTH_CALLBACK)?,
            };
            Some(Arc::new(NotionOAuth::new(
                client_id,
                client_secret,
                &settings.config.notion_api_base,
                redirect,
            )?))
        }
        None => None,
    };
    let tokens =
        crate::notion_auth::TokenKeeper::new(store.clone(), secrets.clone(), oauth.clone());
    let notion = notion::NotionClient::new(notion::ClientConfig {
        base_url: settings.config.notion_api_base.clone(),
        notion_version: settings.config.notion_version.clone(),
        timeout: Duration::from_secs(30),
    })
    // In-process pacing as well as the shared one: it also spaces this replica's concurrent
    // requests without a database round trip per wait.
    .with_pacing(notion::Pacing::notion().scaled(settings.config.notion_requests_per_second / 3.0))
    .with_observer(metrics.notion_observer())
    .with_token_renewer({
        let tokens = tokens.clone();
        Arc::new(move |refused| {
            let tokens = tokens.clone();
            Box::pin(async move { tokens.renew(refused).await })
        })
    });
    Ok(AppState {
        metrics,
        events: crate::events::Events::new(),
        pacer: crate::pacing::Pacer::new(store.clone(), settings.config.notion_requests_per_second),
        replica_id: uuid::Uuid::new_v4().simple().to_string()[..8].to_string(),
        tokens,
        settings: Arc::new(settings),
        store,
        secrets,
        verifier,
        notion,
        oauth,
        public_url,
    })
}

//! The Replit workspace simulator.
//!
//! A small axum server on loopback that serves a host page. The page embeds the panel in an
//! iframe and answers the Replit Extensions protocol with the real `comlink` library, exactly
//! as Replit's workspace does (reference §4): the panel cannot tell the difference, so the same
//! build runs here, in tests and in Replit. The Repl is a real local folder (`--dir`), reached
//! through [`fsops`] behind the [`sandbox`]; auth tokens are minted with a local Ed25519 key
//! ([`token`]) whose public key is served in the shape of Replit's key endpoint.
//!
//! Library use (tests, xtask):
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let mut config = workspace_sim::SimConfig::new("examples/workspace", "http://127.0.0.1:8080/");
//! config.comlink = "extension/node_modules/comlink/dist/umd/comlink.js".into();
//! let sim = workspace_sim::spawn(config).await?;
//! println!("open {}/", sim.base_url());
//! let token = sim.mint_token(sim.user_id());
//! # let _ = token;
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

pub mod fsops;
pub mod sandbox;
pub mod token;

use anyhow::Context;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use sandbox::Sandbox;
use serde::Deserialize;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use token::{installation_id_for, TokenClaims, TokenSigner};
use tokio::sync::oneshot;

/// Where the comlink UMD build is, relative to the workspace root (after `npm ci` in
/// `extension/`).
pub const DEFAULT_COMLINK: &str = "extension/node_modules/comlink/dist/umd/comlink.js";

const INDEX_HTML: &str = include_str!("../assets/index.html");
const HOST_JS: &str = include_str!("../assets/host.js");
const HOST_CSS: &str = include_str!("../assets/host.css");

/// Largest request body (a file write, base64-encoded when it is a Blob).
const MAX_BODY_BYTES: usize = 96 * 1024 * 1024;

/// How the simulator is set up.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// The folder that stands in for the Repl.
    pub dir: PathBuf,
    /// 0 picks a free port.
    pub port: u16,
    /// The panel's URL: the iframe's `src`.
    pub panel_url: String,
    /// Put in every token's `extensionId`; the relay must be configured with the same.
    pub extension_id: String,
    pub user_id: i64,
    pub username: String,
    pub repl_id: String,
    pub repl_title: String,
    /// Load the signing key from here (created when missing); `None` = a fresh key per start.
    pub key_file: Option<PathBuf>,
    /// The comlink UMD build served at `/comlink.js`.
    pub comlink: PathBuf,
}

impl SimConfig {
    /// Defaults for everything but the folder and the panel URL.
    pub fn new(dir: impl Into<PathBuf>, panel_url: impl Into<String>) -> SimConfig {
        SimConfig {
            dir: dir.into(),
            port: 0,
            panel_url: panel_url.into(),
            extension_id: "notion-sync-dev".to_string(),
            user_id: 1,
            username: "demo".to_string(),
            repl_id: "00000000-0000-4000-8000-000000000001".to_string(),
            repl_title: "Demo Repl".to_string(),
            key_file: None,
            comlink: PathBuf::from(DEFAULT_COMLINK),
        }
    }
}

/// The origin (`scheme://host[:port]`) of a URL, for postMessage target and allowed origins.
pub fn origin_of(url: &str) -> anyhow::Result<String> {
    let parsed =
        url::Url::parse(url).with_context(|| format!("--panel-url {url:?} is not a URL"))?;
    match parsed.scheme() {
        "http" | "https" => Ok(parsed.origin().ascii_serialization()),
        other => anyhow::bail!("--panel-url must be http or https, not {other}"),
    }
}

struct Shared {
    sandbox: Sandbox,
    signer: Arc<TokenSigner>,
    config: SimConfig,
    installation_id: String,
    comlink_js: String,
    host_config: Value,
}

/// A simulator serving in the background; dropping it stops it too.
pub struct RunningSim {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for RunningSim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningSim")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningSim {
    /// `http://127.0.0.1:PORT` (no trailing slash): the host page is at `/`, the key endpoint
    /// under it — the value for the relay's REPLIT_KEY_SOURCE.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The key that signs this simulator's tokens.
    pub fn signer(&self) -> &TokenSigner {
        &self.shared.signer
    }

    pub fn public_key_pem(&self) -> &str {
        self.shared.signer.public_key_pem()
    }

    pub fn kid(&self) -> &str {
        self.shared.signer.kid()
    }

    /// The simulated user's id.
    pub fn user_id(&self) -> i64 {
        self.shared.config.user_id
    }

    pub fn extension_id(&self) -> &str {
        &self.shared.config.extension_id
    }

    /// A token for `user_id`, as the page's `getAuthToken` would give (same extension id and
    /// lifetime; the installation id is derived from the user).
    pub fn mint_token(&self, user_id: i64) -> String {
        let ext = &self.shared.config.extension_id;
        self.shared.signer.mint(&TokenClaims::new(
            user_id,
            &installation_id_for(ext, user_id),
            ext,
        ))
    }

    /// Stops serving and waits for open connections to finish.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Starts the simulator on 127.0.0.1 and returns once it accepts connections.
pub async fn spawn(config: SimConfig) -> anyhow::Result<RunningSim> {
    let sandbox = Sandbox::new(&config.dir)
        .with_context(|| format!("--dir {}: not a readable directory", config.dir.display()))?;
    let comlink_js = std::fs::read_to_string(&config.comlink).with_context(|| {
        format!(
            "comlink UMD build not found at {}: run `npm ci` in extension/ (or pass --comlink PATH)",
            config.comlink.display()
        )
    })?;
    let panel_origin = origin_of(&config.panel_url)?;
    let signer = Arc::new(match &config.key_file {
        Some(path) => TokenSigner::load_or_create(path)?,
        None => TokenSigner::generate(),
    });
    let installation_id = installation_id_for(&config.extension_id, config.user_id);
    let host_config = json!({
        "panelUrl": config.panel_url,
        "panelOrigin": panel_origin,
        "extensionId": config.extension_id,
        "dir": sandbox.root().display().to_string(),
        "user": {
            "id": config.user_id,
            "username": config.username,
            "image": "",
            "bio": "",
            "displayName": config.username,
            "fullName": config.username,
            "url": format!("/@{}", config.username),
        },
        "repl": {
            "id": config.repl_id,
            "title": config.repl_title,
            "slug": slug(&config.repl_title),
            "url": format!("/@{}/{}", config.username, slug(&config.repl_title)),
            "description": "A folder served by the workspace simulator",
            "timeCreated": "2024-01-01T00:00:00.000Z",
            "isPrivate": true,
        },
    });
    let shared = Arc::new(Shared {
        sandbox,
        signer,
        config: config.clone(),
        installation_id,
        comlink_js,
        host_config,
    });

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", config.port))?;
    let addr = listener.local_addr()?;
    let app = router(shared.clone());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async {
            let _ = rx.await;
        });
        if let Err(e) = serve.await {
            tracing::error!("simulator server stopped: {e}");
        }
    });
    Ok(RunningSim {
        addr,
        shared,
        shutdown: Some(tx),
        task: Some(task),
    })
}

fn slug(title: &str) -> String {
    let s: String = title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let s = s.trim_matches('-').to_string();
    if s.is_empty() {
        "repl".to_string()
    } else {
        s
    }
}

fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/api/fs/{op}", post(fs_call))
        .route("/api/tree", get(tree))
        .route("/api/token", post(token))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(same_origin_only));
    Router::new()
        .route(
            "/",
            get(|| async { asset(INDEX_HTML, "text/html; charset=utf-8") }),
        )
        .route(
            "/host.js",
            get(|| async { asset(HOST_JS, "text/javascript; charset=utf-8") }),
        )
        .route(
            "/host.css",
            get(|| async { asset(HOST_CSS, "text/css; charset=utf-8") }),
        )
        .route("/comlink.js", get(comlink))
        .route("/config.json", get(host_config))
        .route("/healthz", get(|| async { "ok" }))
        .route("/data/extensions/publicKey/{kid}", get(public_key))
        .merge(api)
        .layer(middleware::from_fn(loopback_host_only))
        .with_state(shared)
}

fn asset(body: &'static str, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response()
}

async fn comlink(State(s): State<Arc<Shared>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/javascript; charset=utf-8"),
        )],
        s.comlink_js.clone(),
    )
        .into_response()
}

async fn host_config(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(s.host_config.clone())
}

/// Refuses requests whose Host is not a loopback name (DNS rebinding: a web page must not
/// reach the simulator's file API through a name it controls).
async fn loopback_host_only(req: Request, next: Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    };
    if matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
        next.run(req).await
    } else {
        (
            StatusCode::FORBIDDEN,
            "the simulator answers loopback hosts only",
        )
            .into_response()
    }
}

/// The file and token API is for the host page only: a request that carries another origin
/// (another site, or the panel itself) is refused.
async fn same_origin_only(req: Request, next: Next) -> Response {
    if let Some(origin) = req.headers().get(header::ORIGIN) {
        let own = own_origin(req.headers());
        if origin.to_str().ok() != own.as_deref() {
            return (
                StatusCode::FORBIDDEN,
                "cross-origin requests are not allowed",
            )
                .into_response();
        }
    }
    next.run(req).await
}

fn own_origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    Some(format!("http://{host}"))
}

#[derive(Deserialize)]
struct FsRequest {
    #[serde(default)]
    path: String,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<fsops::WriteContent>,
    #[serde(default)]
    to: Option<String>,
}

async fn fs_call(
    State(s): State<Arc<Shared>>,
    UrlPath(op): UrlPath<String>,
    Json(req): Json<FsRequest>,
) -> Response {
    let shared = s.clone();
    // File I/O is blocking; keep it off the async workers.
    let result = tokio::task::spawn_blocking(move || {
        let sb = &shared.sandbox;
        let to = req.to.unwrap_or_default();
        match op.as_str() {
            "readFile" => Some(fsops::read_file(sb, &req.path, req.encoding.as_deref())),
            "writeFile" => Some(fsops::write_file(
                sb,
                &req.path,
                req.content
                    .unwrap_or(fsops::WriteContent::Text(String::new())),
            )),
            "readDir" => Some(fsops::read_dir(sb, &req.path)),
            "createDir" => Some(fsops::create_dir(sb, &req.path)),
            "deleteFile" => Some(fsops::delete_file(sb, &req.path)),
            "deleteDir" => Some(fsops::delete_dir(sb, &req.path)),
            "move" => Some(fsops::move_path(sb, &req.path, &to)),
            "copyFile" => Some(fsops::copy_file(sb, &req.path, &to)),
            _ => None,
        }
    })
    .await;
    match result {
        Ok(Some(value)) => Json(value).into_response(),
        Ok(None) => (StatusCode::NOT_FOUND, "unknown fs operation").into_response(),
        Err(_) => Json(json!({"error": "internal error"})).into_response(),
    }
}

async fn tree(State(s): State<Arc<Shared>>) -> Response {
    let shared = s.clone();
    match tokio::task::spawn_blocking(move || fsops::tree(&shared.sandbox)).await {
        Ok(v) => Json(v).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// A fresh token for the simulated user (what `experimental.auth.getAuthToken` answers).
async fn token(State(s): State<Arc<Shared>>) -> Response {
    let claims = TokenClaims::new(s.config.user_id, &s.installation_id, &s.config.extension_id);
    (
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        s.signer.mint(&claims),
    )
        .into_response()
}

/// `GET /data/extensions/publicKey/{kid}` in Replit's shape: `{ok: true, value: PEM}`, or
/// `{ok: false}` with 404 for a kid this simulator does not have.
async fn public_key(State(s): State<Arc<Shared>>, UrlPath(kid): UrlPath<String>) -> Response {
    if kid == s.signer.kid() {
        Json(json!({"ok": true, "value": s.signer.public_key_pem()})).into_response()
    } else {
        (StatusCode::NOT_FOUND, Json(json!({"ok": false}))).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_slugs() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/index.html").expect("ok"),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            origin_of("https://panel.example/").expect("ok"),
            "https://panel.example"
        );
        assert!(origin_of("file:///tmp/x").is_err());
        assert!(origin_of("not a url").is_err());
        assert_eq!(slug("Demo Repl"), "Demo-Repl");
        assert_eq!(slug("!!"), "repl");
    }
}

//! The built panel in a real headless Chromium, inside the workspace simulator.
//!
//! Set-up as in production: the panel is served by a static file server on one loopback port,
//! the simulator on another (so the panel is cross-origin to its host, like in Replit), and
//! the simulator answers the Replit protocol from a temporary folder. No relay runs here, so
//! the test stops at the handshake level (`#handshake-ok`, user, files, theme, the session
//! error banner), plus the two ways of not being in a workspace: opened top-level, and framed
//! by a page that never answers. The full sync path is the workspace's end-to-end suite.
//!
//! Needs `target/panel` (built by `cargo xtask test`), chromium and chromedriver. When they are
//! missing the test is skipped with a notice, except under `CI=true` or `E2E=1`, where it fails.

use fantoccini::{ClientBuilder, Locator};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use workspace_sim::SimConfig;

const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";
const WAIT: Duration = Duration::from_secs(30);

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn strict() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true") || std::env::var("E2E").is_ok_and(|v| v == "1")
}

/// Skips (returns false) or, when strict, fails with what to do.
fn prerequisites() -> bool {
    let root = workspace_root();
    let missing: Vec<String> = [
        (
            root.join("target/panel/panel_bg.wasm"),
            "the built panel (run `cargo xtask test`, which builds target/panel)",
        ),
        (
            root.join("extension/node_modules/comlink/dist/umd/comlink.js"),
            "comlink (run `npm ci` in extension/)",
        ),
        (
            PathBuf::from(CHROMEDRIVER),
            "chromedriver (apt-get install chromium-driver)",
        ),
        (
            PathBuf::from(CHROMIUM),
            "chromium (apt-get install chromium)",
        ),
    ]
    .into_iter()
    .filter(|(path, _)| !path.exists())
    .map(|(path, what)| format!("{} missing: {what}", path.display()))
    .collect();
    if missing.is_empty() {
        return true;
    }
    if strict() {
        panic!(
            "browser test prerequisites missing:\n  {}",
            missing.join("\n  ")
        );
    }
    eprintln!(
        "SKIPPED browser test (set E2E=1 or CI=true to make this a failure):\n  {}",
        missing.join("\n  ")
    );
    false
}

/// Kills chromedriver however the test ends.
struct ChildGuard(Child);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A page that frames the panel but never answers the protocol (like Replit's Preview pane).
const SILENT_HOST: &str =
    "<!doctype html><title>silent host</title><iframe id=\"panel-frame\" src=\"/\"></iframe>";

/// Serves `dir` as static files on a loopback port (the panel's own origin), plus
/// `/silent-host.html`.
async fn serve_static(dir: PathBuf) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let silent = || async { axum::response::Html(SILENT_HOST) };
    let app = axum::Router::new()
        .route("/silent-host.html", axum::routing::get(silent))
        .fallback_service(tower_http::services::ServeDir::new(dir));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/"), task)
}

fn repl_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    for (path, content) in [
        ("README.md", "# Demo\n\nA Repl for the browser test.\n"),
        ("docs/guide.md", "# Guide\n\n- one\n- two\n"),
        ("main.py", "print('hi')\n"),
        (".hidden.md", "hidden\n"),
        ("node_modules/pkg/readme.md", "excluded\n"),
    ] {
        let full = p.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
    }
    dir
}

async fn start_chromedriver() -> (ChildGuard, String) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let guard = ChildGuard(child);
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return (guard, url);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start on port {port}");
}

async fn browser(webdriver: &str, profile: &Path) -> fantoccini::Client {
    let args = vec![
        "--headless".to_string(),
        "--no-sandbox".to_string(),
        "--disable-gpu".to_string(),
        "--disable-dev-shm-usage".to_string(),
        "--disable-quic".to_string(),
        "--no-first-run".to_string(),
        "--disable-background-networking".to_string(),
        "--disable-component-update".to_string(),
        "--disable-sync".to_string(),
        "--window-size=1280,860".to_string(),
        format!("--user-data-dir={}", profile.display()),
    ];
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_string(),
        serde_json::json!({ "binary": CHROMIUM, "args": args }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .expect("a Chromium session")
}

async fn text_of(client: &fantoccini::Client, css: &str) -> String {
    client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
        .text()
        .await
        .unwrap_or_default()
}

async fn css_var(client: &fantoccini::Client, name: &str) -> String {
    let script = format!(
        "return getComputedStyle(document.documentElement).getPropertyValue('{name}').trim();"
    );
    client
        .execute(&script, vec![])
        .await
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

async fn enter_panel(client: &fantoccini::Client) {
    client.enter_parent_frame().await.ok();
    let frame = client
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id("panel-frame"))
        .await
        .expect("the panel iframe");
    frame
        .enter_frame()
        .await
        .expect("switch into the panel iframe");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panel_handshakes_inside_the_simulator_and_refuses_top_level() {
    if !prerequisites() {
        return;
    }
    let root = workspace_root();
    let (panel_url, static_server) = serve_static(root.join("target/panel")).await;
    let repl = repl_folder();
    let mut config = SimConfig::new(repl.path(), panel_url.clone());
    config.username = "ada".to_string();
    config.user_id = 7;
    config.repl_title = "Browser Test Repl".to_string();
    config.comlink = root.join("extension/node_modules/comlink/dist/umd/comlink.js");
    let sim = workspace_sim::spawn(config).await.expect("simulator");
    let (_driver, webdriver) = start_chromedriver().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let client = browser(&webdriver, profile.path()).await;

    let outcome = tokio::time::timeout(Duration::from_secs(120), async {
        // 1. Inside the simulator: the handshake completes and the workspace API answers.
        client
            .goto(&format!("{}/", sim.base_url()))
            .await
            .expect("open the simulator");
        let host_state = client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("#handshake-state[data-state='ok']"))
            .await
            .expect("the host saw the handshake");
        assert!(host_state
            .text()
            .await
            .unwrap_or_default()
            .contains("@replit/extensions"));

        enter_panel(&client).await;
        text_of(&client, "#handshake-ok").await;
        let user = text_of(&client, "#repl-user").await;
        assert!(user.contains("ada"), "#repl-user shows the user: {user:?}");
        assert!(
            user.contains("Browser Test Repl"),
            "#repl-user shows the Repl: {user:?}"
        );

        // The Markdown files, walked with readDir through the real folder; hidden files and
        // node_modules are left out.
        client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(
                "#file-list .file-item[data-path='docs/guide.md']",
            ))
            .await
            .expect("docs/guide.md is listed");
        let mut listed = Vec::new();
        for item in client
            .find_all(Locator::Css("#file-list .file-item"))
            .await
            .expect("items")
        {
            listed.push(
                item.attr("data-path")
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
            );
        }
        assert_eq!(
            listed,
            vec!["README.md".to_string(), "docs/guide.md".to_string()]
        );

        // No relay is running here: the session fails visibly, with a Retry.
        let banner = text_of(&client, "#error-banner").await;
        assert!(
            banner.contains("Retry"),
            "the error banner offers a retry: {banner:?}"
        );

        // 2. The theme follows the workspace: dark first, then light after the host toggles.
        assert_eq!(
            css_var(&client, "--background-root").await.to_uppercase(),
            "#0E1525"
        );
        client.enter_parent_frame().await.expect("back to the host");
        client
            .find(Locator::Id("theme-toggle"))
            .await
            .expect("toggle")
            .click()
            .await
            .expect("click");
        enter_panel(&client).await;
        let mut light = String::new();
        for _ in 0..50 {
            light = css_var(&client, "--background-root").await.to_uppercase();
            if light == "#F5F9FC" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(light, "#F5F9FC", "the panel switched to the light theme");
        client.enter_parent_frame().await.expect("back to the host");
        client
            .find(Locator::Id("theme-toggle"))
            .await
            .expect("toggle")
            .click()
            .await
            .expect("click");
        tokio::time::sleep(Duration::from_millis(400)).await;

        let png = client.screenshot().await.expect("screenshot");
        let out = root.join("target/e2e");
        std::fs::create_dir_all(&out).expect("target/e2e");
        std::fs::write(out.join("simulator.png"), png).expect("write the screenshot");

        // 3. Top level, outside any workspace: the panel says so instead of pretending.
        client
            .goto(&panel_url)
            .await
            .expect("open the panel top-level");
        let screen = text_of(&client, "#not-in-replit").await;
        assert!(
            screen.contains("Open this panel inside Replit"),
            "{screen:?}"
        );
        assert!(
            client.find(Locator::Css("#handshake-ok")).await.is_err(),
            "no handshake outside a workspace"
        );

        // 4. Framed by a page that never answers: the handshake times out, with a Retry.
        client
            .goto(&format!("{panel_url}silent-host.html"))
            .await
            .expect("open the silent host");
        enter_panel(&client).await;
        let banner = text_of(&client, "#handshake-failed #error-banner").await;
        assert!(
            banner.contains("did not answer") && banner.contains("Retry"),
            "{banner:?}"
        );
    })
    .await;

    let _ = client.close().await;
    sim.shutdown().await;
    static_server.abort();
    outcome.expect("the browser test finished within two minutes");
}

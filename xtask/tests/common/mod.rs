//! What the end-to-end tests share: the stack `cargo xtask run` starts (emulator, relay serving
//! the panel, workspace simulator) in temporary folders, headless Chromium through chromedriver
//! (fantoccini), and helpers to drive the simulator page, the panel inside it, and the Notion
//! emulator's API.
//!
//! The tests run under `cargo xtask test` / `cargo xtask e2e` (which build the panel and the
//! binaries first). A plain `cargo test` skips them with a notice, unless E2E=1 or CI=true.
//! Tests of one binary take turns (one stack and one browser at a time): the machine may be
//! small.

#![allow(dead_code)]

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xtask::stack::{Stack, StackConfig};

/// How long a step may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(30);

pub fn enabled() -> bool {
    let on = |k: &str| std::env::var(k).is_ok_and(|v| v == "1" || v == "true");
    on("E2E") || on("CI")
}

/// One stack and one browser at a time within a test binary.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Driver {
    child: Child,
    port: u16,
    _profile: tempdir::Dir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        // chromedriver's /shutdown quits the browsers it started (also after a failed test,
        // whose session was never closed), then chromedriver itself.
        use std::io::{Read, Write};
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = write!(s, "GET /shutdown HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
            let _ = s.read_to_end(&mut Vec::new());
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal temp dir (xtask keeps its dependencies short).
pub mod tempdir {
    use std::path::{Path, PathBuf};
    pub struct Dir(PathBuf);
    impl Dir {
        pub fn new(tag: &str) -> Dir {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let p = std::env::temp_dir()
                .join(format!("notion-sync-{tag}-{}-{nanos}", std::process::id()));
            std::fs::create_dir_all(&p).expect("temp dir");
            Dir(p)
        }
        pub fn path(&self) -> &Path {
            &self.0
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Headless Chromium with a window of `width` × `height`.
pub async fn browser(width: u32, height: u32) -> (Client, Driver) {
    let port = free_port();
    let child = Command::new("/usr/bin/chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (apt-get install chromium-driver)");
    let profile = tempdir::Dir::new("chrome");
    let caps = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.path().display()),
            ]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&url)
            .await
        {
            Ok(c) => {
                return (
                    c,
                    Driver {
                        child,
                        port,
                        _profile: profile,
                    },
                )
            }
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("could not start Chromium through chromedriver: {e}"),
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &t);
        } else {
            std::fs::copy(e.path(), t).unwrap();
        }
    }
}

pub async fn wait_css(c: &Client, css: &str) -> Element {
    match c.wait().at_most(WAIT).for_element(Locator::Css(css)).await {
        Ok(el) => el,
        Err(e) => {
            let body = c.source().await.unwrap_or_default();
            panic!("waiting for {css}: {e}\npage:\n{body}")
        }
    }
}

/// Waits until `css` matches nothing.
pub async fn wait_gone(c: &Client, css: &str) {
    let deadline = Instant::now() + WAIT;
    while c.find(Locator::Css(css)).await.is_ok() {
        if Instant::now() > deadline {
            let body = c.source().await.unwrap_or_default();
            panic!("{css} never went away; page:\n{body}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn wait_text(c: &Client, css: &str, needle: &str) -> Element {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if el.text().await.unwrap_or_default().contains(needle) {
                return el;
            }
        }
        if Instant::now() > deadline {
            let body = c.source().await.unwrap_or_default();
            panic!("{css} never contained {needle:?}; page:\n{body}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

pub async fn click(c: &Client, css: &str) {
    wait_css(c, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("clicking {css}: {e}"));
}

/// Replaces the text of an input or textarea, as typing would.
pub async fn type_into(c: &Client, css: &str, text: &str) {
    let el = wait_css(c, css).await;
    el.clear().await.unwrap();
    el.send_keys(text).await.unwrap();
}

/// Polls `f` until it is true.
pub async fn eventually<F, Fut>(what: &str, timeout: Duration, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + timeout;
    while !f().await {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Enters the panel's iframe from the top of the simulator page.
pub async fn enter_panel(c: &Client) {
    c.enter_parent_frame().await.ok();
    let frame = wait_css(c, "iframe#panel-frame").await;
    frame.enter_frame().await.expect("enter the panel iframe");
}

/// Back to the simulator's page.
pub async fn leave_panel(c: &Client) {
    c.enter_parent_frame().await.ok();
}

/// Runs `script` in the current frame.
pub async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// The Notion emulator's API, with an internal token that sees every page.
pub struct EmulatorApi {
    pub base: String,
    http: reqwest::Client,
    token: String,
}

impl EmulatorApi {
    pub async fn new(base: &str) -> EmulatorApi {
        let http = reqwest::Client::new();
        let resp: Value = http
            .post(format!("{base}__emulator/tokens"))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = resp["token"]
            .as_str()
            .expect("the emulator minted a token")
            .to_string();
        EmulatorApi {
            base: base.to_string(),
            http,
            token,
        }
    }

    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method, format!("{}v1/{path}", self.base))
            .bearer_auth(&self.token)
            .header("Notion-Version", "2026-03-11");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    pub async fn find_page(&self, title: &str) -> String {
        let found = self
            .call(
                reqwest::Method::POST,
                "search",
                Some(json!({"query": title})),
            )
            .await;
        found["results"]
            .as_array()
            .and_then(|r| r.iter().find(|p| p["object"] == "page"))
            .and_then(|p| p["id"].as_str())
            .unwrap_or_else(|| panic!("no page titled {title}: {found}"))
            .to_string()
    }

    pub async fn markdown(&self, page_id: &str) -> String {
        let md = self
            .call(
                reqwest::Method::GET,
                &format!("pages/{page_id}/markdown"),
                None,
            )
            .await;
        md["markdown"].as_str().unwrap_or_default().to_string()
    }

    /// Someone edits the page in Notion.
    pub async fn set_markdown(&self, page_id: &str, markdown: &str) {
        self.call(
            reqwest::Method::PATCH,
            &format!("pages/{page_id}/markdown"),
            Some(json!({"type": "replace_content", "replace_content": {"new_str": markdown}})),
        )
        .await;
    }

    /// Replaces the emulator's fault plan (`{"spec": …}` text form).
    pub async fn faults(&self, spec: &str) {
        let resp = self
            .http
            .post(format!("{}__emulator/faults", self.base))
            .json(&json!({ "spec": spec }))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "faults: {}", resp.status());
    }

    pub async fn state(&self) -> Value {
        self.http
            .get(format!("{}__emulator/state", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn load_state(&self, state: &Value) {
        let resp = self
            .http
            .put(format!("{}__emulator/state", self.base))
            .json(state)
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "loading the state: {status} {text}");
    }

    /// Back to the seed: every token the relay holds stops working (as if revoked).
    pub async fn reset(&self) {
        let resp = self
            .http
            .post(format!("{}__emulator/reset", self.base))
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "reset: {}", resp.status());
    }
}

/// A running stack, a browser on the simulator, and the Repl folder on disk.
pub struct Fixture {
    pub c: Client,
    pub stack: Stack,
    pub emulator: String,
    pub repl: tempdir::Dir,
    _data: tempdir::Dir,
    _driver: Driver,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

impl Fixture {
    /// `None` (with a notice) when end-to-end tests are not enabled.
    pub async fn start(test: &str) -> Option<Fixture> {
        Fixture::start_sized(test, 1280, 900).await
    }

    pub async fn start_sized(test: &str, width: u32, height: u32) -> Option<Fixture> {
        if !enabled() {
            eprintln!("skipping {test}: run it with `cargo xtask test` or `cargo xtask e2e`");
            return None;
        }
        let turn = TURN.lock().await;
        let root = xtask::root();
        let repl = tempdir::Dir::new("repl");
        copy_dir(&root.join("examples/workspace"), repl.path());
        let data = tempdir::Dir::new("data");
        let cfg = StackConfig::for_tests(repl.path().to_path_buf(), data.path().to_path_buf());
        let stack = Stack::start(&cfg).expect("the stack starts");
        let emulator = stack.emulator_url.clone().expect("the emulator runs");
        let (c, driver) = browser(width, height).await;
        Some(Fixture {
            c,
            stack,
            emulator,
            repl,
            _data: data,
            _driver: driver,
            _turn: turn,
        })
    }

    /// Ends the browser session (the browser and chromedriver go when the fixture drops).
    pub async fn finish(self) {
        let _ = self.c.clone().close().await;
    }

    pub async fn api(&self) -> EmulatorApi {
        EmulatorApi::new(&self.emulator).await
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.repl.path().join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_default()
    }

    /// Saves a file in the Repl, as an editor would.
    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path(rel);
        if let Some(dir) = p.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(p, content).unwrap();
    }

    /// Opens the simulator and waits for the panel to be ready.
    pub async fn open(&self) {
        self.c.goto(&self.stack.sim_url).await.unwrap();
        enter_panel(&self.c).await;
        wait_css(&self.c, "#panel-ready").await;
    }

    /// Connects Notion through the OAuth popup (the emulator's consent page: Allow).
    pub async fn connect_notion(&self) {
        let c = &self.c;
        let main_window = c.window().await.unwrap();
        click(c, "#connect-notion").await;
        let deadline = Instant::now() + Duration::from_secs(20);
        let popup = loop {
            let windows = c.windows().await.unwrap();
            if let Some(w) = windows.into_iter().find(|w| *w != main_window) {
                break w;
            }
            assert!(Instant::now() < deadline, "the OAuth popup did not open");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        c.switch_to_window(popup).await.unwrap();
        click(c, "#allow").await;
        // The popup lands on the relay's "connected" page, then closes itself.
        c.switch_to_window(main_window).await.unwrap();
        enter_panel(c).await;
        wait_css(c, "#connection-status[data-connected='true']").await;
    }

    /// Opens the simulator and connects Notion.
    pub async fn open_connected(&self) {
        self.open().await;
        self.connect_notion().await;
    }

    /// Creates a file ↔ new page mapping through the form (the inline one when there are no
    /// mappings yet, else "New mapping"), with auto-sync as given.
    pub async fn map_new_page(&self, path: &str, auto_sync: bool) {
        let c = &self.c;
        if c.find(Locator::Css("#new-mapping-button")).await.is_ok() {
            click(c, "#new-mapping-button").await;
        }
        click(c, &format!("#file-select option[value='{path}']")).await;
        click(c, "#target-new").await;
        if auto_sync {
            click(c, "#auto-sync").await;
        }
        click(c, "#create-mapping").await;
        wait_css(c, &format!(".mapping-card[data-path='{path}']")).await;
    }

    /// Clicks Sync now on a card and waits for the result with `action`.
    pub async fn sync_card(&self, path: &str, action: &str) {
        let c = &self.c;
        // The previous result must not satisfy the wait: wait for this run to start.
        let before = js(c, "return document.querySelector('#sync-result') ? document.querySelector('#sync-result').outerHTML : ''").await;
        click(c, &format!(".mapping-card[data-path='{path}'] .sync-now")).await;
        eventually("the sync starts", WAIT, || async {
            js(c, "return document.querySelector('#sync-result') ? document.querySelector('#sync-result').outerHTML : ''").await != before
        })
        .await;
        wait_css(
            c,
            &format!(
                "#sync-result[data-state='done'][data-path='{path}'] .sync-item[data-action='{action}']"
            ),
        )
        .await;
    }

    /// The Notion page of a card (its id, from the card's link).
    pub async fn card_page(&self, path: &str) -> String {
        let link = wait_css(
            &self.c,
            &format!(".mapping-card[data-path='{path}'] .mapping-page a"),
        )
        .await;
        let href = link.attr("href").await.unwrap().unwrap_or_default();
        let tail = href.rsplit('-').next().unwrap_or_default().to_string();
        assert_eq!(tail.len(), 32, "a Notion URL ends with the page id: {href}");
        tail
    }

    /// Toasts the simulator showed, newest last (text only).
    pub async fn toasts(&self) -> Vec<String> {
        leave_panel(&self.c).await;
        let v = js(
            &self.c,
            "return window.simulator.toasts.map(t => t.kind + ': ' + t.text)",
        )
        .await;
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
}

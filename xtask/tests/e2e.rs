//! End to end, in a real browser: the stack `cargo xtask run` starts (emulator, relay serving the
//! panel, workspace simulator), driven through headless Chromium with fantoccini.
//!
//! Runs under `cargo xtask test` / `cargo xtask e2e` (which build the panel and the binaries
//! first). A plain `cargo test` skips it with a notice, unless E2E=1 or CI=true.

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xtask::stack::{Stack, StackConfig};

fn enabled() -> bool {
    let on = |k: &str| std::env::var(k).is_ok_and(|v| v == "1" || v == "true");
    on("E2E") || on("CI")
}

struct Driver {
    child: Child,
    _profile: tempdir::Dir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal temp dir (xtask keeps its dependencies short).
mod tempdir {
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn browser() -> (Client, Driver) {
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
                "--disable-sync", "--window-size=1280,900",
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

fn copy_dir(from: &Path, to: &Path) {
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

async fn wait_css(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
}

async fn wait_text(c: &Client, css: &str, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(el) = c.find(Locator::Css(css)).await {
            if el.text().await.unwrap_or_default().contains(needle) {
                return;
            }
        }
        if Instant::now() > deadline {
            let body = c.source().await.unwrap_or_default();
            panic!("{css} never contained {needle:?}; page:\n{body}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Enters the panel's iframe from the top of the simulator page.
async fn enter_panel(c: &Client) {
    c.enter_parent_frame().await.ok();
    let frame = wait_css(c, "iframe").await;
    frame.enter_frame().await.expect("enter the panel iframe");
}

struct EmulatorApi {
    base: String,
    http: reqwest::Client,
    token: String,
}

impl EmulatorApi {
    async fn new(base: &str) -> EmulatorApi {
        let http = reqwest::Client::new();
        let resp: serde_json::Value = http
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

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let mut req = self
            .http
            .request(method, format!("{}v1/{path}", self.base))
            .bearer_auth(&self.token)
            .header("Notion-Version", "2026-03-11");
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    async fn find_page(&self, title: &str) -> String {
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
}

#[tokio::test]
async fn file_to_page_and_back_in_a_real_browser() {
    if !enabled() {
        eprintln!(
            "skipping the end-to-end test: run it with `cargo xtask test` or `cargo xtask e2e`"
        );
        return;
    }
    let root = xtask::root();
    let repl = tempdir::Dir::new("repl");
    copy_dir(&root.join("examples/workspace"), repl.path());
    let data = tempdir::Dir::new("data");
    let cfg = StackConfig::for_tests(repl.path().to_path_buf(), data.path().to_path_buf());
    let stack = Stack::start(&cfg).expect("the stack starts");
    let emulator = stack.emulator_url.clone().expect("the emulator runs");
    let (c, _driver) = browser().await;

    c.goto(&stack.sim_url).await.unwrap();
    enter_panel(&c).await;
    wait_css(&c, "#panel-ready").await;
    wait_text(&c, "#repl-user", "demo").await;

    // Connect Notion through the popup.
    let main_window = c.window().await.unwrap();
    wait_css(&c, "#connect-notion").await.click().await.unwrap();
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
    wait_css(&c, "#allow").await.click().await.unwrap();
    // The popup lands on the relay's "connected" page, then closes itself.
    c.switch_to_window(main_window).await.unwrap();
    enter_panel(&c).await;
    wait_text(&c, "#connection-status", "Acme").await;

    // Map notes.md to a new page and sync.
    wait_css(&c, "#file-select").await;
    c.find(Locator::Css("#file-select option[value='notes.md']"))
        .await
        .expect("notes.md is listed")
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#target-new"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#create-mapping"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let card = wait_css(&c, ".mapping-card[data-path='notes.md']").await;
    card.find(Locator::Css(".sync-now"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(
        &c,
        "#sync-result[data-state='done'] .sync-item[data-action='created']",
    )
    .await;

    // The page exists in Notion with the file's content; the H1 became its title.
    let api = EmulatorApi::new(&emulator).await;
    let page_id = api.find_page("Project notes").await;
    let md = api
        .call(
            reqwest::Method::GET,
            &format!("pages/{page_id}/markdown"),
            None,
        )
        .await;
    let markdown = md["markdown"].as_str().unwrap().to_string();
    assert!(
        markdown.contains("Ideas and decisions for the project"),
        "page content: {markdown}"
    );
    assert!(
        !markdown.contains("# Project notes"),
        "the title is not duplicated in the body"
    );

    // Someone edits the page in Notion; Sync now brings it into the file.
    let edited = markdown.replace(
        "Ideas and decisions for the project",
        "Ideas, decisions and owners for the project",
    );
    api.call(
        reqwest::Method::PATCH,
        &format!("pages/{page_id}/markdown"),
        Some(json!({"type": "replace_content", "replace_content": {"new_str": edited}})),
    )
    .await;
    let card = wait_css(&c, ".mapping-card[data-path='notes.md']").await;
    card.find(Locator::Css(".sync-now"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_css(
        &c,
        "#sync-result[data-state='done'] .sync-item[data-action='pulled']",
    )
    .await;
    let on_disk = std::fs::read_to_string(repl.path().join("notes.md")).unwrap();
    assert!(
        on_disk.contains("Ideas, decisions and owners for the project"),
        "file on disk:\n{on_disk}"
    );
    assert!(
        on_disk.starts_with("# Project notes\n"),
        "the title came back as the H1:\n{on_disk}"
    );

    // A screenshot of the whole simulator for the README.
    c.enter_parent_frame().await.ok();
    let png = c.screenshot().await.unwrap();
    let out: PathBuf = root.join("target/e2e");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("panel.png"), png).unwrap();
    c.close().await.unwrap();
    drop(stack);
}

//! State dumps: `GET /__emulator/state` → `PUT /__emulator/state` (or `--seed FILE`) → the same
//! workspace, tokens included.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use notion::{CreatePageRequest, UpdatePageMarkdown};
use notion_emulator::{EmulatorConfig, RateLimit, Seed};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{assert_hook_error, start_with, Env};

async fn env(seed: Seed) -> Env {
    start_with(EmulatorConfig {
        seed,
        rate_limit: RateLimit::Off,
        ..EmulatorConfig::default()
    })
    .await
}

async fn dump(env: &Env) -> (String, Value) {
    let raw = env
        .raw(Method::GET, "/__emulator/state", None, None, None)
        .await;
    assert_eq!(raw.status, 200);
    (raw.text, raw.json)
}

/// A demo workspace with some history: a new page with a sub-page, an edit, OAuth-free tokens.
async fn busy(env: &Env) {
    let page = env
        .client
        .create_page(
            &env.token,
            &CreatePageRequest::markdown(
                None,
                "Saved",
                "# Not the title\n- a\n\t- b\n<page>Child</page>",
            ),
        )
        .await
        .unwrap();
    env.client
        .update_page_markdown(
            &env.token,
            &page.id,
            &UpdatePageMarkdown::update_content(vec![notion::ContentUpdate::new("- a", "- A")]),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn dump_load_dump_is_identical_and_tokens_keep_working() {
    let a = env(Seed::Demo).await;
    busy(&a).await;
    let (text_a, json_a) = dump(&a).await;

    let b = env(Seed::Empty).await;
    let loaded = b
        .raw(
            Method::PUT,
            "/__emulator/state",
            None,
            None,
            Some(json_a.clone()),
        )
        .await;
    assert_eq!(loaded.status, 204, "{}", loaded.text);
    let (text_b, json_b) = dump(&b).await;
    assert_eq!(json_a, json_b);
    assert_eq!(text_a, text_b, "byte-identical dumps");

    // A's token is stored as a hash in the dump, and works against B.
    let me = b
        .client
        .users_me(&a.token)
        .await
        .expect("token survives a load");
    assert_eq!(me.name.as_deref(), Some("Test integration"));
    let saved = b.emu.handle().find_pages("Saved");
    assert_eq!(saved.len(), 1);
    assert_eq!(
        b.emu.handle().page_markdown(&saved[0].id),
        a.emu.handle().page_markdown(&saved[0].id)
    );
    // B's own token was minted before the load and is gone with B's old state.
    assert!(b
        .client
        .users_me(&b.token)
        .await
        .unwrap_err()
        .is_unauthorized());

    // The in-process handle does the same.
    let c = env(Seed::Empty).await;
    c.emu.handle().load_state(json_a.clone()).unwrap();
    assert_eq!(c.emu.handle().state_json(), json_a);
}

#[tokio::test]
async fn bad_dumps_are_refused_and_change_nothing() {
    let env = env(Seed::Demo).await;
    let (before, mut json) = dump(&env).await;
    let not_a_dump = env
        .raw(
            Method::PUT,
            "/__emulator/state",
            None,
            None,
            Some(json!({"pages": 3})),
        )
        .await;
    assert_hook_error(&not_a_dump);
    // A page whose parent is missing.
    let pages = json["pages"].as_object_mut().unwrap();
    let (_, child) = pages
        .iter_mut()
        .find(|(_, p)| p["parent"]["type"] == "page")
        .unwrap();
    child["parent"]["id"] = json!("00000000-0000-4000-8000-000000000000");
    let orphan = env
        .raw(Method::PUT, "/__emulator/state", None, None, Some(json))
        .await;
    assert_hook_error(&orphan);
    assert!(orphan.json["message"].as_str().unwrap().contains("parent"));
    assert_eq!(dump(&env).await.0, before);
}

#[tokio::test]
async fn seed_state_starts_the_emulator_and_reset_returns_to_it() {
    let a = env(Seed::Demo).await;
    busy(&a).await;
    let (_, json_a) = dump(&a).await;
    let b = start_with(EmulatorConfig {
        seed_state: Some(json_a.clone()),
        rate_limit: RateLimit::Off,
        ..EmulatorConfig::default()
    })
    .await;
    b.client
        .create_page(&a.token, &CreatePageRequest::markdown(None, "Later", ""))
        .await
        .unwrap();
    let reset = b
        .raw(Method::POST, "/__emulator/reset", None, None, None)
        .await;
    assert_eq!(reset.status, 204);
    assert!(b.emu.handle().find_pages("Later").is_empty());
    assert_eq!(b.emu.handle().state_json(), json_a);
}

#[tokio::test]
async fn the_binary_loads_a_seed_file() {
    let a = env(Seed::Demo).await;
    busy(&a).await;
    let (text_a, _) = dump(&a).await;
    let path = std::env::temp_dir().join(format!("emulator-seed-{}.json", std::process::id()));
    std::fs::write(&path, &text_a).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_notion-emulator"))
        .args(["--port", "0", "--seed"])
        .arg(&path)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let served = reqwest::get(format!("{base}/__emulator/state"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_file(&path);
    assert_eq!(served, text_a);
}

//! The binary's edge flags: `--rate-limit`, `--faults`, `--webhook-url`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

struct Running {
    child: Child,
    base: String,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn run(args: &[&str]) -> Running {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notion-emulator"))
        .args(["--port", "0", "--seed", "empty"])
        .args(args)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("joined")
    .expect("a first line");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("first line names the address")
        .to_string();
    Running { child, base }
}

#[tokio::test]
async fn rate_limit_faults_and_webhook_flags() {
    let emu = run(&[
        "--time-scale",
        "60",
        "--rate-limit",
        "1/2",
        "--faults",
        "503,next=1,path=/v1/users/me",
        "--webhook-url",
        "http://127.0.0.1:9/hook",
    ])
    .await;
    let http = reqwest::Client::new();
    let minted: Value = http
        .post(format!("{}/__emulator/tokens", emu.base))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = minted["token"].as_str().unwrap().to_string();
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let status = http
            .get(format!("{}/v1/users/me", emu.base))
            .bearer_auth(&token)
            .header("Notion-Version", "2026-03-11")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        statuses.push(status);
    }
    // The fault comes first (and uses no rate budget), then a burst of 2, then 429.
    assert_eq!(statuses, [503, 200, 200, 429]);
    let hooks: Value = http
        .get(format!("{}/__emulator/webhooks", emu.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hooks["subscription"]["url"], "http://127.0.0.1:9/hook");
    assert_eq!(
        hooks["subscription"]["client_id"], "notion-sync-dev",
        "events for what the OAuth integration sees"
    );
}

#[test]
fn bad_edge_flags_are_refused_by_name() {
    for (flag, value) in [
        ("--rate-limit", "fast"),
        ("--faults", "teapot"),
        ("--seed", "/no/such/dump.json"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_notion-emulator"))
            .args([flag, value])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(value), "{flag}: {stderr}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_notion-emulator"))
        .args(["--webhook-url", "ftp://x/"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("webhook"));
}

//! The `notion-emulator` binary: flags, the first stdout line, and graceful shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

#[tokio::test]
async fn prints_its_address_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_notion-emulator"))
        .args(["--port", "0", "--seed", "empty", "--time-scale", "60"])
        .args([
            "--oauth-client-id",
            "cli-client",
            "--oauth-client-secret",
            "cli-secret",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let base = first
        .trim()
        .strip_prefix("listening on ")
        .expect("first line names the address")
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{base}");

    let http = reqwest::Client::new();
    let ok = http
        .post(format!("{base}/v1/oauth/introspect"))
        .basic_auth("cli-client", Some("cli-secret"))
        .json(&serde_json::json!({"token": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "the configured client authenticates");
    let unauthorized = http
        .get(format!("{base}/v1/users/me"))
        .header("Notion-Version", "2026-03-11")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || {
        for _ in 0..100 {
            if let Some(status) = child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        None
    })
    .await
    .unwrap();
    assert!(status.expect("exits after SIGTERM").success());
}

#[test]
fn rejects_bad_flags() {
    let out = Command::new(env!("CARGO_BIN_EXE_notion-emulator"))
        .args(["--seed", "galaxy"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("galaxy"));
    let out = Command::new(env!("CARGO_BIN_EXE_notion-emulator"))
        .args(["--time-scale", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

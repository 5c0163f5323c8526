//! Installs what a fresh machine lacks, with a line saying what and why.

use crate::step;
use anyhow::{bail, Context};
use std::path::Path;
use xshell::{cmd, Shell};

/// The wasm target, wasm-bindgen-cli at Cargo.lock's version, and the panel's npm packages.
pub fn ensure_panel_tools(sh: &Shell) -> anyhow::Result<()> {
    ensure_wasm_target(sh)?;
    ensure_wasm_bindgen(sh)?;
    ensure_npm_packages(sh)
}

pub fn ensure_wasm_target(sh: &Shell) -> anyhow::Result<()> {
    let installed = cmd!(sh, "rustup target list --installed")
        .quiet()
        .read()
        .unwrap_or_default();
    if !installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        step("installing the Rust target wasm32-unknown-unknown (the panel is WebAssembly)");
        cmd!(sh, "rustup target add wasm32-unknown-unknown").run()?;
    }
    Ok(())
}

/// The version of the `wasm-bindgen` crate in Cargo.lock; the CLI must match it exactly.
pub fn locked_wasm_bindgen_version() -> anyhow::Result<String> {
    let lock =
        std::fs::read_to_string(crate::root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
            {
                return Ok(v.trim_end_matches('"').to_string());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

pub fn ensure_wasm_bindgen(sh: &Shell) -> anyhow::Result<()> {
    let want = locked_wasm_bindgen_version()?;
    let have = cmd!(sh, "wasm-bindgen --version")
        .quiet()
        .ignore_stderr()
        .read()
        .unwrap_or_default();
    if have.split_whitespace().nth(1) == Some(want.as_str()) {
        return Ok(());
    }
    step(&format!("installing wasm-bindgen-cli {want} (matches the wasm-bindgen crate in Cargo.lock; takes a few minutes once)"));
    // Not --locked: one of its locked dependencies is missing from some registry mirrors.
    cmd!(sh, "cargo install wasm-bindgen-cli --version {want}").run()?;
    Ok(())
}

pub fn ensure_npm_packages(sh: &Shell) -> anyhow::Result<()> {
    let ext = crate::root().join("extension");
    let lock = ext.join("package-lock.json");
    let stamp = ext.join("node_modules/.package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&stamp)) {
        (Ok(l), Ok(s)) => match (l.modified(), s.modified()) {
            (Ok(l), Ok(s)) => s >= l,
            _ => false,
        },
        _ => false,
    };
    if fresh
        && ext.join("node_modules/@replit/extensions").is_dir()
        && ext.join("node_modules/comlink").is_dir()
    {
        return Ok(());
    }
    if cmd!(sh, "npm --version")
        .quiet()
        .ignore_stdout()
        .ignore_stderr()
        .run()
        .is_err()
    {
        bail!("npm is needed to fetch @replit/extensions and comlink; install Node.js 18+ (e.g. `apt-get install nodejs npm`)");
    }
    step("installing the panel's npm packages from extension/package-lock.json");
    let _dir = sh.push_dir(&ext);
    cmd!(sh, "npm ci --no-audit --no-fund").run()?;
    Ok(())
}

/// Debian's chromium and chromium-driver, for the end-to-end tests.
pub fn ensure_chromium(sh: &Shell) -> anyhow::Result<()> {
    let have = |p: &str| Path::new(p).exists();
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") {
        return Ok(());
    }
    let is_root = cmd!(sh, "id -u")
        .quiet()
        .read()
        .map(|s| s.trim() == "0")
        .unwrap_or(false);
    if !is_root {
        bail!("the end-to-end tests need Chromium and ChromeDriver: run `sudo apt-get install chromium chromium-driver`");
    }
    step("installing chromium and chromium-driver from Debian (for the end-to-end tests)");
    cmd!(sh, "apt-get update -qq")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    cmd!(sh, "apt-get install -y -qq chromium chromium-driver")
        .env("DEBIAN_FRONTEND", "noninteractive")
        .run()?;
    Ok(())
}

/// The PostgreSQL the store tests use; under CI it must be reachable.
pub fn check_postgres() -> anyhow::Result<()> {
    let url = std::env::var("TEST_DATABASE_URL")
        .unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_string());
    let hostport = url
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("127.0.0.1:5432");
    let hostport = if hostport.contains(':') {
        hostport.to_string()
    } else {
        format!("{hostport}:5432")
    };
    let reachable = std::net::ToSocketAddrs::to_socket_addrs(&hostport)
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|addr| {
            std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(2)).is_ok()
        });
    if !reachable {
        if is_ci() {
            bail!("PostgreSQL is not reachable at {hostport} (TEST_DATABASE_URL); under CI the store tests must run on it");
        }
        step(&format!("PostgreSQL is not reachable at {hostport}: its store tests will be skipped (they are mandatory under CI=true)"));
    }
    Ok(())
}

pub const DEFAULT_TEST_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

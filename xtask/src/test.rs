//! `cargo xtask test`: the single gate, the same locally and in CI.

use crate::{panel, step, tools};
use std::time::Instant;
use xshell::{cmd, Shell};

pub fn test(sh: &Shell) -> anyhow::Result<()> {
    let started = Instant::now();
    timed("formatting", || {
        Ok(cmd!(sh, "cargo fmt --all --check").run()?)
    })?;
    timed("tools", || {
        tools::ensure_panel_tools(sh)?;
        tools::ensure_chromium(sh)?;
        tools::check_postgres()
    })?;
    timed("panel bundle (wasm)", || panel::build(sh))?;
    timed("clippy", || {
        cmd!(sh, "cargo clippy --workspace --all-targets -- -D warnings").run()?;
        cmd!(
            sh,
            "cargo clippy --package extension --target wasm32-unknown-unknown -- -D warnings"
        )
        .run()?;
        Ok(())
    })?;
    timed("engine for wasm32", || {
        Ok(cmd!(
            sh,
            "cargo build --package engine --target wasm32-unknown-unknown"
        )
        .run()?)
    })?;
    timed("relay as a Shuttle service", || {
        Ok(cmd!(
            sh,
            "cargo build --package server --features shuttle --bin relay-shuttle"
        )
        .run()?)
    })?;
    timed("binaries for the end-to-end tests", || {
        Ok(cmd!(
            sh,
            "cargo build --package server --package notion-emulator --package workspace-sim"
        )
        .run()?)
    })?;
    timed("tests", || {
        let db = std::env::var("TEST_DATABASE_URL")
            .unwrap_or_else(|_| tools::DEFAULT_TEST_DATABASE_URL.to_string());
        cmd!(sh, "cargo test --workspace --no-fail-fast")
            .env("E2E", "1")
            .env("TEST_DATABASE_URL", db)
            .run()?;
        Ok(())
    })?;
    timed("quick bench (SPEC §10 call-count budgets)", || {
        crate::bench::bench(sh, true)
    })?;
    step(&format!("all tests passed in {:.0?}", started.elapsed()));
    Ok(())
}

/// `cargo xtask e2e`: the headless-Chromium suites (xtask/tests/, the simulator's browser test).
/// With `screenshots`, only the screenshot run: it regenerates docs/screenshots/ (every screen
/// of the panel, dark and light).
pub fn e2e(sh: &Shell, screenshots: bool) -> anyhow::Result<()> {
    tools::ensure_panel_tools(sh)?;
    tools::ensure_chromium(sh)?;
    panel::build(sh)?;
    cmd!(
        sh,
        "cargo build --package server --package notion-emulator --package workspace-sim"
    )
    .run()?;
    if screenshots {
        let out = crate::root().join("docs/screenshots");
        std::fs::create_dir_all(&out)?;
        // Screens that no longer exist must not linger.
        for entry in std::fs::read_dir(&out)? {
            let path = entry?.path();
            if path.extension().is_some_and(|e| e == "png") {
                std::fs::remove_file(&path)?;
            }
        }
        cmd!(sh, "cargo test --package xtask --test screenshots")
            .env("E2E", "1")
            .env("E2E_SCREENSHOTS", &out)
            .run()?;
        step(&format!("screenshots written to {}", out.display()));
        return Ok(());
    }
    cmd!(
        sh,
        "cargo test --package xtask --tests --package workspace-sim"
    )
    .env("E2E", "1")
    .run()?;
    Ok(())
}

fn timed(name: &str, f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<()> {
    step(name);
    let t = Instant::now();
    let r = f();
    step(&format!("{name}: {:.1?}", t.elapsed()));
    r
}

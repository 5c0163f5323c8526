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
    step(&format!("all tests passed in {:.0?}", started.elapsed()));
    Ok(())
}

pub fn e2e(sh: &Shell) -> anyhow::Result<()> {
    tools::ensure_panel_tools(sh)?;
    tools::ensure_chromium(sh)?;
    panel::build(sh)?;
    cmd!(
        sh,
        "cargo build --package server --package notion-emulator --package workspace-sim"
    )
    .run()?;
    cmd!(
        sh,
        "cargo test --package xtask --test e2e --package workspace-sim"
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

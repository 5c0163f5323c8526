//! `cargo xtask bench [--quick]`: builds what the bench measures and runs the `bench` crate's
//! binary, which does the measuring (bench/src/lib.rs). Exits non-zero when a budget is missed.
//!
//! The full bench runs at Notion's real pace on release builds, measures the panel's first
//! render with the headless-Chromium budget test (xtask/tests/perf.rs) and writes the results
//! into docs/benchmarks.md. The quick one (a stage of `cargo xtask test`) runs the emulator
//! time-scaled on the debug build the tests already made: its call counts are checked, its
//! timings only reported.

use crate::{panel, step, tools};
use anyhow::Context;
use xshell::{cmd, Shell};

pub fn bench(sh: &Shell, quick: bool) -> anyhow::Result<()> {
    let wasm = panel::out_dir().join("panel_bg.wasm");
    if quick {
        cmd!(
            sh,
            "cargo build --package server --bin relay --package bench"
        )
        .run()?;
        cmd!(
            sh,
            "cargo run --quiet --package bench --bin bench -- --quick --panel-wasm {wasm}"
        )
        .run()?;
        return Ok(());
    }
    tools::ensure_panel_tools(sh)?;
    tools::ensure_chromium(sh)?;
    panel::build(sh)?;
    let first_render = first_render_ms(sh)?;
    cmd!(
        sh,
        "cargo build --release --package server --bin relay --package bench"
    )
    .run()?;
    cmd!(
        sh,
        "cargo run --quiet --release --package bench --bin bench -- --panel-wasm {wasm} --first-render-ms {first_render} --docs docs/benchmarks.md"
    )
    .run()?;
    Ok(())
}

/// Runs xtask/tests/perf.rs (5 cold loads in headless Chromium) and reads the median it prints.
fn first_render_ms(sh: &Shell) -> anyhow::Result<String> {
    step("panel first render (xtask/tests/perf.rs, headless Chromium)");
    cmd!(
        sh,
        "cargo build --package server --package notion-emulator --package workspace-sim"
    )
    .run()?;
    let out = cmd!(
        sh,
        "cargo test --package xtask --test perf -- --nocapture --test-threads 1"
    )
    .env("E2E", "1")
    .ignore_status()
    .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let median = stdout
        .lines()
        .find_map(|l| l.split("cold: median ").nth(1))
        .and_then(|rest| rest.split(" ms").next())
        .map(str::to_string)
        .with_context(|| {
            format!(
                "xtask/tests/perf.rs printed no first-render median:\n{stdout}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    step(&format!("panel first render: median {median} ms"));
    Ok(median)
}

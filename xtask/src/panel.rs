//! Builds the panel bundle into target/panel: cargo (wasm32) + wasm-bindgen-cli, no `dx`.
//!
//! The bundle is static files — exactly what gets published to Replit: index.html, style.css,
//! icon.svg, extension.json, the Replit client script, panel.js and panel_bg.wasm.

use crate::step;
use anyhow::Context;
use std::path::{Path, PathBuf};
use xshell::{cmd, Shell};

pub fn out_dir() -> PathBuf {
    crate::target_dir().join("panel")
}

pub fn build(sh: &Shell) -> anyhow::Result<()> {
    let root = crate::root();
    step("building the panel (wasm32, size-optimized)");
    cmd!(
        sh,
        "cargo build --package extension --target wasm32-unknown-unknown --profile wasm-release"
    )
    .run()?;
    let wasm = crate::target_dir().join("wasm32-unknown-unknown/wasm-release/extension.wasm");
    let out = out_dir();
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    cmd!(
        sh,
        "wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section --out-dir {out} --out-name panel {wasm}"
    )
    .run()?;
    copy_dir(&root.join("extension/public"), &out)?;
    copy(&root.join("extension.json"), &out.join("extension.json"))?;
    copy(
        &root.join("extension/node_modules/@replit/extensions/dist/index.global.js"),
        &out.join("replit-extensions.js"),
    )?;
    let size = std::fs::metadata(out.join("panel_bg.wasm"))
        .map(|m| m.len())
        .unwrap_or(0);
    step(&format!(
        "panel bundle ready in {} (wasm {} KB)",
        out.display(),
        size / 1024
    ));
    Ok(())
}

fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, to)
        .with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            std::fs::create_dir_all(&target)?;
            copy_dir(&entry.path(), &target)?;
        } else {
            copy(&entry.path(), &target)?;
        }
    }
    Ok(())
}

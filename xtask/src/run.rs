//! `cargo xtask run`: the whole system on 127.0.0.1, with the simulator to open in a browser.

use crate::flags::Args;
use crate::stack::{Stack, StackConfig};
use crate::{panel, step, tools};
use anyhow::Context;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use xshell::{cmd, Shell};

pub fn run(sh: &Shell, args: &mut Args) -> anyhow::Result<()> {
    let root = crate::root();
    let dir = args
        .value("--dir")?
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| root.join("examples/workspace"));
    let emulator_port = args.port("--emulator-port", 8790)?;
    let relay_port = args.port("--relay-port", 8791)?;
    let sim_port = args.port("--sim-port", 8792)?;
    let no_build = args.flag("--no-build");
    args.finish()?;
    let dir = dir
        .canonicalize()
        .with_context(|| format!("--dir {}: no such folder", dir.display()))?;

    if !no_build {
        tools::ensure_panel_tools(sh)?;
        panel::build(sh)?;
        step("building the relay, the Notion emulator and the workspace simulator");
        cmd!(
            sh,
            "cargo build --package server --package notion-emulator --package workspace-sim"
        )
        .run()?;
    }
    let real_notion = match (
        std::env::var("NOTION_CLIENT_ID"),
        std::env::var("NOTION_CLIENT_SECRET"),
    ) {
        (Ok(id), Ok(secret)) if !id.is_empty() && !secret.is_empty() => {
            step("NOTION_CLIENT_ID and NOTION_CLIENT_SECRET are set: using real Notion instead of the emulator");
            Some((id, secret))
        }
        _ => None,
    };
    let cfg = StackConfig {
        workspace_dir: dir.clone(),
        emulator_port,
        relay_port,
        sim_port,
        data_dir: root.join(".data"),
        panel_dir: panel::out_dir(),
        bin_dir: crate::target_dir().join("debug"),
        time_scale: 1.0,
        verbose: true,
        real_notion,
    };
    step("starting the stack");
    let mut stack = Stack::start(&cfg)?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::SeqCst))
            .context("installing the Ctrl-C handler")?;
    }
    println!();
    println!("  Workspace simulator (open this):  {}", stack.sim_url);
    println!(
        "  Panel URL (for Replit's Extension Devtools): {}",
        stack.panel_url
    );
    println!("  Relay:                            {}", stack.relay_url);
    if let Some(emu) = &stack.emulator_url {
        println!("  Notion emulator (demo workspace): {emu}__emulator/");
    }
    println!("  Repl folder:                      {}", dir.display());
    println!();
    println!("  Press Ctrl-C to stop.");
    if let Some(name) = stack.wait_any(&stop) {
        stack.stop();
        anyhow::bail!("the {name} stopped unexpectedly; see its output above");
    }
    step("stopping");
    stack.stop();
    Ok(())
}

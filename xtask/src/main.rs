//! `cargo xtask <command>` — see `cargo xtask help`.

use anyhow::{bail, Context};
use std::path::PathBuf;
use xtask::{bench, flags::Args, panel, run, test, tools};

const HELP: &str = "\
cargo xtask <command> [options]

Commands:
  run    Build the panel, start the Notion emulator, the relay and the workspace simulator
         on 127.0.0.1, print their URLs; Ctrl-C stops everything.
           --dir PATH          the folder the simulator serves as the Repl (default examples/workspace)
           --relay-port N      (default 8791)   --emulator-port N (default 8790)
           --sim-port N        (default 8792)   --no-build  skip building
  test   Every test: fmt, clippy, unit, property, emulator, store (SQLite and PostgreSQL),
         the wasm panel build, the headless-Chromium end-to-end suite and the quick bench.
  e2e    Only the headless-Chromium end-to-end tests.
           --screenshots       instead, regenerate docs/screenshots/ (every screen, dark and light)
  fuzz   Run the cargo-fuzz targets (nightly; not in `test`), each for a bounded time.
           --target NAME       only this one (translate_round_trip, front_matter, token_verifier)
           --seconds N         per target (default 600)
  dist   Build the panel bundle into target/panel (what you publish to Replit).
           RELAY_URL=https://… bakes the relay's address into the bundle.
  bench  Measure every SPEC §10 budget against the Notion emulator at Notion's pace, next to
         two naive baselines; table on stdout, JSON in target/bench/, docs/benchmarks.md.
         Exits non-zero when a budget is missed.
           --quick             time-scaled emulator: checks call counts, reports timings
  help   This text.
";

fn main() {
    if let Err(err) = real_main() {
        eprintln!("xtask: {err:#}");
        std::process::exit(1);
    }
}

fn real_main() -> anyhow::Result<()> {
    let mut args = Args::from_env();
    let root = project_root();
    std::env::set_current_dir(&root).with_context(|| format!("entering {}", root.display()))?;
    let sh = xshell::Shell::new()?;
    match args.command().as_deref() {
        Some("run") => run::run(&sh, &mut args),
        Some("test") => {
            args.finish()?;
            test::test(&sh)
        }
        Some("e2e") => {
            let screenshots = args.flag("--screenshots");
            args.finish()?;
            test::e2e(&sh, screenshots)
        }
        Some("fuzz") => {
            let target = args.value("--target")?;
            let seconds = match args.value("--seconds")? {
                Some(s) => s
                    .parse()
                    .with_context(|| format!("--seconds takes a number, got `{s}`"))?,
                None => 600,
            };
            args.finish()?;
            xtask::fuzz::fuzz(&sh, target.as_deref(), seconds)
        }
        Some("bench") => {
            let quick = args.flag("--quick");
            args.finish()?;
            bench::bench(&sh, quick)
        }
        Some("dist") => {
            args.finish()?;
            tools::ensure_panel_tools(&sh)?;
            panel::build(&sh)
        }
        None | Some("help") | Some("--help") | Some("-h") => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`; see `cargo xtask help`"),
    }
}

fn project_root() -> PathBuf {
    // CARGO_MANIFEST_DIR is xtask/; the workspace root is its parent.
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("."))
}

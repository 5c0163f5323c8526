//! The bench binary `cargo xtask bench` runs: prints the table, writes JSON to `--out` and, with
//! `--docs`, the results section of docs/benchmarks.md; exits 1 when a budget is missed.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

#[derive(Parser)]
#[command(
    about = "Measures every SPEC §10 budget against the Notion emulator, next to naive baselines"
)]
struct Cli {
    /// Time-scaled emulator and smaller scenarios: checks call counts, reports timings.
    #[arg(long)]
    quick: bool,
    /// The relay binary (default: `relay` next to this binary).
    #[arg(long)]
    relay_bin: Option<PathBuf>,
    /// The panel's wasm (default: target/panel/panel_bg.wasm).
    #[arg(long)]
    panel_wasm: Option<PathBuf>,
    /// The panel's first-render median in ms, as xtask/tests/perf.rs measured it.
    #[arg(long)]
    first_render_ms: Option<f64>,
    /// Where the JSON goes.
    #[arg(long, default_value = "target/bench")]
    out: PathBuf,
    /// Replace the results section of this Markdown file (docs/benchmarks.md).
    #[arg(long)]
    docs: Option<PathBuf>,
}

const BEGIN: &str = "<!-- bench:results -->";
const END: &str = "<!-- /bench:results -->";

#[tokio::main]
async fn main() {
    match real_main().await {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("bench: {e:#}");
            std::process::exit(2);
        }
    }
}

async fn real_main() -> anyhow::Result<bool> {
    let cli = Cli::parse();
    let mut opts = if cli.quick {
        bench::Options::quick()
    } else {
        bench::Options::full()
    };
    opts.relay_bin = cli.relay_bin.or_else(bench::harness::sibling_relay);
    opts.panel_wasm = Some(
        cli.panel_wasm
            .unwrap_or_else(|| PathBuf::from("target/panel/panel_bg.wasm")),
    );
    opts.first_render_ms = cli.first_render_ms;
    let report = bench::run(&opts).await?;
    println!("{}", report.table());
    std::fs::create_dir_all(&cli.out).with_context(|| format!("creating {}", cli.out.display()))?;
    let json = cli.out.join(format!("{}.json", report.mode));
    std::fs::write(&json, serde_json::to_vec_pretty(&report)?)
        .with_context(|| format!("writing {}", json.display()))?;
    eprintln!("bench: JSON in {}", json.display());
    if let Some(docs) = &cli.docs {
        let text =
            std::fs::read_to_string(docs).with_context(|| format!("reading {}", docs.display()))?;
        let (Some(b), Some(e)) = (text.find(BEGIN), text.find(END)) else {
            anyhow::bail!("{} has no {BEGIN} … {END} section", docs.display());
        };
        let updated = format!("{}{BEGIN}\n{}{}", &text[..b], report.markdown(), &text[e..]);
        std::fs::write(docs, updated).with_context(|| format!("writing {}", docs.display()))?;
        eprintln!("bench: results written to {}", docs.display());
    }
    let failures = report.failures();
    for f in &failures {
        eprintln!("bench: over budget: {}: {}", f.scenario, f.figure);
    }
    Ok(failures.is_empty())
}

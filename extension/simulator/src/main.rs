//! `workspace-sim`: serves the Replit workspace simulator until Ctrl-C / SIGTERM.
//!
//! The first line on stdout is `listening on http://127.0.0.1:PORT/` (scripts read the port
//! from it); everything else goes to stderr.

use anyhow::Context;
use clap::Parser;
use std::io::Write;
use std::path::PathBuf;
use workspace_sim::{spawn, SimConfig, DEFAULT_COMLINK};

/// The Replit workspace simulator: a host page that embeds the Notion Sync panel in an iframe
/// and answers the Replit Extensions protocol from a real local folder.
#[derive(Debug, Parser)]
#[command(name = "workspace-sim", version)]
struct Args {
    /// The folder that stands in for the Repl.
    #[arg(long, env = "SIM_DIR", default_value = "examples/workspace")]
    dir: PathBuf,
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, env = "SIM_PORT", default_value_t = 0)]
    port: u16,
    /// URL of the panel (the iframe's src), e.g. http://127.0.0.1:8080/
    #[arg(long, env = "SIM_PANEL_URL")]
    panel_url: String,
    /// extensionId put in auth tokens; the relay's REPLIT_EXTENSION_ID must match.
    #[arg(long, env = "SIM_EXTENSION_ID", default_value = "notion-sync-dev")]
    extension_id: String,
    /// The simulated Replit user's numeric id.
    #[arg(long, env = "SIM_USER_ID", default_value_t = 1)]
    user_id: i64,
    /// The simulated Replit user's name.
    #[arg(long, env = "SIM_USERNAME", default_value = "demo")]
    username: String,
    /// The simulated Repl's id.
    #[arg(
        long,
        env = "SIM_REPL_ID",
        default_value = "00000000-0000-4000-8000-000000000001"
    )]
    repl_id: String,
    /// The simulated Repl's title (default: the folder's name).
    #[arg(long, env = "SIM_REPL_TITLE")]
    repl_title: Option<String>,
    /// Ed25519 signing key (PKCS#8 PEM); created there when missing. Default: a new key per run.
    #[arg(long, env = "SIM_KEY_FILE")]
    key_file: Option<PathBuf>,
    /// The comlink UMD build (from `npm ci` in extension/).
    #[arg(long, env = "SIM_COMLINK", default_value = DEFAULT_COMLINK)]
    comlink: PathBuf,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let repl_title = args.repl_title.clone().unwrap_or_else(|| {
        args.dir
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "Repl".to_string())
    });
    let config = SimConfig {
        dir: args.dir,
        port: args.port,
        panel_url: args.panel_url,
        extension_id: args.extension_id,
        user_id: args.user_id,
        username: args.username,
        repl_id: args.repl_id,
        repl_title,
        key_file: args.key_file,
        comlink: args.comlink,
    };
    let sim = spawn(config).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on {}/", sim.base_url()).context("writing to stdout")?;
        out.flush().context("writing to stdout")?;
    }
    eprintln!(
        "workspace simulator: open {}/ (key id {})",
        sim.base_url(),
        sim.kid()
    );
    wait_for_stop().await;
    eprintln!("workspace simulator: stopping");
    sim.shutdown().await;
    Ok(())
}

async fn wait_for_stop() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

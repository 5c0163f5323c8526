//! `notion-emulator`: serves the Notion API emulator until Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::net::IpAddr;

use anyhow::Context as _;
use clap::Parser;
use notion_emulator::{EmulatorConfig, OAuthClientConfig, Seed};

#[derive(Debug, Parser)]
#[command(
    name = "notion-emulator",
    version,
    about = "Stateful Notion API emulator on loopback"
)]
struct Args {
    /// Port to listen on; 0 picks a free one (printed on the first stdout line).
    #[arg(long, env = "NOTION_EMULATOR_PORT", default_value_t = 0)]
    port: u16,
    /// Address to bind.
    #[arg(long, env = "NOTION_EMULATOR_BIND", default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Initial workspace: `demo` (Acme Docs with sample pages) or `empty`.
    #[arg(long, env = "NOTION_EMULATOR_SEED", default_value = "demo")]
    seed: Seed,
    /// Compress Notion's time windows (minute rounding, code expiry) by this factor.
    #[arg(long, env = "NOTION_EMULATOR_TIME_SCALE", default_value_t = 1.0)]
    time_scale: f64,
    /// OAuth client id of the public integration.
    #[arg(long, env = "NOTION_EMULATOR_OAUTH_CLIENT_ID", default_value = OAuthClientConfig::DEV_CLIENT_ID)]
    oauth_client_id: String,
    /// OAuth client secret of the public integration.
    #[arg(
        long,
        env = "NOTION_EMULATOR_OAUTH_CLIENT_SECRET",
        default_value = OAuthClientConfig::DEV_CLIENT_SECRET,
        hide_env_values = true,
        hide_default_value = true
    )]
    oauth_client_secret: String,
    /// Allowed redirect URI (repeatable; comma-separated in the env var). None: any loopback URI.
    #[arg(
        long = "oauth-redirect-uri",
        env = "NOTION_EMULATOR_OAUTH_REDIRECT_URI",
        value_delimiter = ','
    )]
    oauth_redirect_uris: Vec<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        anyhow::bail!(
            "--time-scale must be a positive number, got {}",
            args.time_scale
        );
    }
    let mut client = OAuthClientConfig::dev();
    if args.oauth_client_id != client.client_id {
        client.name = args.oauth_client_id.clone();
    }
    client.client_id = args.oauth_client_id;
    client.client_secret = args.oauth_client_secret;
    client.redirect_uris = args.oauth_redirect_uris;
    let config = EmulatorConfig {
        bind: args.bind,
        port: args.port,
        seed: args.seed,
        time_scale: args.time_scale,
        oauth_clients: vec![client],
    };
    let emulator = notion_emulator::spawn(config).await?;
    let base = emulator.base_url();
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "listening on {}",
        base.as_str().trim_end_matches('/')
    )
    .context("writing to stdout")?;
    stdout.flush().context("flushing stdout")?;
    drop(stdout);

    shutdown_signal().await;
    tracing::info!("shutting down");
    emulator.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}

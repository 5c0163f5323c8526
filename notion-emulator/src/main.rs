//! `notion-emulator`: serves the Notion API emulator until Ctrl-C or SIGTERM.

use std::io::Write as _;
use std::net::IpAddr;

use anyhow::Context as _;
use clap::Parser;
use notion_emulator::{
    EmulatorConfig, FaultPlan, OAuthClientConfig, RateLimit, Seed, WebhookConfig,
};

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
    /// Initial workspace: `demo` (Acme Docs with sample pages), `empty`, or a state dump file
    /// (from `GET /__emulator/state`).
    #[arg(long, env = "NOTION_EMULATOR_SEED", default_value = "demo", value_parser = parse_seed)]
    seed: SeedArg,
    /// Compress Notion's time windows (minute rounding, code expiry, rate-limit refill and
    /// Retry-After, webhook delays) by this factor.
    #[arg(long, env = "NOTION_EMULATOR_TIME_SCALE", default_value_t = 1.0)]
    time_scale: f64,
    /// Per-token rate limit: `RATE[/BURST]` requests per second (at Notion's pace), or `off`.
    #[arg(long, env = "NOTION_EMULATOR_RATE_LIMIT", default_value = "3/10")]
    rate_limit: RateLimit,
    /// Faults to inject, e.g. `seed=7;500,p=0.1;reset,next=1,method=POST,path=/v1/pages`.
    #[arg(long, env = "NOTION_EMULATOR_FAULTS", default_value = "")]
    faults: FaultPlan,
    /// Send signed webhook events for what the OAuth integration can see to this URL.
    #[arg(long, env = "NOTION_EMULATOR_WEBHOOK_URL")]
    webhook_url: Option<String>,
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

/// `--seed`: a named seed or a state dump file.
#[derive(Debug, Clone)]
enum SeedArg {
    Named(Seed),
    File(std::path::PathBuf),
}

fn parse_seed(raw: &str) -> Result<SeedArg, String> {
    if let Ok(seed) = raw.parse::<Seed>() {
        return Ok(SeedArg::Named(seed));
    }
    let path = std::path::PathBuf::from(raw);
    if path.is_file() {
        Ok(SeedArg::File(path))
    } else {
        Err(format!(
            "unknown seed `{raw}` (expected `demo`, `empty` or a state dump file)"
        ))
    }
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
    let (seed, seed_state) = match args.seed {
        SeedArg::Named(seed) => (seed, None),
        SeedArg::File(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading the seed file {}", path.display()))?;
            let dump = serde_json::from_str(&text)
                .with_context(|| format!("the seed file {} is not JSON", path.display()))?;
            (Seed::Empty, Some(dump))
        }
    };
    let webhook = args.webhook_url.map(|url| WebhookConfig {
        client_id: Some(client.client_id.clone()),
        ..WebhookConfig::new(url)
    });
    let config = EmulatorConfig {
        bind: args.bind,
        port: args.port,
        seed,
        time_scale: args.time_scale,
        oauth_clients: vec![client],
        rate_limit: args.rate_limit,
        faults: args.faults,
        webhook,
        seed_state,
    };
    let emulator = notion_emulator::spawn(config).await?;
    let shutdown = shutdown_signal();
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

    shutdown.await;
    tracing::info!("shutting down");
    emulator.shutdown().await;
    Ok(())
}

/// Registers the SIGTERM handler now (so a signal sent right after the address is printed is
/// not missed) and returns a future that ends on Ctrl-C or SIGTERM.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async {
            match terminate.as_mut() {
                Some(sig) => {
                    sig.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = terminate => {},
        }
    }
}

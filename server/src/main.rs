use anyhow::Context;
use clap::Parser;
use server::config::Config;
use server::startup::Application;

#[tokio::main]
async fn main() {
    if let Err(err) = run().await {
        // One line with the whole chain: the first thing an operator reads.
        eprintln!("relay: {err:#}");
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let config = Config::parse();
    server::telemetry::init(&config.log_level);
    let settings = config.validate()?;
    if settings.config.print_webhook_token {
        return print_webhook_token(&settings).await;
    }
    let app = Application::build(settings)
        .await
        .context("starting the relay")?;
    // The first stdout line is machine-readable so `cargo xtask run` and tests learn the port.
    println!("listening on {}", app.base_url());
    app.run_until_stopped(shutdown_signal()).await
}

async fn shutdown_signal() {
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
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}

/// Shows the webhook verification token Notion sent, for its "Verify" dialog. Printed only on
/// the operator's explicit request, never logged.
async fn print_webhook_token(settings: &server::config::Settings) -> anyhow::Result<()> {
    let store = server::store::Store::connect(&settings.database_url).await?;
    let sealed = store.secret(server::routes::webhooks::TOKEN_SECRET).await?;
    let Some(sealed) = sealed else {
        anyhow::bail!("Notion has not sent a verification token yet: add the webhook URL (…/webhooks/notion) in the integration's Webhooks tab first");
    };
    let secrets = server::crypto::Secrets::from_secret_key(&settings.config.secret_key);
    println!(
        "{}",
        secrets
            .open(&sealed)
            .context("opening the stored token (is SECRET_KEY the same?)")?
    );
    Ok(())
}

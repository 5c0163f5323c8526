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

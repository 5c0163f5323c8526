//! The relay on Shuttle (`cargo shuttle deploy`, built with `--features shuttle`).
//!
//! Shuttle provisions PostgreSQL and passes secrets (Secrets.toml: the same names as the
//! environment variables of `relay --help`); everything else is the ordinary relay.

use anyhow::Context;
use clap::Parser;
use server::config::Config;
use server::startup::{app, build_state};
use server::store::Store;

/// Settings read from Shuttle's secrets, by their environment-variable names.
const SETTINGS: &[(&str, &str)] = &[
    ("SECRET_KEY", "--secret-key"),
    ("REPLIT_EXTENSION_ID", "--replit-extension-id"),
    ("REPLIT_KEY_SOURCE", "--replit-key-source"),
    ("PUBLIC_URL", "--public-url"),
    ("NOTION_CLIENT_ID", "--notion-client-id"),
    ("NOTION_CLIENT_SECRET", "--notion-client-secret"),
    ("NOTION_REDIRECT_URI", "--notion-redirect-uri"),
    ("NOTION_API_BASE", "--notion-api-base"),
    ("NOTION_VERSION", "--notion-version"),
    ("ALLOWED_ORIGINS", "--allowed-origins"),
    ("LOG_LEVEL", "--log-level"),
];

#[shuttle_runtime::main]
async fn main(
    #[shuttle_shared_db::Postgres] database_url: String,
    #[shuttle_runtime::Secrets] secrets: shuttle_runtime::SecretStore,
) -> shuttle_axum::ShuttleAxum {
    let mut args = vec![
        "relay".to_string(),
        "--database-url".to_string(),
        database_url,
    ];
    for (name, flag) in SETTINGS {
        if let Some(value) = secrets.get(name) {
            args.push(flag.to_string());
            args.push(value);
        }
    }
    let config = Config::try_parse_from(args)
        .context("reading the relay's settings from Shuttle secrets")?;
    let public_url = config
        .public_url
        .clone()
        .context("PUBLIC_URL must be set in Secrets.toml (the service's https URL)")?;
    let settings = config.validate()?;
    let store = Store::connect(&settings.database_url).await?;
    let state = build_state(settings, store, public_url)?;
    Ok(app(state).into())
}

//! The relay: the panel's only server.
//!
//! It verifies who the panel is (Replit extension token → [`auth`]), runs the Notion OAuth flow
//! ([`notion_oauth`]) and keeps the tokens sealed ([`crypto`], [`store`]), and runs sync sessions
//! ([`sync`]) with the pure [`engine`] deciding and the [`notion`] client doing the Notion I/O.
//! [`startup`] wires it into an axum app; [`routes`] holds one module per resource.
//!
//! Architecture invariant: the relay never touches Repl files. It reads and writes Notion and
//! hands file writes to the panel, guarded by the hash each file must still have.

pub mod auth;
pub mod config;
pub mod crypto;
pub mod domain;
pub mod error;
pub mod events;
pub mod jobs;
pub mod metrics;
pub mod notion_auth;
pub mod notion_oauth;
pub mod pacing;
pub mod routes;
pub mod startup;
pub mod store;
pub mod sync;
pub mod telemetry;

/// Unix seconds. The one place the relay reads the wall clock for its own bookkeeping.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

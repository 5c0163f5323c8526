//! Typed client for Notion's public REST API.
//!
//! - [`NotionClient`] sends `Notion-Version` and `Authorization` on every request, retries
//!   429/529 for every method and 5xx/transport failures for idempotent ones (honouring
//!   `Retry-After`, with jittered exponential back-off), and traces each call with its method,
//!   route, status and Notion request id — never tokens or content.
//! - [`models`] are serde types for Notion's objects. They read tolerantly and write Notion's
//!   exact shape, so the emulator (`notion-emulator`) answers with the same types.
//!
//! The base URL is configurable so the same client talks to the emulator in tests and demos.

mod client;
mod config;
mod errors;
pub mod models;
mod retry;
mod token;

pub use client::NotionClient;
pub use config::{ClientConfig, RetryPolicy, DEFAULT_BASE_URL, DEFAULT_NOTION_VERSION};
pub use errors::NotionError;
pub use models::*;
pub use token::AccessToken;

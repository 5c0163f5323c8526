//! Typed client for Notion's public REST API.
//!
//! - [`NotionClient`] sends `Notion-Version` and `Authorization` on every request, retries
//!   429/529 for every method and 5xx/transport failures for idempotent ones (honouring
//!   `Retry-After`, with jittered exponential back-off), and traces each call with its method,
//!   route, status and Notion request id — never tokens or content.
//! - Bearer requests are paced per token ([`Pacing`]; default: Notion's average of 3 requests/s
//!   with bursts of 5), shared by every clone of a client, so one integration stays under
//!   Notion's rate limit however many tasks use it. Tests that run the emulator with
//!   `--time-scale N` use `Pacing::notion().scaled(N)`.
//! - Each attempt has a timeout ([`ClientConfig::timeout`], 60 s by default; connecting at most
//!   10 s of it). A write that timed out or lost its answer may have been applied: look before
//!   writing again (SPEC §4).
//! - List endpoints are streams: [`NotionClient::search_stream`],
//!   [`NotionClient::block_children_stream`], [`NotionClient::query_data_source_stream`], and
//!   [`paginate::items`] / [`paginate::pages`] for any endpoint that answers a
//!   [`ListResponse`] page by page.
//! - [`models`] are serde types for Notion's objects. They read tolerantly and write Notion's
//!   exact shape, so the emulator (`notion-emulator`) answers with the same types.
//!
//! The base URL is configurable so the same client talks to the emulator in tests and demos.

mod client;
mod config;
mod endpoints;
mod errors;
pub mod models;
mod pacing;
pub mod paginate;
mod retry;
mod streams;
mod token;

pub use client::{CallRecord, NotionClient, Observer, TokenRenewer};
pub use config::{ClientConfig, RetryPolicy, DEFAULT_BASE_URL, DEFAULT_NOTION_VERSION};
pub use errors::NotionError;
pub use models::*;
pub use pacing::Pacing;
pub use token::AccessToken;

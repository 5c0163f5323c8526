//! The contract between the panel (wasm, in the Replit iframe) and the relay.
//!
//! - [`hash`]: content hashes, the only thing the panel sends about a file until the relay asks
//!   for its contents.
//! - [`api`]: request and response bodies of the relay's REST API, and its paths.
//! - [`session`]: the sync-session protocol of SPEC §4 (manifest → needed contents → file writes
//!   with expected hashes → acknowledgement).
//! - `client` (feature): a native HTTP client for all of it.
//!
//! Architecture invariant: without the `client` feature this crate does no I/O, so the panel can
//! link it without pulling in an HTTP stack.

pub mod api;
pub mod hash;
pub mod session;

#[cfg(feature = "client")]
pub mod client;

pub use hash::ContentHash;

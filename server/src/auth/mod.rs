//! Who is calling.
//!
//! - [`replit`]: verifies the Replit extension auth token the panel sends once per load.
//! - [`session`]: the relay's own short-lived session token, and the [`AuthUser`] extractor that
//!   every API route uses. Users are keyed by the verified Replit `userId`; ids in request bodies
//!   are never trusted.

pub mod replit;
pub mod session;

pub use replit::{ReplitIdentity, ReplitVerifier};
pub use session::AuthUser;

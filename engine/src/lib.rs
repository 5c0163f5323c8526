//! The sync engine: everything that decides what happens to a user's documents.
//!
//! - [`base_rule`]: compares each side with the base (the last content both sides agreed on) and
//!   decides: copy local to Notion, copy Notion to the file, nothing, or a conflict.
//! - [`title`]: where a page's title comes from (first-line `# H1`, else the file name) and how it
//!   returns to the file on pull.
//! - [`translate`]: file Markdown ↔ Notion-flavored Markdown.
//!
//! Architecture invariant: no I/O, no clock, no randomness. Every input is an argument, so every
//! decision can be replayed and property-tested. The relay does the I/O around it.

pub mod base_rule;
pub mod title;
pub mod translate;

pub use base_rule::{decide, Base, Decision, SideState};

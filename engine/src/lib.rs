//! The sync engine: everything that decides what happens to a user's documents.
//!
//! - [`file_page`]: one file ↔ one page — the [`file_page::plan`] for an item (create, push as
//!   `update_content` edits, pull as a patched file, merge, conflict, deletions under G6/G7).
//! - [`planner`]: a folder ↔ a database — what to fetch ([`planner::needs`]) and the plan for
//!   every row and file ([`planner::plan_folder`]), renames, new rows and files, G8.
//! - [`translate`]: GFM ↔ Notion-flavored Markdown (v1 default, v2 by option).
//! - [`document`], [`merge`], [`strategy`], [`edits`]: chunks and blocks, the three-way merge,
//!   conflict strategies, the fewest remote edits.
//! - [`frontmatter`]: YAML front matter ↔ typed page properties, formatting kept.
//! - [`normalize`]: file bytes (BOM, CRLF, final newline) and content hashing.
//! - [`code_page`]: any text file ↔ a page of code blocks — [`code_page::plan`], the same
//!   [`file_page::Plan`] with a line-level three-way merge, split within Notion's limits.
//! - [`project_row`]: the Repl as a row of a Projects database — values, types, what to write.
//! - [`names`], [`title`], [`base_rule`]: safe file names, titles, and the hash-level base rule
//!   the relay started with.
//!
//! Architecture invariant: no I/O, no clock, no randomness. Every input is an argument, so every
//! decision can be replayed and property-tested. The relay does the I/O around it.

pub mod base_rule;
pub mod code_page;
mod diff;
pub mod document;
pub mod edits;
pub mod error;
pub mod file_page;
pub mod frontmatter;
pub mod merge;
pub mod names;
pub mod normalize;
pub mod planner;
pub mod project_row;
pub mod strategy;
pub mod title;
pub mod translate;

pub use base_rule::{decide, Base, Decision, SideState};
pub use error::EngineError;

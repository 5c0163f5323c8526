//! The relay's integration tests: one binary (faster to link), one module per concern.
//! They run against the Notion emulator over loopback HTTP and, for the store, against both
//! SQLite and PostgreSQL.

mod auth;
mod bad_input;
mod code_page;
mod durability;
mod folder;
mod helpers;
mod jobs;
mod oauth;
mod project_row;
mod security;
mod store;
mod sync;
mod ws;

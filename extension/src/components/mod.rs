//! The panel's components, one screen part per file.

mod app;
mod banner;
mod connection;
mod files;
mod header;
mod mappings;
mod new_mapping;
mod screens;
mod sync_result;

pub use app::App;

//! The Notion Sync panel: a Dioxus app that runs in the Replit workspace's extension iframe.
//!
//! - [`replit`]: bindings to the official `@replit/extensions` client (the only way to the Repl).
//! - [`relay`]: the typed HTTP client of the relay API; [`live`]: its live status WebSocket.
//! - [`files`]: the walk of the Repl's tree; [`globs`]: a folder mapping's include/exclude
//!   patterns; [`project`]: what a project row says of the Repl.
//! - [`sync`]: the panel's side of a sync session; [`watch`]: auto-sync while the panel is open.
//! - [`diff`]: the line diff of the conflict and history views; [`model`]: labels and statuses.
//! - [`theme`]: follows the workspace theme.
//! - [`state`]: shared state and the actions on it; [`components`]: what the user sees.
//! - [`background`]: the background page's workspace commands (same wasm, no Dioxus).
//!
//! It builds for wasm32 (the real thing) and natively (so `cargo check`/`clippy`/unit tests run
//! on the whole workspace); natively `main` only explains itself.

mod background;
mod components;
mod diff;
mod files;
mod globs;
mod live;
mod model;
mod project;
mod relay;
mod replit;
mod state;
mod sync;
mod theme;
mod watch;

#[cfg(target_arch = "wasm32")]
fn main() {
    if background::is_background_page() {
        background::start();
    } else {
        dioxus::launch(components::App);
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // Keeps both entry points reachable for dead-code analysis in native builds.
    let _app: fn() -> dioxus::prelude::Element = components::App;
    let _background: fn() = background::start;
    let _mode: fn() -> bool = background::is_background_page;
    eprintln!(
        "The Notion Sync panel runs in a browser: build it with \
         `cargo build -p extension --target wasm32-unknown-unknown --profile wasm-release` \
         (or `cargo xtask run`)."
    );
}

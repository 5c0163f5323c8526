//! The Notion Sync panel: a Dioxus app that runs in the Replit workspace's extension iframe.
//!
//! - [`replit`]: bindings to the official `@replit/extensions` client (the only way to the Repl).
//! - [`relay`]: the typed HTTP client of the relay API.
//! - [`files`]: the walk of the Repl's tree.
//! - [`sync`]: the panel's side of a sync session.
//! - [`theme`]: follows the workspace theme.
//! - [`state`]: shared state and the actions on it; [`components`]: what the user sees.
//!
//! It builds for wasm32 (the real thing) and natively (so `cargo check`/`clippy`/unit tests run
//! on the whole workspace); natively `main` only explains itself.

mod components;
mod files;
mod relay;
mod replit;
mod state;
mod sync;
mod theme;

#[cfg(target_arch = "wasm32")]
fn main() {
    dioxus::launch(components::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    // Keeps the app reachable for dead-code analysis in native builds.
    let _app: fn() -> dioxus::prelude::Element = components::App;
    eprintln!(
        "The Notion Sync panel runs in a browser: build it with \
         `cargo build -p extension --target wasm32-unknown-unknown --profile wasm-release` \
         (or `cargo xtask run`)."
    );
}

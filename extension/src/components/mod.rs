//! The panel's components, one feature per file.

mod app;
mod banner;
mod conflicts;
mod connection;
mod files;
mod header;
mod history;
mod logs;
mod mapping_form;
mod mappings;
mod nav;
mod page_picker;
mod preview;
mod screens;
mod settings;
mod sync_result;

pub use app::App;

use dioxus::prelude::*;
use std::future::Future;

/// The state of a button's async action (like `use_action`, but with the error as text:
/// `use_action`'s `CapturedError` brings anyhow's backtrace printing into the wasm).
#[derive(Clone, Copy, PartialEq)]
pub struct Act {
    pub busy: Signal<bool>,
    pub error: Signal<Option<String>>,
    pub done: Signal<bool>,
}

pub fn use_act() -> Act {
    Act {
        busy: use_signal(|| false),
        error: use_signal(|| None),
        done: use_signal(|| false),
    }
}

impl Act {
    /// Runs `work` unless it is already running; keeps its outcome.
    pub fn run<E: std::fmt::Display>(self, work: impl Future<Output = Result<(), E>> + 'static) {
        self.start(Box::pin(
            async move { work.await.map_err(|e| e.to_string()) },
        ));
    }

    /// The non-generic part (one copy in the wasm, whatever the work).
    fn start(mut self, work: std::pin::Pin<Box<dyn Future<Output = Result<(), String>>>>) {
        if *self.busy.peek() {
            return;
        }
        self.busy.set(true);
        self.error.set(None);
        spawn(async move {
            let result = work.await;
            self.busy.set(false);
            match result {
                Ok(()) => self.done.set(true),
                Err(e) => self.error.set(Some(e)),
            }
        });
    }
}

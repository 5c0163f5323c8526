//! The root component: owns the state, starts the boot sequence, picks the screen.

use super::banner::ErrorBanner;
use super::connection::ConnectionSection;
use super::files::FilesSection;
use super::header::Header;
use super::mappings::MappingsSection;
use super::screens::{Connecting, HandshakeHelp, NotInReplit, StatusFooter};
use super::sync_result::SyncResultView;
use crate::relay::{relay_base_url, Relay};
use crate::state::{self, AppState, Phase};
use dioxus::prelude::*;

#[component]
pub fn App() -> Element {
    let state = use_hook(AppState::new);
    use_context_provider(|| state);
    let relay = use_context_provider(|| Relay::new(relay_base_url()));
    use_hook(move || spawn(state::boot(state, relay)));

    let phase = state.phase.read().clone();
    match phase {
        Phase::NotInReplit => rsx! { NotInReplit {} },
        Phase::Handshaking => rsx! { Connecting {} },
        Phase::HandshakeFailed(_) => rsx! {
            main { id: "handshake-failed", class: "panel",
                Header {}
                ErrorBanner {}
                HandshakeHelp {}
            }
        },
        Phase::Ready => rsx! {
            main { class: "panel",
                Header {}
                ErrorBanner {}
                ConnectionSection {}
                MappingsSection {}
                SyncResultView {}
                FilesSection {}
                StatusFooter {}
            }
        },
    }
}

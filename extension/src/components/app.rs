//! The root component: owns the state, starts the boot sequence, the live status and auto-sync,
//! and picks the screen.

use super::banner::ErrorBanner;
use super::conflicts::{ConflictView, ConflictsView};
use super::connection::ConnectionSection;
use super::files::FilesSection;
use super::header::Header;
use super::history::HistoryView;
use super::logs::ActivityView;
use super::mapping_form::MappingForm;
use super::mappings::MappingsView;
use super::nav::Nav;
use super::preview::PreviewView;
use super::screens::{Connecting, HandshakeHelp, NotInReplit, StatusFooter};
use super::settings::SettingsView;
use crate::relay::{relay_base_url, Relay};
use crate::state::{self, AppState, Phase, View};
use crate::watch::{self, Watchers};
use crate::{live, theme};
use dioxus::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;

#[component]
pub fn App() -> Element {
    let state = use_hook(AppState::new);
    use_context_provider(|| state);
    let relay = use_context_provider(|| Relay::new(relay_base_url()));
    use_hook(|| spawn(state::boot(state, relay.clone())));

    // The first render, for the performance budget (SPEC §10), measured from navigation start.
    use_effect(|| theme::mark("panel-first-render"));

    // Live status: (re)connect when the session is ready and Notion connected, or asked to.
    let live_relay = relay.clone();
    use_effect(move || {
        let epoch = (state.live_epoch)();
        if state.connected() {
            spawn(live::follow(state, live_relay.clone(), epoch));
        }
    });
    // Something finished elsewhere (a command, another tab): reload.
    let refresh_relay = relay.clone();
    use_effect(move || {
        if (state.refresh)() > 0 {
            let relay = refresh_relay.clone();
            spawn(async move {
                state::reload(state, relay).await;
            });
        }
    });
    // Auto-sync runs for the life of the panel.
    let watchers = use_hook(|| Rc::new(RefCell::new(Watchers::default())));
    let auto_relay = relay.clone();
    use_hook(|| spawn(watch::run(state, auto_relay, watchers)));

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
                if state.connected() {
                    Nav {}
                    Main {}
                } else {
                    FilesSection {}
                }
                StatusFooter {}
            }
        },
    }
}

/// The main area: the current view.
#[component]
fn Main() -> Element {
    let state = use_context::<AppState>();
    let view = state.view.read().clone();
    let name = view_name(&view);
    rsx! {
        div { id: "view", class: "view", role: "tabpanel", "data-view": name,
            match view {
                View::Mappings => rsx! { MappingsView {} },
                View::NewMapping => rsx! { MappingForm { editing: None } },
                View::EditMapping(id) => rsx! { MappingForm { key: "{id}", editing: Some(id.clone()) } },
                View::Preview(id) => rsx! { PreviewView { key: "{id}", mapping_id: id.clone() } },
                View::History(path) => rsx! { HistoryView { key: "{path}", path: path.clone() } },
                View::Conflicts => rsx! { ConflictsView {} },
                View::Conflict(id) => rsx! { ConflictView { key: "{id}", conflict_id: id.clone() } },
                View::Activity => rsx! { ActivityView {} },
                View::Settings => rsx! { SettingsView {} },
            }
        }
    }
}

fn view_name(view: &View) -> &'static str {
    match view {
        View::Mappings => "mappings",
        View::NewMapping => "new-mapping",
        View::EditMapping(_) => "edit-mapping",
        View::Preview(_) => "preview",
        View::History(_) => "history",
        View::Conflicts => "conflicts",
        View::Conflict(_) => "conflict",
        View::Activity => "activity",
        View::Settings => "settings",
    }
}

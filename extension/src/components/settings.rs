//! The Settings tab: what the panel does with your data, and "Delete my data" (with a
//! confirmation: `#delete-my-data`, then `#confirm-delete-data`).

use super::use_act;
use crate::relay::{Relay, RelayError};
use crate::state::{self, AppState, Loadable, View};
use dioxus::core::spawn_forever;
use dioxus::prelude::*;
use protocol::api::ConnectionStatus;

async fn delete_everything(mut state: AppState, relay: Relay) -> Result<(), RelayError> {
    relay.delete_me().await?;
    state.data_deleted.set(true);
    state.sync.set(None);
    state.troubles.write().clear();
    state.mappings.set(Loadable::Loaded(Vec::new()));
    state.conflicts.set(Loadable::Loaded(Vec::new()));
    state.logs.set(Loadable::Loaded(Vec::new()));
    state.connection.set(Some(ConnectionStatus {
        connected: false,
        workspace: None,
    }));
    state.go(View::Mappings);
    spawn_forever(async move {
        state::reload(state, relay).await;
    });
    Ok(())
}

#[component]
pub fn SettingsView() -> Element {
    let state = use_context::<AppState>();
    let relay = use_context::<Relay>();
    let mut confirm = use_signal(|| false);
    let act = use_act();
    let error = (act.error)();
    let busy = (act.busy)();
    let watching = (state.watching)();
    let live = (state.live)();
    rsx! {
        section { class: "section", "aria-labelledby": "settings-heading",
            h2 { id: "settings-heading", "Settings" }
            div { class: "card section",
                h3 { "Sync" }
                p { class: "small",
                    "Auto-sync is set per mapping (Edit on a card). While this panel is open, "
                    "{watching} file"
                    if watching != 1 { "s are" } else { " is" }
                    " watched for changes."
                }
                p { class: "small",
                    "Live progress: "
                    if live { "connected" } else { "not connected" }
                }
                p { class: "dim small",
                    "Workspace commands work without this panel: “Sync with Notion” in the command "
                    "bar, and “Sync this file to Notion” / “Open in Notion” on Markdown files in the file tree."
                }
            }
            div { class: "card section danger-zone",
                h3 { "Your data" }
                p { class: "small",
                    "The sync server keeps your Notion token (encrypted), your mappings, the last "
                    "agreed version of each file, its history and the sync logs. Your Repl files and "
                    "Notion pages are never deleted by this."
                }
                if confirm() {
                    div { class: "confirm", role: "group", "aria-label": "Confirm deleting your data",
                        p { class: "small strong",
                            "Delete everything Notion Sync keeps about you? The Notion connection is revoked "
                            "and all mappings, history and logs are erased. This cannot be undone."
                        }
                        div { class: "row",
                            button {
                                id: "confirm-delete-data",
                                class: "btn btn-danger btn-small",
                                r#type: "button",
                                disabled: busy,
                                onclick: move |_| {
                                    act.run(delete_everything(state, relay.clone()));
                                },
                                if busy { "Deleting…" } else { "Delete my data" }
                            }
                            button {
                                class: "btn btn-secondary btn-small",
                                r#type: "button",
                                onclick: move |_| confirm.set(false),
                                "Cancel"
                            }
                        }
                    }
                } else {
                    button {
                        id: "delete-my-data",
                        class: "btn btn-danger btn-small",
                        r#type: "button",
                        onclick: move |_| confirm.set(true),
                        "Delete my data…"
                    }
                }
                if let Some(e) = error {
                    p { class: "form-error", role: "alert", "{e}" }
                }
            }
        }
    }
}

//! Connect Notion (popup OAuth; the workspace's name shown), disconnect (with a confirmation),
//! connect again, and "Delete my data" (with a confirmation): nothing comes back after a reload.

mod common;

use common::*;

#[tokio::test]
async fn connect_disconnect_and_delete_my_data() {
    let Some(f) = Fixture::start("connection").await else {
        return;
    };
    let c = &f.c;
    f.open().await;
    wait_css(c, "#connection-status[data-connected='false']").await;
    f.connect_notion().await;
    wait_text(c, "#connection-status", "Acme").await;
    wait_css(c, "#tab-mappings[aria-selected='true']").await;

    // Disconnect asks first; Cancel keeps the connection.
    click(c, "#disconnect-notion").await;
    wait_css(c, "#disconnect-confirm").await;
    click(c, "#disconnect-confirm .btn-secondary").await;
    wait_gone(c, "#disconnect-confirm").await;
    click(c, "#disconnect-notion").await;
    click(c, "#confirm-disconnect").await;
    wait_css(c, "#connection-status[data-connected='false']").await;
    wait_css(c, "#connect-notion").await;

    // Connect again, map a file, then delete everything.
    f.connect_notion().await;
    f.map_new_page("notes.md", false).await;
    f.sync_card("notes.md", "created").await;
    click(c, "#tab-settings").await;
    click(c, "#delete-my-data").await;
    click(c, "#confirm-delete-data").await;
    wait_css(c, "#data-deleted").await;
    wait_css(c, "#connection-status[data-connected='false']").await;

    // A fresh load: not connected, no mapping.
    f.open().await;
    wait_css(c, "#connection-status[data-connected='false']").await;
    f.connect_notion().await;
    wait_css(c, "#no-mappings").await;
    f.finish().await;
}

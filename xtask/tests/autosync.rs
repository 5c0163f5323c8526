//! Auto-sync while the panel is open: a mapping with auto-sync on syncs by itself (its first
//! sync is due at once), and an edit saved in the Repl reaches Notion within 5 s through the
//! workspace's file watcher — no click.

mod common;

use common::*;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_saved_edit_syncs_by_itself_within_5_seconds() {
    let Some(f) = Fixture::start("auto-sync").await else {
        return;
    };
    let c = &f.c;
    f.open_connected().await;
    let api = f.api().await;

    f.map_new_page("notes.md", true).await;
    let card = ".mapping-card[data-path='notes.md']";
    wait_text(c, &format!("{card} .mapping-frequency"), "Every 5 min").await;
    // Never synced and auto-sync on: due now.
    wait_css(
        c,
        "#sync-result[data-state='done'][data-trigger='auto'][data-path='notes.md'] .sync-item[data-action='created']",
    )
    .await;
    let page = api.find_page("Project notes").await;
    // The watcher is on the file; give the workspace a poll to take its first look.
    wait_css(c, "#auto-sync-status[data-watching='1']").await;
    tokio::time::sleep(Duration::from_millis(1500)).await;

    let saved = Instant::now();
    let edited = f.read("notes.md") + "\nSaved in the editor, synced by itself.\n";
    f.write("notes.md", &edited);
    let mut took = None;
    while saved.elapsed() < Duration::from_secs(15) {
        if api.markdown(&page).await.contains("Saved in the editor") {
            took = Some(saved.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = took.expect("the edit reached Notion");
    println!("auto-sync: saved → in Notion in {took:.2?}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    wait_css(
        c,
        "#sync-result[data-state='done'][data-trigger='auto'] .sync-item[data-action='pushed']",
    )
    .await;
    f.finish().await;
}

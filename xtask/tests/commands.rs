//! The workspace commands, registered by the background page (extension.json "background"),
//! used from the simulator's command bar and file-tree menu while the panel is closed.

mod common;

use common::*;
use std::time::Duration;

/// Opens the file-tree menu of `path` and waits until its commands are listed.
async fn file_menu(f: &Fixture, path: &str) {
    let c = &f.c;
    leave_panel(c).await;
    click(c, &format!(".file-menu-button[data-path='{path}']")).await;
    wait_css(
        c,
        &format!("#file-menu[data-path='{path}'][data-ready='true']"),
    )
    .await;
}

async fn wait_toast(f: &Fixture, needle: &str) -> String {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let toasts = f.toasts().await;
        if let Some(t) = toasts.iter().rev().find(|t| t.contains(needle)) {
            return t.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no toast with {needle:?}: {toasts:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn commands_work_with_the_panel_closed() {
    let Some(f) = Fixture::start("the workspace commands").await else {
        return;
    };
    let c = &f.c;
    f.open_connected().await;

    // The background page is running and registered its commands.
    leave_panel(c).await;
    wait_css(c, "#background-state[data-state='ok']").await;
    for id in [
        "notion-sync.sync-all",
        "notion-sync.sync-file",
        "notion-sync.open-in-notion",
    ] {
        wait_css(c, &format!(".registered-command[data-command-id='{id}']")).await;
    }

    // Close the panel: what follows goes through the background page only.
    click(c, "#toggle-panel").await;
    wait_css(c, "#panel-closed").await;
    assert!(
        c.find(fantoccini::Locator::Css("iframe#panel-frame"))
            .await
            .is_err(),
        "the panel is gone"
    );

    // File tree → "Sync this file to Notion" on an unmapped file: maps it to a new page, syncs.
    file_menu(&f, "docs/spec.md").await;
    assert!(
        c.find(fantoccini::Locator::Css(
            "#file-menu .command-item[data-command-id='notion-sync.open-in-notion']"
        ))
        .await
        .is_err(),
        "no Open in Notion for a file without a page"
    );
    click(
        c,
        "#file-menu .command-item[data-command-id='notion-sync.sync-file']",
    )
    .await;
    let toast = wait_toast(&f, "Synced docs/spec.md with Notion").await;
    assert!(toast.contains("1 created"), "{toast}");
    let api = f.api().await;
    let page = api.find_page("API spec").await;
    let before = api.markdown(&page).await;
    assert!(!before.is_empty(), "the page has the file's content");

    // Command bar → "Sync with Notion": pushes an edit of the mapped file.
    let edited = f.read("docs/spec.md") + "\nA line added in the Repl.\n";
    f.write("docs/spec.md", &edited);
    click(c, "#command-bar-button").await;
    wait_css(c, "#command-results[data-ready='true']").await;
    click(
        c,
        "#command-results .command-item[data-command-id='notion-sync.sync-all']",
    )
    .await;
    let toast = wait_toast(&f, "Synced 1 file with Notion").await;
    assert!(toast.contains("1 pushed"), "{toast}");
    eventually("Notion has the edit", WAIT, || async {
        api.markdown(&page)
            .await
            .contains("A line added in the Repl.")
    })
    .await;

    // File tree → "Open in Notion" on the mapped file.
    let windows_before = c.windows().await.unwrap().len();
    file_menu(&f, "docs/spec.md").await;
    click(
        c,
        "#file-menu .command-item[data-command-id='notion-sync.open-in-notion']",
    )
    .await;
    let toast = wait_toast(&f, "in Notion").await;
    assert!(
        toast.contains("Opened the page") || toast.contains(&page.replace('-', "")),
        "{toast}"
    );
    if toast.contains("Opened the page") {
        eventually(
            "a window with the page opened",
            Duration::from_secs(10),
            || async { c.windows().await.unwrap().len() > windows_before },
        )
        .await;
    }
    let runs = js(c, "return window.simulator.commandRuns.map(r => r.status)").await;
    assert!(
        runs.as_array().unwrap().iter().all(|s| s == "done"),
        "every command ran: {runs}"
    );

    // The panel, opened again, shows what the commands did.
    leave_panel(c).await;
    click(c, "#toggle-panel").await;
    enter_panel(c).await;
    wait_css(c, "#panel-ready").await;
    wait_css(
        c,
        ".mapping-card[data-path='docs/spec.md'] .status-badge[data-status='synced']",
    )
    .await;
    f.finish().await;
}

//! End to end, in a real browser: the stack `cargo xtask run` starts (emulator, relay serving the
//! panel, workspace simulator), driven through headless Chromium with fantoccini. The thin path:
//! connect, map a file to a new page, push, edit in Notion, pull. The other suites of this
//! folder cover the rest of the panel (see `common/` for what they share).

mod common;

use common::*;

#[tokio::test]
async fn file_to_page_and_back_in_a_real_browser() {
    let Some(f) = Fixture::start("the end-to-end thin path").await else {
        return;
    };
    let c = &f.c;
    f.open().await;
    wait_text(c, "#repl-user", "demo").await;

    // Connect Notion through the popup.
    f.connect_notion().await;
    wait_text(c, "#connection-status", "Acme").await;

    // Map notes.md to a new page and sync (the DOM hooks of the first panel still work).
    wait_css(c, "#file-select").await;
    click(c, "#file-select option[value='notes.md']").await;
    click(c, "#target-new").await;
    click(c, "#create-mapping").await;
    click(c, ".mapping-card[data-path='notes.md'] .sync-now").await;
    wait_css(
        c,
        "#sync-result[data-state='done'] .sync-item[data-action='created']",
    )
    .await;

    // The page exists in Notion with the file's content; the H1 became its title.
    let api = f.api().await;
    let page_id = api.find_page("Project notes").await;
    let markdown = api.markdown(&page_id).await;
    assert!(
        markdown.contains("Ideas and decisions for the project"),
        "page content: {markdown}"
    );
    assert!(
        !markdown.contains("# Project notes"),
        "the title is not duplicated in the body"
    );

    // Someone edits the page in Notion; Sync now brings it into the file.
    let edited = markdown.replace(
        "Ideas and decisions for the project",
        "Ideas, decisions and owners for the project",
    );
    api.set_markdown(&page_id, &edited).await;
    f.sync_card("notes.md", "pulled").await;
    let on_disk = f.read("notes.md");
    assert!(
        on_disk.contains("Ideas, decisions and owners for the project"),
        "file on disk:\n{on_disk}"
    );
    assert!(
        on_disk.starts_with("# Project notes\n"),
        "the title came back as the H1:\n{on_disk}"
    );

    // A screenshot of the whole simulator.
    leave_panel(c).await;
    let png = c.screenshot().await.unwrap();
    let out = xtask::target_dir().join("e2e");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("panel.png"), png).unwrap();
    f.finish().await;
}

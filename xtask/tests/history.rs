//! History per file: a pull replaces the file, the replaced version is listed with its time,
//! side and reason, its diff against the file now is shown, and Restore puts it back (the relay
//! answers the write; the panel checks the file's hash, writes it, then syncs it to Notion).

mod common;

use common::*;

#[tokio::test]
async fn history_shows_diffs_and_restores() {
    let Some(f) = Fixture::start("history").await else {
        return;
    };
    let c = &f.c;
    f.open_connected().await;
    let api = f.api().await;

    f.map_new_page("notes.md", false).await;
    f.sync_card("notes.md", "created").await;
    let original = f.read("notes.md");
    let page = f.card_page("notes.md").await;
    let md = api.markdown(&page).await;
    api.set_markdown(
        &page,
        &md.replace("Ideas and decisions", "Rewritten in Notion: decisions"),
    )
    .await;
    f.sync_card("notes.md", "pulled").await;
    assert!(f.read("notes.md").contains("Rewritten in Notion"));

    // The version the pull replaced, with its diff against the file now.
    click(c, ".mapping-card[data-path='notes.md'] .history").await;
    wait_css(c, "#history-view[data-path='notes.md']").await;
    let revision = ".revision[data-side='repl'][data-reason='pull']";
    wait_text(c, revision, "replaced by a pull from Notion").await;
    click(c, &format!("{revision} .revision-button")).await;
    wait_text(
        c,
        "#revision-diff .diff-line[data-change='removed']",
        "Ideas and decisions",
    )
    .await;
    wait_text(
        c,
        "#revision-diff .diff-line[data-change='added']",
        "Rewritten in Notion",
    )
    .await;

    // Restore: the file is the old version again, and the sync takes it to Notion.
    click(c, "#restore-revision").await;
    wait_css(
        c,
        "#sync-result[data-state='done'][data-path='notes.md'] .sync-item[data-action='pushed']",
    )
    .await;
    assert_eq!(f.read("notes.md"), original);
    let md = api.markdown(&page).await;
    assert!(md.contains("Ideas and decisions"), "{md}");
    assert!(!md.contains("Rewritten in Notion"), "{md}");

    // The restore itself is in history: what it replaced can come back too.
    click(c, ".mapping-card[data-path='notes.md'] .history").await;
    wait_css(c, ".revision[data-reason='restore']").await;
    f.finish().await;
}

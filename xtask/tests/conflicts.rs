//! Conflicts made by editing both sides (the file on disk, the page through the emulator's API),
//! compared side by side (base, Repl, Notion, changed lines marked) and resolved with each of
//! the three choices: Keep Repl, Keep Notion, and an edited merge — the last one on a first
//! link (both sides had content before the mapping, no base). Resolving runs the sync that
//! applies the choice; the Activity tab shows the runs with their conflict badges.

mod common;

use common::*;
use fantoccini::Locator;

/// Opens a conflict of the list and checks the side-by-side view.
async fn open_conflict(f: &Fixture, path: &str, first_link: bool) {
    let c = &f.c;
    click(c, "#tab-conflicts").await;
    click(
        c,
        &format!(".conflict-item[data-path='{path}'] .open-conflict"),
    )
    .await;
    let view = wait_css(c, &format!("#conflict-view[data-path='{path}']")).await;
    assert_eq!(
        view.attr("data-first-link").await.unwrap().as_deref(),
        Some(if first_link { "true" } else { "false" })
    );
    for side in ["repl", "notion"] {
        wait_css(
            c,
            &format!("#conflict-view .conflict-col[data-side='{side}'] .line.changed"),
        )
        .await;
    }
    if !first_link {
        wait_css(
            c,
            "#conflict-view .conflict-col[data-side='base'] .line.changed",
        )
        .await;
    }
}

/// Waits for the sync a resolution runs.
async fn resolved_by_sync(f: &Fixture, path: &str, action: &str) {
    wait_css(
        &f.c,
        &format!(
            "#sync-result[data-state='done'][data-path='{path}'] .sync-item[data-action='{action}']"
        ),
    )
    .await;
}

#[tokio::test]
async fn conflicts_resolved_side_by_side() {
    let Some(f) = Fixture::start("conflicts").await else {
        return;
    };
    let c = &f.c;
    f.open_connected().await;
    let api = f.api().await;

    // Two files synced to new pages, then changed on both sides at the same line.
    f.map_new_page("notes.md", false).await;
    f.sync_card("notes.md", "created").await;
    f.map_new_page("README.md", false).await;
    f.sync_card("README.md", "created").await;
    let notes_page = f.card_page("notes.md").await;
    let readme_page = f.card_page("README.md").await;

    let notes = f.read("notes.md");
    assert!(notes.contains("Ideas and decisions for the project"));
    f.write(
        "notes.md",
        &notes.replace("Ideas and decisions", "Repl: ideas and decisions"),
    );
    let md = api.markdown(&notes_page).await;
    api.set_markdown(
        &notes_page,
        &md.replace("Ideas and decisions", "Notion: ideas and decisions"),
    )
    .await;
    f.sync_card("notes.md", "conflict").await;
    wait_css(
        c,
        ".mapping-card[data-path='notes.md'] .status-badge[data-status='conflicts']",
    )
    .await;

    let readme = f.read("README.md");
    let first_line = readme
        .lines()
        .find(|l| !l.starts_with('#') && !l.trim().is_empty())
        .expect("README.md has a paragraph")
        .to_string();
    f.write(
        "README.md",
        &readme.replacen(&first_line, "Edited in the Repl.", 1),
    );
    let md = api.markdown(&readme_page).await;
    assert!(md.contains(&first_line), "{md}");
    api.set_markdown(
        &readme_page,
        &md.replacen(&first_line, "Edited in Notion.", 1),
    )
    .await;
    f.sync_card("README.md", "conflict").await;

    // A first link: docs/spec.md ↔ the existing "Meeting Notes" page, both with content.
    click(c, "#new-mapping-button").await;
    click(c, "#file-select option[value='docs/spec.md']").await;
    click(c, "#target-existing").await;
    type_into(c, "#page-search", "Meeting").await;
    wait_text(c, ".page-result", "Meeting Notes")
        .await
        .click()
        .await
        .unwrap();
    click(c, "#create-mapping").await;
    wait_css(c, ".mapping-card[data-path='docs/spec.md']").await;
    f.sync_card("docs/spec.md", "conflict").await;
    let meeting_page = api.find_page("Meeting Notes").await;

    click(c, "#tab-conflicts").await;
    wait_text(c, "#tab-conflicts .count", "3").await;

    // notes.md: Keep Repl → pushed; Notion has the Repl's line.
    open_conflict(&f, "notes.md", false).await;
    click(c, "#keep-repl").await;
    resolved_by_sync(&f, "notes.md", "pushed").await;
    let md = api.markdown(&notes_page).await;
    assert!(md.contains("Repl: ideas and decisions"), "{md}");
    assert!(!md.contains("Notion: ideas"), "{md}");

    // README.md: Keep Notion → pulled; the file has Notion's line.
    open_conflict(&f, "README.md", false).await;
    click(c, "#keep-notion").await;
    resolved_by_sync(&f, "README.md", "pulled").await;
    let on_disk = f.read("README.md");
    assert!(on_disk.contains("Edited in Notion."), "{on_disk}");
    assert!(!on_disk.contains("Edited in the Repl."), "{on_disk}");

    // docs/spec.md (first link): the merge editor starts with both versions between markers;
    // an edited merge goes to both sides.
    open_conflict(&f, "docs/spec.md", true).await;
    let merged_start = wait_css(c, "#merged-text")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(merged_start.contains("<<<<<<< Repl"), "{merged_start}");
    wait_css(c, "#merge-markers-warning").await;
    assert_eq!(
        wait_css(c, "#resolve-merged")
            .await
            .attr("disabled")
            .await
            .unwrap()
            .as_deref(),
        Some("true"),
        "a merge with markers cannot be saved"
    );
    let merged = "# API spec\n\nMerged by hand: the spec and the meeting notes.\n";
    type_into(c, "#merged-text", merged).await;
    click(c, "#resolve-merged").await;
    resolved_by_sync(&f, "docs/spec.md", "pushed").await;
    assert_eq!(f.read("docs/spec.md"), merged);
    let md = api.markdown(&meeting_page).await;
    assert!(md.contains("Merged by hand"), "{md}");

    // Nothing left to resolve; the cards are synced again.
    click(c, "#tab-conflicts").await;
    wait_css(c, "#no-conflicts").await;
    assert!(c.find(Locator::Css("#tab-conflicts .count")).await.is_err());
    click(c, "#tab-mappings").await;
    for path in ["notes.md", "README.md", "docs/spec.md"] {
        wait_css(
            c,
            &format!(".mapping-card[data-path='{path}'] .status-badge[data-status='synced']"),
        )
        .await;
    }

    // Activity: the runs that met conflicts carry a badge; the resolving runs say so.
    click(c, "#tab-activity").await;
    wait_css(c, "#sync-logs .log-item .conflict-badge").await;
    wait_css(c, "#sync-logs .log-item .resolved-badge").await;
    let items = c
        .find_all(Locator::Css("#sync-logs .log-item"))
        .await
        .unwrap();
    assert!(items.len() <= 10, "the last 10 runs at most");
    f.finish().await;
}

//! Mappings through the panel's form: a new page inside a parent found with the page picker,
//! an existing page found by search, editing how a mapping syncs (PATCH), a preview (dry run)
//! that writes nothing, and Sync now with live per-item progress and its summary.

mod common;

use common::*;
use fantoccini::Locator;

#[tokio::test]
async fn create_edit_preview_and_sync_with_progress() {
    let Some(f) = Fixture::start("mappings").await else {
        return;
    };
    let c = &f.c;
    f.open_connected().await;
    let api = f.api().await;

    // A new page, created inside "Team Handbook" (picked with the parent search).
    click(c, "#file-select option[value='notes.md']").await;
    click(c, "#target-new").await;
    click(c, ".parent-picker summary").await;
    type_into(c, "#parent-search", "Team").await;
    wait_text(c, ".parent-result", "Team Handbook")
        .await
        .click()
        .await
        .unwrap();
    wait_text(c, "#selected-parent", "Team Handbook").await;
    click(c, "#create-mapping").await;
    let card = ".mapping-card[data-path='notes.md']";
    wait_css(
        c,
        &format!("{card} .status-badge[data-status='never_synced']"),
    )
    .await;
    wait_text(c, &format!("{card} .mapping-direction"), "Both ways").await;
    wait_text(c, &format!("{card} .mapping-frequency"), "Manual").await;

    // An existing page, found by search.
    click(c, "#new-mapping-button").await;
    click(c, "#file-select option[value='docs/spec.md']").await;
    click(c, "#target-existing").await;
    type_into(c, "#page-search", "Roadm").await;
    wait_text(c, ".page-result", "Roadmap")
        .await
        .click()
        .await
        .unwrap();
    wait_text(c, "#selected-page", "Roadmap").await;
    click(c, "#direction-select option[value='notion_to_replit']").await;
    click(c, "#create-mapping").await;
    let spec = ".mapping-card[data-path='docs/spec.md']";
    wait_text(c, &format!("{spec} .mapping-page"), "Roadmap").await;
    wait_text(
        c,
        &format!("{spec} .mapping-direction"),
        "Notion → Repl only",
    )
    .await;

    // Preview: the plan per item, and nothing written.
    click(c, &format!("{card} .preview")).await;
    wait_css(
        c,
        "#preview[data-state='done'] .plan-item[data-action='created'][data-path='notes.md']",
    )
    .await;
    let found = api
        .call(
            reqwest::Method::POST,
            "search",
            Some(serde_json::json!({"query": "Project notes"})),
        )
        .await;
    assert_eq!(
        found["results"].as_array().map(Vec::len),
        Some(0),
        "a preview creates nothing: {found}"
    );
    click(c, "#preview-close").await;

    // Sync now with live progress: Notion's create is slowed down so the stages can be seen.
    api.faults("delay,ms=2500,next=1,method=POST,path=/v1/pages")
        .await;
    click(c, &format!("{card} .sync-now")).await;
    wait_css(
        c,
        "#sync-result[data-state='running'] .sync-item[data-stage='writing_notion']",
    )
    .await;
    wait_text(c, &format!("{card} .card-progress"), "Writing to Notion").await;
    wait_css(
        c,
        "#sync-result[data-state='done'] .sync-item[data-action='created']",
    )
    .await;
    let result = wait_css(c, "#sync-result").await;
    let progress = result
        .attr("data-progress")
        .await
        .unwrap()
        .unwrap_or_default();
    for stage in [
        "reading",
        "syncing",
        "reading_notion",
        "writing_notion",
        "planned",
        "done",
    ] {
        assert!(
            progress.split(',').any(|s| s == stage),
            "{stage} in {progress}"
        );
    }
    let summary = wait_css(c, "#sync-summary").await;
    assert_eq!(
        summary.attr("data-processed").await.unwrap().as_deref(),
        Some("1")
    );
    assert_eq!(
        summary.attr("data-errors").await.unwrap().as_deref(),
        Some("0")
    );
    assert_eq!(
        summary
            .attr("data-conflicts-detected")
            .await
            .unwrap()
            .as_deref(),
        Some("0")
    );
    let ms: i64 = summary
        .attr("data-ms")
        .await
        .unwrap()
        .unwrap_or_default()
        .parse()
        .unwrap();
    assert!(ms >= 2000, "the time includes the slow create: {ms} ms");
    wait_css(c, &format!("{card} .status-badge[data-status='synced']")).await;

    // The page is inside Team Handbook.
    let page = api.find_page("Project notes").await;
    let handbook = api.find_page("Team Handbook").await;
    let meta = api
        .call(reqwest::Method::GET, &format!("pages/{page}"), None)
        .await;
    assert_eq!(
        meta["parent"]["page_id"]
            .as_str()
            .map(|s| s.replace('-', "")),
        Some(handbook.replace('-', "")),
        "{meta}"
    );

    // Edit: strategy, auto-sync every 15 min (a PATCH); the card shows it.
    click(c, &format!("{card} .edit")).await;
    wait_text(c, "#edit-path", "notes.md").await;
    click(c, "#strategy-select option[value='manual_resolution']").await;
    click(c, "#auto-sync").await;
    click(c, "#sync-interval option[value='900']").await;
    click(c, "#save-mapping").await;
    wait_text(c, &format!("{card} .mapping-frequency"), "Every 15 min").await;
    wait_text(c, &format!("{card} .mapping-strategy"), "Always ask me").await;
    assert!(c.find(Locator::Css("#edit-mapping")).await.is_err());
    f.finish().await;
}

//! Every mapping kind through the panel's form: a folder ↔ new database mapping made with the
//! folder picker and synced (one row per Markdown file in the emulator's database), then the
//! mass-deletion guard (G8): deleting most files holds the deletions, the card asks, and
//! confirming trashes exactly those rows. Include/exclude globs narrow what syncs. A rename and
//! a trashed row in Notion move and delete files in the Repl. An existing database is linked
//! by pasting its link. A code page and a project row made with their pickers:
//! what the panel sends (kind, path, target) is checked on the wire; a relay that does not sync
//! those kinds yet refuses them, and the form says so.

mod common;

use common::*;
use fantoccini::Locator;
use serde_json::Value;

/// Records, in the panel's frame, every `POST /api/sync/configurations` the panel makes: the
/// body it sent and the relay's answer (status and body).
const RECORD_CREATES: &str = r#"
    if (!window.__creates) {
        window.__creates = [];
        const original = window.fetch;
        window.fetch = function (input, init) {
            const req = input instanceof Request ? input : new Request(input, init);
            const watched = req.method === 'POST' && req.url.includes('/api/sync/configurations');
            if (!watched) return original.apply(this, arguments);
            const entry = { url: req.url };
            window.__creates.push(entry);
            return req.clone().text().then((body) => {
                entry.sent = JSON.parse(body);
                return original.call(window, req);
            }).then((resp) => {
                entry.status = resp.status;
                resp.clone().text().then((t) => { entry.answer = t ? JSON.parse(t) : null; });
                return resp;
            });
        };
    }
    return true;
"#;

async fn create_count(c: &fantoccini::Client) -> u64 {
    js(c, "return (window.__creates || []).length")
        .await
        .as_u64()
        .unwrap_or(0)
}

/// The create number `n` (0-based) the panel made, once the relay has answered it.
async fn nth_create(c: &fantoccini::Client, n: u64) -> Value {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let v = js(
            c,
            &format!(
                "const e = (window.__creates || [])[{n}]; \
                 return e && e.answer !== undefined ? e : null"
            ),
        )
        .await;
        if !v.is_null() {
            return v;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the panel sent no create, or the relay never answered"
        );
        tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    }
}

/// The live rows of a database the relay created (its id from the card's link): id and title.
async fn live_row_ids(api: &EmulatorApi, database_id: &str) -> Vec<(String, String)> {
    let db = api
        .call(
            reqwest::Method::GET,
            &format!("databases/{database_id}"),
            None,
        )
        .await;
    let ds = db["data_sources"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("a database with a data source: {db}"))
        .to_string();
    let rows = api
        .call(
            reqwest::Method::POST,
            &format!("data_sources/{ds}/query"),
            Some(serde_json::json!({})),
        )
        .await;
    rows["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["in_trash"] != true && r["archived"] != true)
        .map(|r| {
            let title = r["properties"]
                .as_object()
                .and_then(|props| props.values().find(|p| p["type"] == "title"))
                .and_then(|t| t["title"].as_array())
                .map(|parts| {
                    parts
                        .iter()
                        .filter_map(|p| p["plain_text"].as_str())
                        .collect::<String>()
                })
                .unwrap_or_default();
            (r["id"].as_str().unwrap_or_default().to_string(), title)
        })
        .collect()
}

/// The titles of the live rows.
async fn live_rows(api: &EmulatorApi, database_id: &str) -> Vec<String> {
    live_row_ids(api, database_id)
        .await
        .into_iter()
        .map(|(_, title)| title)
        .collect()
}

/// The Notion id at the end of a card's link (32 hex digits).
async fn card_target_id(c: &fantoccini::Client, card: &str) -> String {
    let link = wait_css(c, &format!("{card} .mapping-page a")).await;
    let href = link.attr("href").await.unwrap().unwrap_or_default();
    let path = href.split(['?', '#']).next().unwrap_or_default();
    let hex: String = path.chars().filter(|ch| ch.is_ascii_hexdigit()).collect();
    assert!(hex.len() >= 32, "a Notion URL ends with the id: {href}");
    hex[hex.len() - 32..].to_string()
}

#[tokio::test]
async fn folder_database_sync_and_the_mass_deletion_guard() {
    let Some(f) = Fixture::start("kinds-folder").await else {
        return;
    };
    for i in 0..10 {
        f.write(
            &format!("journal/Entry {i}.md"),
            &format!("---\nmood: calm\n---\n# Entry {i}\n\nDay {i} went well.\n"),
        );
    }
    // Out of scope: not Markdown, hidden, and an excluded folder.
    f.write("journal/data.json", "{}\n");
    f.write("journal/.draft.md", "hidden\n");
    f.write("journal/node_modules/pkg.md", "a dependency's readme\n");
    let c = &f.c;
    f.open_connected().await;
    let api = f.api().await;

    // The folder picker lists the Repl's folders; a new database, Both ways.
    click(c, "#kind-select option[value='folder_database']").await;
    wait_css(c, "#new-mapping[data-kind='folder_database']").await;
    click(c, "#folder-select option[value='journal']").await;
    assert!(
        c.find(Locator::Css(
            "#folder-select option[value='journal/node_modules']"
        ))
        .await
        .is_err(),
        "excluded folders are not offered"
    );
    click(c, "#target-new").await;
    click(c, "#create-mapping").await;
    let card = ".mapping-card[data-path='journal'][data-kind='folder_database']";
    wait_text(c, &format!("{card} .mapping-kind"), "Database").await;
    wait_text(c, &format!("{card} .mapping-page"), "New database").await;

    // Sync now: one row per Markdown file in scope.
    f.sync_card("journal", "created").await;
    let created = c
        .find_all(Locator::Css(
            "#sync-result[data-state='done'] .sync-item[data-action='created']",
        ))
        .await
        .unwrap();
    assert_eq!(created.len(), 10);
    let database = card_target_id(c, card).await;
    let mut rows = live_rows(&api, &database).await;
    rows.sort();
    let expected: Vec<String> = (0..10).map(|i| format!("Entry {i}")).collect();
    assert_eq!(rows, expected);

    // 6 of 10 files deleted in the Repl: the relay holds the deletions and the card asks.
    for i in 0..6 {
        std::fs::remove_file(f.path(&format!("journal/Entry {i}.md"))).unwrap();
    }
    click(c, &format!("{card} .sync-now")).await;
    let held = wait_css(c, &format!("{card} #held-deletions[data-count='6']")).await;
    let paths = c
        .find_all(Locator::Css(&format!("{card} #held-deletions .held-path")))
        .await
        .unwrap();
    assert_eq!(paths.len(), 6);
    let first = paths[0]
        .attr("data-path")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(first.starts_with("journal/Entry "), "{first}");
    assert!(held.text().await.unwrap().contains("6 of 10"));
    wait_text(c, "#confirm-deletions", "Delete 6 files").await;
    wait_text(c, "#keep-files", "Keep them").await;
    assert_eq!(
        live_rows(&api, &database).await.len(),
        10,
        "nothing is deleted before the user confirms"
    );

    // "Keep them" only dismisses; the next sync asks again.
    click(c, "#keep-files").await;
    wait_gone(c, "#held-deletions").await;
    click(c, &format!("{card} .sync-now")).await;
    wait_css(c, &format!("{card} #held-deletions[data-count='6']")).await;

    // Confirmed: exactly those rows go to the trash.
    click(c, "#confirm-deletions").await;
    wait_gone(c, "#held-deletions").await;
    wait_css(c, "#sync-result[data-state='done'][data-path='journal']").await;
    eventually("the rows are trashed", WAIT, || {
        let api = &api;
        let database = database.clone();
        async move { live_rows(api, &database).await.len() == 4 }
    })
    .await;
    let mut rows = live_rows(&api, &database).await;
    rows.sort();
    let expected: Vec<String> = (6..10).map(|i| format!("Entry {i}")).collect();
    assert_eq!(rows, expected);
    assert!(c.find(Locator::Css("#held-deletions")).await.is_err());
    // The files that stay were never touched.
    assert_eq!(
        f.read("journal/Entry 7.md"),
        "---\nmood: calm\n---\n# Entry 7\n\nDay 7 went well.\n"
    );
    f.finish().await;
}

/// A code page and a project row, made with their pickers.
async fn code_page_and_project_row(f: &Fixture) {
    let c = &f.c;
    js(c, RECORD_CREATES).await;

    // A code page: any text file (a Rust source here), a new page.
    click(c, "#kind-select option[value='file_code_page']").await;
    wait_css(c, "#new-mapping[data-kind='file_code_page']").await;
    wait_text(c, "label[for='file-select']", "Text file").await;
    assert!(
        c.find(Locator::Css("#file-select option[value='assets/logo.png']"))
            .await
            .is_err(),
        "binary files are not offered"
    );
    click(c, "#file-select option[value='src/main.rs']").await;
    click(c, "#target-new").await;
    let n = create_count(c).await;
    click(c, "#create-mapping").await;
    let create = nth_create(c, n).await;
    assert_eq!(create["sent"]["kind"], "file_code_page", "{create}");
    assert_eq!(create["sent"]["path"], "src/main.rs", "{create}");
    assert_eq!(create["sent"]["target"]["type"], "new_page", "{create}");
    check_created(f, &create, "src/main.rs", "file_code_page").await;
    // Synced for real: the page holds the file as code.
    f.sync_card("src/main.rs", "created").await;
    let page = f.card_page("src/main.rs").await;
    let md = f.api().await.markdown(&page).await;
    let source = f.read("src/main.rs");
    let first = source
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    assert!(md.contains("```rust"), "{md}");
    assert!(md.contains(first.trim()), "{md}");

    // A project row: nothing to pick in the Repl; one way only; a new database.
    if c.find(Locator::Css("#new-mapping-button")).await.is_ok() {
        click(c, "#new-mapping-button").await;
    }
    click(c, "#kind-select option[value='repl_project_row']").await;
    wait_css(c, "#new-mapping[data-kind='repl_project_row']").await;
    let title = wait_css(c, "#repl-user .repl-title")
        .await
        .text()
        .await
        .unwrap();
    assert!(!title.is_empty());
    wait_text(c, "#project-repl", &title).await;
    assert!(
        c.find(Locator::Css("#mapping-error")).await.is_err(),
        "another kind's error does not linger"
    );
    assert!(c.find(Locator::Css("#file-select")).await.is_err());
    assert!(c.find(Locator::Css("#folder-select")).await.is_err());
    let direction = wait_css(c, "#direction-select").await;
    assert!(
        direction.attr("disabled").await.unwrap().is_some(),
        "the direction is fixed"
    );
    let options = c
        .find_all(Locator::Css("#direction-select option"))
        .await
        .unwrap();
    assert_eq!(options.len(), 1);
    assert_eq!(
        options[0].attr("value").await.unwrap().as_deref(),
        Some("replit_to_notion")
    );
    click(c, "#target-new").await;
    let n = create_count(c).await;
    click(c, "#create-mapping").await;
    let create = nth_create(c, n).await;
    assert_eq!(create["sent"]["kind"], "repl_project_row", "{create}");
    assert_eq!(create["sent"]["path"], "", "{create}");
    assert_eq!(create["sent"]["direction"], "replit_to_notion", "{create}");
    assert_eq!(create["sent"]["target"]["type"], "new_database", "{create}");
    let card = check_created(f, &create, "", "repl_project_row").await;
    // Synced for real: the Repl's row is in a new Projects database.
    f.sync_card(&card, "created").await;
    let row = f.api().await.find_page(&title).await;
    assert!(!row.is_empty());
}

/// The relay created the mapping (its answer has the kind and the path) and a card shows it;
/// returns the card's path.
async fn check_created(f: &Fixture, create: &Value, path: &str, kind: &str) -> String {
    assert!(
        create["status"] == 201 || create["status"] == 200,
        "{create}"
    );
    assert_eq!(create["answer"]["kind"], kind, "{create}");
    let answered = create["answer"]["path"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if kind == "repl_project_row" {
        // A project row has no path in the Repl: the relay names it after the Repl.
        assert!(answered.starts_with("/project/"), "{create}");
    } else {
        assert_eq!(answered, path, "{create}");
    }
    wait_css(
        &f.c,
        &format!(".mapping-card[data-path='{answered}'][data-kind='{kind}']"),
    )
    .await;
    answered
}

#[tokio::test]
async fn code_page_and_project_row_through_the_pickers() {
    let Some(f) = Fixture::start("kinds-other").await else {
        return;
    };
    f.write("src/main.rs", "fn main() {\n    println!(\"hi\");\n}\n");
    f.write("assets/logo.png", "\u{89}PNG");
    f.write(".replit", "modules = [\"rust-stable\"]\n");
    f.open_connected().await;
    code_page_and_project_row(&f).await;
    f.finish().await;
}

#[tokio::test]
async fn folder_globs_narrow_what_syncs() {
    let Some(f) = Fixture::start("kinds-globs").await else {
        return;
    };
    f.write("wiki/Home.md", "# Home\n\nWelcome.\n");
    f.write("wiki/Ideas.wip.md", "# Ideas\n\nNot ready.\n");
    f.write("wiki/team/People.md", "# People\n\nWho is who.\n");
    f.write("wiki/drafts/Plan.md", "# Plan\n\nA draft.\n");
    let c = &f.c;
    f.open_connected().await;
    let api = f.api().await;

    click(c, "#kind-select option[value='folder_database']").await;
    click(c, "#folder-select option[value='wiki']").await;
    click(c, "#recursive").await;
    // A bad pattern is refused in the form.
    type_into(c, "#exclude-globs", "../x").await;
    wait_text(c, "#globs-error", "relative to the mapped folder").await;
    let create = wait_css(c, "#create-mapping").await;
    assert!(create.attr("disabled").await.unwrap().is_some());
    type_into(c, "#exclude-globs", "*.wip.md, drafts/**").await;
    wait_gone(c, "#globs-error").await;
    click(c, "#target-new").await;
    click(c, "#create-mapping").await;
    let card = ".mapping-card[data-path='wiki'][data-kind='folder_database']";
    wait_text(c, &format!("{card} .mapping-path"), "with subfolders").await;

    f.sync_card("wiki", "created").await;
    let database = card_target_id(c, card).await;
    let mut rows = live_rows(&api, &database).await;
    rows.sort();
    assert_eq!(
        rows,
        ["Home", "People"],
        "excluded files stay out of Notion"
    );

    // The patterns are kept with the mapping: Edit shows them.
    click(c, &format!("{card} .edit")).await;
    wait_css(c, "#edit-mapping[data-kind='folder_database']").await;
    eventually("the stored patterns are shown", WAIT, || async {
        js(c, "return document.querySelector('#exclude-globs').value")
            .await
            .as_str()
            == Some("*.wip.md, drafts/**")
    })
    .await;
    click(c, "#cancel-mapping").await;

    // Narrowed by patterns, a listing is partial: deleting a file leaves its row alone.
    std::fs::remove_file(f.path("wiki/Home.md")).unwrap();
    let before = js(c, "return document.querySelector('#sync-result').outerHTML").await;
    click(c, &format!("{card} .sync-now")).await;
    eventually("the sync starts", WAIT, || async {
        js(c, "return document.querySelector('#sync-result').outerHTML").await != before
    })
    .await;
    wait_css(c, "#sync-result[data-state='done'][data-path='wiki']").await;
    assert!(c.find(Locator::Css("#held-deletions")).await.is_err());
    assert_eq!(live_rows(&api, &database).await.len(), 2);
    f.finish().await;
}

#[tokio::test]
async fn renames_and_trash_in_notion_move_and_delete_files() {
    let Some(f) = Fixture::start("kinds-ops").await else {
        return;
    };
    f.write("log/Alpha.md", "Alpha body.\n");
    f.write("log/Beta.md", "Beta body.\n");
    f.write("log/Gamma.md", "Gamma body.\n");
    let c = &f.c;
    f.open_connected().await;
    let api = f.api().await;
    click(c, "#kind-select option[value='folder_database']").await;
    click(c, "#folder-select option[value='log']").await;
    click(c, "#target-new").await;
    click(c, "#create-mapping").await;
    let card = ".mapping-card[data-path='log'][data-kind='folder_database']";
    wait_css(c, card).await;
    f.sync_card("log", "created").await;
    let database = card_target_id(c, card).await;
    let rows = live_row_ids(&api, &database).await;
    let id = |title: &str| {
        rows.iter()
            .find(|(_, t)| t == title)
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| panic!("no row {title}: {rows:?}"))
    };

    // In Notion: Alpha renamed, Beta moved to the trash.
    let title_prop = {
        let page = api
            .call(
                reqwest::Method::GET,
                &format!("pages/{}", id("Alpha")),
                None,
            )
            .await;
        page["properties"]
            .as_object()
            .and_then(|p| p.iter().find(|(_, v)| v["type"] == "title"))
            .map(|(k, _)| k.clone())
            .expect("a title property")
    };
    api.call(
        reqwest::Method::PATCH,
        &format!("pages/{}", id("Alpha")),
        Some(serde_json::json!({"properties": {title_prop: {"title": [{"text": {"content": "Alpha Renamed"}}]}}})),
    )
    .await;
    api.call(
        reqwest::Method::PATCH,
        &format!("pages/{}", id("Beta")),
        Some(serde_json::json!({"in_trash": true})),
    )
    .await;

    // Sync now: the panel moves one file and deletes the other, each only because it still had
    // the content the relay expected.
    let before = js(c, "return document.querySelector('#sync-result').outerHTML").await;
    click(c, &format!("{card} .sync-now")).await;
    eventually("the sync starts", WAIT, || async {
        js(c, "return document.querySelector('#sync-result').outerHTML").await != before
    })
    .await;
    wait_css(c, "#sync-result[data-state='done'][data-path='log']").await;
    eventually("the files follow Notion", WAIT, || async {
        !f.path("log/Alpha.md").exists() && !f.path("log/Beta.md").exists()
    })
    .await;
    assert_eq!(f.read("log/Alpha Renamed.md"), "Alpha body.\n");
    assert_eq!(f.read("log/Gamma.md"), "Gamma body.\n");
    assert!(c.find(Locator::Css("#held-deletions")).await.is_err());

    // Converged: the next sync changes nothing on disk or in Notion.
    f.sync_card("log", "unchanged").await;
    let mut files: Vec<String> = std::fs::read_dir(f.path("log"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["Alpha Renamed.md", "Gamma.md"]);
    let mut rows = live_rows(&api, &database).await;
    rows.sort();
    assert_eq!(rows, ["Alpha Renamed", "Gamma"]);
    f.finish().await;
}

#[tokio::test]
async fn an_existing_database_linked_by_its_link() {
    let Some(f) = Fixture::start("kinds-existing-db").await else {
        return;
    };
    f.write("reading/Dune.md", "A desert planet.\n");
    f.write("reading/Emma.md", "A matchmaker.\n");
    let c = &f.c;
    f.open_connected().await;
    let api = f.api().await;
    // Someone made the database in Notion, inside a shared page.
    let handbook = api.find_page("Team Handbook").await;
    let db = api
        .call(
            reqwest::Method::POST,
            "databases",
            Some(serde_json::json!({
                "parent": {"type": "page_id", "page_id": handbook},
                "title": [{"type": "text", "text": {"content": "Reading list"}}],
                "initial_data_source": {"properties": {"Name": {"title": {}}}},
            })),
        )
        .await;
    let url = db["url"].as_str().expect("a database URL").to_string();
    let database = db["id"].as_str().unwrap().replace('-', "");

    click(c, "#kind-select option[value='folder_database']").await;
    click(c, "#folder-select option[value='reading']").await;
    click(c, "#target-existing").await;
    // Not a link: refused in the form.
    type_into(c, "#database-id", "Reading list").await;
    wait_text(c, "#new-mapping", "not a Notion database link").await;
    assert!(wait_css(c, "#create-mapping")
        .await
        .attr("disabled")
        .await
        .unwrap()
        .is_some());
    type_into(c, "#database-id", &url).await;
    click(c, "#create-mapping").await;
    let card = ".mapping-card[data-path='reading'][data-kind='folder_database']";
    wait_text(c, &format!("{card} .mapping-page"), "Reading list").await;
    assert_eq!(card_target_id(c, card).await, database);

    f.sync_card("reading", "created").await;
    let mut rows = live_rows(&api, &database).await;
    rows.sort();
    assert_eq!(rows, ["Dune", "Emma"]);
    f.finish().await;
}

#[tokio::test]
async fn an_existing_database_found_by_search() {
    let Some(f) = Fixture::start("kinds-search-db").await else {
        return;
    };
    f.write("films/Alien.md", "In space.\n");
    let c = &f.c;
    f.open_connected().await;
    let api = f.api().await;
    let handbook = api.find_page("Team Handbook").await;
    let db = api
        .call(
            reqwest::Method::POST,
            "databases",
            Some(serde_json::json!({
                "parent": {"type": "page_id", "page_id": handbook},
                "title": [{"type": "text", "text": {"content": "Film club"}}],
                "initial_data_source": {"properties": {"Name": {"title": {}}}},
            })),
        )
        .await;
    let database = db["id"].as_str().unwrap().to_string();

    click(c, "#kind-select option[value='folder_database']").await;
    click(c, "#folder-select option[value='films']").await;
    click(c, "#target-existing").await;
    type_into(c, "#database-search", "Film").await;
    click(c, &format!(".database-result[data-page-id='{database}']")).await;
    wait_text(c, "#selected-database", "Film club").await;
    click(c, "#create-mapping").await;
    let card = ".mapping-card[data-path='films'][data-kind='folder_database']";
    wait_text(c, &format!("{card} .mapping-page"), "Film club").await;
    assert_eq!(card_target_id(c, card).await, database.replace('-', ""));
    f.sync_card("films", "created").await;
    assert_eq!(live_rows(&api, &database.replace('-', "")).await, ["Alien"]);
    f.finish().await;
}

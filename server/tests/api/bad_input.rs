//! SPEC §12, bad input: each case gets a clear error and loses nothing. One named test per case
//! here, where the case is not already the subject of a test elsewhere; docs/reliability.md
//! lists every case with the test that covers it.

use crate::folder::{setup, writes, Opts};
use crate::helpers::{Db, TestApp};
use crate::sync::{linked, new_page_mapping, Panel};
use protocol::session::{ItemAction, Manifest, ManifestEntry};
use protocol::ContentHash;

/// The one item of a single-file session.
fn only(result: &protocol::session::SessionResult) -> &protocol::session::ItemOutcome {
    assert_eq!(result.items.len(), 1, "{:?}", result.items);
    &result.items[0]
}

#[tokio::test]
async fn spec12_a_file_over_the_size_limit_is_skipped_with_its_reason() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else {
        return;
    };
    let client = app.login(1201).await;
    app.connect_notion(&client).await;
    let mapping = new_page_mapping(&client, "big.md").await;
    app.emulator.clear_ledger().await;
    // Only the manifest travels: the relay decides from the size, without the content.
    let started = client
        .start_session(&Manifest {
            mapping_id: mapping.clone(),
            files: vec![ManifestEntry {
                path: "big.md".into(),
                size: 3 * 1024 * 1024,
                hash: ContentHash::of("whatever"),
            }],
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(started.needed.is_empty(), "{:?}", started.needed);
    let plan = client
        .upload(&started.session_id, &Default::default())
        .await
        .unwrap();
    assert!(plan.file_writes.is_empty());
    let result = client
        .ack(&plan.session_id, &Default::default())
        .await
        .unwrap();
    let item = only(&result);
    assert_eq!(item.action, ItemAction::Skipped);
    assert!(
        item.message.as_deref().unwrap_or("").contains("2 MB"),
        "{item:?}"
    );
    assert!(writes(&app.emulator.ledger().await).is_empty());
}

#[tokio::test]
async fn spec12_a_binary_file_is_skipped_and_never_sent_or_rewritten() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else {
        return;
    };
    let client = app.login(1202).await;
    app.connect_notion(&client).await;
    let mapping = new_page_mapping(&client, "blob.md").await;
    let original = "PK\u{3}\u{4}\u{0}\u{0}binary\u{0}payload".to_string();
    let mut file = Some(original.clone());
    app.emulator.clear_ledger().await;
    let (plan, result) = Panel { client: &client }
        .sync(&mapping, "blob.md", &mut file)
        .await;
    let item = only(&result);
    assert_eq!(item.action, ItemAction::Skipped, "{item:?}");
    assert!(
        item.message.as_deref().unwrap_or("").contains("binary"),
        "{item:?}"
    );
    assert!(plan.file_writes.is_empty());
    assert_eq!(file.as_deref(), Some(original.as_str()));
    assert!(writes(&app.emulator.ledger().await).is_empty());
}

#[tokio::test]
async fn spec12_notion_titles_cannot_name_files_outside_the_folder() {
    let Some(mut s) = setup(Db::Sqlite, 1203, &[("notes/Keep.md", "Keep me.\n")]).await else {
        return;
    };
    let titles = [
        "../../../etc/passwd",
        "..",
        "/abs/path",
        "a\\b:c*d?e\"f<g>h|i",
        "NUL",
        "com1",
        ".env",
        "Dup",
        "Dup",
        "",
        &"x".repeat(400),
        "tab\tand\nnewline",
    ];
    for (i, t) in titles.iter().enumerate() {
        s.notion.new_row(&s.ds, t, &format!("Body {i}.")).await;
    }
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Pulled), titles.len(), "{:?}", r.items());
    for w in &r.plan.file_writes {
        let rest = w
            .path
            .strip_prefix("notes/")
            .unwrap_or_else(|| panic!("written outside the folder: {:?}", w.path));
        assert!(!rest.is_empty() && !rest.contains('/') && !rest.contains('\\'));
        assert!(!rest.starts_with('.'), "hidden file name {rest:?}");
        assert!(rest.ends_with(".md"), "{rest:?}");
        assert!(rest.len() <= 255, "name too long for a file system: {rest}");
        assert!(
            !rest
                .chars()
                .any(|c| c.is_control() || ":*?\"<>|".contains(c)),
            "{rest:?}"
        );
        let stem = rest.trim_end_matches(".md").to_ascii_uppercase();
        assert!(!["NUL", "COM1", "CON", "PRN", "AUX"].contains(&stem.as_str()));
    }
    // Every body landed in its own file; the existing file is untouched.
    let bodies: std::collections::BTreeSet<_> = s.repl.files.values().cloned().collect();
    for i in 0..titles.len() {
        assert!(
            bodies.iter().any(|b| b.contains(&format!("Body {i}."))),
            "body {i} missing: {:?}",
            s.repl.files.keys()
        );
    }
    assert_eq!(s.repl.files["notes/Keep.md"], "Keep me.\n");
    assert_eq!(s.repl.files.len(), titles.len() + 1);
}

#[tokio::test]
async fn spec12_malformed_front_matter_loses_nothing() {
    let broken = "---\ntitle: [unclosed\ntags: {a: b\n: no key\n\"quote\n---\nThe body survives.\n";
    let Some(mut s) = setup(
        Db::Sqlite,
        1204,
        &[("notes/Broken.md", broken), ("notes/Fine.md", "Fine.\n")],
    )
    .await
    else {
        return;
    };
    // Whatever the front matter could not say, the file keeps its bytes, sync after sync.
    for _ in 0..2 {
        let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
        assert!(
            r.items()
                .iter()
                .all(|i| i.action != ItemAction::Failed || i.message.is_some()),
            "{:?}",
            r.items()
        );
        assert_eq!(s.repl.files["notes/Broken.md"], broken);
    }
    let rows = s.notion.rows(&s.ds).await;
    let row = rows
        .iter()
        .find(|p| p.title() != "Fine")
        .expect("the broken file's row");
    assert!(s
        .notion
        .markdown(&row.id)
        .await
        .contains("The body survives."));
}

#[tokio::test]
async fn spec12_a_page_trashed_in_notion_never_loses_the_file() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else {
        return;
    };
    let text = "# Plan\n\nThe only copy of this text.\n";
    let l = linked(&app, 1205, "plan.md", text).await;
    l.notion.trash(&l.page_id).await;
    let mut file = Some(text.to_string());
    let (_, result) = Panel { client: &l.client }
        .sync(&l.mapping, "plan.md", &mut file)
        .await;
    let item = only(&result);
    assert_ne!(item.action, ItemAction::Failed, "{item:?}");
    match file {
        Some(f) => assert_eq!(f, text),
        None => {
            // Deleted with the page: then history has it, restorable.
            let revisions = l.client.history("plan.md").await.unwrap().revisions;
            let mut found = false;
            for r in revisions {
                found |= l.client.revision(&r.id).await.unwrap().content == text;
            }
            assert!(found, "the deleted file is in history");
        }
    }
}

#[tokio::test]
async fn spec12_deep_nesting_and_very_long_lines_and_runs_survive() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else {
        return;
    };
    let mut text = String::from("# Deep\n\n");
    for depth in 0..12 {
        text.push_str(&"  ".repeat(depth));
        text.push_str(&format!("- level {depth}\n"));
    }
    text.push('\n');
    let long_line: String = (0..1500).map(|i| format!("w{i} ")).collect();
    text.push_str(long_line.trim_end());
    text.push_str("\n\n**");
    text.push_str("bold ".repeat(900).trim_end());
    text.push_str("**\n");
    let l = linked(&app, 1206, "deep.md", &text).await;
    let page = l.notion.markdown(&l.page_id).await;
    for needle in ["level 0", "level 11", "w0", "w1499"] {
        assert!(page.contains(needle), "{needle} missing from the page");
    }
    // The next sync finds nothing to do: nothing was truncated or reshaped on the way.
    let mut file = Some(text.clone());
    let (plan, result) = Panel { client: &l.client }
        .sync(&l.mapping, "deep.md", &mut file)
        .await;
    assert!(plan.file_writes.is_empty(), "{:?}", plan.file_writes);
    assert_eq!(only(&result).action, ItemAction::Unchanged, "{result:?}");
    assert_eq!(file.as_deref(), Some(text.as_str()));
}

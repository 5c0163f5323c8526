//! One file ↔ page mapping through the whole session protocol, against the emulator.

use crate::helpers::{Db, TestApp};
use protocol::api::{
    ConflictStrategy, CreateMapping, Direction, MappingKind, MappingStatus, NotionTarget,
    Resolution,
};
use protocol::client::RelayClient;
use protocol::session::{
    Ack, FileContent, ItemAction, Manifest, ManifestEntry, SessionPlan, SessionResult,
    SkippedWrite, UploadContents, WrittenFile,
};
use protocol::ContentHash;

/// What the panel does for Sync Now, against an in-memory file.
pub(crate) struct Panel<'a> {
    pub(crate) client: &'a RelayClient,
}

impl Panel<'_> {
    /// Runs a session; applies the relay's file writes to `file` (if its hash still matches).
    pub(crate) async fn sync(
        &self,
        mapping_id: &str,
        path: &str,
        file: &mut Option<String>,
    ) -> (SessionPlan, SessionResult) {
        let files = file
            .iter()
            .map(|c| ManifestEntry {
                path: path.into(),
                size: c.len() as u64,
                hash: ContentHash::of(c),
            })
            .collect();
        let started = self
            .client
            .start_session(&Manifest {
                mapping_id: mapping_id.into(),
                files,
                dry_run: false,
                ..Default::default()
            })
            .await
            .expect("start");
        let uploads = started
            .needed
            .iter()
            .map(|p| FileContent {
                path: p.clone(),
                content: file.clone().expect("needed file exists"),
            })
            .collect();
        let plan = self
            .client
            .upload(&started.session_id, &UploadContents { files: uploads })
            .await
            .expect("upload");
        let mut ack = Ack::default();
        for w in &plan.file_writes {
            let current = file.as_ref().map(ContentHash::of);
            if current == w.expected_hash {
                *file = Some(w.content.clone());
                ack.written.push(WrittenFile {
                    path: w.path.clone(),
                    hash: ContentHash::of(&w.content),
                });
            } else {
                ack.skipped.push(SkippedWrite {
                    path: w.path.clone(),
                    reason: "changed meanwhile".into(),
                });
            }
        }
        let result = self.client.ack(&plan.session_id, &ack).await.expect("ack");
        (plan, result)
    }
}

pub(crate) fn action(result: &SessionResult) -> ItemAction {
    assert_eq!(
        result.items.len(),
        1,
        "one item per file mapping: {:?}",
        result.items
    );
    result.items[0].action
}

pub(crate) async fn new_page_mapping(client: &RelayClient, path: &str) -> String {
    client
        .create_mapping(&CreateMapping {
            kind: MappingKind::FilePage,
            path: path.into(),
            target: NotionTarget::NewPage {
                parent_page_id: None,
            },
            direction: Direction::Bidirectional,
            strategy: ConflictStrategy::Merge,
            repl_id: Some("repl-1".into()),
            recursive: false,
        })
        .await
        .expect("create mapping")
        .id
}

pub(crate) struct Notion {
    pub(crate) client: notion::NotionClient,
    pub(crate) token: notion::AccessToken,
}

impl Notion {
    pub(crate) async fn for_app(app: &TestApp) -> Notion {
        let client =
            notion::NotionClient::new(notion::ClientConfig::with_base_url(app.emulator.base_url()));
        let token = notion::AccessToken::new(app.emulator.mint_integration_token().await);
        Notion { client, token }
    }
    pub(crate) async fn markdown(&self, page_id: &str) -> String {
        self.client
            .get_page_markdown(&self.token, page_id)
            .await
            .expect("get markdown")
            .markdown
    }
    /// Moves the page to Notion's trash, as a person would.
    pub(crate) async fn trash(&self, page_id: &str) {
        let req = notion::UpdatePageRequest {
            in_trash: Some(true),
            ..Default::default()
        };
        self.client
            .update_page(&self.token, page_id, &req)
            .await
            .expect("trash");
    }
    pub(crate) async fn replace(&self, page_id: &str, md: &str) {
        let req = notion::UpdatePageMarkdown::replace_content(md);
        self.client
            .update_page_markdown(&self.token, page_id, &req)
            .await
            .expect("patch markdown");
    }
}

/// A user with Notion connected and `path` mapped to a new page, synced once.
pub(crate) struct Linked {
    pub(crate) client: RelayClient,
    pub(crate) notion: Notion,
    pub(crate) mapping: String,
    pub(crate) page_id: String,
}

pub(crate) async fn linked(app: &TestApp, user: i64, path: &str, text: &str) -> Linked {
    let client = app.login(user).await;
    app.connect_notion(&client).await;
    let notion = Notion::for_app(app).await;
    let mapping = new_page_mapping(&client, path).await;
    let mut file = Some(text.to_string());
    let (_, result) = Panel { client: &client }
        .sync(&mapping, path, &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Created);
    let page_id = client.configurations().await.unwrap().mappings[0]
        .notion_page_id
        .clone()
        .expect("the page was created");
    Linked {
        client,
        notion,
        mapping,
        page_id,
    }
}

async fn push_then_pull(db: Db) {
    let Some(app) = TestApp::spawn(db).await else {
        return;
    };
    let client = app.login(11).await;
    app.connect_notion(&client).await;
    let notion = Notion::for_app(&app).await;
    let mapping = new_page_mapping(&client, "notes.md").await;
    let panel = Panel { client: &client };
    let mut file = Some("# Project notes\n\nFirst paragraph.\n\n- one\n- two\n".to_string());

    // First sync creates the page from the file; the H1 becomes the title.
    let (plan, result) = panel.sync(&mapping, "notes.md", &mut file).await;
    assert_eq!(action(&result), ItemAction::Created);
    assert!(plan.file_writes.is_empty());
    let configs = client.configurations().await.unwrap();
    let m = &configs.mappings[0];
    assert_eq!(m.title.as_deref(), Some("Project notes"));
    assert_eq!(m.status, MappingStatus::Synced);
    let page_id = m.notion_page_id.clone().expect("page created");
    assert_eq!(
        notion.markdown(&page_id).await,
        "First paragraph.\n- one\n- two"
    );

    // Nothing changed: nothing is written anywhere, and the file content is not even uploaded.
    app.emulator.clear_ledger().await;
    let (plan, result) = panel.sync(&mapping, "notes.md", &mut file).await;
    assert_eq!(action(&result), ItemAction::Unchanged);
    assert!(plan.file_writes.is_empty());
    let writes = app
        .emulator
        .ledger()
        .await
        .into_iter()
        .filter(|e| e.method != "GET")
        .count();
    assert_eq!(writes, 0, "a no-change sync writes nothing (G2)");

    // An edit in Notion comes back to the file, with the title restored as the H1.
    notion
        .replace(
            &page_id,
            "First paragraph, edited in Notion.\n- one\n- two\n- three",
        )
        .await;
    let (plan, result) = panel.sync(&mapping, "notes.md", &mut file).await;
    assert_eq!(action(&result), ItemAction::Pulled);
    assert_eq!(plan.file_writes.len(), 1);
    assert_eq!(
        file.as_deref(),
        Some("# Project notes\n\nFirst paragraph, edited in Notion.\n\n- one\n- two\n- three\n")
    );
    // ...and the pull does not echo back as an edit.
    let (_, result) = panel.sync(&mapping, "notes.md", &mut file).await;
    assert_eq!(action(&result), ItemAction::Unchanged);

    // A local edit goes to Notion.
    file = Some("# Project notes\n\nRewritten locally.\n".into());
    let (_, result) = panel.sync(&mapping, "notes.md", &mut file).await;
    assert_eq!(action(&result), ItemAction::Pushed);
    assert_eq!(notion.markdown(&page_id).await, "Rewritten locally.");

    let logs = client.logs(10).await.unwrap().logs;
    assert_eq!(logs.len(), 5, "one log per sync");
    assert!(logs
        .iter()
        .all(|l| l.status == protocol::api::LogStatus::Success));
}

#[tokio::test]
async fn push_then_pull_on_sqlite() {
    push_then_pull(Db::Sqlite).await;
}

#[tokio::test]
async fn push_then_pull_on_postgres() {
    push_then_pull(Db::Postgres).await;
}

#[tokio::test]
async fn an_edit_on_both_sides_is_a_conflict_and_overwrites_nothing() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let Linked {
        client,
        notion,
        mapping,
        page_id,
    } = linked(&app, 12, "plan.md", "Base text.\n").await;
    let panel = Panel { client: &client };

    let mut file = Some("Base text, edited in the Repl.\n".to_string());
    notion
        .replace(&page_id, "Base text, edited in Notion.")
        .await;
    let before = file.clone();
    let (plan, result) = panel.sync(&mapping, "plan.md", &mut file).await;
    assert_eq!(action(&result), ItemAction::Conflict);
    assert!(result.items[0]
        .message
        .as_deref()
        .unwrap_or_default()
        .contains("nothing was written"));
    assert!(plan.file_writes.is_empty(), "the file is not overwritten");
    assert_eq!(file, before);
    assert_eq!(
        notion.markdown(&page_id).await,
        "Base text, edited in Notion.",
        "the page is not overwritten"
    );
    assert_eq!(result.summary.conflicts, 1);
    let m = &client.configurations().await.unwrap().mappings[0];
    assert_eq!(m.status, MappingStatus::Conflicts);
    // It stays a conflict until resolved: syncing again does not pick a side.
    let (_, result) = panel.sync(&mapping, "plan.md", &mut file).await;
    assert_eq!(action(&result), ItemAction::Conflict);
    assert_eq!(
        notion.markdown(&page_id).await,
        "Base text, edited in Notion."
    );
}

#[tokio::test]
async fn a_file_changed_before_the_write_is_not_clobbered() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let Linked {
        client,
        notion,
        mapping,
        page_id,
    } = linked(&app, 13, "a.md", "One.\n").await;
    let panel = Panel { client: &client };
    notion.replace(&page_id, "One, from Notion.").await;

    // The relay plans a pull; before the panel writes, the user edits the file.
    let manifest = Manifest {
        mapping_id: mapping.clone(),
        files: vec![ManifestEntry {
            path: "a.md".into(),
            size: 5,
            hash: ContentHash::of("One.\n"),
        }],
        dry_run: false,
        ..Default::default()
    };
    let started = client.start_session(&manifest).await.unwrap();
    assert!(
        started.needed.is_empty(),
        "the file is unchanged, so its content is not needed"
    );
    let plan = client
        .upload(&started.session_id, &UploadContents::default())
        .await
        .unwrap();
    assert_eq!(plan.file_writes.len(), 1);
    let mut file = Some("One, typed meanwhile.\n".to_string());
    let ack = Ack {
        written: vec![],
        skipped: vec![SkippedWrite {
            path: "a.md".into(),
            reason: "changed meanwhile".into(),
        }],
    };
    let result = client.ack(&plan.session_id, &ack).await.unwrap();
    assert_eq!(action(&result), ItemAction::Skipped);

    // The next sync sees both edits: a conflict, not a silent overwrite either way.
    let (_, result) = panel.sync(&mapping, "a.md", &mut file).await;
    assert_eq!(action(&result), ItemAction::Conflict);
    assert_eq!(file.as_deref(), Some("One, typed meanwhile.\n"));
}

#[tokio::test]
async fn users_cannot_touch_each_others_mappings() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let alice = app.login(21).await;
    let bob = app.login(22).await;
    app.connect_notion(&alice).await;
    app.connect_notion(&bob).await;
    let mapping = new_page_mapping(&alice, "mine.md").await;
    let manifest = Manifest {
        mapping_id: mapping.clone(),
        files: vec![],
        dry_run: false,
        ..Default::default()
    };
    assert_eq!(
        bob.start_session(&manifest).await.unwrap_err().status(),
        Some(404)
    );
    assert_eq!(
        bob.delete_mapping(&mapping).await.unwrap_err().status(),
        Some(404)
    );
    assert!(bob.configurations().await.unwrap().mappings.is_empty());
    // Alice's session id is useless to Bob.
    let started = alice.start_session(&manifest).await.unwrap();
    assert_eq!(
        bob.upload(&started.session_id, &UploadContents::default())
            .await
            .unwrap_err()
            .status(),
        Some(404)
    );
}

#[tokio::test]
async fn bad_mappings_are_refused_with_a_reason() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(31).await;
    let create = |path: &str| CreateMapping {
        kind: MappingKind::FilePage,
        path: path.into(),
        target: NotionTarget::NewPage {
            parent_page_id: None,
        },
        direction: Direction::Bidirectional,
        strategy: ConflictStrategy::Merge,
        repl_id: None,
        recursive: false,
    };
    // Not connected yet.
    let err = client.create_mapping(&create("a.md")).await.unwrap_err();
    assert_eq!(err.status(), Some(409));
    app.connect_notion(&client).await;
    for bad in ["../escape.md", "/etc/passwd.md", "a//b.md", "notes.txt"] {
        let err = client.create_mapping(&create(bad)).await.unwrap_err();
        assert_eq!(err.status(), Some(400), "{bad}");
    }
    client.create_mapping(&create("ok.md")).await.unwrap();
    assert_eq!(
        client
            .create_mapping(&create("ok.md"))
            .await
            .unwrap_err()
            .status(),
        Some(409)
    );
    let existing = CreateMapping {
        target: NotionTarget::ExistingPage {
            page_id: "00000000-0000-4000-8000-000000000000".into(),
        },
        ..create("linked.md")
    };
    assert_eq!(
        client.create_mapping(&existing).await.unwrap_err().status(),
        Some(404)
    );
}

#[tokio::test]
async fn an_oversized_upload_is_refused() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(41).await;
    app.connect_notion(&client).await;
    let mapping = new_page_mapping(&client, "big.md").await;
    let big = "x".repeat(7 * 1024 * 1024);
    let manifest = Manifest {
        mapping_id: mapping,
        files: vec![ManifestEntry {
            path: "big.md".into(),
            size: big.len() as u64,
            hash: ContentHash::of(&big),
        }],
        dry_run: false,
        ..Default::default()
    };
    let started = client.start_session(&manifest).await.unwrap();
    assert!(
        started.needed.is_empty(),
        "files over the size limit are not requested"
    );
    let plan = client
        .upload(&started.session_id, &UploadContents::default())
        .await
        .unwrap();
    assert_eq!(plan.items[0].action, ItemAction::Skipped);
    // Sending it anyway hits the body limit.
    let resp = reqwest::Client::new()
        .post(app.url.join("api/sync/sessions/x/contents").unwrap())
        .bearer_auth(client.session_token().unwrap())
        .header("content-type", "application/json")
        .body(
            serde_json::to_vec(&UploadContents {
                files: vec![FileContent {
                    path: "big.md".into(),
                    content: big,
                }],
            })
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
}

#[tokio::test]
async fn every_overwrite_is_in_history_and_restorable() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let Linked {
        client,
        notion,
        mapping,
        page_id,
    } = linked(&app, 51, "h.md", "Version one.\n").await;
    let panel = Panel { client: &client };

    // A pull overwrites the file: the old file goes to history.
    notion.replace(&page_id, "Version two, from Notion.").await;
    let mut file = Some("Version one.\n".to_string());
    panel.sync(&mapping, "h.md", &mut file).await;
    // A push overwrites the page: the old page goes to history.
    file = Some("Version three, from the Repl.\n".into());
    panel.sync(&mapping, "h.md", &mut file).await;

    let history = client.history("h.md").await.unwrap().revisions;
    let sides: Vec<_> = history
        .iter()
        .map(|r| (r.side, r.reason.as_str()))
        .collect();
    use protocol::api::Side;
    assert_eq!(
        sides,
        [(Side::Notion, "push"), (Side::Repl, "pull")],
        "newest first"
    );
    let old_file = client.revision(&history[1].id).await.unwrap();
    assert_eq!(old_file.content, "Version one.\n");
    let old_page = client.revision(&history[0].id).await.unwrap();
    assert_eq!(old_page.content, "Version two, from Notion.");

    // Restoring gives the write that puts the old version back, guarded by the current hash,
    // and records the current content first, so the restore can be undone too.
    let current = file.clone();
    let write = client
        .restore(
            &history[1].id,
            &protocol::api::RestoreRequest {
                current: current.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(write.content, "Version one.\n");
    assert_eq!(write.expected_hash, current.as_deref().map(ContentHash::of));
    let history = client.history("h.md").await.unwrap().revisions;
    assert_eq!(history[0].reason, "restore");
    assert_eq!(
        client.revision(&history[0].id).await.unwrap().content,
        "Version three, from the Repl.\n"
    );
    // Applying it and syncing takes it to Notion.
    file = Some(write.content);
    let (_, result) = panel.sync(&mapping, "h.md", &mut file).await;
    assert_eq!(action(&result), ItemAction::Pushed);
    assert_eq!(notion.markdown(&page_id).await, "Version one.");

    // Another user sees none of it.
    let other = app.login(52).await;
    assert!(other.history("h.md").await.unwrap().revisions.is_empty());
    assert_eq!(
        other.revision(&history[0].id).await.unwrap_err().status(),
        Some(404)
    );
}

#[tokio::test]
async fn delete_my_data_removes_every_row() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let Linked {
        client,
        notion,
        mapping,
        page_id,
    } = linked(&app, 61, "d.md", "Mine.\n").await;
    notion.replace(&page_id, "Mine, edited.").await;
    let mut file = Some("Mine.\n".to_string());
    Panel { client: &client }
        .sync(&mapping, "d.md", &mut file)
        .await;
    assert!(!client.history("d.md").await.unwrap().revisions.is_empty());
    let bystander = linked(&app, 62, "d.md", "Theirs.\n").await;

    client.delete_me().await.unwrap();
    let configs = client.configurations().await.unwrap();
    assert!(!configs.connection.connected);
    assert!(configs.mappings.is_empty());
    assert!(client.history("d.md").await.unwrap().revisions.is_empty());
    assert!(client.logs(10).await.unwrap().logs.is_empty());
    // Unmapping and deleting data leave Notion as it is.
    assert_eq!(notion.markdown(&page_id).await, "Mine, edited.");
    // Nobody else's data is touched.
    assert_eq!(
        bystander
            .client
            .configurations()
            .await
            .unwrap()
            .mappings
            .len(),
        1
    );
}

/// Both sides of `c.md` changed after a first sync: an open conflict.
async fn conflicted(app: &TestApp, user: i64) -> (Linked, Option<String>, String) {
    let linked = linked(app, user, "c.md", "Base.\n").await;
    let file = Some("Base, edited in the Repl.\n".to_string());
    linked
        .notion
        .replace(&linked.page_id, "Base, edited in Notion.")
        .await;
    let mut f = file.clone();
    let (_, result) = Panel {
        client: &linked.client,
    }
    .sync(&linked.mapping, "c.md", &mut f)
    .await;
    assert_eq!(action(&result), ItemAction::Conflict);
    let conflicts = linked.client.conflicts().await.unwrap().conflicts;
    assert_eq!(
        conflicts.len(),
        1,
        "one conflict, however often it is synced"
    );
    let c = &conflicts[0];
    assert_eq!(c.base, "Base.\n");
    assert_eq!(c.repl.as_deref(), Some("Base, edited in the Repl.\n"));
    assert_eq!(c.notion, "Base, edited in Notion.\n");
    let id = c.id.clone();
    (linked, file, id)
}

#[tokio::test]
async fn keeping_notions_version_writes_the_file_and_keeps_the_repls_in_history() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let (l, mut file, id) = conflicted(&app, 101).await;
    let resolved = l
        .client
        .resolve(&id, &Resolution::KeepNotion)
        .await
        .unwrap();
    assert_eq!(resolved.resolution, Some(Resolution::KeepNotion));
    let (_, result) = Panel { client: &l.client }
        .sync(&l.mapping, "c.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Pulled);
    assert_eq!(file.as_deref(), Some("Base, edited in Notion.\n"));
    assert!(l.client.conflicts().await.unwrap().conflicts.is_empty());
    let history = l.client.history("c.md").await.unwrap().revisions;
    assert_eq!(
        l.client.revision(&history[0].id).await.unwrap().content,
        "Base, edited in the Repl.\n"
    );
    let logs = l.client.logs(1).await.unwrap().logs;
    assert_eq!(logs[0].conflicts_resolved, 1);
    let m = &l.client.configurations().await.unwrap().mappings[0];
    assert_eq!(m.status, MappingStatus::Synced);
    // Settled: the next sync changes nothing.
    let (_, result) = Panel { client: &l.client }
        .sync(&l.mapping, "c.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Unchanged);
}

#[tokio::test]
async fn keeping_the_repls_version_writes_notion_and_keeps_notions_in_history() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let (l, mut file, id) = conflicted(&app, 102).await;
    l.client.resolve(&id, &Resolution::KeepRepl).await.unwrap();
    let (_, result) = Panel { client: &l.client }
        .sync(&l.mapping, "c.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Pushed);
    assert_eq!(
        l.notion.markdown(&l.page_id).await,
        "Base, edited in the Repl."
    );
    let history = l.client.history("c.md").await.unwrap().revisions;
    assert_eq!(
        l.client.revision(&history[0].id).await.unwrap().content,
        "Base, edited in Notion."
    );
    let (_, result) = Panel { client: &l.client }
        .sync(&l.mapping, "c.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Unchanged);
}

#[tokio::test]
async fn a_merged_text_goes_to_both_sides() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let (l, mut file, id) = conflicted(&app, 103).await;
    let merged = "Base, edited in the Repl and in Notion.\n";
    l.client
        .resolve(
            &id,
            &Resolution::Merged {
                content: merged.into(),
            },
        )
        .await
        .unwrap();
    let (_, result) = Panel { client: &l.client }
        .sync(&l.mapping, "c.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Pushed);
    assert_eq!(file.as_deref(), Some(merged));
    assert_eq!(
        l.notion.markdown(&l.page_id).await,
        "Base, edited in the Repl and in Notion."
    );
    assert!(l.client.conflicts().await.unwrap().conflicts.is_empty());
    let (_, result) = Panel { client: &l.client }
        .sync(&l.mapping, "c.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Unchanged);
}

#[tokio::test]
async fn a_choice_is_not_applied_to_versions_the_user_did_not_see() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let (l, _, id) = conflicted(&app, 104).await;
    l.client
        .resolve(&id, &Resolution::KeepNotion)
        .await
        .unwrap();
    // The user edits the file again after choosing: the choice no longer applies.
    let mut file = Some("Base, edited in the Repl twice.\n".to_string());
    let (plan, result) = Panel { client: &l.client }
        .sync(&l.mapping, "c.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Conflict);
    assert!(plan.file_writes.is_empty());
    assert_eq!(file.as_deref(), Some("Base, edited in the Repl twice.\n"));
    let conflicts = l.client.conflicts().await.unwrap().conflicts;
    assert_eq!(conflicts.len(), 1);
    assert_eq!(
        conflicts[0].resolution, None,
        "the stale choice was dropped"
    );
    assert_eq!(
        conflicts[0].repl.as_deref(),
        Some("Base, edited in the Repl twice.\n")
    );
    // Another user cannot resolve it.
    let other = app.login(105).await;
    let err = other.resolve(&id, &Resolution::KeepRepl).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn a_preview_reports_the_plan_and_writes_nothing() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let Linked {
        client,
        notion,
        mapping,
        page_id,
    } = linked(&app, 111, "p.md", "Before.\n").await;
    notion.replace(&page_id, "After, in Notion.").await;
    let file = "Before.\n";
    let manifest = Manifest {
        mapping_id: mapping.clone(),
        files: vec![ManifestEntry {
            path: "p.md".into(),
            size: file.len() as u64,
            hash: ContentHash::of(file),
        }],
        dry_run: true,
        ..Default::default()
    };
    app.emulator.clear_ledger().await;
    let started = client.start_session(&manifest).await.unwrap();
    let plan = client
        .upload(&started.session_id, &UploadContents::default())
        .await
        .unwrap();
    assert_eq!(plan.items[0].action, ItemAction::Pulled);
    assert!(plan.file_writes.is_empty(), "a preview hands out no writes");
    let writes = app
        .emulator
        .ledger()
        .await
        .into_iter()
        .filter(|e| e.method != "GET")
        .count();
    assert_eq!(writes, 0, "a preview writes nothing to Notion");
    // A preview cannot be acknowledged into a sync.
    let err = client
        .ack(&plan.session_id, &Ack::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(409));
    assert!(
        client.logs(10).await.unwrap().logs.len() == 1,
        "only the first real sync is logged"
    );
}

#[tokio::test]
async fn mapping_settings_can_be_changed_by_their_owner_only() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let client = app.login(121).await;
    app.connect_notion(&client).await;
    let id = new_page_mapping(&client, "s.md").await;
    let m = client.configurations().await.unwrap().mappings.remove(0);
    assert!(!m.auto_sync);
    assert_eq!(m.sync_interval_secs, 300);
    let updated = client
        .update_mapping(
            &id,
            &protocol::api::UpdateMapping {
                direction: Some(Direction::ReplitToNotion),
                auto_sync: Some(true),
                sync_interval_secs: Some(600),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.direction, Direction::ReplitToNotion);
    assert_eq!(
        updated.strategy,
        ConflictStrategy::Merge,
        "absent fields stay"
    );
    assert!(updated.auto_sync);
    assert_eq!(updated.sync_interval_secs, 600);
    let too_often = protocol::api::UpdateMapping {
        sync_interval_secs: Some(5),
        ..Default::default()
    };
    assert_eq!(
        client
            .update_mapping(&id, &too_often)
            .await
            .unwrap_err()
            .status(),
        Some(400)
    );
    let other = app.login(122).await;
    let err = other
        .update_mapping(&id, &protocol::api::UpdateMapping::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn edits_in_different_places_merge_into_both_sides() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let text = "# Plan\n\nFirst paragraph.\n\nSecond paragraph.\n\nThird paragraph.\n";
    let Linked {
        client,
        notion,
        mapping,
        page_id,
    } = linked(&app, 161, "m.md", text).await;
    let remote = notion.markdown(&page_id).await;
    notion
        .replace(
            &page_id,
            &remote.replace("Third paragraph.", "Third paragraph, edited in Notion."),
        )
        .await;
    let mut file = Some(text.replace("First paragraph.", "First paragraph, edited in the Repl."));
    let (plan, result) = Panel { client: &client }
        .sync(&mapping, "m.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Pushed, "{:?}", result.items);
    assert_eq!(plan.file_writes.len(), 1);
    assert_eq!(
        file.as_deref(),
        Some("# Plan\n\nFirst paragraph, edited in the Repl.\n\nSecond paragraph.\n\nThird paragraph, edited in Notion.\n")
    );
    let md = notion.markdown(&page_id).await;
    assert!(
        md.contains("First paragraph, edited in the Repl.")
            && md.contains("Third paragraph, edited in Notion."),
        "{md}"
    );
    // Converged: the next sync writes nothing.
    let (_, result) = Panel { client: &client }
        .sync(&mapping, "m.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Unchanged);
}

#[tokio::test]
async fn a_paragraph_edit_is_one_targeted_notion_write() {
    let app = TestApp::spawn(Db::Sqlite).await.unwrap();
    let text: String = (1..=40)
        .map(|i| format!("Paragraph number {i}.\n\n"))
        .collect();
    let Linked {
        client,
        notion,
        mapping,
        page_id,
    } = linked(&app, 171, "big.md", &text).await;
    let before = app.emulator.handle().state_json();
    let mut file = Some(text.replace("Paragraph number 17.", "Paragraph number 17, edited."));
    app.emulator.clear_ledger().await;
    let (_, result) = Panel { client: &client }
        .sync(&mapping, "big.md", &mut file)
        .await;
    assert_eq!(action(&result), ItemAction::Pushed);
    let calls: Vec<_> = app
        .emulator
        .ledger()
        .await
        .into_iter()
        .map(|e| format!("{} {}", e.method, e.path))
        .collect();
    assert_eq!(calls.len(), 2, "one read and one write: {calls:?}");
    assert!(
        calls[1].starts_with("PATCH") && calls[1].ends_with("/markdown"),
        "{calls:?}"
    );
    let md = notion.markdown(&page_id).await;
    assert!(md.contains("Paragraph number 17, edited.") && md.contains("Paragraph number 40."));
    // The untouched blocks kept their ids.
    let ids = |state: &serde_json::Value| -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        collect_ids(state, &mut out);
        out
    };
    let (a, b) = (ids(&before), ids(&app.emulator.handle().state_json()));
    assert!(
        a.intersection(&b).count() >= 39,
        "at most one block was replaced"
    );
}

fn collect_ids(v: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::String(id)) = m.get("id") {
                out.insert(id.clone());
            }
            m.values().for_each(|v| collect_ids(v, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_ids(v, out)),
        _ => {}
    }
}

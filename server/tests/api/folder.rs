//! Folder ↔ database mappings through the whole session protocol, against the emulator.

use crate::helpers::{Db, TestApp};
use protocol::api::{ConflictStrategy, CreateMapping, Direction, MappingKind, NotionTarget};
use protocol::client::RelayClient;
use protocol::session::{
    Ack, FileContent, FileWriteOp, ItemAction, Manifest, ManifestEntry, SessionPlan, SessionResult,
    SkippedWrite, UploadContents, WrittenFile,
};
use protocol::ContentHash;
use std::collections::BTreeMap;

/// A Repl's files, as the panel sees them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Repl {
    pub(crate) files: BTreeMap<String, String>,
}

/// How the panel runs one session.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Opts {
    pub(crate) complete: bool,
    pub(crate) confirm: bool,
    pub(crate) dry_run: bool,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            complete: true,
            confirm: false,
            dry_run: false,
        }
    }
}

/// What a session sent and got.
pub(crate) struct Synced {
    pub(crate) plan: SessionPlan,
    pub(crate) result: Option<SessionResult>,
    /// Bytes the panel sent after the manifest (uploads and the acknowledgement).
    pub(crate) bytes_after_manifest: usize,
}

impl Synced {
    pub(crate) fn items(&self) -> &[protocol::session::ItemOutcome] {
        match &self.result {
            Some(r) => &r.items,
            None => &self.plan.items,
        }
    }
    pub(crate) fn count(&self, action: ItemAction) -> usize {
        self.items().iter().filter(|i| i.action == action).count()
    }
    pub(crate) fn action(&self, path: &str) -> Option<ItemAction> {
        self.items()
            .iter()
            .find(|i| i.path == path)
            .map(|i| i.action)
    }
}

impl Repl {
    pub(crate) fn with(files: &[(&str, &str)]) -> Repl {
        Repl {
            files: files
                .iter()
                .map(|(p, c)| (p.to_string(), c.to_string()))
                .collect(),
        }
    }

    pub(crate) fn hash(&self, path: &str) -> Option<ContentHash> {
        self.files.get(path).map(ContentHash::of)
    }

    /// Sync Now, as the panel does it: manifest → uploads → apply the writes whose expected hash
    /// still matches → acknowledge.
    pub(crate) async fn sync(&mut self, client: &RelayClient, mapping: &str, o: Opts) -> Synced {
        let manifest = Manifest {
            mapping_id: mapping.into(),
            files: self
                .files
                .iter()
                .map(|(p, c)| ManifestEntry {
                    path: p.clone(),
                    size: c.len() as u64,
                    hash: ContentHash::of(c),
                })
                .collect(),
            dry_run: o.dry_run,
            complete: o.complete,
            confirm_deletions: o.confirm,
            accepts_file_ops: true,
            project: None,
        };
        let started = client.start_session(&manifest).await.expect("start");
        let upload = UploadContents {
            files: started
                .needed
                .iter()
                .map(|p| FileContent {
                    path: p.clone(),
                    content: self.files.get(p).cloned().expect("needed file exists"),
                })
                .collect(),
        };
        let mut bytes = serde_json::to_vec(&upload).unwrap().len();
        let plan = client
            .upload(&started.session_id, &upload)
            .await
            .expect("upload");
        if o.dry_run {
            return Synced {
                plan,
                result: None,
                bytes_after_manifest: bytes,
            };
        }
        let mut ack = Ack::default();
        for w in &plan.file_writes {
            let current = self.hash(&w.path);
            let ok = match &w.op {
                FileWriteOp::Write => current == w.expected_hash,
                FileWriteOp::Delete => current.is_some() && current == w.expected_hash,
                FileWriteOp::Move { to } => {
                    current.is_some() && current == w.expected_hash && !self.files.contains_key(to)
                }
            };
            if !ok {
                ack.skipped.push(SkippedWrite {
                    path: w.path.clone(),
                    reason: "changed meanwhile".into(),
                });
                continue;
            }
            match &w.op {
                FileWriteOp::Write => {
                    self.files.insert(w.path.clone(), w.content.clone());
                }
                FileWriteOp::Delete => {
                    self.files.remove(&w.path);
                }
                FileWriteOp::Move { to } => {
                    self.files.remove(&w.path);
                    self.files.insert(to.clone(), w.content.clone());
                }
            }
            ack.written.push(WrittenFile {
                path: w.path.clone(),
                hash: w.new_hash.clone(),
            });
        }
        bytes += serde_json::to_vec(&ack).unwrap().len();
        let result = client.ack(&plan.session_id, &ack).await.expect("ack");
        Synced {
            plan,
            result: Some(result),
            bytes_after_manifest: bytes,
        }
    }
}

/// The test's own view of Notion: another integration (so its edits are not the relay's).
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

    /// The live rows of a data source.
    pub(crate) async fn rows(&self, data_source_id: &str) -> Vec<notion::Page> {
        self.client
            .query_data_source_all(
                &self.token,
                data_source_id,
                &notion::QueryRequest::default(),
            )
            .await
            .expect("query")
            .into_iter()
            .filter_map(|r| match r {
                notion::SearchResult::Page(p) => Some(*p),
                _ => None,
            })
            .collect()
    }

    pub(crate) async fn data_source(&self, database_id: &str) -> String {
        let db = self
            .client
            .retrieve_database(&self.token, database_id)
            .await
            .expect("database");
        db.data_sources.unwrap()[0].id.clone()
    }

    pub(crate) async fn row(&self, ds: &str, title: &str) -> notion::Page {
        self.rows(ds)
            .await
            .into_iter()
            .find(|p| p.title() == title)
            .unwrap_or_else(|| panic!("a row titled {title:?}"))
    }

    pub(crate) async fn markdown(&self, page_id: &str) -> String {
        self.client
            .get_page_markdown(&self.token, page_id)
            .await
            .expect("markdown")
            .markdown
    }

    pub(crate) async fn replace(&self, page_id: &str, md: &str) {
        self.client
            .update_page_markdown(
                &self.token,
                page_id,
                &notion::UpdatePageMarkdown::replace_content(md),
            )
            .await
            .expect("replace");
    }

    pub(crate) async fn patch(&self, page_id: &str, body: serde_json::Value) {
        let req = reqwest::Client::new()
            .patch(
                self.client
                    .config()
                    .base_url
                    .join(&format!("v1/pages/{page_id}"))
                    .unwrap(),
            )
            .bearer_auth(self.token.expose())
            .header("Notion-Version", "2026-03-11")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            req.status().is_success(),
            "patch: {}",
            req.text().await.unwrap()
        );
    }

    pub(crate) async fn new_row(&self, ds: &str, title: &str, md: &str) -> String {
        let mut req = notion::CreatePageRequest {
            parent: notion::PageParent::DataSourceId(ds.to_string()),
            markdown: Some(md.to_string()),
            ..Default::default()
        };
        req.properties.insert(
            "Name".into(),
            notion::PropertyValueKind::Title(vec![notion::RichTextItem::text(title)]),
        );
        self.client
            .create_page(&self.token, &req)
            .await
            .expect("create row")
            .id
    }
}

/// Ledger entries that write (queries and search only read).
pub(crate) fn writes(ledger: &[notion_emulator::LedgerEntry]) -> Vec<String> {
    ledger
        .iter()
        .filter(|e| e.method != "GET" && !e.path.ends_with("/query") && e.path != "/v1/search")
        .map(|e| format!("{} {}", e.method, e.path))
        .collect()
}

/// A relay and an emulator without Notion's rate limit (pacing is not what these tests check).
pub(crate) async fn fast_app(db: Db) -> Option<TestApp> {
    TestApp::spawn_with_emulator(
        db,
        &["--notion-requests-per-second", "1000"],
        notion_emulator::EmulatorConfig {
            rate_limit: notion_emulator::RateLimit::Off,
            ..crate::helpers::emulator_config()
        },
    )
    .await
}

pub(crate) async fn folder_mapping(
    client: &RelayClient,
    folder: &str,
    target: NotionTarget,
    recursive: bool,
) -> protocol::api::Mapping {
    client
        .create_mapping(&CreateMapping {
            kind: MappingKind::FolderDatabase,
            path: folder.into(),
            target,
            direction: Direction::Bidirectional,
            strategy: ConflictStrategy::Merge,
            repl_id: None,
            recursive,
        })
        .await
        .expect("create folder mapping")
}

fn new_database() -> NotionTarget {
    NotionTarget::NewDatabase {
        parent_page_id: None,
    }
}

/// A user connected to Notion with `notes/` mapped to a new database and pushed once.
pub(crate) struct Setup {
    pub(crate) app: TestApp,
    pub(crate) client: RelayClient,
    pub(crate) notion: Notion,
    pub(crate) mapping: String,
    pub(crate) ds: String,
    pub(crate) repl: Repl,
}

pub(crate) async fn setup(db: Db, user: i64, files: &[(&str, &str)]) -> Option<Setup> {
    let app = fast_app(db).await?;
    let client = app.login(user).await;
    app.connect_notion(&client).await;
    let notion = Notion::for_app(&app).await;
    let mapping = folder_mapping(&client, "notes", new_database(), false).await;
    let mut repl = Repl::with(files);
    let s = repl.sync(&client, &mapping.id, Opts::default()).await;
    let expected = files
        .iter()
        .filter(|(p, _)| p.strip_prefix("notes/").is_some_and(|r| !r.contains('/')))
        .count();
    assert_eq!(s.count(ItemAction::Created), expected, "{:?}", s.items());
    let m = client
        .configurations()
        .await
        .unwrap()
        .mappings
        .into_iter()
        .find(|m| m.id == mapping.id)
        .unwrap();
    let db_id = m.notion_page_id.expect("database created");
    let ds = notion.data_source(&db_id).await;
    Some(Setup {
        app,
        client,
        notion,
        mapping: mapping.id,
        ds,
        repl,
    })
}

async fn main_flow(db: Db) {
    let Some(mut s) = setup(
        db,
        31,
        &[
            ("notes/Alpha.md", "Alpha body.\n"),
            ("notes/beta.md", "# Beta\n\nBeta body.\n\n- one\n- two\n"),
            ("notes/Gamma.md", "Gamma body.\n"),
            ("notes/Delta.md", "Delta body.\n"),
            ("notes/sub/Deep.md", "Not in a non-recursive mapping.\n"),
            ("README.md", "Outside the folder.\n"),
        ],
    )
    .await
    else {
        return;
    };
    // One row per file of the folder, created with its content and a sync id.
    let rows = s.notion.rows(&s.ds).await;
    let mut titles: Vec<String> = rows.iter().map(|p| p.title()).collect();
    titles.sort();
    assert_eq!(titles, ["Alpha", "Beta", "Delta", "Gamma"]);
    let beta = s.notion.row(&s.ds, "Beta").await;
    assert_eq!(
        s.notion.markdown(&beta.id).await,
        "Beta body.\n- one\n- two"
    );
    assert!(rows.iter().all(|p| matches!(
        &p.properties["Sync ID"].value,
        notion::PropertyValueKind::RichText(t) if !t.is_empty()
    )));

    // Nothing changed: nothing written.
    s.app.emulator.clear_ledger().await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Unchanged), 4, "{:?}", r.items());
    assert!(writes(&s.app.emulator.ledger().await).is_empty());

    // A file edit is one targeted update of its row.
    s.repl.files.insert(
        "notes/beta.md".into(),
        "# Beta\n\nBeta body, edited.\n\n- one\n- two\n".into(),
    );
    s.app.emulator.clear_ledger().await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.action("notes/beta.md"), Some(ItemAction::Pushed));
    let w = writes(&s.app.emulator.ledger().await);
    assert_eq!(
        w,
        [format!("PATCH /v1/pages/{}/markdown", beta.id)],
        "{w:?}"
    );
    assert_eq!(
        s.notion.markdown(&beta.id).await,
        "Beta body, edited.\n- one\n- two"
    );

    // An edit in Notion becomes a file write.
    let gamma = s.notion.row(&s.ds, "Gamma").await;
    s.notion
        .replace(&gamma.id, "Gamma body, from Notion.")
        .await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.action("notes/Gamma.md"), Some(ItemAction::Pulled));
    assert_eq!(s.repl.files["notes/Gamma.md"], "Gamma body, from Notion.\n");
    // …which does not come back as an edit.
    s.app.emulator.clear_ledger().await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Unchanged), 4, "{:?}", r.items());
    assert!(writes(&s.app.emulator.ledger().await).is_empty());

    // New rows in Notion become new files with safe, unique names.
    s.notion.new_row(&s.ds, "../../etc/passwd", "Sneaky.").await;
    s.notion.new_row(&s.ds, "CON", "Reserved.").await;
    s.notion.new_row(&s.ds, "Alpha", "A second Alpha.").await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Pulled), 3, "{:?}", r.items());
    for (path, body) in [
        ("notes/etc-passwd.md", "Sneaky."),
        ("notes/CON_.md", "Reserved."),
        ("notes/Alpha (2).md", "A second Alpha."),
    ] {
        let text = s
            .repl
            .files
            .get(path)
            .unwrap_or_else(|| panic!("{path}: {:?}", s.repl.files.keys()));
        assert!(text.contains(body), "{path}: {text:?}");
    }
    assert!(s.repl.files.keys().all(|p| !p.contains("..")));
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Unchanged), 7, "{:?}", r.items());

    // A rename in Notion moves the file (whose name is its title).
    let alpha = s.notion.row(&s.ds, "Alpha").await;
    s.notion
        .patch(
            &alpha.id,
            serde_json::json!({"properties": {"Name": {"title": [{"text": {"content": "Alpha Renamed"}}]}}}),
        )
        .await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    let moves: Vec<_> = r
        .plan
        .file_writes
        .iter()
        .filter(|w| matches!(w.op, FileWriteOp::Move { .. }))
        .collect();
    assert_eq!(moves.len(), 1, "{:?}", r.plan.file_writes);
    assert!(!s.repl.files.contains_key("notes/Alpha.md"));
    assert_eq!(s.repl.files["notes/Alpha Renamed.md"], "Alpha body.\n");
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Unchanged), 7, "{:?}", r.items());
    assert_eq!(s.notion.row(&s.ds, "Alpha Renamed").await.id, alpha.id);

    // A file missing from an incomplete scan is not a deletion (G7).
    let delta_text = s.repl.files.remove("notes/Delta.md").unwrap();
    s.app.emulator.clear_ledger().await;
    let r = s
        .repl
        .sync(
            &s.client,
            &s.mapping,
            Opts {
                complete: false,
                ..Opts::default()
            },
        )
        .await;
    assert!(
        writes(&s.app.emulator.ledger().await).is_empty(),
        "{:?}",
        r.items()
    );
    assert!(!s.notion.row(&s.ds, "Delta").await.in_trash);
    // A complete scan is evidence: the row goes to Notion's trash, the file's content to history.
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(
        r.action("notes/Delta.md"),
        Some(ItemAction::Pushed),
        "{:?}",
        r.items()
    );
    assert!(s
        .notion
        .rows(&s.ds)
        .await
        .iter()
        .all(|p| p.title() != "Delta"));
    let history = s.client.history("notes/Delta.md").await.unwrap().revisions;
    assert!(history.iter().any(|h| h.reason == "delete"), "{history:?}");
    let _ = delta_text;

    // A row trashed in Notion deletes its file (with a delete op carrying the expected hash).
    let con = s.notion.row(&s.ds, "CON").await;
    s.notion
        .patch(&con.id, serde_json::json!({"in_trash": true}))
        .await;
    let expected = s.repl.hash("notes/CON_.md");
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    let del = r
        .plan
        .file_writes
        .iter()
        .find(|w| w.op == FileWriteOp::Delete)
        .expect("a delete op");
    assert_eq!(del.path, "notes/CON_.md");
    assert_eq!(del.expected_hash, expected);
    assert!(!s.repl.files.contains_key("notes/CON_.md"));
    let history = s.client.history("notes/CON_.md").await.unwrap().revisions;
    assert!(history.iter().any(|h| h.reason == "delete"), "{history:?}");

    // Converged: the next sync writes nothing on either side.
    s.app.emulator.clear_ledger().await;
    let before = s.repl.files.clone();
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert!(r.plan.file_writes.is_empty(), "{:?}", r.plan.file_writes);
    assert!(writes(&s.app.emulator.ledger().await).is_empty());
    assert_eq!(s.repl.files, before);
    // Files outside the mapping were never touched or synced.
    assert_eq!(s.repl.files["README.md"], "Outside the folder.\n");
    assert!(s
        .notion
        .rows(&s.ds)
        .await
        .iter()
        .all(|p| p.title() != "Deep"));
}

#[tokio::test]
async fn folder_round_trip_on_sqlite() {
    main_flow(Db::Sqlite).await;
}

#[tokio::test]
async fn folder_round_trip_on_postgres() {
    main_flow(Db::Postgres).await;
}

#[tokio::test]
async fn a_no_op_sync_of_100_files_costs_two_calls_and_no_writes() {
    let files: Vec<(String, String)> = (0..100)
        .map(|i| {
            (
                format!("notes/Note {i:03}.md"),
                format!("---\nstatus: draft\n---\nBody of note {i}.\n\n- a point\n"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let app = fast_app(Db::Sqlite).await.unwrap();
    let client = app.login(32).await;
    app.connect_notion(&client).await;
    let mapping = folder_mapping(&client, "notes", new_database(), false).await;
    let mut repl = Repl::with(&refs);
    app.emulator.clear_ledger().await;
    let r = repl.sync(&client, &mapping.id, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Created), 100);
    let push_calls = app.emulator.ledger().await.len();
    eprintln!("initial push of 100 files: {push_calls} Notion calls");
    assert!(push_calls <= 110, "≤ 1.1 calls per file: {push_calls}");

    for round in 0..2 {
        app.emulator.clear_ledger().await;
        let r = repl.sync(&client, &mapping.id, Opts::default()).await;
        let ledger = app.emulator.ledger().await;
        let calls: Vec<String> = ledger
            .iter()
            .map(|e| format!("{} {}", e.method, e.path))
            .collect();
        eprintln!(
            "no-op sync {round}: {} Notion calls: {calls:?}",
            calls.len()
        );
        eprintln!(
            "no-op sync {round}: {} bytes panel → relay after the manifest",
            r.bytes_after_manifest
        );
        assert_eq!(r.count(ItemAction::Unchanged), 100);
        assert!(calls.len() <= 2, "{calls:?}");
        assert!(writes(&ledger).is_empty());
        assert!(r.bytes_after_manifest <= 100 * 100);
    }
}

#[tokio::test]
async fn edit_beats_delete() {
    let Some(mut s) = setup(
        Db::Sqlite,
        33,
        &[
            ("notes/One.md", "One body.\n"),
            ("notes/Two.md", "Two body.\n"),
        ],
    )
    .await
    else {
        return;
    };
    // The file is deleted while its row is edited in Notion: the file comes back.
    let one = s.notion.row(&s.ds, "One").await;
    s.repl.files.remove("notes/One.md");
    s.notion
        .replace(&one.id, "One body, edited in Notion.")
        .await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(
        r.action("notes/One.md"),
        Some(ItemAction::Pulled),
        "{:?}",
        r.items()
    );
    assert_eq!(
        s.repl.files["notes/One.md"],
        "One body, edited in Notion.\n"
    );
    assert!(!s.notion.row(&s.ds, "One").await.in_trash);
    let history = s.client.history("notes/One.md").await.unwrap().revisions;
    assert!(history.iter().any(|h| h.reason == "restore"), "{history:?}");

    // The row is trashed while its file is edited: the row comes back (a new one).
    let two = s.notion.row(&s.ds, "Two").await;
    s.notion
        .patch(&two.id, serde_json::json!({"in_trash": true}))
        .await;
    s.repl.files.insert(
        "notes/Two.md".into(),
        "Two body, edited in the Repl.\n".into(),
    );
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(
        r.action("notes/Two.md"),
        Some(ItemAction::Created),
        "{:?}",
        r.items()
    );
    let again = s.notion.row(&s.ds, "Two").await;
    assert_ne!(again.id, two.id);
    assert_eq!(
        s.notion.markdown(&again.id).await,
        "Two body, edited in the Repl."
    );
    assert_eq!(
        s.repl.files["notes/Two.md"],
        "Two body, edited in the Repl.\n"
    );
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Unchanged), 2, "{:?}", r.items());
}

#[tokio::test]
async fn mass_deletion_is_held_until_confirmed() {
    let files: Vec<(String, String)> = (0..10)
        .map(|i| (format!("notes/N{i}.md"), format!("Note {i}.\n")))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let Some(mut s) = setup(Db::Sqlite, 34, &refs).await else {
        return;
    };
    for i in 0..6 {
        s.repl.files.remove(&format!("notes/N{i}.md"));
    }
    // 6 of 10 (more than 5 and more than 20%): nothing is deleted, the plan says what would be.
    s.app.emulator.clear_ledger().await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    let held = r.plan.held_deletions.clone().expect("deletions held");
    assert_eq!((held.would_delete, held.tracked), (6, 10));
    assert!(
        held.message.starts_with("halted: 6/10 would be deleted"),
        "{}",
        held.message
    );
    assert_eq!(held.paths.len(), 6);
    assert!(writes(&s.app.emulator.ledger().await).is_empty());
    assert_eq!(s.notion.rows(&s.ds).await.len(), 10);
    // Still held without a confirmation.
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert!(r.plan.held_deletions.is_some());
    // Confirmed: exactly those go to the trash, with history.
    let r = s
        .repl
        .sync(
            &s.client,
            &s.mapping,
            Opts {
                confirm: true,
                ..Opts::default()
            },
        )
        .await;
    assert!(r.plan.held_deletions.is_none());
    assert_eq!(r.count(ItemAction::Pushed), 6, "{:?}", r.items());
    assert_eq!(s.notion.rows(&s.ds).await.len(), 4);
    let history = s.client.history("notes/N0.md").await.unwrap().revisions;
    assert!(history.iter().any(|h| h.reason == "delete"));
}

#[tokio::test]
async fn a_confirmation_covers_only_the_deletions_shown() {
    let files: Vec<(String, String)> = (0..10)
        .map(|i| (format!("notes/N{i}.md"), format!("Note {i}.\n")))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let Some(mut s) = setup(Db::Sqlite, 35, &refs).await else {
        return;
    };
    for i in 0..6 {
        s.repl.files.remove(&format!("notes/N{i}.md"));
    }
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(r.plan.held_deletions.unwrap().would_delete, 6);
    // Two more files vanish before the user confirms: the larger set is held again.
    s.repl.files.remove("notes/N6.md");
    s.repl.files.remove("notes/N7.md");
    let r = s
        .repl
        .sync(
            &s.client,
            &s.mapping,
            Opts {
                confirm: true,
                ..Opts::default()
            },
        )
        .await;
    assert_eq!(r.plan.held_deletions.unwrap().would_delete, 8);
    assert_eq!(s.notion.rows(&s.ds).await.len(), 10);
}

#[tokio::test]
async fn front_matter_and_properties_round_trip() {
    let Some(mut s) = setup(
        Db::Sqlite,
        36,
        &[
            (
                "notes/Plan.md",
                "---\n# kept as is\nstatus: Draft\ntags: [a, b]\nestimate: 3\ndone: false\ndue: 2024-05-01\ncustom: {x: 1}\n---\nThe plan.\n",
            ),
            ("notes/Other.md", "No front matter.\n"),
        ],
    )
    .await
    else {
        return;
    };
    let plan = s.notion.row(&s.ds, "Plan").await;
    let json = serde_json::to_value(&plan.properties).unwrap();
    assert_eq!(
        json["status"]["rich_text"][0]["plain_text"], "Draft",
        "{json}"
    );
    assert_eq!(json["tags"]["multi_select"][1]["name"], "b", "{json}");
    assert_eq!(json["estimate"]["number"], 3.0, "{json}");
    assert_eq!(json["done"]["checkbox"], false, "{json}");
    assert_eq!(json["due"]["date"]["start"], "2024-05-01", "{json}");
    assert!(json.get("custom").is_none(), "{json}");
    // The front matter never becomes page text (G15).
    assert_eq!(s.notion.markdown(&plan.id).await, "The plan.");

    // A property edited in Notion comes back into the front matter, in place.
    s.notion
        .patch(
            &plan.id,
            serde_json::json!({"properties": {"done": {"checkbox": true}, "estimate": {"number": 5}}}),
        )
        .await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(
        r.action("notes/Plan.md"),
        Some(ItemAction::Pulled),
        "{:?}",
        r.items()
    );
    assert_eq!(
        s.repl.files["notes/Plan.md"],
        "---\n# kept as is\nstatus: Draft\ntags: [a, b]\nestimate: 5\ndone: true\ndue: 2024-05-01\ncustom: {x: 1}\n---\nThe plan.\n"
    );
    // A front matter edit becomes a property update (and nothing else).
    s.repl.files.insert(
        "notes/Plan.md".into(),
        "---\n# kept as is\nstatus: Final\ntags: [a, b]\nestimate: 5\ndone: true\ndue: 2024-05-01\ncustom: {x: 1}\n---\nThe plan.\n".into(),
    );
    s.app.emulator.clear_ledger().await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(
        r.action("notes/Plan.md"),
        Some(ItemAction::Pushed),
        "{:?}",
        r.items()
    );
    assert_eq!(
        writes(&s.app.emulator.ledger().await),
        [format!("PATCH /v1/pages/{}", plan.id)]
    );
    let plan = s.notion.row(&s.ds, "Plan").await;
    let json = serde_json::to_value(&plan.properties).unwrap();
    assert_eq!(json["status"]["rich_text"][0]["plain_text"], "Final");
    // A new key becomes a new property of the database the relay made.
    s.repl.files.insert(
        "notes/Other.md".into(),
        "---\nowner: ada\n---\nNo front matter.\n".into(),
    );
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert_eq!(
        r.action("notes/Other.md"),
        Some(ItemAction::Pushed),
        "{:?}",
        r.items()
    );
    let other = s.notion.row(&s.ds, "Other").await;
    let json = serde_json::to_value(&other.properties).unwrap();
    assert_eq!(json["owner"]["rich_text"][0]["plain_text"], "ada", "{json}");
    // Converged.
    s.app.emulator.clear_ledger().await;
    let r = s.repl.sync(&s.client, &s.mapping, Opts::default()).await;
    assert!(r.plan.file_writes.is_empty(), "{:?}", r.plan.file_writes);
    assert!(writes(&s.app.emulator.ledger().await).is_empty());
}

#[tokio::test]
async fn another_user_cannot_touch_a_folder_mapping() {
    let Some(s) = setup(Db::Sqlite, 37, &[("notes/Mine.md", "Mine.\n")]).await else {
        return;
    };
    let other = s.app.login(38).await;
    s.app.connect_notion(&other).await;
    let err = other
        .start_session(&Manifest {
            mapping_id: s.mapping.clone(),
            files: Vec::new(),
            complete: true,
            ..Manifest::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    let err = other.delete_mapping(&s.mapping).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    let err = other
        .update_mapping(&s.mapping, &protocol::api::UpdateMapping::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert!(other.configurations().await.unwrap().mappings.is_empty());
    // Nothing of the owner's was touched.
    assert_eq!(s.notion.rows(&s.ds).await.len(), 1);
    assert_eq!(s.client.configurations().await.unwrap().mappings.len(), 1);
}

#[tokio::test]
async fn an_existing_database_is_linked_through_its_one_data_source() {
    let app = fast_app(Db::Sqlite).await.unwrap();
    let client = app.login(39).await;
    app.connect_notion(&client).await;
    let notion = Notion::for_app(&app).await;
    // A database the user made, with two rows, shared with the relay's integration (the
    // workspace's pages are all shared on the consent page; a database at the top is not).
    let parent = app.emulator.handle().find_pages("Team Handbook")[0]
        .id
        .clone();
    let mut schema = notion::SchemaChanges::new();
    schema.insert(
        "Title".into(),
        Some(notion::PropertySchemaRequest::new(
            notion::PropertyConfig::Title(Default::default()),
        )),
    );
    schema.insert(
        "Status".into(),
        Some(notion::PropertySchemaRequest::new(
            notion::PropertyConfig::Select(Default::default()),
        )),
    );
    let db = notion
        .client
        .create_database(
            &notion.token,
            &notion::CreateDatabaseRequest::under_page(&parent, "Team notes", schema),
        )
        .await
        .unwrap();
    let ds = db.data_sources.clone().unwrap()[0].id.clone();
    let mut req = notion::CreatePageRequest {
        parent: notion::PageParent::DataSourceId(ds.clone()),
        markdown: Some("Existing row.".into()),
        ..Default::default()
    };
    req.properties.insert(
        "Title".into(),
        notion::PropertyValueKind::Title(vec![notion::RichTextItem::text("Kickoff")]),
    );
    req.properties.insert(
        "Status".into(),
        notion::PropertyValueKind::Select(Some(notion::SelectOption {
            id: None,
            name: "Open".into(),
            color: None,
        })),
    );
    notion
        .client
        .create_page(&notion.token, &req)
        .await
        .unwrap();

    // The panel's database picker finds it by title, under its database id.
    let found = client.search_databases("Team notes").await.unwrap().results;
    assert!(
        found
            .iter()
            .any(|r| r.id == db.id && r.title == "Team notes"),
        "{found:?}"
    );
    assert_eq!(found.iter().filter(|r| r.id == db.id).count(), 1);

    let m = folder_mapping(
        &client,
        "team",
        NotionTarget::ExistingDatabase {
            database_id: db.id.clone(),
        },
        true,
    )
    .await;
    assert_eq!(m.kind, MappingKind::FolderDatabase);
    assert!(m.recursive);
    assert_eq!(m.notion_page_id.as_deref(), Some(db.id.as_str()));
    // Our sync id property was added to the schema.
    let schema = notion
        .client
        .retrieve_data_source(&notion.token, &ds)
        .await
        .unwrap();
    assert!(schema.properties.contains_key("Sync ID"));

    let mut repl = Repl::with(&[(
        "team/sub/Retro.md",
        "---\nStatus: Done\n---\nRetro notes.\n",
    )]);
    let r = repl.sync(&client, &m.id, Opts::default()).await;
    assert_eq!(
        r.action("team/Kickoff.md"),
        Some(ItemAction::Pulled),
        "{:?}",
        r.items()
    );
    assert_eq!(r.action("team/sub/Retro.md"), Some(ItemAction::Created));
    assert_eq!(
        repl.files["team/Kickoff.md"],
        "---\nStatus: Open\n---\nExisting row.\n"
    );
    let retro = notion.row(&ds, "Retro").await;
    let json = serde_json::to_value(&retro.properties).unwrap();
    assert_eq!(json["Status"]["select"]["name"], "Done", "{json}");

    // A database with two data sources is refused rather than guessed.
    notion
        .client
        .create_data_source(
            &notion.token,
            &notion::CreateDataSourceRequest {
                parent: notion::Parent::DatabaseId(db.id.clone()),
                properties: notion::SchemaChanges::new(),
                title: Vec::new(),
                icon: None,
            },
        )
        .await
        .unwrap();
    let err = client
        .create_mapping(&CreateMapping {
            kind: MappingKind::FolderDatabase,
            path: "other".into(),
            target: NotionTarget::ExistingDatabase {
                database_id: db.id.clone(),
            },
            direction: Direction::Bidirectional,
            strategy: ConflictStrategy::Merge,
            repl_id: None,
            recursive: false,
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    assert!(err.to_string().contains("several_data_sources"), "{err}");
    assert_eq!(client.configurations().await.unwrap().mappings.len(), 1);
}

#[tokio::test]
async fn lost_answers_to_creates_make_no_duplicates() {
    let Some(app) = fast_app(Db::Sqlite).await else {
        return;
    };
    let client = app.login(40).await;
    app.connect_notion(&client).await;
    let notion = Notion::for_app(&app).await;
    let mapping = folder_mapping(&client, "notes", new_database(), false).await;
    let files: Vec<(String, String)> = (0..8)
        .map(|i| (format!("notes/F{i}.md"), format!("File {i}.\n")))
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, c)| (p.as_str(), c.as_str()))
        .collect();
    let mut repl = Repl::with(&refs);
    // The first three row creates are applied, but their answers are lost.
    app.emulator
        .handle()
        .set_faults(notion_emulator::FaultPlan {
            seed: 1,
            rules: vec![notion_emulator::FaultRule {
                kind: notion_emulator::FaultKind::Lost,
                probability: None,
                count: Some(3),
                method: Some("POST".into()),
                path: Some("/v1/pages".into()),
                delay_ms: None,
            }],
        })
        .unwrap();
    let r = repl.sync(&client, &mapping.id, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Failed), 3, "{:?}", r.items());
    assert_eq!(r.count(ItemAction::Created), 5, "{:?}", r.items());
    let db_id = client.configurations().await.unwrap().mappings[0]
        .notion_page_id
        .clone()
        .unwrap();
    let ds = notion.data_source(&db_id).await;
    assert_eq!(
        notion.rows(&ds).await.len(),
        8,
        "the lost creates were applied"
    );
    // The next sync finds them by their sync id instead of creating them again.
    let r = repl.sync(&client, &mapping.id, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Created), 0, "{:?}", r.items());
    assert_eq!(r.count(ItemAction::Failed), 0, "{:?}", r.items());
    let rows = notion.rows(&ds).await;
    assert_eq!(rows.len(), 8, "no duplicates");
    let mut titles: Vec<String> = rows.iter().map(|p| p.title()).collect();
    titles.sort();
    titles.dedup();
    assert_eq!(titles.len(), 8);
    // And the sync after that writes nothing.
    app.emulator.clear_ledger().await;
    let r = repl.sync(&client, &mapping.id, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Unchanged), 8, "{:?}", r.items());
    assert!(writes(&app.emulator.ledger().await).is_empty());
}

#[tokio::test]
async fn a_preview_writes_nothing_and_creates_no_database() {
    let Some(app) = fast_app(Db::Sqlite).await else {
        return;
    };
    let client = app.login(41).await;
    app.connect_notion(&client).await;
    let mapping = folder_mapping(&client, "notes", new_database(), false).await;
    let mut repl = Repl::with(&[("notes/A.md", "A.\n"), ("notes/B.md", "B.\n")]);
    app.emulator.clear_ledger().await;
    let r = repl
        .sync(
            &client,
            &mapping.id,
            Opts {
                dry_run: true,
                ..Opts::default()
            },
        )
        .await;
    assert_eq!(r.count(ItemAction::Created), 2, "{:?}", r.items());
    assert!(writes(&app.emulator.ledger().await).is_empty());
    assert!(client.configurations().await.unwrap().mappings[0]
        .notion_page_id
        .is_none());
}

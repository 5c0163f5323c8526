//! `repl_project_row` mappings: the Repl as one row of a Projects database (Replit → Notion),
//! through the session protocol against the emulator, on SQLite and PostgreSQL.

use crate::folder::{fast_app, writes, Notion};
use crate::helpers::{Db, TestApp};
use engine::frontmatter::PropertyValue;
use protocol::api::{
    ConflictStrategy, CreateMapping, Direction, MappingKind, NotionTarget, UpdateMapping,
};
use protocol::client::RelayClient;
use protocol::session::{
    Ack, ItemAction, ItemOutcome, Manifest, ReplProject, SessionResult, UploadContents,
};

const REPL: &str = "0f9e8d7c-repl";

fn project() -> ReplProject {
    ReplProject {
        repl_id: REPL.into(),
        title: "Demo app".into(),
        description: "A small demo".into(),
        url: "https://replit.com/@ada/demo-app".into(),
        is_private: true,
        created_at: Some("2024-05-01T10:00:00.000Z".into()),
        owner: Some("ada".into()),
        languages: vec!["python".into(), "rust".into()],
        file_count: 12,
    }
}

fn project_mapping(target: NotionTarget, direction: Direction) -> CreateMapping {
    CreateMapping {
        kind: MappingKind::ReplProjectRow,
        path: String::new(),
        target,
        direction,
        strategy: ConflictStrategy::Merge,
        repl_id: Some(REPL.into()),
        recursive: false,
    }
}

fn new_database() -> NotionTarget {
    NotionTarget::NewDatabase {
        parent_page_id: None,
    }
}

/// What the panel does for Sync Now on a project-row mapping: the Repl's details in the
/// manifest, no file.
async fn sync(client: &RelayClient, mapping: &str, p: &ReplProject) -> SessionResult {
    let started = client
        .start_session(&Manifest {
            mapping_id: mapping.into(),
            project: Some(p.clone()),
            ..Default::default()
        })
        .await
        .expect("start");
    assert!(started.needed.is_empty(), "no file is read");
    let plan = client
        .upload(&started.session_id, &UploadContents::default())
        .await
        .expect("upload");
    assert!(
        plan.file_writes.is_empty(),
        "nothing is written to the Repl"
    );
    client
        .ack(&plan.session_id, &Ack::default())
        .await
        .expect("ack")
}

fn item(result: &SessionResult) -> &ItemOutcome {
    assert_eq!(result.items.len(), 1, "{:?}", result.items);
    &result.items[0]
}

fn value(page: &notion::Page, name: &str) -> PropertyValue {
    let v = page
        .properties
        .get(name)
        .unwrap_or_else(|| panic!("property {name}"));
    PropertyValue::from_notion_json(&serde_json::to_value(v).unwrap()).expect("a value")
}

async fn database_rows(client: &RelayClient, notion: &Notion) -> Vec<notion::Page> {
    let db = client.configurations().await.unwrap().mappings[0]
        .notion_page_id
        .clone()
        .expect("the database exists");
    let ds = notion.data_source(&db).await;
    notion.rows(&ds).await
}

async fn upsert(db: Db) {
    let Some(app) = fast_app(db).await else {
        return;
    };
    let client = app.login(701).await;
    app.connect_notion(&client).await;
    let notion = Notion::for_app(&app).await;
    let mapping = client
        .create_mapping(&project_mapping(new_database(), Direction::ReplitToNotion))
        .await
        .expect("a project-row mapping")
        .id;

    // First sync: the Projects database and the Repl's row.
    let result = sync(&client, &mapping, &project()).await;
    assert_eq!(
        item(&result).action,
        ItemAction::Created,
        "{:?}",
        result.items
    );
    let m = &client.configurations().await.unwrap().mappings[0];
    assert_eq!(m.kind, MappingKind::ReplProjectRow);
    assert_eq!(m.direction, Direction::ReplitToNotion);
    assert_eq!(m.title.as_deref(), Some("Projects"));
    let rows = database_rows(&client, &notion).await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.title(), "Demo app");
    assert_eq!(
        value(row, "Description"),
        PropertyValue::RichText("A small demo".into())
    );
    assert_eq!(
        value(row, "URL"),
        PropertyValue::Url(Some("https://replit.com/@ada/demo-app".into()))
    );
    assert_eq!(
        value(row, "Visibility"),
        PropertyValue::Select(Some("Private".into()))
    );
    assert_eq!(
        value(row, "Languages"),
        PropertyValue::MultiSelect(vec!["python".into(), "rust".into()])
    );
    assert_eq!(value(row, "File count"), PropertyValue::Number(Some(12.0)));
    assert_eq!(value(row, "Owner"), PropertyValue::RichText("ada".into()));
    assert_eq!(value(row, "Repl ID"), PropertyValue::RichText(REPL.into()));
    assert!(
        matches!(value(row, "Created"), PropertyValue::Date(Some((d, _))) if d.starts_with("2024-05-01"))
    );
    let first_sync = value(row, "Last sync");
    assert!(matches!(first_sync, PropertyValue::Date(Some(_))));

    // Nothing changed: not a single write.
    app.emulator.clear_ledger().await;
    let result = sync(&client, &mapping, &project()).await;
    assert_eq!(
        item(&result).action,
        ItemAction::Unchanged,
        "{:?}",
        result.items
    );
    assert_eq!(writes(&app.emulator.ledger().await), Vec::<String>::new());

    // A new description updates that value (and Last sync) in the same row, nothing else.
    let changed = ReplProject {
        description: "A small demo, now with tests".into(),
        ..project()
    };
    // A preview says so and writes nothing.
    app.emulator.clear_ledger().await;
    let started = client
        .start_session(&Manifest {
            mapping_id: mapping.clone(),
            project: Some(changed.clone()),
            dry_run: true,
            ..Default::default()
        })
        .await
        .unwrap();
    let preview = client
        .upload(&started.session_id, &UploadContents::default())
        .await
        .unwrap();
    assert_eq!(preview.items[0].action, ItemAction::Pushed);
    assert!(writes(&app.emulator.ledger().await).is_empty());
    app.emulator.clear_ledger().await;
    let result = sync(&client, &mapping, &changed).await;
    assert_eq!(
        item(&result).action,
        ItemAction::Pushed,
        "{:?}",
        result.items
    );
    assert!(item(&result)
        .message
        .as_deref()
        .unwrap_or_default()
        .contains("Description"));
    assert_eq!(
        writes(&app.emulator.ledger().await).len(),
        1,
        "one PATCH of the row"
    );
    let rows = database_rows(&client, &notion).await;
    assert_eq!(rows.len(), 1, "the same row, never a second one");
    assert_eq!(
        value(&rows[0], "Description"),
        PropertyValue::RichText("A small demo, now with tests".into())
    );
    assert_eq!(rows[0].id, row.id);
    // The replaced value is in history.
    let history = client.history(&m.path).await.unwrap().revisions;
    assert_eq!(history.len(), 1);
    assert!(client
        .revision(&history[0].id)
        .await
        .unwrap()
        .content
        .contains("Description: A small demo\n"));

    // An edit made in Notion is put back: the Repl is the source of this row.
    let req = notion::UpdatePageRequest {
        properties: [(
            "File count".to_string(),
            notion::PropertyValueKind::Number(Some(99.0)),
        )]
        .into_iter()
        .collect(),
        ..Default::default()
    };
    notion
        .client
        .update_page(&notion.token, &row.id, &req)
        .await
        .unwrap();
    let result = sync(&client, &mapping, &changed).await;
    assert_eq!(item(&result).action, ItemAction::Pushed);
    let rows = database_rows(&client, &notion).await;
    assert_eq!(
        value(&rows[0], "File count"),
        PropertyValue::Number(Some(12.0))
    );

    let logs = client.logs(10).await.unwrap().logs;
    assert_eq!(logs.len(), 4, "one log per sync");
    assert!(logs
        .iter()
        .all(|l| l.status == protocol::api::LogStatus::Success));

    // Unmapped and mapped again onto the existing database: the row is found by its Repl ID,
    // not created again.
    let db = m.notion_page_id.clone().expect("database");
    client.delete_mapping(&mapping).await.unwrap();
    let linked = client
        .create_mapping(&project_mapping(
            NotionTarget::ExistingDatabase { database_id: db },
            Direction::ReplitToNotion,
        ))
        .await
        .expect("an existing database is linked")
        .id;
    app.emulator.clear_ledger().await;
    let result = sync(&client, &linked, &changed).await;
    assert_eq!(
        item(&result).action,
        ItemAction::Unchanged,
        "{:?}",
        result.items
    );
    assert!(writes(&app.emulator.ledger().await).is_empty());
    let rows = database_rows(&client, &notion).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].id, row.id);
}

#[tokio::test]
async fn the_repl_row_is_created_updated_and_left_alone_on_sqlite() {
    upsert(Db::Sqlite).await;
}

#[tokio::test]
async fn the_repl_row_is_created_updated_and_left_alone_on_postgres() {
    upsert(Db::Postgres).await;
}

async fn lost_answers(db: Db) {
    let Some(app) = fast_app(db).await else {
        return;
    };
    let client = app.login(702).await;
    app.connect_notion(&client).await;
    let notion = Notion::for_app(&app).await;
    let mapping = client
        .create_mapping(&project_mapping(new_database(), Direction::ReplitToNotion))
        .await
        .unwrap()
        .id;
    // The database create and the row create are both applied, but their answers are lost.
    let lose = |path: &str| notion_emulator::FaultRule {
        kind: notion_emulator::FaultKind::Lost,
        probability: None,
        count: Some(1),
        method: Some("POST".into()),
        path: Some(path.into()),
        delay_ms: None,
    };
    app.emulator
        .handle()
        .set_faults(notion_emulator::FaultPlan {
            seed: 1,
            rules: vec![lose("/v1/databases")],
        })
        .unwrap();
    let result = sync(&client, &mapping, &project()).await;
    assert_eq!(
        item(&result).action,
        ItemAction::Failed,
        "{:?}",
        result.items
    );
    app.emulator
        .handle()
        .set_faults(notion_emulator::FaultPlan {
            seed: 1,
            rules: vec![lose("/v1/pages")],
        })
        .unwrap();
    let result = sync(&client, &mapping, &project()).await;
    assert_eq!(
        item(&result).action,
        ItemAction::Failed,
        "{:?}",
        result.items
    );
    let found = notion
        .client
        .search(
            &notion.token,
            &notion::SearchRequest {
                query: Some("Projects".into()),
                filter: Some(notion::SearchFilter::DataSource),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        found.results.len(),
        1,
        "the lost database create was found, not repeated"
    );
    assert_eq!(
        database_rows(&client, &notion).await.len(),
        1,
        "the lost row create was applied"
    );

    // The next sync finds the row by its Repl ID instead of creating another.
    app.emulator
        .handle()
        .set_faults(notion_emulator::FaultPlan::default())
        .unwrap();
    let result = sync(&client, &mapping, &project()).await;
    assert_eq!(
        item(&result).action,
        ItemAction::Unchanged,
        "{:?}",
        result.items
    );
    assert_eq!(
        database_rows(&client, &notion).await.len(),
        1,
        "no duplicate row"
    );
    app.emulator.clear_ledger().await;
    let result = sync(&client, &mapping, &project()).await;
    assert_eq!(item(&result).action, ItemAction::Unchanged);
    assert!(writes(&app.emulator.ledger().await).is_empty());
}

#[tokio::test]
async fn lost_answers_make_no_duplicate_database_or_row_on_sqlite() {
    lost_answers(Db::Sqlite).await;
}

#[tokio::test]
async fn lost_answers_make_no_duplicate_database_or_row_on_postgres() {
    lost_answers(Db::Postgres).await;
}

#[tokio::test]
async fn a_project_row_only_goes_from_the_repl_to_notion() {
    let Some(app) = TestApp::spawn(Db::Sqlite).await else {
        return;
    };
    let client = app.login(703).await;
    app.connect_notion(&client).await;
    for direction in [Direction::Bidirectional, Direction::NotionToReplit] {
        let err = client
            .create_mapping(&project_mapping(new_database(), direction))
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(400), "{direction:?}");
        assert!(format!("{err:?}").contains("replit_to_notion"), "{err:?}");
    }
    let page = NotionTarget::NewPage {
        parent_page_id: None,
    };
    let err = client
        .create_mapping(&project_mapping(page, Direction::ReplitToNotion))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    let no_id = CreateMapping {
        repl_id: None,
        ..project_mapping(new_database(), Direction::ReplitToNotion)
    };
    assert_eq!(
        client.create_mapping(&no_id).await.unwrap_err().status(),
        Some(400)
    );
    let mapping = client
        .create_mapping(&project_mapping(new_database(), Direction::ReplitToNotion))
        .await
        .unwrap()
        .id;
    let err = client
        .update_mapping(
            &mapping,
            &UpdateMapping {
                direction: Some(Direction::Bidirectional),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    // A session without the Repl's details, or for another Repl, is refused.
    let err = client
        .start_session(&Manifest {
            mapping_id: mapping.clone(),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
    let other = ReplProject {
        repl_id: "another-repl".into(),
        ..project()
    };
    let err = client
        .start_session(&Manifest {
            mapping_id: mapping,
            project: Some(other),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
}

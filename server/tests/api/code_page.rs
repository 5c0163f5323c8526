//! `file_code_page` mappings: any text file ↔ a page of code blocks, through the whole session
//! protocol against the emulator, on SQLite and PostgreSQL.

use crate::helpers::{Db, TestApp};
use crate::sync::{action, Notion, Panel};
use protocol::api::{
    ConflictStrategy, CreateMapping, Direction, MappingKind, NotionTarget, Resolution,
    UpdateMapping,
};
use protocol::client::RelayClient;
use protocol::session::ItemAction;

const PATH: &str = "src/main.rs";

fn code_mapping(path: &str, target: NotionTarget, direction: Direction) -> CreateMapping {
    CreateMapping {
        kind: MappingKind::FileCodePage,
        path: path.into(),
        target,
        direction,
        strategy: ConflictStrategy::Merge,
        repl_id: Some("repl-1".into()),
        recursive: false,
    }
}

fn new_page() -> NotionTarget {
    NotionTarget::NewPage {
        parent_page_id: None,
    }
}

/// The page's code, as the engine reads it back (`None`: not only code blocks).
fn code(markdown: &str) -> Option<String> {
    engine::code_page::from_markdown(markdown, notion_markdown::Dialect::V1)
}

/// The page body for `code`, as the relay writes it.
fn page(path: &str, code: &str) -> String {
    engine::code_page::to_markdown(path, code, notion_markdown::Dialect::V1)
}

struct Setup {
    app: TestApp,
    client: RelayClient,
    notion: Notion,
}

async fn setup(db: Db, user: i64) -> Option<Setup> {
    let app = TestApp::spawn(db).await?;
    let client = app.login(user).await;
    app.connect_notion(&client).await;
    let notion = Notion::for_app(&app).await;
    Some(Setup {
        app,
        client,
        notion,
    })
}

async fn page_of(client: &RelayClient, mapping: &str) -> String {
    client
        .configurations()
        .await
        .unwrap()
        .mappings
        .into_iter()
        .find(|m| m.id == mapping)
        .and_then(|m| m.notion_page_id)
        .expect("the page exists")
}

async fn notion_writes(app: &TestApp) -> usize {
    app.emulator
        .ledger()
        .await
        .into_iter()
        .filter(|e| e.method != "GET")
        .count()
}

const MAIN: &str = "fn main() {\n    let a = 1;\n    let b = 2;\n    let c = 3;\n    println!(\"{a} {b} {c}\");\n}\n";

async fn push_pull_merge_and_conflicts(db: Db) {
    let Some(Setup {
        app,
        client,
        notion,
    }) = setup(db, 601).await
    else {
        return;
    };
    let mapping = client
        .create_mapping(&code_mapping(PATH, new_page(), Direction::Bidirectional))
        .await
        .expect("a code page mapping is accepted for any text file")
        .id;
    let panel = Panel { client: &client };
    let mut file = Some(MAIN.to_string());

    // A new file becomes a page holding it as Rust code, titled by its file name.
    let (_, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Created);
    let m = &client.configurations().await.unwrap().mappings[0];
    assert_eq!(m.kind, MappingKind::FileCodePage);
    assert_eq!(m.title.as_deref(), Some("main.rs"));
    let page_id = page_of(&client, &mapping).await;
    let md = notion.markdown(&page_id).await;
    assert!(md.starts_with("```rust"), "{md}");
    assert_eq!(code(&md).as_deref(), MAIN.strip_suffix('\n'));

    // Nothing changed: no write anywhere.
    app.emulator.clear_ledger().await;
    let (plan, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Unchanged);
    assert!(plan.file_writes.is_empty());
    assert_eq!(
        notion_writes(&app).await,
        0,
        "a no-change sync writes nothing"
    );

    // An edit in Notion comes back to the file.
    let edited = MAIN.replace("let b = 2;", "let b = 20; // from Notion");
    notion
        .replace(&page_id, &page(PATH, edited.trim_end()))
        .await;
    let (_, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Pulled);
    assert_eq!(file.as_deref(), Some(edited.as_str()));
    let (_, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(
        action(&result),
        ItemAction::Unchanged,
        "a pull does not echo"
    );

    // A local edit goes to Notion as one targeted edit, not a rewrite of the page.
    let local = edited.replace("let c = 3;", "let c = 30;");
    file = Some(local.clone());
    app.emulator.clear_ledger().await;
    let (_, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Pushed);
    assert_eq!(
        code(&notion.markdown(&page_id).await).as_deref(),
        local.strip_suffix('\n')
    );
    assert_eq!(notion_writes(&app).await, 1, "one markdown PATCH");
    // The page's version it replaced is in history, and restores as the file it was.
    let history = client.history(PATH).await.unwrap().revisions;
    let replaced = history
        .iter()
        .find(|r| r.side == protocol::api::Side::Notion)
        .expect("Notion's version in history");
    let write = client
        .restore(
            &replaced.id,
            &protocol::api::RestoreRequest {
                current: Some(local.clone()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        write.content, edited,
        "restored as code, not as a fenced block"
    );

    // Edits in different places on both sides merge into both.
    let ours = local.replace("let a = 1;", "let a = 10;");
    let theirs = local.replace("println!", "eprintln!");
    file = Some(ours.clone());
    notion
        .replace(&page_id, &page(PATH, theirs.trim_end()))
        .await;
    let (_, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Pushed, "{:?}", result.items);
    let both = local
        .replace("let a = 1;", "let a = 10;")
        .replace("println!", "eprintln!");
    assert_eq!(file.as_deref(), Some(both.as_str()));
    assert_eq!(
        code(&notion.markdown(&page_id).await).as_deref(),
        both.strip_suffix('\n')
    );

    // Manual resolution: the same line edited on both sides writes nothing until the user
    // chooses.
    client
        .update_mapping(
            &mapping,
            &UpdateMapping {
                strategy: Some(ConflictStrategy::ManualResolution),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let ours = both.replace("let a = 10;", "let a = 100; // Repl");
    let theirs = both.replace("let a = 10;", "let a = 1000; // Notion");
    file = Some(ours.clone());
    notion
        .replace(&page_id, &page(PATH, theirs.trim_end()))
        .await;
    let (plan, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Conflict);
    assert!(plan.file_writes.is_empty());
    assert_eq!(file.as_deref(), Some(ours.as_str()));
    assert_eq!(
        code(&notion.markdown(&page_id).await).as_deref(),
        theirs.strip_suffix('\n')
    );
    let conflicts = client.conflicts().await.unwrap().conflicts;
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].base, both);
    assert_eq!(conflicts[0].repl.as_deref(), Some(ours.as_str()));
    assert_eq!(
        conflicts[0].notion, theirs,
        "Notion's side as the file it would be"
    );
    client
        .resolve(&conflicts[0].id, &Resolution::KeepNotion)
        .await
        .unwrap();
    let (_, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Pulled);
    assert_eq!(file.as_deref(), Some(theirs.as_str()));
    assert!(client.conflicts().await.unwrap().conflicts.is_empty());
    let history = client.history(PATH).await.unwrap().revisions;
    assert_eq!(
        client.revision(&history[0].id).await.unwrap().content,
        ours,
        "the Repl's version the user let go is in history"
    );
    let (_, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Unchanged);

    // A page made into something other than code is reported, never merged into or
    // overwritten, whatever the strategy.
    client
        .update_mapping(
            &mapping,
            &UpdateMapping {
                strategy: Some(ConflictStrategy::ReplitPriority),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let prose = format!(
        "{}\nA note typed under the code in Notion.",
        notion.markdown(&page_id).await
    );
    notion.replace(&page_id, &prose).await;
    let before = notion.markdown(&page_id).await;
    let (plan, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Conflict);
    assert!(result.items[0]
        .message
        .as_deref()
        .unwrap_or_default()
        .contains("only code blocks"));
    assert!(plan.file_writes.is_empty());
    assert_eq!(notion.markdown(&page_id).await, before);
    // Keeping the Repl's version puts the code back; the note goes to history.
    let conflicts = client.conflicts().await.unwrap().conflicts;
    assert!(conflicts[0].notion.contains("A note typed under the code"));
    client
        .resolve(&conflicts[0].id, &Resolution::KeepRepl)
        .await
        .unwrap();
    let (_, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Pushed);
    assert_eq!(
        code(&notion.markdown(&page_id).await).as_deref(),
        theirs.strip_suffix('\n')
    );
    let history = client.history(PATH).await.unwrap().revisions;
    assert!(client
        .revision(&history[0].id)
        .await
        .unwrap()
        .content
        .contains("A note typed under the code"));
    let (_, result) = panel.sync(&mapping, PATH, &mut file).await;
    assert_eq!(action(&result), ItemAction::Unchanged);

    let logs = client.logs(50).await.unwrap().logs;
    assert!(logs.iter().any(|l| l.conflicts_resolved == 1));
}

#[tokio::test]
async fn code_pages_push_pull_merge_and_resolve_on_sqlite() {
    push_pull_merge_and_conflicts(Db::Sqlite).await;
}

#[tokio::test]
async fn code_pages_push_pull_merge_and_resolve_on_postgres() {
    push_pull_merge_and_conflicts(Db::Postgres).await;
}

async fn large_file_and_crlf(db: Db) {
    let Some(Setup {
        app: _app,
        client,
        notion,
    }) = setup(db, 602).await
    else {
        return;
    };
    // Over 200,000 characters: several code blocks of at most 200,000 each.
    // Long lines keep the line diffs of a whole rewrite cheap in a debug build.
    let big: String = (0..600)
        .map(|i| {
            format!(
                "export const value_{i:05} = \"{}\"; // line {i}\n",
                "ab".repeat(450)
            )
        })
        .collect();
    assert!(
        big.len() > 500 * 1024,
        "more than one Notion request can carry"
    );
    let mapping = client
        .create_mapping(&code_mapping(
            "src/big.ts",
            new_page(),
            Direction::Bidirectional,
        ))
        .await
        .unwrap()
        .id;
    let panel = Panel { client: &client };
    let mut file = Some(big.clone());
    let (_, result) = panel.sync(&mapping, "src/big.ts", &mut file).await;
    assert_eq!(action(&result), ItemAction::Created, "{:?}", result.items);
    let page_id = page_of(&client, &mapping).await;
    let md = notion.markdown(&page_id).await;
    let blocks = notion_markdown::parse(&md, notion_markdown::Dialect::V1);
    assert!(blocks.len() >= 3, "split over several code blocks");
    assert!(blocks.iter().all(|b| matches!(&b.kind,
        notion_markdown::BlockKind::Code { text, language }
            if text.chars().count() <= engine::code_page::MAX_CODE_BLOCK_CHARS
                && language == "typescript")));

    // Read back into another file: byte-identical.
    let copy = client
        .create_mapping(&code_mapping(
            "src/copy.ts",
            NotionTarget::ExistingPage {
                page_id: page_id.clone(),
            },
            Direction::NotionToReplit,
        ))
        .await
        .unwrap()
        .id;
    let mut copied = Some(String::new());
    let (_, result) = panel.sync(&copy, "src/copy.ts", &mut copied).await;
    assert_eq!(action(&result), ItemAction::Pulled, "{:?}", result.items);
    assert!(copied.as_deref() == Some(big.as_str()), "byte-identical");

    // One line edited in the middle of the large file goes as one small edit and comes back.
    let edited = big.replace("value_00300 = \"", "value_00300 = -1 + \"");
    file = Some(edited.clone());
    let (_, result) = panel.sync(&mapping, "src/big.ts", &mut file).await;
    assert_eq!(action(&result), ItemAction::Pushed);
    let (_, result) = panel.sync(&copy, "src/copy.ts", &mut copied).await;
    assert_eq!(action(&result), ItemAction::Pulled);
    assert!(
        copied.as_deref() == Some(edited.as_str()),
        "byte-identical after an edit"
    );

    // Rewritten throughout: more than one request can carry (Notion's 500 KB), sent in pieces.
    let rewritten = edited.replace("export const", "export let");
    file = Some(rewritten.clone());
    let (_, result) = panel.sync(&mapping, "src/big.ts", &mut file).await;
    assert_eq!(action(&result), ItemAction::Pushed, "{:?}", result.items);
    let (_, result) = panel.sync(&copy, "src/copy.ts", &mut copied).await;
    assert_eq!(action(&result), ItemAction::Pulled);
    assert!(
        copied.as_deref() == Some(rewritten.as_str()),
        "byte-identical after a rewrite"
    );
    let (_, result) = panel.sync(&mapping, "src/big.ts", &mut file).await;
    assert_eq!(action(&result), ItemAction::Unchanged);

    // CRLF and a BOM stay in the file; Notion holds only the code.
    let crlf = "\u{feff}@echo off\r\nset A=1\r\necho %A%\r\n";
    let bat = client
        .create_mapping(&code_mapping(
            "run.bat",
            new_page(),
            Direction::Bidirectional,
        ))
        .await
        .unwrap()
        .id;
    let mut bat_file = Some(crlf.to_string());
    let (_, result) = panel.sync(&bat, "run.bat", &mut bat_file).await;
    assert_eq!(action(&result), ItemAction::Created);
    let bat_page = page_of(&client, &bat).await;
    let md = notion.markdown(&bat_page).await;
    assert_eq!(code(&md).as_deref(), Some("@echo off\nset A=1\necho %A%"));
    notion
        .replace(&bat_page, &md.replace("set A=1", "set A=2"))
        .await;
    let (_, result) = panel.sync(&bat, "run.bat", &mut bat_file).await;
    assert_eq!(action(&result), ItemAction::Pulled);
    assert_eq!(
        bat_file.as_deref(),
        Some("\u{feff}@echo off\r\nset A=2\r\necho %A%\r\n")
    );
    let (_, result) = panel.sync(&bat, "run.bat", &mut bat_file).await;
    assert_eq!(action(&result), ItemAction::Unchanged);
}

#[tokio::test]
async fn large_and_crlf_files_round_trip_on_sqlite() {
    large_file_and_crlf(Db::Sqlite).await;
}

#[tokio::test]
async fn large_and_crlf_files_round_trip_on_postgres() {
    large_file_and_crlf(Db::Postgres).await;
}

async fn notion_to_replit(db: Db) {
    let Some(Setup {
        app: _app,
        client,
        notion,
    }) = setup(db, 603).await
    else {
        return;
    };
    // A page written elsewhere (here: pushed from another file, then unmapped, which leaves it
    // as it is), mapped onto an empty file that only receives.
    let seed = client
        .create_mapping(&code_mapping(
            "seed/config.yaml",
            new_page(),
            Direction::Bidirectional,
        ))
        .await
        .unwrap()
        .id;
    let mut seed_file = Some("name: demo\nport: 8080\n".to_string());
    let (_, result) = Panel { client: &client }
        .sync(&seed, "seed/config.yaml", &mut seed_file)
        .await;
    assert_eq!(action(&result), ItemAction::Created);
    let page_id = page_of(&client, &seed).await;
    client.delete_mapping(&seed).await.unwrap();
    let mapping = client
        .create_mapping(&code_mapping(
            "config.yaml",
            NotionTarget::ExistingPage {
                page_id: page_id.clone(),
            },
            Direction::NotionToReplit,
        ))
        .await
        .unwrap()
        .id;
    let panel = Panel { client: &client };
    let mut file = Some(String::new());
    let (_, result) = panel.sync(&mapping, "config.yaml", &mut file).await;
    assert_eq!(action(&result), ItemAction::Pulled);
    assert_eq!(
        file.as_deref(),
        Some("name: demo\nport: 8080\n"),
        "a new file ends with a line break"
    );

    // A local edit never reaches Notion.
    file = Some("name: demo\nport: 9090\n".into());
    let (plan, result) = panel.sync(&mapping, "config.yaml", &mut file).await;
    assert_eq!(action(&result), ItemAction::Skipped);
    assert!(plan.file_writes.is_empty());
    assert_eq!(
        code(&notion.markdown(&page_id).await).as_deref(),
        Some("name: demo\nport: 8080")
    );
    // Notion's next edit of that same line wins over it (the local version goes to history).
    let md = notion.markdown(&page_id).await;
    notion
        .replace(&page_id, &md.replace("port: 8080", "port: 7070"))
        .await;
    let (_, result) = panel.sync(&mapping, "config.yaml", &mut file).await;
    assert_eq!(action(&result), ItemAction::Pulled, "{:?}", result.items);
    assert_eq!(file.as_deref(), Some("name: demo\nport: 7070\n"));
    assert_eq!(
        code(&notion.markdown(&page_id).await).as_deref(),
        Some("name: demo\nport: 7070")
    );
    let history = client.history("config.yaml").await.unwrap().revisions;
    assert_eq!(
        client.revision(&history[0].id).await.unwrap().content,
        "name: demo\nport: 9090\n"
    );
}

#[tokio::test]
async fn notion_to_replit_code_pages_on_sqlite() {
    notion_to_replit(Db::Sqlite).await;
}

#[tokio::test]
async fn notion_to_replit_code_pages_on_postgres() {
    notion_to_replit(Db::Postgres).await;
}

#[tokio::test]
async fn binary_files_cannot_be_code_pages() {
    let Some(Setup {
        app: _app, client, ..
    }) = setup(Db::Sqlite, 604).await
    else {
        return;
    };
    let err = client
        .create_mapping(&code_mapping(
            "assets/logo.png",
            new_page(),
            Direction::Bidirectional,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400), "{err:?}");
    let err = client
        .create_mapping(&code_mapping(
            "src/lib.rs",
            NotionTarget::NewDatabase {
                parent_page_id: None,
            },
            Direction::Bidirectional,
        ))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(400));
}

async fn lost_create(db: Db) {
    let Some(Setup {
        app,
        client,
        notion,
    }) = setup(db, 605).await
    else {
        return;
    };
    let mapping = client
        .create_mapping(&code_mapping(
            "lost.rs",
            new_page(),
            Direction::Bidirectional,
        ))
        .await
        .unwrap()
        .id;
    // The page create is applied, but its answer is lost.
    app.emulator
        .handle()
        .set_faults(notion_emulator::FaultPlan {
            seed: 1,
            rules: vec![notion_emulator::FaultRule {
                kind: notion_emulator::FaultKind::Lost,
                probability: None,
                count: Some(1),
                method: Some("POST".into()),
                path: Some("/v1/pages".into()),
                delay_ms: None,
            }],
        })
        .unwrap();
    let panel = Panel { client: &client };
    let mut file = Some("fn lost() {}\n".to_string());
    let (_, result) = panel.sync(&mapping, "lost.rs", &mut file).await;
    assert_eq!(action(&result), ItemAction::Failed, "{:?}", result.items);
    let pages = |n: &Notion| {
        let req = notion::SearchRequest {
            query: Some("lost.rs".into()),
            filter: Some(notion::SearchFilter::Page),
            ..Default::default()
        };
        let (c, t) = (n.client.clone(), n.token.clone());
        async move { c.search(&t, &req).await.unwrap().results.len() }
    };
    assert_eq!(pages(&notion).await, 1, "the lost create was applied");
    // The next sync finds that page and fills it instead of creating a second one.
    let (_, result) = panel.sync(&mapping, "lost.rs", &mut file).await;
    assert_eq!(action(&result), ItemAction::Created, "{:?}", result.items);
    assert_eq!(pages(&notion).await, 1, "no duplicate page");
    let page_id = page_of(&client, &mapping).await;
    assert_eq!(
        code(&notion.markdown(&page_id).await).as_deref(),
        Some("fn lost() {}")
    );
    let (_, result) = panel.sync(&mapping, "lost.rs", &mut file).await;
    assert_eq!(action(&result), ItemAction::Unchanged);
}

#[tokio::test]
async fn a_lost_page_create_makes_no_duplicate_on_sqlite() {
    lost_create(Db::Sqlite).await;
}

#[tokio::test]
async fn a_lost_page_create_makes_no_duplicate_on_postgres() {
    lost_create(Db::Postgres).await;
}

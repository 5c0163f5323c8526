//! G5: a relay killed (SIGKILL) in the middle of a 200-file folder push, restarted on the same
//! database, converges with exactly one row per file — no duplicate, no lost content — and the
//! sync after that writes nothing. The relay here is the real binary.

use crate::folder::{writes, Opts, Repl};
use crate::helpers::{claims, fresh_postgres_url, mint, Db, SECRET_KEY};
use protocol::api::{ConflictStrategy, CreateMapping, Direction, MappingKind, NotionTarget};
use protocol::client::RelayClient;
use protocol::session::{FileContent, ItemAction, Manifest, ManifestEntry, UploadContents};
use protocol::ContentHash;
use std::io::BufRead;
use std::time::{Duration, Instant};

const EXTENSION: &str = "durability";
const FILES: usize = 200;

/// The relay binary on `database_url`, its Notion being the emulator through an internal
/// integration token.
struct Relay {
    child: std::process::Child,
    url: url::Url,
}

impl Relay {
    fn start(
        database_url: &str,
        notion_api: &url::Url,
        key_file: &std::path::Path,
        token: &str,
    ) -> Relay {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_relay"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .args(["--port", "0", "--secret-key", SECRET_KEY])
            .args(["--replit-extension-id", EXTENSION])
            .arg("--replit-key-source")
            .arg(key_file)
            .args(["--database-url", database_url])
            .args(["--notion-api-base", notion_api.as_str()])
            .args(["--notion-token", token])
            .args(["--scheduler-interval-secs", "0"])
            // Fast enough for a short test, slow enough to be killed in the middle.
            .args(["--notion-requests-per-second", "60", "--log-level", "warn"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("relay binary");
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout);
        let mut first = String::new();
        lines.read_line(&mut first).unwrap();
        let url = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("relay started: {first}"))
            .parse()
            .unwrap();
        // Keep draining its output, so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.lines() {});
        Relay { child, url }
    }

    /// SIGKILL: no shutdown, no flush, whatever was in flight stays in flight.
    fn kill(mut self) {
        self.child.kill().unwrap();
        let _ = self.child.wait();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn killed_in_the_middle_of_a_push(db: Db) {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match db {
        Db::Sqlite => format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("relay.db").display()
        ),
        Db::Postgres => match fresh_postgres_url().await {
            Some(u) => u,
            None => return,
        },
    };
    let emulator = notion_emulator::spawn(notion_emulator::EmulatorConfig {
        rate_limit: notion_emulator::RateLimit::Off,
        ..crate::helpers::emulator_config()
    })
    .await
    .unwrap();
    let token = emulator.mint_integration_token().await;
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let key_file = dir.path().join("key.pem");
    {
        use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePublicKey};
        let pem = key
            .verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap();
        std::fs::write(&key_file, pem).unwrap();
    }
    let now = server::now();
    let replit = mint(&key, "k", claims(51, EXTENSION, now - 5, now + 600));

    let relay = Relay::start(&database_url, &emulator.base_url(), &key_file, &token);
    let mut client = RelayClient::new(relay.url.clone());
    client.open_session(&replit).await.expect("session");
    assert!(client.connection().await.unwrap().connected);
    let mapping = client
        .create_mapping(&CreateMapping {
            kind: MappingKind::FolderDatabase,
            path: "notes".into(),
            target: NotionTarget::NewDatabase {
                parent_page_id: None,
            },
            direction: Direction::Bidirectional,
            strategy: ConflictStrategy::Merge,
            repl_id: None,
            recursive: false,
        })
        .await
        .unwrap();
    let mut repl = Repl::default();
    for i in 0..FILES {
        repl.files.insert(
            format!("notes/File {i:03}.md"),
            format!("Body of file {i}.\n\n- point {i}\n"),
        );
    }

    // The push starts; once some rows exist, the relay is killed mid-flight.
    let manifest = Manifest {
        mapping_id: mapping.id.clone(),
        files: repl
            .files
            .iter()
            .map(|(p, c)| ManifestEntry {
                path: p.clone(),
                size: c.len() as u64,
                hash: ContentHash::of(c),
            })
            .collect(),
        complete: true,
        accepts_file_ops: true,
        ..Manifest::default()
    };
    let started = client.start_session(&manifest).await.unwrap();
    assert_eq!(started.needed.len(), FILES);
    let upload = UploadContents {
        files: started
            .needed
            .iter()
            .map(|p| FileContent {
                path: p.clone(),
                content: repl.files[p].clone(),
            })
            .collect(),
    };
    let pushing = {
        let client = client.clone();
        let id = started.session_id.clone();
        tokio::spawn(async move { client.upload(&id, &upload).await })
    };
    let t0 = Instant::now();
    loop {
        let created = emulator
            .ledger()
            .await
            .iter()
            .filter(|e| e.method == "POST" && e.path == "/v1/pages" && e.status == 200)
            .count();
        if created >= 60 {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(60), "the push started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // The next create is held on the way for a while, and the relay dies while waiting for its
    // answer: its journal entry stays pending. If the emulator still applies it, it lands while
    // (or after) the restarted relay syncs.
    emulator
        .handle()
        .set_faults(notion_emulator::FaultPlan {
            seed: 5,
            rules: vec![notion_emulator::FaultRule {
                kind: notion_emulator::FaultKind::Delay,
                probability: None,
                count: Some(1),
                method: Some("POST".into()),
                path: Some("/v1/pages".into()),
                delay_ms: Some(1500),
            }],
        })
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    relay.kill();
    assert!(
        pushing.await.unwrap().is_err(),
        "the session died with the relay"
    );
    let created_before_restart = emulator
        .ledger()
        .await
        .iter()
        .filter(|e| e.method == "POST" && e.path == "/v1/pages")
        .count();
    eprintln!("rows created before the kill: {created_before_restart} of {FILES}");
    assert!(created_before_restart < FILES, "killed in the middle");

    // Restarted on the same database: sync until nothing is left to do.
    let relay = Relay::start(&database_url, &emulator.base_url(), &key_file, &token);
    let client = RelayClient::new(relay.url.clone())
        .with_session_token(client.session_token().unwrap().to_string());
    let mut rounds = 0;
    loop {
        rounds += 1;
        assert!(rounds <= 5, "converged within a few syncs");
        let r = repl.sync(&client, &mapping.id, Opts::default()).await;
        let pending = r.count(ItemAction::Created)
            + r.count(ItemAction::Failed)
            + r.count(ItemAction::Skipped)
            + r.count(ItemAction::Pushed)
            + r.count(ItemAction::Pulled);
        eprintln!(
            "sync {rounds} after the restart: {} created, {} unchanged, {} other",
            r.count(ItemAction::Created),
            r.count(ItemAction::Unchanged),
            pending - r.count(ItemAction::Created)
        );
        if pending == 0 {
            break;
        }
        // Let a held create land, if it is going to.
        tokio::time::sleep(Duration::from_millis(1500)).await;
    }
    let late = emulator
        .ledger()
        .await
        .iter()
        .any(|e| e.fault.as_deref() == Some("delay"));
    eprintln!("the create held at the kill was applied later: {late}");

    // Exactly one row per file, each with its file's content.
    let notion =
        notion::NotionClient::new(notion::ClientConfig::with_base_url(emulator.base_url()));
    let reader = notion::AccessToken::new(emulator.mint_integration_token().await);
    let db_id = client.configurations().await.unwrap().mappings[0]
        .notion_page_id
        .clone()
        .unwrap();
    let ds = notion
        .retrieve_database(&reader, &db_id)
        .await
        .unwrap()
        .data_sources
        .unwrap()[0]
        .id
        .clone();
    let rows: Vec<notion::Page> = notion
        .query_data_source_all(&reader, &ds, &notion::QueryRequest::default())
        .await
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            notion::SearchResult::Page(p) => Some(*p),
            _ => None,
        })
        .collect();
    let mut titles: Vec<String> = rows.iter().map(|p| p.title()).collect();
    titles.sort();
    let before = titles.len();
    titles.dedup();
    assert_eq!(before, FILES, "exactly one row per file");
    assert_eq!(titles.len(), FILES, "no duplicate rows");
    for p in &rows {
        let i: usize = p.title().trim_start_matches("File ").parse().unwrap();
        let md = emulator.handle().page_markdown(&p.id).unwrap();
        assert_eq!(
            md,
            format!("Body of file {i}.\n- point {i}"),
            "{}",
            p.title()
        );
    }
    // Anywhere in the workspace, a duplicate could only be a create that landed after it was
    // given up on; it is in the trash (and its content in history).
    let all = emulator.handle().find_pages("File ");
    let trashed: Vec<_> = all.iter().filter(|p| p.in_trash).collect();
    eprintln!("duplicates of ours found and trashed: {}", trashed.len());
    assert!(trashed.len() <= 1, "{trashed:?}");
    assert_eq!(all.len() - trashed.len(), FILES);
    let state = emulator.handle().state_json();
    assert!(state.is_object());
    // Every journaled write was settled.
    let store = server::store::Store::connect(&database_url).await.unwrap();
    let journal = store.journal(&mapping.id).await.unwrap();
    assert!(journal.iter().all(|e| e.status != "pending"), "{journal:?}");
    store.close().await;

    // Converged: the next sync writes nothing, anywhere.
    emulator.clear_ledger().await;
    let r = repl.sync(&client, &mapping.id, Opts::default()).await;
    assert_eq!(r.count(ItemAction::Unchanged), FILES);
    assert!(r.plan.file_writes.is_empty());
    assert!(writes(&emulator.ledger().await).is_empty());
    drop(relay);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_mid_push_converges_without_duplicates_on_sqlite() {
    killed_in_the_middle_of_a_push(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relay_killed_mid_push_converges_without_duplicates_on_postgres() {
    killed_in_the_middle_of_a_push(Db::Postgres).await;
}

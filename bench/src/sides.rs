//! One scenario, three executors: ours (the relay, driven through its HTTP API by a fake Repl
//! exactly as the panel drives it) and the two naive baselines (straight to Notion's blocks
//! API). Setting a side up is not measured; `push`, `pull` and `sync` are.

use std::collections::BTreeMap;

use protocol::api::{ConflictStrategy, CreateMapping, Direction, MappingKind, NotionTarget};
use protocol::client::RelayClient;

use crate::harness::{Relay, Repl, Session};
use crate::naive::{Naive, Strategy};
use crate::BenchError;

/// Who syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Who {
    /// The relay (what the budgets are about).
    Ours,
    Naive(Strategy),
}

impl Who {
    pub fn label(self) -> &'static str {
        match self {
            Who::Ours => "ours",
            Who::Naive(Strategy::DeleteRecreate) => "delete-all-and-recreate",
            Who::Naive(Strategy::BlockDiff) => "block-by-block diff",
        }
    }
}

/// What a side needs from the run: the relay and emulator, and fresh user ids.
pub struct Env<'a> {
    pub relay: Option<&'a Relay>,
    pub emulator: &'a notion_emulator::RunningEmulator,
    pub time_scale: f64,
    pub next_user: std::sync::atomic::AtomicI64,
}

impl Env<'_> {
    pub fn relay(&self) -> Result<&Relay, BenchError> {
        self.relay
            .ok_or_else(|| BenchError::Setup("this scenario needs the relay binary".into()))
    }

    pub fn user_id(&self) -> i64 {
        self.next_user
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// A Notion client of the bench's own (another integration), paced like the relay.
    pub fn notion(&self) -> (notion::NotionClient, notion::AccessToken) {
        let client = notion::NotionClient::new(notion::ClientConfig::with_base_url(
            self.emulator.base_url(),
        ))
        .with_pacing(notion::Pacing::notion().scaled(self.time_scale));
        let token = self.emulator.handle().mint_token("bench").token;
        (client, notion::AccessToken::new(token))
    }

    /// A page the naive tools create their pages under (an internal integration cannot create
    /// pages at the top of a workspace).
    pub fn parent_page(&self) -> Result<String, BenchError> {
        self.emulator
            .handle()
            .find_pages("")
            .into_iter()
            .find(|p| p.parent_id.is_none() && !p.in_trash)
            .map(|p| p.id)
            .ok_or_else(|| BenchError::Setup("the emulator has no top-level page".into()))
    }

    fn naive(&self, strategy: Strategy) -> Naive {
        let (notion, token) = self.notion();
        Naive {
            strategy,
            notion,
            token,
        }
    }
}

/// One Markdown file ↔ one page.
pub enum PageSide {
    Ours {
        client: RelayClient,
        mapping: String,
        repl: Repl,
        path: String,
        page_id: String,
    },
    Naive {
        naive: Naive,
        page_id: String,
        file: String,
    },
}

impl PageSide {
    /// A synced file and page holding `markdown`.
    pub async fn new(env: &Env<'_>, who: Who, markdown: &str) -> Result<PageSide, BenchError> {
        match who {
            Who::Ours => {
                let client = env.relay()?.user(env.user_id()).await?;
                let path = "docs/page.md".to_string();
                let mapping = client
                    .create_mapping(&CreateMapping {
                        kind: MappingKind::FilePage,
                        path: path.clone(),
                        target: NotionTarget::NewPage {
                            parent_page_id: None,
                        },
                        direction: Direction::Bidirectional,
                        strategy: ConflictStrategy::Merge,
                        repl_id: Some("bench".into()),
                        recursive: false,
                    })
                    .await?
                    .id;
                let mut repl = Repl::default();
                repl.files.insert(path.clone(), markdown.to_string());
                repl.sync(&client, &mapping).await?.checked()?;
                let page_id = notion_page(&client, &mapping).await?;
                Ok(PageSide::Ours {
                    client,
                    mapping,
                    repl,
                    path,
                    page_id,
                })
            }
            Who::Naive(strategy) => {
                let naive = env.naive(strategy);
                let page = naive
                    .notion
                    .create_page(
                        &naive.token,
                        &notion::CreatePageRequest {
                            parent: notion::PageParent::PageId(env.parent_page()?),
                            title: Some("Bench page".into()),
                            ..Default::default()
                        },
                    )
                    .await?;
                naive.push(&page.id, markdown).await?;
                Ok(PageSide::Naive {
                    naive,
                    page_id: page.id,
                    file: markdown.to_string(),
                })
            }
        }
    }

    pub fn page_id(&self) -> &str {
        match self {
            PageSide::Ours { page_id, .. } | PageSide::Naive { page_id, .. } => page_id,
        }
    }

    /// The file now holds `markdown`: sync it to Notion.
    pub async fn push(&mut self, markdown: &str) -> Result<(), BenchError> {
        match self {
            PageSide::Ours {
                client,
                mapping,
                repl,
                path,
                ..
            } => {
                repl.files.insert(path.clone(), markdown.to_string());
                repl.sync(client, mapping).await?.checked()?;
                Ok(())
            }
            PageSide::Naive {
                naive,
                page_id,
                file,
            } => {
                *file = markdown.to_string();
                naive.push(page_id, markdown).await
            }
        }
    }

    /// Sync after an edit in Notion; returns the file's new content.
    pub async fn pull(&mut self) -> Result<String, BenchError> {
        match self {
            PageSide::Ours {
                client,
                mapping,
                repl,
                path,
                ..
            } => {
                repl.sync(client, mapping).await?.checked()?;
                Ok(repl.files.get(path.as_str()).cloned().unwrap_or_default())
            }
            PageSide::Naive {
                naive,
                page_id,
                file,
            } => {
                *file = naive.pull(page_id).await?;
                Ok(file.clone())
            }
        }
    }
}

/// The Notion page or database a mapping is linked to.
async fn notion_page(client: &RelayClient, mapping: &str) -> Result<String, BenchError> {
    client
        .configurations()
        .await?
        .mappings
        .into_iter()
        .find(|m| m.id == mapping)
        .and_then(|m| m.notion_page_id)
        .ok_or_else(|| BenchError::Invariant("the mapping has no Notion page after a sync".into()))
}

/// A folder of Markdown files ↔ a database.
pub enum FolderSide {
    Ours {
        client: RelayClient,
        mapping: Option<String>,
        repl: Repl,
        last: Option<Box<Session>>,
    },
    Naive {
        naive: Naive,
        parent: String,
        data_source: Option<String>,
    },
}

/// The folder every folder scenario maps.
pub const FOLDER: &str = "notes";

impl FolderSide {
    pub async fn new(env: &Env<'_>, who: Who) -> Result<FolderSide, BenchError> {
        match who {
            Who::Ours => Ok(FolderSide::Ours {
                client: env.relay()?.user(env.user_id()).await?,
                mapping: None,
                repl: Repl::default(),
                last: None,
            }),
            Who::Naive(strategy) => Ok(FolderSide::Naive {
                naive: env.naive(strategy),
                parent: env.parent_page()?,
                data_source: None,
            }),
        }
    }

    /// The panel's side of the last session (ours only).
    pub fn last_session(&self) -> Option<&Session> {
        match self {
            FolderSide::Ours { last, .. } => last.as_deref(),
            FolderSide::Naive { .. } => None,
        }
    }

    /// Syncs `files` (path under [`FOLDER`] → content); the first call creates the database.
    pub async fn sync(&mut self, files: &BTreeMap<String, String>) -> Result<(), BenchError> {
        match self {
            FolderSide::Ours {
                client,
                mapping,
                repl,
                last,
            } => {
                let id = match mapping {
                    Some(id) => id.clone(),
                    None => {
                        let m = client
                            .create_mapping(&CreateMapping {
                                kind: MappingKind::FolderDatabase,
                                path: FOLDER.into(),
                                target: NotionTarget::NewDatabase {
                                    parent_page_id: None,
                                },
                                direction: Direction::Bidirectional,
                                strategy: ConflictStrategy::Merge,
                                repl_id: Some("bench".into()),
                                recursive: false,
                            })
                            .await?;
                        *mapping = Some(m.id.clone());
                        m.id
                    }
                };
                repl.files = files.clone();
                let s = repl.sync(client, &id).await?.checked()?;
                *last = Some(Box::new(s));
                Ok(())
            }
            FolderSide::Naive {
                naive,
                parent,
                data_source,
            } => {
                let ds = match data_source {
                    Some(ds) => ds.clone(),
                    None => {
                        let ds = create_database(naive, parent).await?;
                        *data_source = Some(ds.clone());
                        ds
                    }
                };
                naive_folder_sync(naive, &ds, files).await
            }
        }
    }
}

async fn create_database(naive: &Naive, parent: &str) -> Result<String, BenchError> {
    let mut schema = notion::SchemaChanges::new();
    schema.insert(
        "Name".into(),
        Some(notion::PropertySchemaRequest::new(
            notion::PropertyConfig::Title(notion::EmptyConfig::default()),
        )),
    );
    let req = notion::CreateDatabaseRequest::under_page(parent, "Bench notes", schema);
    let db = naive.notion.create_database(&naive.token, &req).await?;
    db.data_sources
        .and_then(|d| d.into_iter().next())
        .map(|d| d.id)
        .ok_or_else(|| BenchError::Invariant("a new database has no data source".into()))
}

/// The file's title as a naive tool names rows: its file name without `.md`.
fn title(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".md").unwrap_or(name)
}

/// A naive folder sync: read every row, then sync each file's row through the blocks API
/// (a new file becomes a row created with its blocks in one call).
async fn naive_folder_sync(
    naive: &Naive,
    ds: &str,
    files: &BTreeMap<String, String>,
) -> Result<(), BenchError> {
    let rows = naive
        .notion
        .query_data_source_all(&naive.token, ds, &notion::QueryRequest::default())
        .await?;
    let by_title: BTreeMap<String, String> = rows
        .into_iter()
        .filter_map(|r| match r {
            notion::SearchResult::Page(p) => Some((p.title(), p.id)),
            _ => None,
        })
        .collect();
    for (path, text) in files {
        let name = title(path);
        match by_title.get(name) {
            Some(page_id) => naive.push(page_id, text).await?,
            None => {
                let lines = crate::naive::lines(text);
                let mut req = notion::CreatePageRequest {
                    parent: notion::PageParent::DataSourceId(ds.to_string()),
                    children: lines.iter().take(100).map(|l| l.new_block()).collect(),
                    ..Default::default()
                };
                req.properties.insert(
                    "Name".into(),
                    notion::PropertyValueKind::Title(vec![notion::RichTextItem::text(name)]),
                );
                let page = naive.notion.create_page(&naive.token, &req).await?;
                if lines.len() > 100 {
                    naive.append(&page.id, &lines[100..], None).await?;
                }
            }
        }
    }
    Ok(())
}

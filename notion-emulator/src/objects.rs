//! Workspace objects beyond pages: databases, data sources, the blocks API's trash and the
//! API-only attributes of blocks, async tasks, and the emulation knobs tests turn.
//!
//! They live in [`Objects`], flattened into the [`Store`] (one lock, one state dump). This
//! module also generalises "where does this object hang" to databases and data sources, which
//! sharing, trash and moves walk through.

use std::collections::BTreeMap;

use notion::{FileObject, Icon, PropertyConfig, RichTextItem};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::content::StoredBlock;
use crate::state::{Access, BotRecord, PageParentRef, Store};

/// Notion's markdown renderer stops after roughly this many blocks.
pub const DEFAULT_RENDER_CAP: usize = 20_000;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Objects {
    #[serde(default)]
    pub databases: BTreeMap<Uuid, DatabaseRecord>,
    #[serde(default)]
    pub data_sources: BTreeMap<Uuid, DataSourceRecord>,
    /// Blocks moved to the trash through the blocks API, restorable in place.
    #[serde(default)]
    pub block_trash: BTreeMap<Uuid, TrashedBlock>,
    /// What the blocks API knows about a block that Markdown cannot say (by block id).
    #[serde(default)]
    pub block_extras: BTreeMap<Uuid, BlockExtra>,
    /// `allow_async` writes, by task id.
    #[serde(default)]
    pub async_tasks: BTreeMap<String, AsyncTaskRecord>,
    #[serde(default)]
    pub tuning: Tuning,
}

/// Knobs tests turn to exercise behaviour that is expensive at Notion's real scale.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tuning {
    /// Blocks rendered by a Markdown GET before the rest become `<unknown>` and the answer is
    /// `truncated` (Notion: about 20 000).
    pub markdown_render_cap: usize,
    /// How long an async task stays `queued` (Notion-paced; divided by the time scale).
    pub async_task_delay_ms: u64,
    /// How long a finished async task can be polled (Notion-paced; divided by the time scale).
    pub async_task_ttl_ms: u64,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            markdown_render_cap: DEFAULT_RENDER_CAP,
            async_task_delay_ms: 1_000,
            async_task_ttl_ms: 10 * 60 * 1_000,
        }
    }
}

/// A database container. Its body in the parent page is a `child_database` block whose id is
/// the database id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DatabaseRecord {
    pub id: Uuid,
    pub parent: PageParentRef,
    pub title: Vec<RichTextItem>,
    pub description: Vec<RichTextItem>,
    pub icon: Option<Icon>,
    pub cover: Option<FileObject>,
    pub is_inline: bool,
    pub in_trash: bool,
    pub is_locked: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_edited_time: OffsetDateTime,
    pub created_by: Uuid,
    pub last_edited_by: Uuid,
    /// In creation order.
    pub data_sources: Vec<Uuid>,
    pub seq: u64,
}

impl DatabaseRecord {
    pub fn title_text(&self) -> String {
        notion::plain_text(&self.title)
    }
}

/// One property of a data source's schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SchemaProperty {
    /// Stable id: `title` for the title property, short URL-encoded strings otherwise.
    pub id: String,
    pub name: String,
    pub description: Option<Vec<RichTextItem>>,
    pub config: PropertyConfig,
}

/// A data source: a schema (in order) and, through their parents, the rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataSourceRecord {
    pub id: Uuid,
    pub database: Uuid,
    pub title: Vec<RichTextItem>,
    pub description: Vec<RichTextItem>,
    pub icon: Option<Icon>,
    pub properties: Vec<SchemaProperty>,
    pub in_trash: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_edited_time: OffsetDateTime,
    pub created_by: Uuid,
    pub last_edited_by: Uuid,
    pub seq: u64,
    /// Counter for new property ids.
    pub next_property: u64,
}

impl DataSourceRecord {
    pub fn title_text(&self) -> String {
        notion::plain_text(&self.title)
    }

    /// A property by id, else by name (requests may use either).
    pub fn property(&self, key: &str) -> Option<&SchemaProperty> {
        self.properties
            .iter()
            .find(|p| p.id == key)
            .or_else(|| self.properties.iter().find(|p| p.name == key))
    }

    pub fn title_property(&self) -> Option<&SchemaProperty> {
        self.properties
            .iter()
            .find(|p| matches!(p.config, PropertyConfig::Title(_)))
    }
}

/// Where a trashed block sat, so a restore puts it back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TrashedBlock {
    pub block: StoredBlock,
    pub page: Uuid,
    /// The parent block; `None` for a block at the top of the page body.
    pub parent_block: Option<Uuid>,
    pub index: usize,
    #[serde(with = "time::serde::rfc3339")]
    pub trashed_at: OffsetDateTime,
    pub trashed_by: Uuid,
}

/// API-only attributes of a stored block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BlockExtra {
    /// Type and payload of a block the Markdown model keeps as `<unknown>` (bookmark, embed,
    /// link_to_page, breadcrumb, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api: Option<(String, Value)>,
    /// A code block's caption.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caption: Vec<RichTextItem>,
    /// A table's row ids, in row order (rows are `table_row` children in the API).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub table_rows: Vec<Uuid>,
    /// A file block's `name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// An `allow_async` write: what to do, and what came of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AsyncTaskRecord {
    pub id: String,
    /// `PATCH /v1/pages/:page_id/markdown` or `POST /v1/pages`.
    pub operation: String,
    pub bot_id: Uuid,
    pub version: String,
    /// The request body, replayed when the task runs.
    pub request: Value,
    /// The page a markdown PATCH targets.
    pub page: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub run_at: OffsetDateTime,
    pub outcome: Option<TaskOutcome>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TaskOutcome {
    #[serde(with = "time::serde::rfc3339")]
    pub finished_at: OffsetDateTime,
    /// `Ok(result object)` or `Err(error object)`.
    pub result: Result<Value, Value>,
}

/// Anything sharing, trash and moves walk through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    Page(Uuid),
    Database(Uuid),
    DataSource(Uuid),
}

impl Node {
    pub fn id(self) -> Uuid {
        match self {
            Node::Page(id) | Node::Database(id) | Node::DataSource(id) => id,
        }
    }
}

/// A bound on parent walks: the tree is acyclic by construction, this guards against bugs.
const MAX_DEPTH: usize = 10_000;

impl Store {
    fn node_exists(&self, node: Node) -> bool {
        match node {
            Node::Page(id) => self.pages.contains_key(&id),
            Node::Database(id) => self.objects.databases.contains_key(&id),
            Node::DataSource(id) => self.objects.data_sources.contains_key(&id),
        }
    }

    /// The node a page, database or data source hangs under (`None`: the workspace).
    pub fn node_parent(&self, node: Node) -> Option<Node> {
        let of_ref = |p: PageParentRef| match p {
            PageParentRef::Workspace => None,
            PageParentRef::Page(id) => Some(Node::Page(id)),
            PageParentRef::DataSource(id) => Some(Node::DataSource(id)),
        };
        match node {
            Node::Page(id) => self.pages.get(&id).and_then(|p| of_ref(p.parent)),
            Node::Database(id) => self
                .objects
                .databases
                .get(&id)
                .and_then(|d| of_ref(d.parent)),
            Node::DataSource(id) => self
                .objects
                .data_sources
                .get(&id)
                .map(|d| Node::Database(d.database)),
        }
    }

    /// Whether `bot` may see `node`: it exists and it, or an ancestor, is shared.
    pub fn can_see_node(&self, bot: &BotRecord, node: Node) -> bool {
        if !self.node_exists(node) {
            return false;
        }
        let roots = match &bot.access {
            Access::All => return true,
            Access::Shared { roots } => roots,
        };
        let mut current = Some(node);
        for _ in 0..MAX_DEPTH {
            match current {
                Some(n) if roots.contains(&n.id()) => return true,
                Some(n) => current = self.node_parent(n),
                None => return false,
            }
        }
        false
    }

    fn node_in_trash(&self, node: Node) -> bool {
        match node {
            Node::Page(id) => self.pages.get(&id).is_some_and(|p| p.in_trash),
            Node::Database(id) => self.objects.databases.get(&id).is_some_and(|d| d.in_trash),
            Node::DataSource(id) => self
                .objects
                .data_sources
                .get(&id)
                .is_some_and(|d| d.in_trash),
        }
    }

    /// In the trash itself or under a trashed ancestor.
    pub fn node_trashed_deep(&self, node: Node) -> bool {
        let mut current = Some(node);
        for _ in 0..MAX_DEPTH {
            match current {
                Some(n) if self.node_in_trash(n) => return true,
                Some(n) => current = self.node_parent(n),
                None => return false,
            }
        }
        false
    }

    /// Whether `ancestor` is `node` or above it.
    pub fn node_is_ancestor_or_self(&self, ancestor: Uuid, node: Node) -> bool {
        let mut current = Some(node);
        for _ in 0..MAX_DEPTH {
            match current {
                Some(n) if n.id() == ancestor => return true,
                Some(n) => current = self.node_parent(n),
                None => return false,
            }
        }
        true
    }

    /// Rows of a data source (any trash state), oldest first.
    pub fn rows_of(&self, data_source: Uuid) -> Vec<&crate::state::PageRecord> {
        let mut rows: Vec<_> = self
            .pages
            .values()
            .filter(|p| p.parent == PageParentRef::DataSource(data_source))
            .collect();
        rows.sort_by_key(|p| p.seq);
        rows
    }
}

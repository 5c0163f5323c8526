//! Bodies of the relay's REST API (SPEC §5) and its paths.
//!
//! Ids in request bodies are labels, never identity: the relay takes the user from the verified
//! session token, so nothing here carries a user id the relay would trust.

use serde::{Deserialize, Serialize};

/// Paths of the relay API, shared so the panel, the relay and tests cannot drift apart.
pub mod paths {
    pub const HEALTH: &str = "/healthz";
    pub const SESSION: &str = "/api/session";
    pub const TICKETS: &str = "/api/tickets";
    pub const CONNECTION: &str = "/api/connection";
    pub const NOTION_SEARCH: &str = "/api/notion/search";
    pub const CONFIGURATIONS: &str = "/api/sync/configurations";
    pub const SYNC_SESSIONS: &str = "/api/sync/sessions";
    pub const LOGS: &str = "/api/logs";
    pub const HISTORY: &str = "/api/history";
    pub const ME: &str = "/api/me";
    pub const WS_SYNC_STATUS: &str = "/ws/sync-status";
    pub const CONFLICTS: &str = "/api/conflicts";
    pub const OAUTH_START: &str = "/oauth/notion/start";
    pub const OAUTH_CALLBACK: &str = "/oauth/notion/callback";

    pub fn configuration(id: &str) -> String {
        format!("{CONFIGURATIONS}/{id}")
    }
    pub fn session_contents(session_id: &str) -> String {
        format!("{SYNC_SESSIONS}/{session_id}/contents")
    }
    pub fn session_ack(session_id: &str) -> String {
        format!("{SYNC_SESSIONS}/{session_id}/ack")
    }
    pub fn conflict_resolve(id: &str) -> String {
        format!("{CONFLICTS}/{id}/resolve")
    }
    pub fn revision(id: &str) -> String {
        format!("{HISTORY}/{id}")
    }
    pub fn revision_restore(id: &str) -> String {
        format!("{HISTORY}/{id}/restore")
    }
}

/// The error body of every failed relay call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, machine-readable (`unauthorized`, `not_connected`, `notion_error`, …).
    pub code: String,
    /// For people: says what happened and what to do.
    pub message: String,
}

/// `POST /api/session`: exchange a Replit extension auth token for a relay session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionRequest {
    pub replit_token: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionResponse {
    /// Bearer token for later calls; kept in panel memory only.
    pub session_token: String,
    /// Unix seconds; renew with a fresh Replit token before then.
    pub expires_at: i64,
    pub user_id: i64,
}

/// `POST /api/tickets`: a single-use, 60-second ticket for the places that cannot send headers
/// (the OAuth popup, the WebSocket).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TicketResponse {
    pub ticket: String,
    pub expires_in: u32,
}

/// `GET /api/connection`: whether the user has a Notion workspace connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionStatus {
    pub connected: bool,
    pub workspace: Option<Workspace>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: String,
    pub name: String,
    /// An emoji or an image URL, as Notion gives it.
    pub icon: Option<String>,
}

/// `GET /api/notion/search?q=`: pages for the page picker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NotionSearchResponse {
    pub results: Vec<NotionPageSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotionPageSummary {
    pub id: String,
    pub title: String,
    pub url: String,
    pub icon: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingKind {
    /// One Markdown file ↔ one page.
    FilePage,
    /// A folder of Markdown files ↔ a database (its data source): one row per file, front
    /// matter keys ↔ properties, titles ↔ file names.
    FolderDatabase,
    /// Any UTF-8 text file ↔ one page holding it as code blocks (language from the extension).
    FileCodePage,
    /// The Repl itself ↔ one row of a "Projects" database (Replit → Notion only).
    ReplProjectRow,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Bidirectional,
    ReplitToNotion,
    NotionToReplit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictStrategy {
    #[default]
    Merge,
    LatestWins,
    ReplitPriority,
    NotionPriority,
    ManualResolution,
}

/// Where a new mapping points in Notion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotionTarget {
    /// Create a page on the first push: under `parent_page_id`, or at the top of the workspace.
    NewPage { parent_page_id: Option<String> },
    /// Link an existing page.
    ExistingPage { page_id: String },
    /// Folder mappings: create a database on the first sync, under `parent_page_id` or at the
    /// top of the workspace.
    NewDatabase { parent_page_id: Option<String> },
    /// Folder mappings: link an existing database (or one of its data sources, by id). A
    /// database with several data sources is refused: pick the data source instead.
    ExistingDatabase { database_id: String },
}

/// `POST /api/sync/configurations`: create a mapping.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateMapping {
    pub kind: MappingKind,
    /// Path of the file relative to the Repl root (`docs/notes.md`); for a folder mapping, the
    /// folder (`docs`, or `""` for the Repl root).
    pub path: String,
    pub target: NotionTarget,
    #[serde(default)]
    pub direction: Direction,
    #[serde(default)]
    pub strategy: ConflictStrategy,
    /// The Repl's id as the panel sees it: a label for display, never trusted for access.
    #[serde(default)]
    pub repl_id: Option<String>,
    /// Folder mappings: include the Markdown files of subfolders too.
    #[serde(default)]
    pub recursive: bool,
}

/// A mapping as the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mapping {
    pub id: String,
    pub kind: MappingKind,
    pub path: String,
    pub direction: Direction,
    pub strategy: ConflictStrategy,
    /// Set once the page exists (after the first push for a new page). For a folder mapping,
    /// the database.
    pub notion_page_id: Option<String>,
    pub notion_url: Option<String>,
    pub title: Option<String>,
    /// Unix seconds of the last completed sync.
    pub last_synced_at: Option<i64>,
    pub status: MappingStatus,
    /// Sync on a schedule (and on file changes while the panel is open).
    #[serde(default)]
    pub auto_sync: bool,
    #[serde(default = "default_interval")]
    pub sync_interval_secs: u32,
    /// Folder mappings: subfolders are included (the manifest should list them, and
    /// [`Manifest::complete`](crate::session::Manifest::complete) then covers them too).
    #[serde(default)]
    pub recursive: bool,
}

fn default_interval() -> u32 {
    DEFAULT_SYNC_INTERVAL_SECS
}

/// SPEC §4: auto-sync every five minutes unless told otherwise.
pub const DEFAULT_SYNC_INTERVAL_SECS: u32 = 300;
/// Shorter intervals would spend a user's Notion rate budget on polling.
pub const MIN_SYNC_INTERVAL_SECS: u32 = 60;

/// `PATCH /api/sync/configurations/{id}`: change how a mapping syncs; absent fields stay.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpdateMapping {
    pub direction: Option<Direction>,
    pub strategy: Option<ConflictStrategy>,
    pub auto_sync: Option<bool>,
    pub sync_interval_secs: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingStatus {
    NeverSynced,
    Synced,
    Failed,
    Conflicts,
}

/// `GET /api/sync/configurations`: the user's connection and mappings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Configurations {
    pub connection: ConnectionStatus,
    pub mappings: Vec<Mapping>,
}

/// `GET /api/logs?limit=`: the latest sync runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogsResponse {
    pub logs: Vec<SyncLog>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncLog {
    pub id: String,
    pub mapping_id: Option<String>,
    pub operation: String,
    pub status: LogStatus,
    pub records_processed: i64,
    pub conflicts_detected: i64,
    pub conflicts_resolved: i64,
    pub error_details: Option<String>,
    pub duration_ms: i64,
    pub created_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogStatus {
    Success,
    Failure,
    Partial,
}

/// Which side a version in history was on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// A file's content in the Repl.
    Repl,
    /// A page's Markdown as Notion gave it.
    Notion,
}

/// A replaced version, kept so it can be restored (SPEC §4, G16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub id: String,
    pub path: String,
    pub side: Side,
    /// What replaced it: `pull`, `push`, `restore`, `resolve`.
    pub reason: String,
    pub hash: crate::ContentHash,
    pub size: i64,
    pub created_at: i64,
}

/// `GET /api/history?path=`: newest first.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HistoryResponse {
    pub revisions: Vec<Revision>,
}

/// `GET /api/history/{id}`: one version with its content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevisionContent {
    pub revision: Revision,
    pub content: String,
}

/// `POST /api/history/{id}/restore`: the panel sends the file as it is now (recorded in history
/// first, so restoring loses nothing) and gets the write that puts the old version back; the
/// next sync takes it to Notion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RestoreRequest {
    /// The file's current content; `None` when the file does not exist.
    pub current: Option<String>,
}

/// Messages on `GET /ws/sync-status?ticket=` (WebSocket, JSON text frames): live progress of the
/// user's syncs, whichever tab or job started them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SyncEvent {
    /// One item moved on.
    ItemProgress {
        session_id: String,
        mapping_id: String,
        path: String,
        stage: ProgressStage,
    },
    /// A session finished (after the acknowledgement).
    SyncCompleted {
        session_id: String,
        mapping_id: String,
        summary: crate::session::SyncSummary,
    },
    /// The Notion side of a mapping changed since the last sync (seen by a webhook or a
    /// scheduled check): an open panel syncs it.
    RemoteChanged { mapping_id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStage {
    /// Reading the page from Notion.
    ReadingNotion,
    /// Writing to Notion.
    WritingNotion,
    /// Decided; the item's outcome is in the plan.
    Planned,
}

/// An item changed on both sides in ways that overlap: the versions to choose from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub id: String,
    pub mapping_id: String,
    pub path: String,
    /// What both sides last agreed on (empty on a first link).
    pub base: String,
    /// The file now; `None` when it is gone.
    pub repl: Option<String>,
    /// The page now, as it would be written to the file.
    pub notion: String,
    pub created_at: i64,
    /// Set once the user chose; applied by the next sync.
    pub resolution: Option<Resolution>,
}

/// `GET /api/conflicts`: the user's unsettled conflicts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConflictsResponse {
    pub conflicts: Vec<Conflict>,
}

/// `POST /api/conflicts/{id}/resolve`: which version wins. The next sync applies it, and the
/// version that loses goes to history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "choice", rename_all = "snake_case")]
pub enum Resolution {
    KeepRepl,
    KeepNotion,
    /// The user's own text, written to both sides.
    Merged {
        content: String,
    },
}

//! The sync-session protocol (SPEC §4).
//!
//! 1. The panel sends a [`Manifest`]: path, size and hash of each file — never contents.
//! 2. The relay answers which contents it [`needs`](SessionStarted::needed).
//! 3. The panel uploads only those ([`UploadContents`]); the relay plans and writes Notion, then
//!    answers the [`FileWrite`]s for the panel, each with the hash the file must still have.
//! 4. The panel re-checks each hash right before writing (a file edited meanwhile is left alone
//!    and picked up by the next round) and [`Ack`]nowledges what it wrote.
//!
//! The relay advances a file's base only on acknowledgement, so a session that stops anywhere
//! leaves a state from which the next session converges.

use crate::hash::ContentHash;
use serde::{Deserialize, Serialize};

/// One file as the panel sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    pub path: String,
    pub size: u64,
    pub hash: ContentHash,
}

/// `POST /api/sync/sessions`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub mapping_id: String,
    /// Missing from the manifest means "the panel has no such file".
    pub files: Vec<ManifestEntry>,
    /// Preview: plan and report what would happen, write nothing anywhere (SPEC §4).
    #[serde(default)]
    pub dry_run: bool,
    /// Folder mappings: the panel listed the whole mapped folder (every subfolder too, for a
    /// recursive mapping) without an error. Only then does a file missing from `files` count as
    /// deleted (G7); otherwise a missing file is left alone on both sides.
    #[serde(default)]
    pub complete: bool,
    /// Folder mappings: the user confirmed the deletions the previous session held back
    /// ([`SessionPlan::held_deletions`], G8). Applies to those deletions only: a larger set is
    /// held again.
    #[serde(default)]
    pub confirm_deletions: bool,
    /// The panel applies [`FileWriteOp::Delete`] and [`FileWriteOp::Move`]. Without it the relay
    /// sends plain writes only (an older panel would take a delete for a write), and reports
    /// deletions and renames coming from Notion as skipped.
    #[serde(default)]
    pub accepts_file_ops: bool,
    /// `repl_project_row` mappings: the Repl as the panel sees it (`files` stays empty).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<ReplProject>,
}

/// What a `repl_project_row` mapping writes into its row. Labels the panel reads from the
/// workspace (`data.currentRepl`, `.replit`, the file tree): shown in Notion, never trusted for
/// authorization (the verified Replit token says who and which Repl).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplProject {
    pub repl_id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub url: String,
    pub is_private: bool,
    /// As Replit gives `timeCreated` (ISO 8601), when known.
    #[serde(default)]
    pub created_at: Option<String>,
    /// The owner's username (a user or a team), when known.
    #[serde(default)]
    pub owner: Option<String>,
    /// From `.replit` `modules`, else from file extensions; sorted, unique.
    #[serde(default)]
    pub languages: Vec<String>,
    /// Files in the Repl (default excludes applied).
    pub file_count: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionStarted {
    pub session_id: String,
    /// Paths whose contents the relay needs; may be empty.
    pub needed: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileContent {
    pub path: String,
    /// UTF-8 text; the panel skips binary files before they get here.
    pub content: String,
}

/// `POST /api/sync/sessions/{id}/contents`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UploadContents {
    pub files: Vec<FileContent>,
}

/// A write the panel should make, guarded by the hash the file must still have.
///
/// Every write is acknowledged the same way, whatever its [`op`](FileWrite::op): a
/// [`WrittenFile`] with this `path` and `new_hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileWrite {
    pub path: String,
    /// The file's hash when the relay planned; `None` means the file must not exist.
    /// Always set for a delete or a move.
    pub expected_hash: Option<ContentHash>,
    /// The new content (empty for a delete; for a move, what goes at the new path).
    pub content: String,
    /// Hash of `content`, so the acknowledgement can be checked.
    pub new_hash: ContentHash,
    /// What to do with the file; absent means a plain write. Sent only to panels that set
    /// [`Manifest::accepts_file_ops`].
    #[serde(default, skip_serializing_if = "FileWriteOp::is_write")]
    pub op: FileWriteOp,
}

/// What a [`FileWrite`] does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FileWriteOp {
    /// Write `content` at `path` (the file must have `expected_hash`, or not exist when `None`).
    #[default]
    Write,
    /// Delete `path`, only if its hash is still `expected_hash` (the page went to Notion's
    /// trash). The relay records the content in history first.
    Delete,
    /// The page was renamed in Notion: write `content` at `to` (which must not exist), then
    /// delete `path`, only if its hash is still `expected_hash`. `to` is inside the mapped
    /// folder and its name is safe.
    Move { to: String },
}

impl FileWriteOp {
    pub fn is_write(&self) -> bool {
        matches!(self, FileWriteOp::Write)
    }
}

/// What happened to one item in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemAction {
    /// A new Notion page was created from the file.
    Created,
    /// The file's change was written to Notion.
    Pushed,
    /// Notion's change is to be written to the file (see the file writes).
    Pulled,
    Unchanged,
    /// Both sides changed; nothing was overwritten.
    Conflict,
    /// Left alone, with a reason (too big, binary, not allowed by the direction, …).
    Skipped,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemOutcome {
    pub path: String,
    pub action: ItemAction,
    /// For people; says why for skips, conflicts and failures.
    pub message: Option<String>,
}

/// Answer to the upload: Notion has been written; these file writes remain.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SessionPlan {
    pub session_id: String,
    pub items: Vec<ItemOutcome>,
    pub file_writes: Vec<FileWrite>,
    /// Set when the mass-deletion guard held deletions back (G8): nothing was deleted on
    /// either side. Showing it and syncing again with [`Manifest::confirm_deletions`] applies
    /// exactly these deletions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_deletions: Option<HeldDeletions>,
}

/// Deletions a session held back for confirmation (G8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldDeletions {
    /// How many items would have been deleted…
    pub would_delete: u32,
    /// …out of how many tracked items.
    pub tracked: u32,
    /// The items' paths (files whose rows would go to Notion's trash, or files that would be
    /// deleted because their rows were trashed).
    pub paths: Vec<String>,
    /// For people: `halted: 40/50 would be deleted; …`.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenFile {
    pub path: String,
    pub hash: ContentHash,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedWrite {
    pub path: String,
    pub reason: String,
}

/// `POST /api/sync/sessions/{id}/ack`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ack {
    pub written: Vec<WrittenFile>,
    pub skipped: Vec<SkippedWrite>,
}

/// The end of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionResult {
    pub items: Vec<ItemOutcome>,
    pub summary: SyncSummary,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncSummary {
    pub created: u32,
    pub pushed: u32,
    pub pulled: u32,
    pub unchanged: u32,
    pub conflicts: u32,
    pub skipped: u32,
    pub failed: u32,
}

impl SyncSummary {
    pub fn from_items(items: &[ItemOutcome]) -> SyncSummary {
        let mut s = SyncSummary::default();
        for item in items {
            let slot = match item.action {
                ItemAction::Created => &mut s.created,
                ItemAction::Pushed => &mut s.pushed,
                ItemAction::Pulled => &mut s.pulled,
                ItemAction::Unchanged => &mut s.unchanged,
                ItemAction::Conflict => &mut s.conflicts,
                ItemAction::Skipped => &mut s.skipped,
                ItemAction::Failed => &mut s.failed,
            };
            *slot += 1;
        }
        s
    }
}

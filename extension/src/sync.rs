//! The panel's side of a sync session (SPEC §4, `protocol::session`).
//!
//! read the file → hash → manifest → `POST /api/sync/sessions` → upload only what the relay
//! `needed` → the relay writes Notion and answers file writes, each with the hash the file must
//! still have → re-read each file and write only if it still has that hash (a file edited
//! meanwhile is left alone and goes into the next round) → acknowledge → the session result.
//!
//! The panel never decides what a change means; it only lists, hashes, reads and writes. The
//! relay advances its base only on the acknowledgement, so stopping anywhere here is safe.

use crate::files;
use crate::relay::{Relay, RelayError};
use crate::replit::{self, ReplitError};
use protocol::api::Mapping;
use protocol::session::{
    Ack, FileContent, FileWrite, ItemAction, ItemOutcome, Manifest, ManifestEntry, SessionPlan,
    SessionResult, SkippedWrite, SyncSummary, UploadContents, WrittenFile,
};
use protocol::ContentHash;
use std::fmt;

/// Files larger than this are not synced (SPEC §4 scope), with a visible reason.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

/// Where a running sync is, for the progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Reading,
    Syncing,
    Writing,
    Finishing,
}

impl Stage {
    pub fn label(self) -> &'static str {
        match self {
            Stage::Reading => "Reading file…",
            Stage::Syncing => "Syncing with Notion…",
            Stage::Writing => "Writing files…",
            Stage::Finishing => "Finishing…",
        }
    }

    /// The machine name (`data-stage`).
    pub fn name(self) -> &'static str {
        match self {
            Stage::Reading => "reading",
            Stage::Syncing => "syncing",
            Stage::Writing => "writing",
            Stage::Finishing => "finishing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncError {
    /// The file could not be read from the Repl (and is not simply absent).
    Read(String),
    Relay(RelayError),
}

impl fmt::Display for SyncError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SyncError::Read(m) => f.write_str(m),
            SyncError::Relay(e) => write!(f, "{e}"),
        }
    }
}

impl From<RelayError> for SyncError {
    fn from(e: RelayError) -> Self {
        SyncError::Relay(e)
    }
}

/// A file as the panel found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LocalFile {
    Present(String),
    /// Proven absent by a directory listing.
    Absent,
}

impl LocalFile {
    pub fn hash(&self) -> Option<ContentHash> {
        match self {
            LocalFile::Present(content) => Some(ContentHash::of(content.as_bytes())),
            LocalFile::Absent => None,
        }
    }
}

/// Reads a file; a read error counts as "absent" only when the directory listing agrees.
pub async fn read_local(path: &str) -> Result<LocalFile, String> {
    match replit::read_file(path).await {
        Ok(content) => Ok(LocalFile::Present(content)),
        Err(ReplitError::NotConnected) => Err(ReplitError::NotConnected.to_string()),
        Err(read_err) => match files::file_exists(path).await {
            Ok(false) => Ok(LocalFile::Absent),
            Ok(true) => Err(format!("Could not read {path}: {read_err}")),
            Err(e) => Err(format!("Could not read {path}: {e}")),
        },
    }
}

/// Whether the relay may have the panel write `path` for `mapping`: a safe relative path, and
/// the mapped file itself (or, for folder mappings, a file under the mapped folder).
pub fn write_allowed(mapping_path: &str, path: &str) -> bool {
    let root = mapping_path.trim_end_matches('/');
    files::is_safe_relative_path(path)
        && (path == root
            || path
                .strip_prefix(root)
                .is_some_and(|rest| rest.starts_with('/')))
}

/// Why a planned write must not happen, or `None` when it may. `current` is the file right now.
pub fn write_refusal(mapping_path: &str, write: &FileWrite, current: &LocalFile) -> Option<String> {
    // Deletes and moves are for folder mappings; this panel did not offer to apply them.
    if !write.op.is_write() {
        return Some("not a plain write; left for a panel that applies file operations".into());
    }
    if !write_allowed(mapping_path, &write.path) {
        return Some("outside the mapped path; not written".to_string());
    }
    if ContentHash::of(write.content.as_bytes()) != write.new_hash {
        return Some("the content does not match its hash; not written".to_string());
    }
    if current.hash() != write.expected_hash {
        return Some(
            "changed in the Repl while syncing; left as it is for the next sync".to_string(),
        );
    }
    None
}

/// The relay's result, corrected with the writes the panel skipped: an item reported as pulled
/// whose write was skipped is shown as skipped, with the reason.
pub fn merge_skipped(mut result: SessionResult, skipped: &[SkippedWrite]) -> SessionResult {
    for skip in skipped {
        let existing = result.items.iter_mut().find(|i| i.path == skip.path);
        match existing {
            Some(item) if item.action == ItemAction::Skipped => {}
            Some(item) if item.action == ItemAction::Pulled => {
                item.action = ItemAction::Skipped;
                item.message = Some(skip.reason.clone());
            }
            Some(_) => {}
            None => result.items.push(ItemOutcome {
                path: skip.path.clone(),
                action: ItemAction::Skipped,
                message: Some(skip.reason.clone()),
            }),
        }
    }
    result.summary = SyncSummary::from_items(&result.items);
    result
}

fn local_only(path: &str, action: ItemAction, message: String) -> SessionResult {
    let items = vec![ItemOutcome {
        path: path.to_string(),
        action,
        message: Some(message),
    }];
    let summary = SyncSummary::from_items(&items);
    SessionResult { items, summary }
}

/// A finished session, and the file's hash at its end (what the relay now agrees on, or what
/// was read when nothing was written) — so a watcher can tell our own write from an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    pub result: SessionResult,
    pub local_hash: Option<ContentHash>,
}

/// What the relay planned: either a plan, or a result decided without asking it.
enum Planned {
    Plan(LocalFile, SessionPlan),
    Local(SessionResult),
}

/// Manifest → needed contents → the relay's plan (`dry_run`: nothing is written anywhere).
async fn plan(
    relay: &Relay,
    mapping: &Mapping,
    dry_run: bool,
    progress: &mut impl FnMut(Stage),
) -> Result<Planned, SyncError> {
    progress(Stage::Reading);
    let path = mapping.path.as_str();
    let local = read_local(path).await.map_err(SyncError::Read)?;
    if let LocalFile::Present(content) = &local {
        if content.len() > MAX_FILE_BYTES {
            return Ok(Planned::Local(local_only(
                path,
                ItemAction::Skipped,
                format!(
                    "larger than {} MB; not synced",
                    MAX_FILE_BYTES / (1024 * 1024)
                ),
            )));
        }
    }
    let files = match &local {
        LocalFile::Present(content) => vec![ManifestEntry {
            path: path.to_string(),
            size: content.len() as u64,
            hash: ContentHash::of(content.as_bytes()),
        }],
        LocalFile::Absent => Vec::new(),
    };

    progress(Stage::Syncing);
    let manifest = Manifest {
        mapping_id: mapping.id.clone(),
        files,
        dry_run,
        // Folder mappings only (one file here); and this panel applies plain writes only.
        complete: false,
        confirm_deletions: false,
        accepts_file_ops: false,
        project: None,
    };
    let started = relay.start_session(&manifest).await?;
    let mut upload = UploadContents::default();
    for needed in &started.needed {
        // Only what the manifest announced, with the bytes that were hashed.
        if let (true, LocalFile::Present(content)) = (needed == path, &local) {
            upload.files.push(FileContent {
                path: needed.clone(),
                content: content.clone(),
            });
        }
    }
    let plan = relay.upload(&started.session_id, &upload).await?;
    Ok(Planned::Plan(local, plan))
}

/// A dry run: what a sync of `mapping` would do, per item, with nothing written anywhere.
pub async fn preview(relay: &Relay, mapping: &Mapping) -> Result<Vec<ItemOutcome>, SyncError> {
    match plan(relay, mapping, true, &mut |_| {}).await? {
        Planned::Plan(_, plan) => Ok(plan.items),
        Planned::Local(result) => Ok(result.items),
    }
}

/// Runs one sync session for `mapping`, reporting each stage to `progress`.
pub async fn run(
    relay: &Relay,
    mapping: &Mapping,
    mut progress: impl FnMut(Stage),
) -> Result<Synced, SyncError> {
    let path = mapping.path.as_str();
    let (local, plan) = match plan(relay, mapping, false, &mut progress).await? {
        Planned::Plan(local, plan) => (local, plan),
        Planned::Local(result) => {
            return Ok(Synced {
                result,
                local_hash: None,
            })
        }
    };

    progress(Stage::Writing);
    let mut ack = Ack::default();
    for write in &plan.file_writes {
        // Re-read right before writing: the user may have edited the file during the session.
        let current = match read_local(&write.path).await {
            Ok(current) => current,
            Err(reason) => {
                ack.skipped.push(SkippedWrite {
                    path: write.path.clone(),
                    reason,
                });
                continue;
            }
        };
        if let Some(reason) = write_refusal(path, write, &current) {
            ack.skipped.push(SkippedWrite {
                path: write.path.clone(),
                reason,
            });
            continue;
        }
        match replit::write_file(&write.path, &write.content).await {
            Ok(()) => ack.written.push(WrittenFile {
                path: write.path.clone(),
                hash: write.new_hash.clone(),
            }),
            Err(e) => ack.skipped.push(SkippedWrite {
                path: write.path.clone(),
                reason: format!("could not write: {e}"),
            }),
        }
    }
    let local_hash = ack
        .written
        .iter()
        .find(|w| w.path == path)
        .map(|w| w.hash.clone())
        .or_else(|| local.hash());

    progress(Stage::Finishing);
    let result = relay.ack(&plan.session_id, &ack).await?;
    Ok(Synced {
        result: merge_skipped(result, &ack.skipped),
        local_hash,
    })
}

/// Writes a restored version into the file if the file is still what the relay was told it is
/// (`expected_hash`), so an edit made meanwhile is never overwritten.
pub async fn apply_restore(mapping_path: &str, write: &FileWrite) -> Result<(), String> {
    let current = read_local(&write.path).await?;
    if let Some(reason) = write_refusal(mapping_path, write, &current) {
        return Err(format!("{} was not restored: {reason}", write.path));
    }
    replit::write_file(&write.path, &write.content)
        .await
        .map_err(|e| format!("Could not write {}: {e}", write.path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &str, expected: Option<&str>, content: &str) -> FileWrite {
        FileWrite {
            path: path.to_string(),
            expected_hash: expected.map(ContentHash::of),
            content: content.to_string(),
            new_hash: ContentHash::of(content),
            op: Default::default(),
        }
    }

    #[test]
    fn writes_only_when_the_file_is_as_planned() {
        let w = write("notes.md", Some("old"), "new");
        assert_eq!(
            write_refusal("notes.md", &w, &LocalFile::Present("old".into())),
            None
        );
        assert!(write_refusal("notes.md", &w, &LocalFile::Present("edited".into())).is_some());
        assert!(write_refusal("notes.md", &w, &LocalFile::Absent).is_some());

        let create = write("notes.md", None, "new");
        assert_eq!(write_refusal("notes.md", &create, &LocalFile::Absent), None);
        assert!(write_refusal("notes.md", &create, &LocalFile::Present(String::new())).is_some());
    }

    #[test]
    fn refuses_paths_outside_the_mapping_and_bad_hashes() {
        let w = write("../etc/passwd", Some("old"), "x");
        assert!(write_refusal("notes.md", &w, &LocalFile::Present("old".into())).is_some());
        let w = write("other.md", Some("old"), "x");
        assert!(write_refusal("notes.md", &w, &LocalFile::Present("old".into())).is_some());
        let mut w = write("notes.md", Some("old"), "x");
        w.op = protocol::session::FileWriteOp::Delete;
        assert!(write_refusal("notes.md", &w, &LocalFile::Present("old".into())).is_some());
        let mut w = write("notes.md", Some("old"), "x");
        w.new_hash = ContentHash::of("y");
        assert!(write_refusal("notes.md", &w, &LocalFile::Present("old".into())).is_some());

        assert!(write_allowed("docs", "docs/a.md"));
        assert!(!write_allowed("docs", "docs2/a.md"));
        assert!(!write_allowed("docs", "docs/../x.md"));
    }

    #[test]
    fn skipped_writes_show_in_the_result() {
        let result = SessionResult {
            items: vec![ItemOutcome {
                path: "notes.md".into(),
                action: ItemAction::Pulled,
                message: None,
            }],
            summary: SyncSummary {
                pulled: 1,
                ..Default::default()
            },
        };
        let skipped = [SkippedWrite {
            path: "notes.md".into(),
            reason: "changed".into(),
        }];
        let merged = merge_skipped(result, &skipped);
        assert_eq!(merged.items[0].action, ItemAction::Skipped);
        assert_eq!(merged.items[0].message.as_deref(), Some("changed"));
        assert_eq!(
            merged.summary,
            SyncSummary {
                skipped: 1,
                ..Default::default()
            }
        );
    }
}

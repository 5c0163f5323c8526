//! The panel's side of a sync session (SPEC §4, `protocol::session`).
//!
//! read the file → hash → manifest → `POST /api/sync/sessions` → upload only what the relay
//! `needed` → the relay writes Notion and answers file writes, each with the hash the file must
//! still have → re-read each file and write only if it still has that hash (a file edited
//! meanwhile is left alone and goes into the next round) → acknowledge → the session result.
//!
//! Per kind: `file_page` and `file_code_page` send one file; `folder_database` lists the mapped
//! folder (SPEC §4 scope), says whether the listing is complete (only then may a missing file
//! count as deleted, G7) and applies deletes and moves with the same expected-hash check as
//! writes; `repl_project_row` sends the Repl's description and no file.
//!
//! The panel never decides what a change means; it only lists, hashes, reads and writes. The
//! relay advances its base only on the acknowledgement, so stopping anywhere here is safe.

use crate::files;
use crate::globs::{self, Globs};
use crate::project;
use crate::relay::{Relay, RelayError};
use crate::replit::{self, ReplitError};
use protocol::api::{Mapping, MappingKind};
use protocol::session::{
    Ack, FileContent, FileWrite, FileWriteOp, HeldDeletions, ItemAction, ItemOutcome, Manifest,
    ManifestEntry, ReplProject, SessionPlan, SessionResult, SkippedWrite, SyncSummary,
    UploadContents, WrittenFile,
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
/// the mapped file itself (or, for folder mappings, a file under the mapped folder; `""` is the
/// Repl root).
pub fn write_allowed(mapping_path: &str, path: &str) -> bool {
    let root = mapping_path.trim_end_matches('/');
    files::is_safe_relative_path(path)
        && (root.is_empty()
            || path == root
            || path
                .strip_prefix(root)
                .is_some_and(|rest| rest.starts_with('/')))
}

/// Why a planned write must not happen, or `None` when it may. `current` is the file right now;
/// `folder`: a folder mapping, whose session announced that it applies deletes and moves, and
/// whose files are Markdown files in scope (SPEC §4); `target_exists`: for a move, whether
/// something is at the new path (`None`: could not tell).
pub fn write_refusal(
    mapping_path: &str,
    folder: bool,
    write: &FileWrite,
    current: &LocalFile,
    target_exists: Option<bool>,
) -> Option<String> {
    if !write.op.is_write() && !folder {
        return Some("not a plain write; this mapping does not delete or move files".into());
    }
    if !write_allowed(mapping_path, &write.path) {
        return Some("outside the mapped path; not written".to_string());
    }
    let to = match &write.op {
        FileWriteOp::Move { to } => Some(to.as_str()),
        _ => None,
    };
    if folder
        && ![Some(write.path.as_str()), to]
            .into_iter()
            .flatten()
            .all(files::in_folder_scope)
    {
        return Some("not a Markdown file this folder mapping syncs; not written".to_string());
    }
    if ContentHash::of(write.content.as_bytes()) != write.new_hash {
        return Some("the content does not match its hash; not written".to_string());
    }
    if let FileWriteOp::Move { to } = &write.op {
        if !write_allowed(mapping_path, to) || to == &write.path {
            return Some(format!("cannot move to {to}: outside the mapped folder"));
        }
        match target_exists {
            Some(false) => {}
            Some(true) => {
                return Some(format!(
                    "not renamed: {to} already exists; both files are left as they are"
                ))
            }
            None => return Some(format!("not renamed: could not check whether {to} exists")),
        }
    }
    // A delete or a move acts on a file that exists with the expected content, never on a
    // missing one (the relay always sends a hash for them).
    let expects_file = !write.op.is_write();
    if current.hash() != write.expected_hash
        || (expects_file && (write.expected_hash.is_none() || *current == LocalFile::Absent))
    {
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
    /// Deletions the relay held back for the user's confirmation (G8).
    pub held: Option<HeldDeletions>,
}

/// What the panel read for a session: the files it announced, with their content.
#[derive(Debug, Clone, Default)]
pub struct LocalSide {
    /// Path → content of every file in the manifest.
    pub files: Vec<(String, String)>,
    /// Folder mappings: every listing and read succeeded (see [`Manifest::complete`]).
    pub complete: bool,
    pub project: Option<ReplProject>,
    /// Files left out, with the reason (shown in the result; never taken as deleted, because a
    /// manifest with such a gap is not `complete`).
    pub skipped: Vec<SkippedWrite>,
}

/// What a session may take from the Repl for `mapping`.
pub fn manifest_of(
    mapping: &Mapping,
    local: &LocalSide,
    dry_run: bool,
    confirm_deletions: bool,
) -> Manifest {
    let folder = mapping.kind == MappingKind::FolderDatabase;
    Manifest {
        mapping_id: mapping.id.clone(),
        files: local
            .files
            .iter()
            .map(|(path, content)| ManifestEntry {
                path: path.clone(),
                size: content.len() as u64,
                hash: ContentHash::of(content.as_bytes()),
            })
            .collect(),
        dry_run,
        complete: folder && local.complete && local.skipped.is_empty(),
        confirm_deletions: folder && confirm_deletions,
        // This panel applies deletes and moves, and they only make sense inside a folder.
        accepts_file_ops: folder,
        project: local.project.clone(),
    }
}

/// What to upload: only what the relay asked for, only if the manifest announced it, with the
/// bytes that were hashed, and never a file over the size limit (the relay skips those).
pub fn uploads_for(needed: &[String], local: &LocalSide) -> UploadContents {
    let mut upload = UploadContents::default();
    for path in needed {
        if let Some((_, content)) = local.files.iter().find(|(p, _)| p == path) {
            if content.len() <= MAX_FILE_BYTES && !upload.files.iter().any(|f| &f.path == path) {
                upload.files.push(FileContent {
                    path: path.clone(),
                    content: content.clone(),
                });
            }
        }
    }
    upload
}

fn too_large() -> String {
    format!(
        "larger than {} MB; not synced",
        MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// One file (`file_page`, `file_code_page`): a result decided locally, or what to send.
async fn read_one(mapping: &Mapping) -> Result<Result<LocalSide, SessionResult>, SyncError> {
    let path = mapping.path.as_str();
    let mut local = LocalSide::default();
    match read_local(path).await.map_err(SyncError::Read)? {
        LocalFile::Present(content) => {
            if content.len() > MAX_FILE_BYTES {
                return Ok(Err(local_only(path, ItemAction::Skipped, too_large())));
            }
            if mapping.kind == MappingKind::FileCodePage && !files::is_text_content(&content) {
                return Ok(Err(local_only(
                    path,
                    ItemAction::Skipped,
                    "not a text file (it contains NUL bytes); not synced".into(),
                )));
            }
            local.files.push((path.to_string(), content));
        }
        LocalFile::Absent => {}
    }
    Ok(Ok(local))
}

/// A folder (`folder_database`): every Markdown file in scope, and whether the listing is
/// complete. A file that cannot be read is left out and makes the manifest incomplete.
async fn read_folder(mapping: &Mapping) -> Result<LocalSide, SyncError> {
    let listing = files::list_folder(&mapping.path, mapping.recursive)
        .await
        .map_err(|e| {
            let shown = if mapping.path.is_empty() {
                "the Repl"
            } else {
                &mapping.path
            };
            SyncError::Read(format!("Could not list {shown}: {e}"))
        })?;
    let globs = globs::load(&mapping.id).await.map_err(|e| {
        SyncError::Read(format!(
            "Could not read this mapping's include/exclude patterns, so nothing was synced: {e}"
        ))
    })?;
    let mut local = LocalSide {
        // Narrowed by globs, the listing no longer shows the whole folder (see `globs`).
        complete: listing.complete && globs.is_empty(),
        ..LocalSide::default()
    };
    for (dir, reason) in listing.problems {
        local.skipped.push(SkippedWrite { path: dir, reason });
    }
    for path in in_scope(&mapping.path, &globs, listing.files) {
        match replit::read_file(&path).await {
            Ok(content) if files::is_text_content(&content) => local.files.push((path, content)),
            Ok(_) => local.skipped.push(SkippedWrite {
                path,
                reason: "not a text file (it contains NUL bytes); not synced".into(),
            }),
            Err(ReplitError::NotConnected) => {
                return Err(SyncError::Read(ReplitError::NotConnected.to_string()))
            }
            Err(e) => local.skipped.push(SkippedWrite {
                path,
                reason: format!("could not read: {e}"),
            }),
        }
    }
    Ok(local)
}

/// The files a folder mapping's globs let through (paths relative to the Repl root; the globs
/// see them relative to the mapped folder).
pub fn in_scope(folder: &str, globs: &Globs, paths: Vec<String>) -> Vec<String> {
    let folder = folder.trim_matches('/');
    paths
        .into_iter()
        .filter(|p| {
            let rel = if folder.is_empty() {
                p.as_str()
            } else {
                p.strip_prefix(folder)
                    .and_then(|r| r.strip_prefix('/'))
                    .unwrap_or(p)
            };
            globs.allows(rel)
        })
        .collect()
}

/// The Repl itself (`repl_project_row`): its description, languages and file count.
async fn read_project() -> Result<LocalSide, SyncError> {
    let repl = replit::current_repl()
        .await
        .map_err(|e| SyncError::Read(format!("Could not read the Repl's details: {e}")))?;
    let listing = files::list_markdown_files()
        .await
        .map_err(|e| SyncError::Read(format!("Could not list the Repl's files: {e}")))?;
    // `.replit` is optional: without it, languages come from the files' extensions.
    let replit_file = replit::read_file(".replit").await.ok();
    Ok(LocalSide {
        project: Some(project::build(
            &repl,
            replit_file.as_deref(),
            &listing.files,
        )),
        ..LocalSide::default()
    })
}

/// What the relay planned: either a plan, or a result decided without asking it.
enum Planned {
    Plan(Box<LocalSide>, SessionPlan),
    Local(SessionResult),
}

/// Manifest → needed contents → the relay's plan (`dry_run`: nothing is written anywhere).
async fn plan(
    relay: &Relay,
    mapping: &Mapping,
    dry_run: bool,
    confirm_deletions: bool,
    progress: &mut impl FnMut(Stage),
) -> Result<Planned, SyncError> {
    progress(Stage::Reading);
    let local = match mapping.kind {
        MappingKind::FilePage | MappingKind::FileCodePage => match read_one(mapping).await? {
            Ok(local) => local,
            Err(result) => return Ok(Planned::Local(result)),
        },
        MappingKind::FolderDatabase => read_folder(mapping).await?,
        MappingKind::ReplProjectRow => read_project().await?,
    };

    progress(Stage::Syncing);
    let manifest = manifest_of(mapping, &local, dry_run, confirm_deletions);
    let started = relay.start_session(&manifest).await?;
    let upload = uploads_for(&started.needed, &local);
    let plan = relay.upload(&started.session_id, &upload).await?;
    Ok(Planned::Plan(Box::new(local), plan))
}

/// A dry run: what a sync of `mapping` would do, per item, with nothing written anywhere.
pub async fn preview(relay: &Relay, mapping: &Mapping) -> Result<Vec<ItemOutcome>, SyncError> {
    match plan(relay, mapping, true, false, &mut |_| {}).await? {
        Planned::Plan(local, plan) => {
            let result = SessionResult {
                summary: SyncSummary::from_items(&plan.items),
                items: plan.items,
            };
            Ok(merge_skipped(result, &local.skipped).items)
        }
        Planned::Local(result) => Ok(result.items),
    }
}

/// Whether something exists at `path`, as the directory listing says (`None`: cannot tell).
async fn exists(path: &str) -> Option<bool> {
    files::file_exists(path).await.ok()
}

/// Applies one checked write: a plain write, a delete, or a move (the new file first, so a
/// failure in between leaves two copies rather than none).
async fn apply(write: &FileWrite) -> Result<(), String> {
    match &write.op {
        FileWriteOp::Write => replit::write_file(&write.path, &write.content)
            .await
            .map_err(|e| format!("could not write: {e}")),
        FileWriteOp::Delete => replit::delete_file(&write.path)
            .await
            .map_err(|e| format!("could not delete: {e}")),
        FileWriteOp::Move { to } => {
            replit::write_file(to, &write.content)
                .await
                .map_err(|e| format!("could not write {to}: {e}"))?;
            replit::delete_file(&write.path).await.map_err(|e| {
                format!("{to} was written, but the old file could not be deleted: {e}")
            })
        }
    }
}

/// Runs one sync session for `mapping`, reporting each stage to `progress`.
/// `confirm_deletions`: the user confirmed the deletions the previous session held back.
pub async fn run(
    relay: &Relay,
    mapping: &Mapping,
    confirm_deletions: bool,
    mut progress: impl FnMut(Stage),
) -> Result<Synced, SyncError> {
    let path = mapping.path.as_str();
    let (local, plan) = match plan(relay, mapping, false, confirm_deletions, &mut progress).await? {
        Planned::Plan(local, plan) => (local, plan),
        Planned::Local(result) => {
            return Ok(Synced {
                result,
                local_hash: None,
                held: None,
            })
        }
    };
    let folder = manifest_of(mapping, &local, false, false).accepts_file_ops;

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
        let target_exists = match &write.op {
            FileWriteOp::Move { to } if files::is_safe_relative_path(to) => exists(to).await,
            _ => None,
        };
        if let Some(reason) = write_refusal(path, folder, write, &current, target_exists) {
            ack.skipped.push(SkippedWrite {
                path: write.path.clone(),
                reason,
            });
            continue;
        }
        match apply(write).await {
            Ok(()) => ack.written.push(WrittenFile {
                path: write.path.clone(),
                hash: write.new_hash.clone(),
            }),
            Err(reason) => ack.skipped.push(SkippedWrite {
                path: write.path.clone(),
                reason,
            }),
        }
    }
    let local_hash = ack
        .written
        .iter()
        .find(|w| w.path == path)
        .map(|w| w.hash.clone())
        .or_else(|| {
            local
                .files
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, c)| ContentHash::of(c.as_bytes()))
        });

    progress(Stage::Finishing);
    let result = relay.ack(&plan.session_id, &ack).await?;
    let mut skipped = local.skipped.clone();
    skipped.extend(ack.skipped);
    Ok(Synced {
        result: merge_skipped(result, &skipped),
        local_hash,
        held: plan.held_deletions,
    })
}

/// Writes a restored version into the file if the file is still what the relay was told it is
/// (`expected_hash`), so an edit made meanwhile is never overwritten.
pub async fn apply_restore(mapping_path: &str, write: &FileWrite) -> Result<(), String> {
    let current = read_local(&write.path).await?;
    if let Some(reason) = write_refusal(mapping_path, false, write, &current, None) {
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

    fn refusal(root: &str, ops: bool, w: &FileWrite, current: &LocalFile) -> Option<String> {
        write_refusal(root, ops, w, current, None)
    }

    #[test]
    fn writes_only_when_the_file_is_as_planned() {
        let w = write("notes.md", Some("old"), "new");
        assert_eq!(
            refusal("notes.md", false, &w, &LocalFile::Present("old".into())),
            None
        );
        assert!(refusal("notes.md", false, &w, &LocalFile::Present("edited".into())).is_some());
        assert!(refusal("notes.md", false, &w, &LocalFile::Absent).is_some());

        let create = write("notes.md", None, "new");
        assert_eq!(
            refusal("notes.md", false, &create, &LocalFile::Absent),
            None
        );
        assert!(refusal(
            "notes.md",
            false,
            &create,
            &LocalFile::Present(String::new())
        )
        .is_some());
    }

    #[test]
    fn refuses_paths_outside_the_mapping_and_bad_hashes() {
        let w = write("../etc/passwd", Some("old"), "x");
        assert!(refusal("notes.md", false, &w, &LocalFile::Present("old".into())).is_some());
        let w = write("other.md", Some("old"), "x");
        assert!(refusal("notes.md", false, &w, &LocalFile::Present("old".into())).is_some());
        let mut w = write("notes.md", Some("old"), "x");
        w.op = FileWriteOp::Delete;
        assert!(refusal("notes.md", false, &w, &LocalFile::Present("old".into())).is_some());
        let mut w = write("notes.md", Some("old"), "x");
        w.new_hash = ContentHash::of("y");
        assert!(refusal("notes.md", false, &w, &LocalFile::Present("old".into())).is_some());

        assert!(write_allowed("docs", "docs/a.md"));
        assert!(!write_allowed("docs", "docs2/a.md"));
        assert!(!write_allowed("docs", "docs/../x.md"));
        // The Repl root as a folder: any safe path.
        assert!(write_allowed("", "a.md"));
        assert!(write_allowed("", "sub/a.md"));
        assert!(!write_allowed("", "../a.md"));
        assert!(!write_allowed("", "/etc/passwd"));
    }

    fn delete(path: &str, expected: Option<&str>) -> FileWrite {
        let mut w = write(path, expected, "");
        w.op = FileWriteOp::Delete;
        w
    }

    fn moved(path: &str, expected: &str, to: &str, content: &str) -> FileWrite {
        let mut w = write(path, Some(expected), content);
        w.op = FileWriteOp::Move { to: to.into() };
        w
    }

    #[test]
    fn deletes_only_the_file_as_planned_inside_the_folder() {
        let present = LocalFile::Present("old".into());
        assert_eq!(
            refusal("docs", true, &delete("docs/a.md", Some("old")), &present),
            None
        );
        // Edited meanwhile, already gone, or no hash to check: left alone.
        let edited = LocalFile::Present("edited".into());
        assert!(refusal("docs", true, &delete("docs/a.md", Some("old")), &edited).is_some());
        assert!(refusal(
            "docs",
            true,
            &delete("docs/a.md", Some("old")),
            &LocalFile::Absent
        )
        .is_some());
        assert!(refusal("docs", true, &delete("docs/a.md", None), &LocalFile::Absent).is_some());
        // Outside the mapped folder, or a mapping that does not take file operations.
        assert!(refusal("docs", true, &delete("other/a.md", Some("old")), &present).is_some());
        assert!(refusal("docs", true, &delete("docs/../a.md", Some("old")), &present).is_some());
        assert!(refusal("docs", false, &delete("docs/a.md", Some("old")), &present).is_some());
        // A folder mapping writes Markdown files in scope only.
        let w = write("docs/node_modules/x.md", None, "x");
        assert!(refusal("docs", true, &w, &LocalFile::Absent).is_some());
        let w = write("docs/run.sh", None, "x");
        assert!(refusal("docs", true, &w, &LocalFile::Absent).is_some());
        let w = write("docs/new.md", None, "x");
        assert_eq!(refusal("docs", true, &w, &LocalFile::Absent), None);
    }

    #[test]
    fn moves_only_inside_the_folder_onto_a_free_name() {
        let present = LocalFile::Present("old".into());
        let m = moved("docs/a.md", "old", "docs/b.md", "new");
        assert_eq!(write_refusal("docs", true, &m, &present, Some(false)), None);
        // The target exists, or nobody could tell.
        assert!(write_refusal("docs", true, &m, &present, Some(true)).is_some());
        assert!(write_refusal("docs", true, &m, &present, None).is_some());
        // The source changed or is gone.
        let edited = LocalFile::Present("edited".into());
        assert!(write_refusal("docs", true, &m, &edited, Some(false)).is_some());
        assert!(write_refusal("docs", true, &m, &LocalFile::Absent, Some(false)).is_some());
        // Out of the folder, onto itself, or not allowed for this mapping.
        for to in [
            "other/b.md",
            "../b.md",
            "docs/../../b.md",
            "docs/a.md",
            "/b.md",
        ] {
            let m = moved("docs/a.md", "old", to, "new");
            assert!(
                write_refusal("docs", true, &m, &present, Some(false)).is_some(),
                "{to}"
            );
        }
        assert!(write_refusal("docs", false, &m, &present, Some(false)).is_some());
        // Its content must match its hash like any write.
        let mut bad = moved("docs/a.md", "old", "docs/b.md", "new");
        bad.new_hash = ContentHash::of("other");
        assert!(write_refusal("docs", true, &bad, &present, Some(false)).is_some());
    }

    fn mapping(kind: MappingKind, path: &str) -> Mapping {
        Mapping {
            id: "m1".into(),
            kind,
            path: path.into(),
            direction: Default::default(),
            strategy: Default::default(),
            notion_page_id: None,
            notion_url: None,
            title: None,
            last_synced_at: None,
            status: protocol::api::MappingStatus::NeverSynced,
            auto_sync: false,
            sync_interval_secs: 300,
            recursive: true,
        }
    }

    #[test]
    fn manifests_per_kind() {
        let local = LocalSide {
            files: vec![
                ("docs/a.md".into(), "A".into()),
                ("docs/b.md".into(), "B!".into()),
            ],
            complete: true,
            ..LocalSide::default()
        };
        let folder = mapping(MappingKind::FolderDatabase, "docs");
        let m = manifest_of(&folder, &local, false, true);
        assert_eq!(m.files.len(), 2);
        assert_eq!(m.files[1].size, 2);
        assert_eq!(m.files[1].hash, ContentHash::of("B!"));
        assert!(m.complete && m.confirm_deletions && m.accepts_file_ops);
        assert!(m.project.is_none());

        // A file that could not be read makes the listing incomplete (G7).
        let mut gap = local.clone();
        gap.skipped.push(SkippedWrite {
            path: "docs/c.md".into(),
            reason: "could not read".into(),
        });
        assert!(!manifest_of(&folder, &gap, false, false).complete);
        let mut partial = local.clone();
        partial.complete = false;
        assert!(!manifest_of(&folder, &partial, false, false).complete);

        // File kinds never claim completeness, deletions or file operations.
        for kind in [MappingKind::FilePage, MappingKind::FileCodePage] {
            let m = manifest_of(&mapping(kind, "docs/a.md"), &local, true, true);
            assert!(!m.complete && !m.confirm_deletions && !m.accepts_file_ops && m.dry_run);
        }

        // The project row: no files, the project.
        let project = LocalSide {
            project: Some(ReplProject {
                repl_id: "r".into(),
                title: "Demo".into(),
                file_count: 3,
                ..ReplProject::default()
            }),
            ..LocalSide::default()
        };
        let m = manifest_of(
            &mapping(MappingKind::ReplProjectRow, ""),
            &project,
            false,
            false,
        );
        assert!(m.files.is_empty());
        assert_eq!(m.project.as_ref().map(|p| p.file_count), Some(3));
        assert!(!m.accepts_file_ops && !m.complete);
    }

    #[test]
    fn globs_see_paths_inside_the_folder() {
        let g = Globs {
            include: vec!["*.md".into()],
            exclude: vec!["drafts/**".into(), "*.wip.md".into()],
        };
        let paths: Vec<String> = [
            "docs/a.md",
            "docs/drafts/b.md",
            "docs/c.wip.md",
            "docs/x/d.md",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            in_scope("docs", &g, paths.clone()),
            ["docs/a.md", "docs/x/d.md"]
        );
        // At the Repl root, the paths are already relative to it.
        let g = Globs {
            include: vec!["docs/**".into()],
            exclude: vec![],
        };
        assert_eq!(in_scope("", &g, paths.clone()).len(), 4);
        assert!(in_scope("", &g, vec!["a.md".into()]).is_empty());
        assert_eq!(in_scope("docs", &Globs::default(), paths.clone()), paths);
    }

    #[test]
    fn uploads_only_what_was_announced_and_asked_for() {
        let big = "x".repeat(MAX_FILE_BYTES + 1);
        let local = LocalSide {
            files: vec![
                ("docs/a.md".into(), "A".into()),
                ("docs/b.md".into(), "B".into()),
                ("docs/big.md".into(), big),
            ],
            complete: true,
            ..LocalSide::default()
        };
        let needed: Vec<String> = ["docs/b.md", "docs/unknown.md", "docs/big.md", "docs/b.md"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let upload = uploads_for(&needed, &local);
        let paths: Vec<&str> = upload.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["docs/b.md"]);
        assert_eq!(upload.files[0].content, "B");
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

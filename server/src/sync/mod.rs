//! Sync sessions: the relay's side of the protocol in [`protocol::session`].
//!
//! [`start`] learns what the panel has and asks only for the contents it needs; [`upload`] reads
//! Notion, lets [`engine::decide`] choose, writes Notion, and hands back file writes; [`acknowledge`]
//! advances the base for the writes the panel confirms and records the run in the log.
//!
//! Kinds: `file_page` and `file_code_page` items run in `file_page`, `folder_database` in
//! [`folder`], and `repl_project_row` in [`project_row`] (the Repl's details come with the
//! manifest; no file is read or written).
//!
//! Invariants: a file's base advances only after its write is acknowledged (or, for pushes, after
//! Notion confirmed the write); a conflict writes nothing on either side.

mod file_page;
pub use file_page::CODE_KIND;
pub mod folder;
pub mod project_row;

use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::{ConnectionRecord, LogRecord, SessionRecord};
use axum::http::StatusCode;
use protocol::api::{ProgressStage, SyncEvent};
use protocol::session::{
    Ack, FileWrite, ItemAction, ItemOutcome, Manifest, ManifestEntry, SessionPlan, SessionResult,
    SessionStarted, SyncSummary, UploadContents,
};
use protocol::ContentHash;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

/// Files above this size are skipped with a reason (SPEC §4 scope).
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// A session is abandoned after this long; the next one starts over from the bases.
const SESSION_TTL_SECS: i64 = 600;
/// More entries than any one Repl folder mapping should need.
const MAX_MANIFEST_ENTRIES: usize = 20_000;

/// What the relay remembers of a session between its steps.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SessionState {
    started_at_ms: i64,
    files: Vec<ManifestEntry>,
    needed: Vec<String>,
    items: Vec<ItemOutcome>,
    pending: Vec<PendingWrite>,
    /// Conflict resolutions applied in this session.
    #[serde(default)]
    resolved: u32,
    /// A preview: nothing is written.
    #[serde(default)]
    dry_run: bool,
    /// Folder mappings: the scan, the confirmations and the writes waiting on the panel.
    #[serde(default)]
    folder: Option<folder::FolderSession>,
    /// Folder mappings: deletions the guard held back (G8).
    #[serde(default)]
    held: Option<protocol::session::HeldDeletions>,
    /// Project-row mappings: the Repl's details from the manifest.
    #[serde(default)]
    project: Option<protocol::session::ReplProject>,
}

/// A file write handed to the panel, with the base it establishes once acknowledged.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PendingWrite {
    write: FileWrite,
    page_id: String,
    /// The base both sides agree on once the write is confirmed.
    base_after: engine::file_page::PageBase,
    /// The conflict this write settles, marked applied once the write is confirmed.
    resolves: Option<String>,
}

/// Publishes one item's progress to the user's `/ws/sync-status` sockets.
pub(crate) struct Progress<'a> {
    events: &'a crate::events::Events,
    user_id: i64,
    session_id: &'a str,
    mapping_id: &'a str,
    path: &'a str,
}

impl Progress<'_> {
    pub(crate) fn stage(&self, stage: ProgressStage) {
        self.events.publish(
            self.user_id,
            SyncEvent::ItemProgress {
                session_id: self.session_id.to_string(),
                mapping_id: self.mapping_id.to_string(),
                path: self.path.to_string(),
                stage,
            },
        );
    }
}

/// The user's connection and its Notion token, opened.
pub async fn notion_token(
    state: &AppState,
    user_id: i64,
) -> ApiResult<(ConnectionRecord, notion::AccessToken)> {
    let conn = state
        .store
        .connection(user_id)
        .await?
        .ok_or_else(ApiError::not_connected)?;
    let token = state.secrets.open(&conn.access_token_enc).map_err(|e| {
        ApiError::internal(anyhow::Error::new(e).context("opening the stored Notion token"))
    })?;
    let token = notion::AccessToken::new(token);
    state.tokens.remember(user_id, &token);
    Ok((conn, token))
}

pub async fn start(
    state: &AppState,
    user: &AuthUser,
    mut manifest: Manifest,
) -> ApiResult<SessionStarted> {
    if manifest.files.len() > MAX_MANIFEST_ENTRIES {
        return Err(ApiError::bad_request(
            "manifest_too_large",
            format!("at most {MAX_MANIFEST_ENTRIES} files per session"),
        ));
    }
    let limit = state.settings.config.max_sync_operations_per_minute;
    if state
        .store
        .sessions_since(user.user_id, crate::now() - 60)
        .await?
        >= i64::from(limit)
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_syncs",
            format!("at most {limit} syncs a minute; wait a moment and sync again"),
        ));
    }
    let manifest_dry_run = manifest.dry_run;
    let mapping = state
        .store
        .mapping(user.user_id, &manifest.mapping_id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such mapping"))?;
    let started_at_ms = now_ms();
    let project = manifest.project.take();
    if mapping.kind == project_row::KIND {
        let Some(p) = &project else {
            return Err(ApiError::bad_request(
                "project_missing",
                "a project-row mapping syncs the Repl's details: send them as `project` in the manifest",
            ));
        };
        if mapping
            .repl_id
            .as_deref()
            .is_some_and(|r| r.trim() != p.repl_id.trim())
        {
            return Err(ApiError::bad_request(
                "wrong_repl",
                "this project-row mapping belongs to another Repl",
            ));
        }
    }
    let (files, needed, folder_session) = if mapping.kind == project_row::KIND {
        // The Repl's details travel in the manifest: no file is read.
        (Vec::new(), Vec::new(), None)
    } else if mapping.kind == folder::KIND {
        let (files, needed) = folder::start(state, &mapping, manifest.files).await?;
        let fs = folder::FolderSession {
            complete: manifest.complete,
            confirm_deletions: manifest.confirm_deletions,
            accepts_file_ops: manifest.accepts_file_ops,
            pending: Vec::new(),
        };
        (files, needed, Some(fs))
    } else {
        // Only the mapped file matters to a file ↔ page mapping; the rest of the manifest is
        // ignored.
        let files: Vec<ManifestEntry> = manifest
            .files
            .into_iter()
            .filter(|f| f.path == mapping.path)
            .take(1)
            .collect();
        let base = state.store.item(&mapping.id, &mapping.path).await?;
        let needed = files
            .iter()
            .filter(|f| f.size <= MAX_FILE_BYTES)
            .filter(|f| {
                base.as_ref()
                    .is_none_or(|b| b.local_hash != f.hash.as_str())
            })
            .map(|f| f.path.clone())
            .collect();
        (files, needed, None)
    };
    let now = crate::now();
    let session = SessionState {
        started_at_ms,
        files,
        needed,
        items: Vec::new(),
        pending: Vec::new(),
        resolved: 0,
        dry_run: manifest_dry_run,
        folder: folder_session,
        held: None,
        project: project.filter(|_| mapping.kind == project_row::KIND),
    };
    let id = uuid::Uuid::new_v4().to_string();
    state
        .store
        .insert_session(
            &SessionRecord {
                id: id.clone(),
                user_id: user.user_id,
                mapping_id: mapping.id,
                stage: "started".into(),
                state: to_json(&session)?,
                expires_at: now + SESSION_TTL_SECS,
            },
            now,
        )
        .await?;
    Ok(SessionStarted {
        session_id: id,
        needed: session.needed,
    })
}

pub async fn upload(
    state: &AppState,
    user: &AuthUser,
    session_id: &str,
    contents: UploadContents,
) -> ApiResult<SessionPlan> {
    let (record, mut session) = load_session(state, user, session_id, "started").await?;
    for f in &contents.files {
        if !session.needed.contains(&f.path) {
            return Err(ApiError::bad_request(
                "not_requested",
                format!("{} was not asked for", f.path),
            ));
        }
        let expected = session
            .files
            .iter()
            .find(|e| e.path == f.path)
            .map(|e| &e.hash);
        if expected != Some(&ContentHash::of(&f.content)) {
            return Err(ApiError::bad_request(
                "hash_mismatch",
                format!("{} changed since the manifest was made; sync again", f.path),
            ));
        }
    }
    let mapping = state
        .store
        .mapping(user.user_id, &record.mapping_id)
        .await?
        .ok_or_else(|| ApiError::not_found("the mapping was removed during the sync"))?;
    if session.folder.is_some() {
        let done = folder::upload(state, user, &record, &session, &contents, &mapping).await?;
        session.items = done.items;
        session.resolved = done.resolved;
        session.held = done.held;
        if let Some(f) = session.folder.as_mut() {
            f.pending = done.pending;
        }
        return finish_upload(state, record, session).await;
    }
    let (_, token) = notion_token(state, user.user_id).await?;
    if mapping.kind == project_row::KIND {
        let Some(project) = session.project.clone() else {
            return Err(ApiError::bad_request(
                "project_missing",
                "this session has no Repl details; sync again",
            ));
        };
        let cx = project_row::Context {
            user,
            token: &token,
            mapping: &mapping,
            dry_run: session.dry_run,
        };
        session.items = vec![project_row::sync(state, cx, &project).await?];
        return finish_upload(state, record, session).await;
    }
    let local = session.files.first().cloned();
    let text = local
        .as_ref()
        .and_then(|e| contents.files.iter().find(|f| f.path == e.path))
        .map(|f| f.content.clone());
    let progress = Progress {
        events: &state.events,
        user_id: user.user_id,
        session_id: &record.id,
        mapping_id: &mapping.id,
        path: &mapping.path,
    };
    let cx = file_page::Context {
        user,
        token: &token,
        mapping: &mapping,
        progress: &progress,
        dry_run: session.dry_run,
    };
    let step = file_page::sync(state, cx, local.as_ref(), text).await?;
    progress.stage(ProgressStage::Planned);
    session.items = vec![step.outcome];
    session.resolved = u32::from(step.resolved);
    session.pending = step.pending.into_iter().collect();
    finish_upload(state, record, session).await
}

/// Stores the planned session and answers the plan.
async fn finish_upload(
    state: &AppState,
    record: SessionRecord,
    session: SessionState,
) -> ApiResult<SessionPlan> {
    // A preview ends here: there is nothing to acknowledge.
    let next = if session.dry_run {
        "previewed"
    } else {
        "planned"
    };
    if !state
        .store
        .advance_session(&record.id, "started", next, &to_json(&session)?)
        .await?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "session_busy",
            "this sync session already moved on",
        ));
    }
    let mut file_writes: Vec<FileWrite> = session.pending.iter().map(|p| p.write.clone()).collect();
    if let Some(f) = &session.folder {
        file_writes.extend(f.pending.iter().map(|p| p.write.clone()));
    }
    Ok(SessionPlan {
        session_id: record.id,
        items: session.items.clone(),
        file_writes,
        held_deletions: session.held.clone(),
    })
}

pub async fn acknowledge(
    state: &AppState,
    user: &AuthUser,
    session_id: &str,
    ack: Ack,
) -> ApiResult<SessionResult> {
    let (record, mut session) = load_session(state, user, session_id, "planned").await?;
    let now = crate::now();
    folder::acknowledge(state, &record, &mut session, &ack).await?;
    for pending in &session.pending {
        let path = &pending.write.path;
        let written = ack
            .written
            .iter()
            .any(|w| &w.path == path && w.hash == pending.write.new_hash);
        let item = session.items.iter_mut().find(|i| &i.path == path);
        if written {
            if let Some(conflict) = &pending.resolves {
                state.store.mark_conflict_applied(conflict, now).await?;
            }
            file_page::save_base(
                state,
                &record.mapping_id,
                path,
                &pending.page_id,
                &pending.base_after,
            )
            .await?;
        } else if let Some(item) = item {
            // The file changed between plan and write, or the write failed: the base stays, so
            // the next sync sees both changes and nothing is lost.
            let reason = ack
                .skipped
                .iter()
                .find(|s| &s.path == path)
                .map(|s| s.reason.clone());
            item.action = ItemAction::Skipped;
            item.message = Some(format!(
                "not written to the Repl ({}); it will be retried on the next sync",
                reason.unwrap_or_else(|| "no acknowledgement".into())
            ));
        }
    }
    if !state
        .store
        .advance_session(&record.id, "planned", "done", &to_json(&session)?)
        .await?
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "session_busy",
            "this sync session was already acknowledged",
        ));
    }
    for item in &session.items {
        state.metrics.sync_item(&enum_name(&item.action));
    }
    let summary = SyncSummary::from_items(&session.items);
    state.events.publish(
        user.user_id,
        SyncEvent::SyncCompleted {
            session_id: record.id.clone(),
            mapping_id: record.mapping_id.clone(),
            summary,
        },
    );
    let status = if summary.failed > 0 {
        "failed"
    } else if summary.conflicts > 0 {
        "conflicts"
    } else {
        "synced"
    };
    state
        .store
        .set_mapping_status(&record.mapping_id, status, Some(now), now)
        .await?;
    let processed = (summary.created + summary.pushed + summary.pulled) as i64;
    let log_status = match (
        summary.failed + summary.conflicts,
        processed + summary.unchanged as i64,
    ) {
        (0, _) => "success",
        (_, 0) => "failure",
        _ => "partial",
    };
    let errors: Vec<String> = session
        .items
        .iter()
        .filter(|i| matches!(i.action, ItemAction::Failed | ItemAction::Conflict))
        .filter_map(|i| i.message.as_ref().map(|m| format!("{}: {m}", i.path)))
        .collect();
    state
        .store
        .insert_log(&LogRecord {
            id: uuid::Uuid::new_v4().to_string(),
            user_id: user.user_id,
            mapping_id: Some(record.mapping_id.clone()),
            operation: "sync".into(),
            status: log_status.into(),
            records_processed: processed,
            conflicts_detected: summary.conflicts as i64,
            conflicts_resolved: session.resolved as i64,
            error_details: (!errors.is_empty()).then(|| errors.join("\n")),
            duration_ms: (now_ms() - session.started_at_ms).max(0),
            created_at: now,
        })
        .await?;
    Ok(SessionResult {
        items: session.items,
        summary,
    })
}

async fn load_session(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    stage: &str,
) -> ApiResult<(SessionRecord, SessionState)> {
    let record = state
        .store
        .session(user.user_id, id, crate::now())
        .await?
        .ok_or_else(|| {
            ApiError::not_found("no such sync session (it may have expired); sync again")
        })?;
    if record.stage != stage {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "wrong_stage",
            format!("this sync session is {}, not {stage}", record.stage),
        ));
    }
    let session = from_json(&record.state)?;
    Ok((record, session))
}

fn outcome(path: &str, action: ItemAction, message: Option<String>) -> ItemOutcome {
    ItemOutcome {
        path: path.to_string(),
        action,
        message,
    }
}

fn to_json<T: Serialize>(v: &T) -> ApiResult<String> {
    serde_json::to_string(v).map_err(|e| ApiError::internal(anyhow::Error::new(e)))
}

fn from_json<T: DeserializeOwned>(s: &str) -> ApiResult<T> {
    serde_json::from_str(s)
        .map_err(|e| ApiError::internal(anyhow::Error::new(e).context("stored session state")))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The snake_case name serde gives a unit enum variant (`replit_to_notion`), for storage.
pub fn enum_name<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub fn parse_enum<T: DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).ok()
}

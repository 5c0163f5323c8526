//! One `folder_database` mapping: a folder of Markdown files ↔ a database's data source, one
//! row per file, executed from [`engine::planner`]'s plan.
//!
//! A session, on top of the protocol in [`super`]:
//!
//! 1. **start**: [`planner::needs`] from hashes alone: only new and changed files are uploaded.
//! 2. **upload**: the database is created on the first sync (journaled); one data-source query
//!    asks for the rows edited since a minute before the latest edit the relay saw (Notion rounds
//!    times down to the minute), and one more for the rows trashed since; the relay's copy of the
//!    rows (`folder_rows`) supplies the rest. Pending journal entries are looked for. Only the
//!    bodies of rows that may have changed are read: a row is unchanged when its
//!    `last_edited_time` is the one its base was confirmed at and either our own write was the
//!    last edit (Notion names our bot as the last editor) or the base was confirmed in a later
//!    minute. [`planner::plan_folder`] then decides every item (renames, new rows and files,
//!    G6/G7/G8), and each item is executed like a file ↔ page item: history first, the Notion
//!    write (journaled) with the engine's fewest edits, then the file write, move or delete for
//!    the panel with the hash the file must still have.
//! 3. **ack**: bases that wait on the panel advance for the writes it confirms.
//!
//! Items are keyed by Notion page id, so a rename on either side is one update, never a delete
//! and a create.

mod execute;
mod journal;
pub(crate) mod notion_side;

use super::{from_json, to_json, Progress, SessionState, MAX_FILE_BYTES};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::{FolderItem, FolderRow, FolderState, MappingRecord, SessionRecord};
use engine::file_page::{self, FileOp, PageBase, RemotePage, Settings};
use engine::normalize;
use engine::planner::{
    self, FolderMapping, FolderPlan, LocalState, PageBody, RemoteRow, RemoteState, TrackedItem,
};
use engine::strategy::{Clocks, Strategy};
use execute::ItemCx;
use notion_markdown::Dialect;
use notion_side::{row_of, NotionSchema, OVERLAP_MS};
use protocol::api::ProgressStage;
use protocol::session::{
    Ack, FileWrite, HeldDeletions, ItemAction, ItemOutcome, ManifestEntry, UploadContents,
};
use protocol::ContentHash;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// `sync_mappings.kind` of a folder mapping.
pub const KIND: &str = "folder_database";
/// The hidden property every row the relay creates carries: its sync id (G5).
pub const SYNC_ID_PROPERTY: &str = "Sync ID";
/// The title property of a database the relay creates.
pub const TITLE_PROPERTY: &str = "Name";
const DIALECT: Dialect = Dialect::V1;
/// Notion's time granularity (the engine's too).
const MINUTE_MS: i64 = engine::strategy::NOTION_TIME_GRANULARITY_MS;

/// Settings of a folder mapping (`sync_mappings.rules`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Rules {
    #[serde(default)]
    pub recursive: bool,
}

pub fn rules(m: &MappingRecord) -> Rules {
    serde_json::from_str(&m.rules).unwrap_or_default()
}

/// What a folder session remembers between its steps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct FolderSession {
    pub complete: bool,
    pub confirm_deletions: bool,
    pub accepts_file_ops: bool,
    #[serde(default)]
    pub pending: Vec<Pending>,
}

/// A file write handed to the panel, and what its acknowledgement settles.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Pending {
    pub write: FileWrite,
    pub after: After,
    /// The conflict this write settles.
    pub resolves: Option<String>,
}

// Lives in one journal entry at a time, serialized; boxing the large variant buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum After {
    /// Store this base (at the item's path after the write).
    Save { item: FolderItem },
    /// The file is gone and its row is in the trash: forget the item.
    Forget { page_id: String },
}

/// When the row's base was last confirmed (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Freshness {
    pub at: Option<i64>,
    pub by: Option<String>,
    pub synced: Option<i64>,
}

/// Who syncs what during one folder session.
pub(super) struct Cx<'a> {
    pub state: &'a AppState,
    pub user: &'a AuthUser,
    pub token: &'a notion::AccessToken,
    pub mapping: &'a MappingRecord,
    pub session_id: &'a str,
    pub bot_id: String,
    /// When the session started (Unix ms): a base confirmed in this session was confirmed no
    /// earlier than this.
    pub started_ms: i64,
    pub dry_run: bool,
    pub accepts_file_ops: bool,
    pub data_source_id: Option<String>,
    pub schema: NotionSchema,
}

impl Cx<'_> {
    fn progress<'p>(&'p self, path: &'p str) -> Progress<'p> {
        Progress {
            events: &self.state.events,
            user_id: self.user.user_id,
            session_id: self.session_id,
            mapping_id: &self.mapping.id,
            path,
        }
    }
}

pub(super) fn page_base(t: &FolderItem) -> PageBase {
    PageBase {
        file_text: t.base_text.clone(),
        remote_markdown: t.remote_markdown.clone(),
        title: t.title.clone(),
        properties: serde_json::from_str(&t.properties).unwrap_or_default(),
    }
}

fn folder_mapping(m: &MappingRecord, settings: Settings, confirm: bool) -> FolderMapping {
    FolderMapping {
        folder: m.path.clone(),
        recursive: rules(m).recursive,
        settings,
        max_file_bytes: MAX_FILE_BYTES,
        guard: Default::default(),
        confirm_deletions: confirm,
    }
}

fn settings(m: &MappingRecord, schema: &NotionSchema) -> Settings {
    Settings {
        strategy: m.strategy.parse().unwrap_or(Strategy::Merge),
        direction: super::parse_enum(&m.direction).unwrap_or_default(),
        schema: notion_side::engine_schema(schema),
        ..Settings::default()
    }
}

fn local_hash(t: &FolderItem) -> ContentHash {
    ContentHash::parse(&t.local_hash).unwrap_or_else(|_| ContentHash::of(&t.base_text))
}

/// Whether nothing can have changed in the row since its base was confirmed: the same
/// `last_edited_time`, and either our own write was the last edit or the base was confirmed in
/// a later minute than that time (an edit in the same minute would not move it).
fn is_fresh(t: &FolderItem, row: &FolderRow, bot_id: &str) -> bool {
    let (Some(now), Some(then)) = (row.last_edited_ms, t.remote_edited_at_ms) else {
        return false;
    };
    if now > then {
        return false;
    }
    if now == then
        && !bot_id.is_empty()
        && t.remote_edited_by.as_deref() == Some(bot_id)
        && row.last_edited_by.as_deref() == Some(bot_id)
    {
        return true;
    }
    t.synced_at_ms
        .is_some_and(|s| now < s - s.rem_euclid(MINUTE_MS))
}

/// The planner's view of the tracked items and the rows. The relay decides which rows may have
/// changed (it knows who edited last, see [`is_fresh`]) and hands the planner a pair of times
/// that says so.
fn planner_inputs(
    items: &[FolderItem],
    rows: &BTreeMap<String, FolderRow>,
    forced: &BTreeSet<String>,
    bot_id: &str,
    pull_new_rows: bool,
) -> (Vec<TrackedItem>, Vec<RemoteRow>) {
    let mut tracked = Vec::with_capacity(items.len());
    let mut remote = Vec::with_capacity(rows.len());
    let tracked_ids: BTreeSet<&str> = items.iter().map(|t| t.page_id.as_str()).collect();
    for t in items {
        let synthesized;
        let row = match rows.get(&t.page_id) {
            Some(r) => r,
            None => {
                // Never seen by a query (for instance tracked before this relay kept rows).
                synthesized = FolderRow {
                    page_id: t.page_id.clone(),
                    title: t.title.clone(),
                    properties: t.properties.clone(),
                    sync_id: t.sync_id.clone(),
                    last_edited_ms: t.remote_edited_at_ms,
                    last_edited_by: t.remote_edited_by.clone(),
                    created_by: None,
                    in_trash: false,
                };
                &synthesized
            }
        };
        let fresh = !forced.contains(&t.page_id) && is_fresh(t, row, bot_id);
        let at = row.last_edited_ms.or(t.remote_edited_at_ms).unwrap_or(0);
        tracked.push(TrackedItem {
            page_id: t.page_id.clone(),
            path: t.path.clone(),
            base: page_base(t),
            local_hash: local_hash(t),
            remote_edited_at: Some(if fresh { at } else { at - 1 }),
            synced_at: Some(if fresh { at + MINUTE_MS } else { at }),
        });
        remote.push(RemoteRow {
            page_id: t.page_id.clone(),
            title: row.title.clone(),
            properties: notion_side::properties_of(row),
            last_edited_at: Some(at),
            in_trash: row.in_trash,
        });
    }
    if pull_new_rows {
        for r in rows.values() {
            if r.in_trash || tracked_ids.contains(r.page_id.as_str()) {
                continue;
            }
            remote.push(RemoteRow {
                page_id: r.page_id.clone(),
                title: r.title.clone(),
                properties: notion_side::properties_of(r),
                last_edited_at: r.last_edited_ms,
                in_trash: false,
            });
        }
    }
    (tracked, remote)
}

/// The session's first step: the files that belong to the mapping, and the contents needed.
pub(super) async fn start(
    state: &AppState,
    mapping: &MappingRecord,
    files: Vec<ManifestEntry>,
) -> ApiResult<(Vec<ManifestEntry>, Vec<String>)> {
    let fm = folder_mapping(mapping, Settings::default(), false);
    let mut seen = BTreeSet::new();
    let files: Vec<ManifestEntry> = files
        .into_iter()
        .filter(|f| fm.includes(&f.path) && seen.insert(f.path.clone()))
        .collect();
    let items = state.store.folder_items(&mapping.id).await?;
    let tracked: Vec<TrackedItem> = items
        .iter()
        .map(|t| TrackedItem {
            page_id: t.page_id.clone(),
            path: t.path.clone(),
            base: PageBase::default(),
            local_hash: local_hash(t),
            remote_edited_at: None,
            synced_at: None,
        })
        .collect();
    let local = LocalState {
        files: files.clone(),
        ..LocalState::default()
    };
    let needs = planner::needs(&fm, &tracked, &local, &RemoteState::default());
    Ok((files, needs.contents))
}

/// What a folder upload step produced.
pub(super) struct Uploaded {
    pub items: Vec<ItemOutcome>,
    pub pending: Vec<Pending>,
    pub held: Option<HeldDeletions>,
    pub resolved: u32,
}

fn fail_all(files: &[ManifestEntry], mapping: &MappingRecord, message: String) -> Uploaded {
    let mut items: Vec<ItemOutcome> = files
        .iter()
        .map(|f| super::outcome(&f.path, ItemAction::Failed, Some(message.clone())))
        .collect();
    if items.is_empty() {
        items.push(super::outcome(
            &mapping.path,
            ItemAction::Failed,
            Some(message),
        ));
    }
    Uploaded {
        items,
        pending: Vec::new(),
        held: None,
        resolved: 0,
    }
}

pub(super) async fn upload(
    state: &AppState,
    user: &AuthUser,
    record: &SessionRecord,
    session: &SessionState,
    contents: &UploadContents,
    mapping: &MappingRecord,
) -> ApiResult<Uploaded> {
    let fsess = session.folder.clone().unwrap_or_default();
    let (conn, token) = super::notion_token(state, user.user_id).await?;
    let dry_run = session.dry_run;
    let mut fs = state
        .store
        .folder_state(&mapping.id)
        .await?
        .unwrap_or_default();
    let uploaded: BTreeMap<String, String> = contents
        .files
        .iter()
        .map(|f| (f.path.clone(), f.content.clone()))
        .collect();
    let mut cx = Cx {
        state,
        user,
        token: &token,
        mapping,
        session_id: &record.id,
        bot_id: conn.bot_id.clone(),
        started_ms: session.started_at_ms,
        dry_run,
        accepts_file_ops: fsess.accepts_file_ops,
        data_source_id: fs.data_source_id.clone(),
        schema: serde_json::from_str(&fs.schema_json).unwrap_or_default(),
    };

    // 1. The database, created on the first sync.
    if cx.data_source_id.is_none() && !dry_run {
        if let Err(message) = ensure_database(&mut cx, &mut fs, &uploaded).await? {
            return Ok(fail_all(&session.files, mapping, message));
        }
    }

    // 2. The rows edited since the latest edit seen (a minute of overlap), and those trashed.
    let mut rows: BTreeMap<String, FolderRow> = state
        .store
        .folder_rows(&mapping.id)
        .await?
        .into_iter()
        .map(|r| (r.page_id.clone(), r))
        .collect();
    let mut items = state.store.folder_items(&mapping.id).await?;
    let mut cursor = fs.cursor_ms;
    let mut changed_rows: Vec<FolderRow> = Vec::new();
    if let Some(ds) = cx.data_source_id.clone() {
        cx.progress(&mapping.path)
            .stage(ProgressStage::ReadingNotion);
        let filter = fs
            .cursor_ms
            .map(|c| notion::Filter::edited_since(&notion_side::iso(c - OVERLAP_MS)));
        let live = match notion_side::query(state, &token, &ds, filter.clone(), false).await? {
            Ok(rows) => rows,
            Err(e) => return Ok(fail_all(&session.files, mapping, query_failed(&e))),
        };
        let trashed = match &filter {
            Some(f) => match notion_side::query(state, &token, &ds, Some(f.clone()), true).await? {
                Ok(rows) => rows,
                Err(e) => return Ok(fail_all(&session.files, mapping, query_failed(&e))),
            },
            None => Vec::new(),
        };
        if let Some(first) = live.first() {
            let schema = notion_side::schema_of_page(first);
            if schema != cx.schema && !schema.is_empty() {
                cx.schema = schema;
            }
        }
        for page in live.iter().chain(trashed.iter()) {
            let row = row_of(page);
            cursor = cursor.max(row.last_edited_ms);
            if rows.get(&row.page_id) != Some(&row) {
                changed_rows.push(row.clone());
            }
            rows.insert(row.page_id.clone(), row);
        }
        if !dry_run {
            state
                .store
                .put_folder_rows(&mapping.id, &changed_rows, crate::now())
                .await?;
        }
    }

    // 3. Writes whose outcome is unknown are looked for before anything is written again.
    let mut resolved_journal = Resolution::default();
    if !dry_run && cx.data_source_id.is_some() {
        resolved_journal = resolve_journal(&cx, &mut items, &mut rows).await?;
        trash_duplicates(&cx, &items, &mut rows).await?;
    }

    // 4. New front matter keys become properties of a database the relay created.
    if !dry_run && fs.created_database {
        grow_schema(&mut cx, &uploaded).await?;
    }

    // 5. What may have changed, and the bodies to read.
    let settings = settings(mapping, &cx.schema);
    let pull_new_rows = settings.direction != file_page::Direction::ReplitToNotion;
    let (mut tracked, remote_rows) = planner_inputs(
        &items,
        &rows,
        &resolved_journal.forced,
        &cx.bot_id,
        pull_new_rows,
    );
    let local = LocalState {
        files: session.files.clone(),
        complete: fsess.complete,
        contents: uploaded.clone(),
        changed_at: BTreeMap::new(),
    };
    let mut remote = RemoteState {
        rows: remote_rows,
        complete: true,
        ..RemoteState::default()
    };
    let fm = folder_mapping(mapping, settings.clone(), false);
    let needs = planner::needs(&fm, &tracked, &local, &remote);
    for page_id in &needs.pages {
        state.pace(&token).await?;
        match state.notion.get_page_markdown(&token, page_id).await {
            Ok(pm) => {
                remote.bodies.insert(
                    page_id.clone(),
                    PageBody {
                        markdown: pm.markdown,
                        truncated: pm.truncated,
                    },
                );
            }
            Err(e) => {
                tracing::info!(error = %e, "a row's body could not be read; left alone (G7)");
                remote.unreadable.insert(page_id.clone());
            }
        }
    }

    // 6. An update whose outcome was unknown and whose result is on the page: its base.
    for (entry_id, payload) in &resolved_journal.updates {
        let page = &payload.item.page_id;
        let landed =
            match (remote.bodies.get(page), rows.get(page)) {
                (Some(body), Some(row)) => {
                    payload.expected_markdown.as_ref().is_none_or(|x| {
                        normalize::canonical_markdown(&body.markdown, DIALECT) == *x
                    }) && row.title == payload.expected_title
                        && payload
                            .expected_properties
                            .iter()
                            .all(|(k, v)| notion_side::properties_of(row).get(k) == Some(v))
                }
                _ => false,
            };
        if landed {
            let mut item = payload.item.clone();
            if let Some(body) = remote.bodies.get(page) {
                item.remote_markdown = body.markdown.clone();
                item.remote_hash = normalize::remote_hash(&body.markdown, DIALECT).to_string();
            }
            if let Some(t) = tracked.iter_mut().find(|t| &t.page_id == page) {
                // Only when the item is still where the write left it.
                if t.path == item.path {
                    t.base = page_base(&item);
                    t.local_hash = local_hash(&item);
                    state
                        .store
                        .put_folder_item(&mapping.id, &item, crate::now())
                        .await?;
                    if let Some(i) = items.iter_mut().find(|i| &i.page_id == page) {
                        *i = item;
                    }
                }
            }
            journal::done(&cx, entry_id, None).await?;
        } else {
            journal::settle(&cx, entry_id, "abandoned", None).await?;
        }
    }

    // 7. The plan, with the mass-deletion guard (G8).
    let held_before: Vec<String> = fs
        .held_deletions
        .as_deref()
        .and_then(|h| serde_json::from_str(h).ok())
        .unwrap_or_default();
    let mut plan = planner::plan_folder(&fm, &tracked, &local, &remote);
    let mut held = None;
    let mut held_paths: Option<Vec<String>> = None;
    if let Some(guard) = plan.guard.clone() {
        let confirmed =
            fsess.confirm_deletions && guard.paths.iter().all(|p| held_before.contains(p));
        if confirmed {
            plan = planner::plan_folder(
                &folder_mapping(mapping, settings.clone(), true),
                &tracked,
                &local,
                &remote,
            );
        } else {
            held = Some(HeldDeletions {
                would_delete: guard.would_delete as u32,
                tracked: guard.tracked as u32,
                paths: guard.paths.clone(),
                message: guard.message.clone(),
            });
            held_paths = Some(guard.paths);
        }
    }

    // 8. Execution, item by item.
    let conflicts: BTreeMap<String, crate::store::StoredConflict> = state
        .store
        .conflicts(user.user_id)
        .await?
        .into_iter()
        .filter(|c| c.mapping_id == mapping.id && (c.status == "open" || c.status == "resolved"))
        .map(|c| (c.path.clone(), c))
        .collect();
    let by_page: BTreeMap<&str, &FolderItem> =
        items.iter().map(|t| (t.page_id.as_str(), t)).collect();
    let files: BTreeMap<&str, &ManifestEntry> =
        session.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut out = Uploaded {
        items: Vec::new(),
        pending: Vec::new(),
        held,
        resolved: 0,
    };
    let mut seen_rows = Vec::new();
    let FolderPlan { items: planned, .. } = plan;
    for mut ip in planned {
        let here = execute::file_path(&ip).to_string();
        let tracked_item = ip.page_id.as_deref().and_then(|p| by_page.get(p).copied());
        if ip.page_id.is_none() && resolved_journal.waiting.contains(&ip.path) {
            out.items.push(super::outcome(
                &here,
                ItemAction::Skipped,
                Some("an earlier write to Notion for this file is not confirmed yet; retried on the next sync".into()),
            ));
            continue;
        }
        let local_entry = files.get(here.as_str()).copied();
        let text: Option<String> =
            uploaded
                .get(&here)
                .cloned()
                .or_else(|| match (local_entry, tracked_item) {
                    (Some(e), Some(t)) if e.hash.as_str() == t.local_hash => {
                        Some(t.base_text.clone())
                    }
                    _ => None,
                });
        let body = ip.page_id.as_deref().and_then(|p| remote.bodies.get(p));
        let row = ip.page_id.as_deref().and_then(|p| rows.get(p));
        // A conflict the user settled, still about these very versions: plan against a base
        // made from the side they kept.
        let conflict = conflicts.get(&here);
        let mut resolves = None;
        if let (Some(c), Some(t), Some(body), Some(row), Some(text)) =
            (conflict, tracked_item, body, row, text.as_deref())
        {
            if c.status == "resolved" && !dry_run {
                let local_now = local_entry.map(|e| e.hash.to_string());
                let remote_now = normalize::remote_hash(&body.markdown, DIALECT).to_string();
                if local_now == c.local_hash && Some(remote_now) == c.remote_hash {
                    if let Some(p) =
                        resolution_plan(&cx, &settings, &here, t, row, body, text, c).await?
                    {
                        ip.plan = p;
                        ip.rename = None;
                        resolves = Some(c.id.clone());
                    }
                }
            }
        }
        let icx = ItemCx {
            tracked: tracked_item,
            row,
            local: local_entry,
            text: text.as_deref(),
            body,
        };
        let done = execute::run(&cx, &ip, &icx).await?;
        cx.progress(&here).stage(ProgressStage::Planned);
        let action = done.outcome.action;
        if let Some(row) = done.seen {
            cursor = cursor.max(row.last_edited_ms);
            seen_rows.push(row);
        }
        if !dry_run {
            if let Some(c) = conflict {
                let settled = !matches!(
                    action,
                    ItemAction::Conflict | ItemAction::Failed | ItemAction::Skipped
                );
                match (&resolves, done.pending.is_some()) {
                    (Some(_), true) => {}
                    (Some(_), false) if settled => {
                        state
                            .store
                            .mark_conflict_applied(&c.id, crate::now())
                            .await?;
                    }
                    (None, _) if settled || action == ItemAction::Unchanged => {
                        state
                            .store
                            .mark_conflict_applied(&c.id, crate::now())
                            .await?;
                    }
                    _ => {}
                }
            }
        }
        if resolves.is_some() && action != ItemAction::Failed {
            out.resolved += 1;
        }
        if let Some(mut p) = done.pending {
            p.resolves = resolves;
            out.pending.push(p);
        }
        out.items.push(done.outcome);
    }

    // 9. What the next session starts from.
    if !dry_run {
        state
            .store
            .put_folder_rows(&mapping.id, &seen_rows, crate::now())
            .await?;
        fs.cursor_ms = cursor;
        fs.schema_json = to_json(&cx.schema)?;
        fs.data_source_id = cx.data_source_id.clone();
        fs.held_deletions = match held_paths {
            Some(paths) => Some(to_json(&paths)?),
            None => None,
        };
        state
            .store
            .put_folder_state(&mapping.id, &fs, crate::now())
            .await?;
    }
    Ok(out)
}

fn query_failed(e: &notion::NotionError) -> String {
    format!(
        "the database could not be read, so nothing was changed ({})",
        execute::notion_message(e)
    )
}

/// A plan that applies the user's choice for a settled conflict (see file_page's).
#[allow(clippy::too_many_arguments)]
async fn resolution_plan(
    cx: &Cx<'_>,
    settings: &Settings,
    here: &str,
    t: &FolderItem,
    row: &FolderRow,
    body: &PageBody,
    text: &str,
    c: &crate::store::StoredConflict,
) -> ApiResult<Option<file_page::Plan>> {
    let base = page_base(t);
    let props = notion_side::properties_of(row);
    let page = RemotePage {
        markdown: &body.markdown,
        truncated: body.truncated,
        title: &row.title,
        properties: &props,
    };
    let input = |b: &PageBase, local: &str| -> file_page::Plan {
        file_page::plan(
            &file_page::Input {
                path: here,
                base: Some(b),
                local: file_page::LocalSide::Present(local),
                remote: file_page::RemoteSide::Present(page),
                clocks: Clocks::default(),
            },
            settings,
        )
    };
    use engine::file_page::SideName;
    let plan = match c.resolution.as_deref() {
        Some("keep_repl") => {
            execute::record(cx, here, SideName::Remote, "resolve", &body.markdown).await?;
            let b = PageBase {
                remote_markdown: body.markdown.clone(),
                title: row.title.clone(),
                properties: props.clone(),
                ..base
            };
            input(&b, text)
        }
        Some("keep_notion") => {
            let b = PageBase {
                file_text: text.to_string(),
                ..base
            };
            input(&b, text)
        }
        Some("merged") => {
            let merged = c.resolved_text.clone().unwrap_or_default();
            execute::record(cx, here, SideName::Remote, "resolve", &body.markdown).await?;
            execute::record(cx, here, SideName::Local, "resolve", text).await?;
            let b = PageBase {
                file_text: text.to_string(),
                remote_markdown: body.markdown.clone(),
                title: row.title.clone(),
                properties: props.clone(),
            };
            let mut plan = input(&b, &merged);
            if merged != text && plan.action != file_page::Action::Conflict {
                plan.file = Some(FileOp::Write {
                    expected_hash: Some(ContentHash::of(text)),
                    new_hash: ContentHash::of(&merged),
                    content: merged.clone(),
                });
                if let Some(b) = plan.base_after.as_mut() {
                    b.file_text = merged;
                }
            }
            plan
        }
        _ => return Ok(None),
    };
    Ok((plan.action != file_page::Action::Conflict).then_some(plan))
}

/// The database, created on the first sync of a mapping that asked for a new one.
async fn ensure_database(
    cx: &mut Cx<'_>,
    fs: &mut FolderState,
    uploaded: &BTreeMap<String, String>,
) -> ApiResult<Result<(), String>> {
    let state = cx.state;
    let mapping = cx.mapping;
    let title = database_title(&mapping.path);
    // A create whose answer was lost: look for it first.
    let pending: Vec<_> = state
        .store
        .journal_pending(&mapping.id)
        .await?
        .into_iter()
        .filter(|e| e.op == journal::CREATE_DATABASE)
        .collect();
    for entry in &pending {
        let sync_id = entry.sync_id.clone().unwrap_or_default();
        match notion_side::find_database(state, cx.token, &title, &sync_id).await? {
            Ok(Some(db)) => {
                let Some(ds) = db.data_sources.as_ref().and_then(|d| d.first()).cloned() else {
                    continue;
                };
                state.pace(cx.token).await?;
                let schema = match state.notion.retrieve_data_source(cx.token, &ds.id).await {
                    Ok(d) => notion_side::schema_of_data_source(&d),
                    Err(e) => return Ok(Err(execute::notion_message(&e))),
                };
                journal::done(cx, &entry.id, Some(&db.id)).await?;
                adopt_database(cx, fs, &db, &ds.id, schema, true).await?;
                return Ok(Ok(()));
            }
            Ok(None) => journal::settle(cx, &entry.id, "abandoned", None).await?,
            Err(e) => return Ok(Err(execute::notion_message(&e))),
        }
    }
    let sync_id = match state
        .store
        .journal_abandoned_sync_id(&mapping.id, journal::CREATE_DATABASE, &mapping.path)
        .await?
    {
        Some(id) => id,
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    let extra =
        notion_side::new_properties(&NotionSchema::new(), uploaded.values().map(String::as_str));
    let entry = journal::begin(
        cx,
        journal::CREATE_DATABASE,
        None,
        &mapping.path,
        Some(&sync_id),
        &journal::DatabasePayload {
            title: title.clone(),
        },
    )
    .await?;
    cx.progress(&mapping.path)
        .stage(ProgressStage::WritingNotion);
    state.pace(cx.token).await?;
    match notion_side::create_database(
        state,
        cx.token,
        mapping.notion_parent_page_id.as_deref(),
        &title,
        &sync_id,
        &mapping.path,
        &extra,
    )
    .await
    {
        Ok((db, schema)) => {
            journal::done(cx, &entry, Some(&db.id)).await?;
            let Some(ds) = db.data_sources.as_ref().and_then(|d| d.first()).cloned() else {
                return Ok(Err(
                    "Notion created the database without a data source".into()
                ));
            };
            adopt_database(cx, fs, &db, &ds.id, schema, true).await?;
            Ok(Ok(()))
        }
        Err(e) => {
            journal::failed(cx, &entry, &e).await?;
            Ok(Err(format!(
                "the database could not be created: {}",
                execute::notion_message(&e)
            )))
        }
    }
}

async fn adopt_database(
    cx: &mut Cx<'_>,
    fs: &mut FolderState,
    db: &notion::Database,
    data_source_id: &str,
    schema: NotionSchema,
    created: bool,
) -> ApiResult<()> {
    fs.database_id = Some(db.id.clone());
    fs.data_source_id = Some(data_source_id.to_string());
    fs.created_database = created;
    fs.schema_json = to_json(&schema)?;
    cx.state
        .store
        .put_folder_state(&cx.mapping.id, fs, crate::now())
        .await?;
    cx.state
        .store
        .set_mapping_page(
            &cx.mapping.id,
            &db.id,
            Some(&db.url),
            &db.title(),
            crate::now(),
        )
        .await?;
    cx.data_source_id = Some(data_source_id.to_string());
    cx.schema = schema;
    Ok(())
}

/// The title of a database made for `folder`: its last segment.
pub(crate) fn database_title(folder: &str) -> String {
    match folder.trim_end_matches('/').rsplit('/').next() {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => "Repl notes".to_string(),
    }
}

/// New front matter keys become properties (only in a database the relay created: a linked
/// database's schema is the user's).
async fn grow_schema(cx: &mut Cx<'_>, uploaded: &BTreeMap<String, String>) -> ApiResult<()> {
    let Some(ds) = cx.data_source_id.clone() else {
        return Ok(());
    };
    let extra = notion_side::new_properties(&cx.schema, uploaded.values().map(String::as_str));
    if extra.is_empty() {
        return Ok(());
    }
    let req = notion::UpdateDataSourceRequest {
        properties: notion_side::schema_request(&extra),
        ..Default::default()
    };
    cx.state.pace(cx.token).await?;
    match cx
        .state
        .notion
        .update_data_source(cx.token, &ds, &req)
        .await
    {
        Ok(d) => cx.schema = notion_side::schema_of_data_source(&d),
        // The keys stay in the files; the next sync tries again.
        Err(e) => tracing::warn!(error = %e, "adding properties for new front matter keys failed"),
    }
    Ok(())
}

/// What the journal's pending entries left for the rest of the session.
#[derive(Default)]
struct Resolution {
    /// Rows whose body must be read (an update whose outcome is unknown).
    forced: BTreeSet<String>,
    /// Updates to recognize on the page once its body is read: (entry id, payload).
    updates: Vec<(String, journal::UpdatePayload)>,
    /// Files whose earlier create could not be looked for: not created again yet.
    waiting: BTreeSet<String>,
}

async fn resolve_journal(
    cx: &Cx<'_>,
    items: &mut Vec<FolderItem>,
    rows: &mut BTreeMap<String, FolderRow>,
) -> ApiResult<Resolution> {
    let mut out = Resolution::default();
    let pending = cx.state.store.journal_pending(&cx.mapping.id).await?;
    let Some(ds) = cx.data_source_id.clone() else {
        return Ok(out);
    };
    for entry in pending {
        match entry.op.as_str() {
            journal::CREATE_ROW => {
                let sync_id = entry.sync_id.clone().unwrap_or_default();
                if items.iter().any(|t| t.sync_id.as_deref() == Some(&sync_id)) {
                    journal::done(cx, &entry.id, None).await?;
                    continue;
                }
                let mut found: Option<FolderRow> = rows
                    .values()
                    .filter(|r| {
                        r.sync_id.as_deref() == Some(&sync_id)
                            && !r.in_trash
                            && notion_side::created_by_us(r.created_by.as_deref(), &cx.bot_id)
                    })
                    .min_by_key(|r| r.last_edited_ms)
                    .cloned();
                if found.is_none() {
                    match notion_side::find_rows(cx.state, cx.token, &ds, &sync_id, &cx.bot_id)
                        .await?
                    {
                        Ok(pages) => {
                            let seen: Vec<FolderRow> = pages.iter().map(row_of).collect();
                            cx.state
                                .store
                                .put_folder_rows(&cx.mapping.id, &seen, crate::now())
                                .await?;
                            for r in &seen {
                                rows.insert(r.page_id.clone(), r.clone());
                            }
                            found = seen.into_iter().next();
                        }
                        Err(e) => {
                            tracing::warn!(error = %e, "looking for a journaled create failed");
                            out.waiting.insert(entry.path.clone());
                            continue;
                        }
                    }
                }
                match found {
                    Some(row) => {
                        let payload: journal::CreatePayload = from_json(&entry.payload)?;
                        let mut item = payload.item;
                        item.page_id = row.page_id.clone();
                        item.sync_id = Some(sync_id.clone());
                        item.properties = row.properties.clone();
                        item.title = row.title.clone();
                        // Not confirmed against the page yet: read it this session.
                        item.remote_edited_at_ms = None;
                        item.remote_edited_by = None;
                        item.synced_at_ms = None;
                        if items.iter().any(|t| t.path == item.path) {
                            // The path was taken meanwhile; the row comes in as a new file.
                            journal::done(cx, &entry.id, Some(&row.page_id)).await?;
                            continue;
                        }
                        cx.state
                            .store
                            .put_folder_item(&cx.mapping.id, &item, crate::now())
                            .await?;
                        out.forced.insert(item.page_id.clone());
                        items.push(item);
                        journal::done(cx, &entry.id, Some(&row.page_id)).await?;
                    }
                    None => journal::settle(cx, &entry.id, "abandoned", None).await?,
                }
            }
            journal::UPDATE_ROW => {
                let payload: journal::UpdatePayload = from_json(&entry.payload)?;
                out.forced.insert(payload.item.page_id.clone());
                out.updates.push((entry.id.clone(), payload));
            }
            journal::TRASH_ROW => {
                let Some(page_id) = entry.page_id.clone() else {
                    journal::settle(cx, &entry.id, "abandoned", None).await?;
                    continue;
                };
                cx.state.pace(cx.token).await?;
                match cx.state.notion.retrieve_page(cx.token, &page_id).await {
                    Ok(page) if page.is_trashed() => {
                        cx.state
                            .store
                            .delete_folder_item(&cx.mapping.id, &page_id)
                            .await?;
                        cx.state
                            .store
                            .delete_folder_row(&cx.mapping.id, &page_id)
                            .await?;
                        items.retain(|t| t.page_id != page_id);
                        rows.remove(&page_id);
                        journal::done(cx, &entry.id, None).await?;
                    }
                    Ok(page) => {
                        let row = row_of(&page);
                        rows.insert(row.page_id.clone(), row);
                        journal::settle(cx, &entry.id, "abandoned", None).await?;
                    }
                    Err(e) if e.is_not_found() => {
                        journal::settle(cx, &entry.id, "abandoned", None).await?;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "looking for a journaled trash failed");
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A create that landed after it was given up on (and made again) left a second row with the
/// same sync id, created by us: it goes to the trash, its content to history.
async fn trash_duplicates(
    cx: &Cx<'_>,
    items: &[FolderItem],
    rows: &mut BTreeMap<String, FolderRow>,
) -> ApiResult<()> {
    let mut dups: Vec<(String, String)> = Vec::new(); // (page, path)
    for t in items {
        let Some(sync_id) = &t.sync_id else { continue };
        for r in rows.values() {
            if r.sync_id.as_deref() == Some(sync_id)
                && r.page_id != t.page_id
                && !r.in_trash
                && notion_side::created_by_us(r.created_by.as_deref(), &cx.bot_id)
                && !items.iter().any(|o| o.page_id == r.page_id)
            {
                dups.push((r.page_id.clone(), t.path.clone()));
            }
        }
    }
    for (page_id, path) in dups {
        cx.state.pace(cx.token).await?;
        match cx.state.notion.get_page_markdown(cx.token, &page_id).await {
            Ok(pm) => {
                execute::record(
                    cx,
                    &path,
                    engine::file_page::SideName::Remote,
                    "duplicate",
                    &pm.markdown,
                )
                .await?
            }
            Err(e) => {
                tracing::warn!(error = %e, "reading a duplicate row failed; left alone");
                continue;
            }
        }
        cx.state.pace(cx.token).await?;
        match cx
            .state
            .notion
            .update_page(cx.token, &page_id, &notion::UpdatePageRequest::trash(true))
            .await
        {
            Ok(page) => {
                let row = row_of(&page);
                cx.state
                    .store
                    .put_folder_rows(&cx.mapping.id, std::slice::from_ref(&row), crate::now())
                    .await?;
                rows.insert(page_id.clone(), row);
                tracing::info!("a duplicate row of ours went to the trash");
            }
            Err(e) => tracing::warn!(error = %e, "trashing a duplicate row failed"),
        }
    }
    Ok(())
}

/// The session's last step: advance the bases the panel confirmed.
pub(super) async fn acknowledge(
    state: &AppState,
    record: &SessionRecord,
    session: &mut SessionState,
    ack: &Ack,
) -> ApiResult<()> {
    let Some(fsess) = session.folder.clone() else {
        return Ok(());
    };
    let now = crate::now();
    for p in &fsess.pending {
        let path = &p.write.path;
        let written = ack
            .written
            .iter()
            .any(|w| &w.path == path && w.hash == p.write.new_hash);
        if written {
            match &p.after {
                After::Save { item } => {
                    state
                        .store
                        .put_folder_item(&record.mapping_id, item, now)
                        .await?;
                }
                After::Forget { page_id } => {
                    state
                        .store
                        .delete_folder_item(&record.mapping_id, page_id)
                        .await?;
                    state
                        .store
                        .delete_folder_row(&record.mapping_id, page_id)
                        .await?;
                }
            }
            if let Some(c) = &p.resolves {
                state.store.mark_conflict_applied(c, now).await?;
            }
        } else if let Some(item) = session.items.iter_mut().find(|i| &i.path == path) {
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
    Ok(())
}

/// Links an existing database (or data source) to a new folder mapping: resolved to its one
/// data source, its schema kept, and our `Sync ID` property added when missing (every row the
/// relay creates carries it, G5).
pub async fn link_database(
    state: &AppState,
    token: &notion::AccessToken,
    mapping: &MappingRecord,
    id: &str,
) -> ApiResult<MappingRecord> {
    let (db, ds) = notion_side::resolve_data_source(state, token, id).await?;
    let mut schema = notion_side::schema_of_data_source(&ds);
    if !schema.contains_key(SYNC_ID_PROPERTY) {
        let mut add = NotionSchema::new();
        add.insert(SYNC_ID_PROPERTY.to_string(), "rich_text".to_string());
        let req = notion::UpdateDataSourceRequest {
            properties: notion_side::schema_request(&add),
            ..Default::default()
        };
        state.pace(token).await?;
        let updated = state
            .notion
            .update_data_source(token, &ds.id, &req)
            .await
            .map_err(ApiError::notion)?;
        schema = notion_side::schema_of_data_source(&updated);
    }
    let fs = FolderState {
        database_id: Some(db.id.clone()),
        data_source_id: Some(ds.id.clone()),
        created_database: false,
        schema_json: to_json(&schema)?,
        cursor_ms: None,
        held_deletions: None,
    };
    state
        .store
        .put_folder_state(&mapping.id, &fs, crate::now())
        .await?;
    let title = db.title();
    state
        .store
        .set_mapping_page(&mapping.id, &db.id, Some(&db.url), &title, crate::now())
        .await?;
    let mut m = mapping.clone();
    m.notion_page_id = Some(db.id.clone());
    m.notion_url = Some(db.url.clone());
    m.title = Some(title);
    Ok(m)
}

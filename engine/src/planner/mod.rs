//! The sync planner: a pure function from (mapping, base state, local manifest and contents,
//! remote state) to a plan.
//!
//! It works in two steps, matching the session protocol (SPEC §4):
//!
//! 1. [`needs`]: from hashes and Notion's `last_edited_time` alone, which file contents the
//!    panel must upload and which page bodies the relay must read. Unchanged items cost
//!    nothing (G2): no upload, no body read.
//! 2. [`plan_folder`] (or [`crate::file_page::plan`] for a single file): per item, the Notion
//!    operations, file writes with expected hashes, conflicts and history entries; new, renamed,
//!    moved and deleted files and rows; deletions under the guards (G6 edit beats delete, G7
//!    absence is never deletion, G8 mass deletion asks first).
//!
//! Items are keyed by Notion page id (stable across renames), never by title or path.

mod guards;

use std::collections::{BTreeMap, BTreeSet};

use protocol::session::ManifestEntry;
use protocol::ContentHash;
use serde::{Deserialize, Serialize};

use crate::file_page::{
    self, Action, FileOp, LocalSide, PageBase, Plan, RemotePage, RemoteSide, Settings,
};
use crate::frontmatter::Properties;
use crate::names;
use crate::strategy::Clocks;

pub use guards::{DeletionGuard, GuardLimits};

/// One synced item as the relay stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackedItem {
    pub page_id: String,
    pub path: String,
    pub base: PageBase,
    /// Hash of `base.file_text` (kept so a no-op sync hashes nothing).
    pub local_hash: ContentHash,
    /// The row's `last_edited_time` (Unix ms) when it was last read.
    pub remote_edited_at: Option<i64>,
    /// When the last sync of this item ended (Unix ms).
    pub synced_at: Option<i64>,
}

/// A row of the database's data source, from one (paginated) query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemoteRow {
    pub page_id: String,
    pub title: String,
    pub properties: Properties,
    pub last_edited_at: Option<i64>,
    /// Retrieved and reported in the trash (evidence of deletion).
    pub in_trash: bool,
}

/// A page body the relay read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageBody {
    pub markdown: String,
    pub truncated: bool,
}

/// The Repl side of a folder mapping.
#[derive(Debug, Clone, Default)]
pub struct LocalState {
    pub files: Vec<ManifestEntry>,
    /// The scan covered the whole mapped folder: a tracked file missing from it was deleted.
    pub complete: bool,
    /// Contents the panel uploaded (only those [`needs`] asked for).
    pub contents: BTreeMap<String, String>,
    /// When the panel first saw each changed file change (Unix ms), for `latest_wins`.
    pub changed_at: BTreeMap<String, i64>,
}

/// The Notion side of a folder mapping.
#[derive(Debug, Clone, Default)]
pub struct RemoteState {
    pub rows: Vec<RemoteRow>,
    /// Every result page of the query was read.
    pub complete: bool,
    /// Bodies read (only those [`needs`] asked for), by page id.
    pub bodies: BTreeMap<String, PageBody>,
    /// Pages whose read failed (403, 404, 5xx): unknown, never deleted (G7).
    pub unreadable: BTreeSet<String>,
}

/// A folder ↔ database mapping.
#[derive(Debug, Clone, Default)]
pub struct FolderMapping {
    /// The folder, relative to the Repl root (`""` for the root).
    pub folder: String,
    /// Include files in subfolders.
    pub recursive: bool,
    pub settings: Settings,
    /// Files larger than this are skipped with a reason (default 2 MB).
    pub max_file_bytes: u64,
    pub guard: GuardLimits,
    /// The user confirmed the deletions a previous run held (G8).
    pub confirm_deletions: bool,
}

/// What the relay must fetch before planning.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Needs {
    /// Paths whose contents the panel must upload.
    pub contents: Vec<String>,
    /// Page ids whose bodies the relay must read.
    pub pages: Vec<String>,
}

/// A file moved to a new path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rename {
    pub from: String,
    pub to: String,
    pub kind: RenameKind,
}

/// Who moves the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenameKind {
    /// The user moved it; only the tracked path changes.
    Local,
    /// The page was renamed in Notion: write the file's content (the plan's file write, or the
    /// current text) at `to` (which must not exist) and delete `from` (with its current hash).
    Remote,
}

/// The plan for one item of a folder mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemPlan {
    /// The item's path after this sync.
    pub path: String,
    /// `None` for a page still to be created.
    pub page_id: Option<String>,
    pub plan: Plan,
    /// The file moves: renamed in Notion (the file follows), or renamed locally (recorded).
    pub rename: Option<Rename>,
}

/// The plan for a folder mapping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FolderPlan {
    pub items: Vec<ItemPlan>,
    /// Set when the mass-deletion guard held deletions back (G8).
    pub guard: Option<DeletionGuard>,
}

impl FolderPlan {
    /// Items that write something.
    pub fn writes(&self) -> impl Iterator<Item = &ItemPlan> {
        self.items.iter().filter(|i| !i.plan.is_noop())
    }
}

const DEFAULT_EXCLUDES: &[&str] = &[".git", "node_modules", ".cache", ".upm", "target"];

impl FolderMapping {
    fn max_bytes(&self) -> u64 {
        if self.max_file_bytes == 0 {
            2 * 1024 * 1024
        } else {
            self.max_file_bytes
        }
    }

    /// Whether a path belongs to the mapping (inside the folder, Markdown, not excluded).
    pub fn includes(&self, path: &str) -> bool {
        if !names::is_inside(&self.folder, path) || !path.to_ascii_lowercase().ends_with(".md") {
            return false;
        }
        let folder = self.folder.trim_end_matches('/');
        let rest = if folder.is_empty() {
            path
        } else {
            &path[folder.len() + 1..]
        };
        let segments: Vec<&str> = rest.split('/').collect();
        if !self.recursive && segments.len() > 1 {
            return false;
        }
        !segments
            .iter()
            .any(|s| s.starts_with('.') || DEFAULT_EXCLUDES.contains(s))
    }
}

/// Whether the row may have changed since the item was last synced. Notion's times are rounded
/// down to the minute, so an edit in the same minute as the last sync's end cannot be ruled out
/// by the time alone (G2's extra read).
fn row_may_have_changed(item: &TrackedItem, row: &RemoteRow) -> bool {
    match (row.last_edited_at, item.remote_edited_at) {
        (Some(now), Some(then)) if now > then => true,
        (Some(now), _) => item
            .synced_at
            .is_none_or(|s| now >= s - s.rem_euclid(crate::strategy::NOTION_TIME_GRANULARITY_MS)),
        (None, _) => true,
    }
}

/// Which contents and page bodies a folder sync needs.
pub fn needs(
    mapping: &FolderMapping,
    tracked: &[TrackedItem],
    local: &LocalState,
    remote: &RemoteState,
) -> Needs {
    let by_path: BTreeMap<&str, &TrackedItem> =
        tracked.iter().map(|t| (t.path.as_str(), t)).collect();
    let tracked_hashes: BTreeSet<&ContentHash> = tracked.iter().map(|t| &t.local_hash).collect();
    let rows: BTreeMap<&str, &RemoteRow> = remote
        .rows
        .iter()
        .map(|r| (r.page_id.as_str(), r))
        .collect();
    let tracked_ids: BTreeSet<&str> = tracked.iter().map(|t| t.page_id.as_str()).collect();
    let mut out = Needs::default();
    for f in &local.files {
        if !mapping.includes(&f.path) || f.size > mapping.max_bytes() {
            continue;
        }
        match by_path.get(f.path.as_str()) {
            Some(t) if t.local_hash == f.hash => {}
            // A pure move keeps its bytes: the hash identifies it without an upload.
            None if tracked_hashes.contains(&f.hash) => {}
            _ => out.contents.push(f.path.clone()),
        }
    }
    for t in tracked {
        if let Some(row) = rows.get(t.page_id.as_str()) {
            if !row.in_trash && row_may_have_changed(t, row) {
                out.pages.push(t.page_id.clone());
            }
        }
    }
    for r in &remote.rows {
        if !r.in_trash && !tracked_ids.contains(r.page_id.as_str()) {
            out.pages.push(r.page_id.clone());
        }
    }
    out
}

/// Plans a folder ↔ database sync.
pub fn plan_folder(
    mapping: &FolderMapping,
    tracked: &[TrackedItem],
    local: &LocalState,
    remote: &RemoteState,
) -> FolderPlan {
    let settings = &mapping.settings;
    let mut items: Vec<ItemPlan> = Vec::with_capacity(tracked.len() + 8);
    let mut local_files: BTreeMap<&str, &ManifestEntry> = BTreeMap::new();
    for f in &local.files {
        if !mapping.includes(&f.path) {
            continue;
        }
        if f.size > mapping.max_bytes() {
            items.push(ItemPlan {
                path: f.path.clone(),
                page_id: tracked
                    .iter()
                    .find(|t| t.path == f.path)
                    .map(|t| t.page_id.clone()),
                plan: skip(format!(
                    "the file is larger than {} MB; it was left alone",
                    mapping.max_bytes() / (1024 * 1024)
                )),
                rename: None,
            });
            continue;
        }
        local_files.insert(f.path.as_str(), f);
    }
    let rows: BTreeMap<&str, &RemoteRow> = remote
        .rows
        .iter()
        .map(|r| (r.page_id.as_str(), r))
        .collect();
    let tracked_paths: BTreeSet<&str> = tracked.iter().map(|t| t.path.as_str()).collect();
    // Names in use (lower case), for new files from new rows.
    let mut taken: BTreeSet<String> = local
        .files
        .iter()
        .map(|f| f.path.to_lowercase())
        .chain(tracked.iter().map(|t| t.path.to_lowercase()))
        .collect();

    // Local moves: a tracked file missing at its path whose exact bytes appear at a new path.
    let mut untracked_by_hash: BTreeMap<&ContentHash, Vec<&str>> = BTreeMap::new();
    for (p, f) in &local_files {
        if !tracked_paths.contains(p) {
            untracked_by_hash.entry(&f.hash).or_default().push(p);
        }
    }
    let mut moved: BTreeMap<&str, &str> = BTreeMap::new(); // old path → new path
    let mut claimed: BTreeSet<&str> = BTreeSet::new();
    for t in tracked {
        if local_files.contains_key(t.path.as_str()) {
            continue;
        }
        if let Some(cands) = untracked_by_hash.get(&t.local_hash) {
            if let Some(p) = cands.iter().find(|p| !claimed.contains(**p)) {
                claimed.insert(p);
                moved.insert(t.path.as_str(), p);
            }
        }
    }

    for t in tracked {
        let new_path = moved.get(t.path.as_str()).copied();
        let path = new_path.unwrap_or(t.path.as_str());
        let entry = local_files.get(path);
        let row = rows.get(t.page_id.as_str());
        // Fast path: nothing changed on either side (G2): no parse, no write.
        if let (Some(f), Some(r)) = (entry, row) {
            if f.hash == t.local_hash
                && !r.in_trash
                && !row_may_have_changed(t, r)
                && new_path.is_none()
            {
                items.push(ItemPlan {
                    path: t.path.clone(),
                    page_id: Some(t.page_id.clone()),
                    plan: unchanged(),
                    rename: None,
                });
                continue;
            }
        }
        let local_side = match entry {
            Some(f) if f.hash == t.local_hash => LocalSide::Present(t.base.file_text.as_str()),
            Some(f) => match local.contents.get(&f.path) {
                Some(text) => LocalSide::Present(text.as_str()),
                None => LocalSide::Unknown,
            },
            None if local.complete => LocalSide::Deleted,
            None => LocalSide::Unknown,
        };
        let body = remote.bodies.get(&t.page_id);
        let remote_side = match row {
            _ if remote.unreadable.contains(&t.page_id) => RemoteSide::Unknown,
            Some(r) if r.in_trash => RemoteSide::Trashed,
            Some(r) => match body {
                Some(b) => RemoteSide::Present(RemotePage {
                    markdown: &b.markdown,
                    truncated: b.truncated,
                    title: &r.title,
                    properties: &r.properties,
                }),
                None if !row_may_have_changed(t, r) => RemoteSide::Present(RemotePage {
                    markdown: &t.base.remote_markdown,
                    truncated: false,
                    title: &r.title,
                    properties: &r.properties,
                }),
                None => RemoteSide::Unknown,
            },
            // Missing from the query is not evidence (G7): the relay retrieves the page to learn
            // whether it was trashed, and reports it as a trashed row if so.
            None => RemoteSide::Unknown,
        };
        // A page renamed in Notion renames a file whose name is its title (the file follows).
        let mut rename = new_path.map(|to| Rename {
            from: t.path.clone(),
            to: to.to_string(),
            kind: RenameKind::Local,
        });
        let title_from_name = crate::title::file_stem(path) == names::stem_for_title(&t.base.title);
        if let Some(r) = row {
            if rename.is_none()
                && !r.in_trash
                && r.title != t.base.title
                && title_from_name
                && settings.direction != file_page::Direction::ReplitToNotion
                && matches!(local_side, LocalSide::Present(_))
            {
                let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
                taken.remove(&path.to_lowercase());
                let name = names::file_name(&r.title, "md", &taken_in(&taken, dir));
                let to = names::join(dir, &name);
                taken.insert(to.to_lowercase());
                if to != path {
                    rename = Some(Rename {
                        from: path.to_string(),
                        to,
                        kind: RenameKind::Remote,
                    });
                }
            }
        }
        let plan_path = rename.as_ref().map_or(path, |r| r.to.as_str());
        let clocks = Clocks {
            local_changed_at: local.changed_at.get(path).copied(),
            remote_edited_at: row.and_then(|r| r.last_edited_at),
        };
        let input = file_page::Input {
            path: plan_path,
            base: Some(&t.base),
            local: local_side,
            remote: remote_side,
            clocks,
        };
        let plan = file_page::plan(&input, settings);
        items.push(ItemPlan {
            path: plan_path.to_string(),
            page_id: Some(t.page_id.clone()),
            plan,
            rename,
        });
    }

    // New local files become rows.
    for p in local_files.keys() {
        if tracked_paths.contains(p) || claimed.contains(p) {
            continue;
        }
        let plan = match local.contents.get(*p) {
            Some(text) => file_page::plan(
                &file_page::Input {
                    path: p,
                    base: None,
                    local: LocalSide::Present(text),
                    remote: RemoteSide::NotCreated,
                    clocks: Clocks::default(),
                },
                settings,
            ),
            None => skip("the file's contents are needed"),
        };
        items.push(ItemPlan {
            path: p.to_string(),
            page_id: None,
            plan,
            rename: None,
        });
    }

    // New rows become files.
    let tracked_ids: BTreeSet<&str> = tracked.iter().map(|t| t.page_id.as_str()).collect();
    for r in &remote.rows {
        if r.in_trash || tracked_ids.contains(r.page_id.as_str()) {
            continue;
        }
        let name = names::file_name(&r.title, "md", &taken_in(&taken, &mapping.folder));
        let path = names::join(&mapping.folder, &name);
        taken.insert(path.to_lowercase());
        let plan = match remote.bodies.get(&r.page_id) {
            Some(b) if !b.truncated => {
                let page = RemotePage {
                    markdown: &b.markdown,
                    truncated: false,
                    title: &r.title,
                    properties: &r.properties,
                };
                new_file(&path, &page, settings)
            }
            Some(_) => skip("Notion returned only part of the page; retried next sync"),
            None => skip("the page's content is needed"),
        };
        items.push(ItemPlan {
            path,
            page_id: Some(r.page_id.clone()),
            plan,
            rename: None,
        });
    }

    let guard = guards::apply(
        &mut items,
        tracked.len(),
        &mapping.guard,
        mapping.confirm_deletions,
    );
    FolderPlan { items, guard }
}

/// Lower-cased names taken directly inside `folder`.
fn taken_in(taken: &BTreeSet<String>, folder: &str) -> BTreeSet<String> {
    let prefix = if folder.is_empty() {
        String::new()
    } else {
        format!("{}/", folder.trim_end_matches('/').to_lowercase())
    };
    taken
        .iter()
        .filter_map(|p| p.strip_prefix(&prefix))
        .filter(|rest| !rest.contains('/'))
        .map(String::from)
        .collect()
}

fn new_file(path: &str, page: &RemotePage<'_>, settings: &Settings) -> Plan {
    if settings.direction == file_page::Direction::ReplitToNotion {
        return skip("a new row in Notion, but this mapping only syncs Repl → Notion");
    }
    let content = file_page::render_file(path, page, settings);
    let mut plan = unchanged();
    plan.action = Action::Pull;
    plan.base_after = Some(PageBase {
        file_text: content.clone(),
        remote_markdown: page.markdown.to_string(),
        title: page.title.to_string(),
        properties: page.properties.clone(),
    });
    plan.file = Some(FileOp::Write {
        new_hash: ContentHash::of(&content),
        expected_hash: None,
        content,
    });
    plan
}

fn unchanged() -> Plan {
    Plan {
        action: Action::Unchanged,
        message: None,
        remote: None,
        expected_markdown: None,
        file: None,
        conflict: None,
        history: Vec::new(),
        base_after: None,
        decided_conflicts: Vec::new(),
    }
}

fn skip(message: impl Into<String>) -> Plan {
    Plan {
        action: Action::Skip,
        message: Some(message.into()),
        ..unchanged()
    }
}

#[cfg(test)]
mod tests;

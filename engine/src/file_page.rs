//! One file ↔ one page: everything a sync decides for an item, as a pure function.
//!
//! [`plan`] takes the base (what both sides agreed on last time), the file as it is, the page as
//! Notion returned it and the mapping's settings, and returns a [`Plan`]: the Notion write to
//! make (create, `update_content` edits, properties, trash), the file write with the hash the
//! file must still have, a conflict to queue, and the history entries to record first. The
//! relay executes it; nothing here does I/O.
//!
//! Rules it keeps: change is detected by content against the base (G12); a side that changed is
//! never overwritten without a history entry (G1); a remote change reaches the file only at the
//! blocks it changed, and a local change reaches the page only at the blocks it changed (G3,
//! G4); absence is never deletion (G7) and an edit beats a delete (G6); Notion-only blocks are
//! never deleted by a push (G10); front matter never becomes page text (G15).

use std::collections::BTreeSet;

use notion_markdown::{Block, BlockKind};
use protocol::ContentHash;
use serde::{Deserialize, Serialize};

use crate::document::{FileDoc, FileParts, RemoteDoc};
use crate::edits::{minimal_edits, EditLimits, RemoteEdit};
use crate::frontmatter::{self, FrontMatter, Properties, PropertyType, Schema};
use crate::merge::{self, ConflictHunk, MergeInput, Policy};
use crate::normalize::{self, TextForm};
use crate::strategy::{self, Clocks, Strategy};
use crate::title;
use crate::translate::{self, Options};

/// What the relay stores for an item once both sides agreed (advanced only on confirmation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PageBase {
    /// The file's exact text.
    pub file_text: String,
    /// The page's Markdown exactly as Notion returned it (after our write: Notion's answer).
    pub remote_markdown: String,
    pub title: String,
    #[serde(default)]
    pub properties: Properties,
}

/// The file as the panel sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalSide<'a> {
    /// Missing from an incomplete scan, unreadable, binary: unknown, never a deletion (G7).
    Unknown,
    /// Absent from a complete scan of the mapped path: evidence of deletion.
    Deleted,
    Present(&'a str),
}

/// The page as Notion answered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RemoteSide<'a> {
    /// No page yet (the mapping was never pushed).
    NotCreated,
    /// The read failed (403, 404, 5xx, timeout, missing permission): unknown (G7).
    Unknown,
    /// The page was retrieved and is in the trash: evidence of deletion.
    Trashed,
    Present(RemotePage<'a>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RemotePage<'a> {
    pub markdown: &'a str,
    /// Notion could not render the whole page: not a complete observation (G7).
    pub truncated: bool,
    pub title: &'a str,
    pub properties: &'a Properties,
}

/// Which way a mapping syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    #[default]
    Bidirectional,
    ReplitToNotion,
    NotionToReplit,
}

/// A mapping's settings.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub strategy: Strategy,
    pub direction: Direction,
    /// Property types of the page (or the database's data source); empty for a plain page.
    pub schema: Schema,
    pub opts: Options,
    pub limits: EditLimits,
    /// Let a push delete Notion-only blocks (child pages, databases, unknown blocks). Off by
    /// default: deleting them locally is reported as a conflict instead (G10).
    pub allow_deleting_notion_only: bool,
}

/// Everything [`plan`] looks at for one item.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// The file's path (for the title fallback and links).
    pub path: &'a str,
    pub base: Option<&'a PageBase>,
    pub local: LocalSide<'a>,
    pub remote: RemoteSide<'a>,
    pub clocks: Clocks,
}

/// What the plan does, for the item's status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Unchanged,
    /// Create the page from the file.
    Create,
    /// Write the file's changes to the page.
    Push,
    /// Write the page's changes to the file.
    Pull,
    /// Both changed: write the merge to both.
    Merge,
    /// Both changed the same place: nothing is written until resolved.
    Conflict,
    /// Trash the page (the file was deleted; subject to the mass-deletion guard).
    DeleteRemote,
    /// Delete the file (the page was trashed; subject to the mass-deletion guard).
    DeleteLocal,
    /// A deletion lost to an edit on the other side: the deleted side is written back (G6).
    Restore,
    /// Both sides are gone: forget the item.
    Forget,
    /// Nothing can be decided now (see the message); retried next time.
    Skip,
}

/// A write to Notion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum RemoteOp {
    /// `POST /v1/pages` with `markdown`, the title and properties.
    Create {
        title: String,
        markdown: String,
        properties: Properties,
    },
    /// `PATCH /v1/pages/{id}/markdown` with `edit` (if any) and `PATCH /v1/pages/{id}` with the
    /// title and properties (if any).
    Update {
        edit: Option<RemoteEdit>,
        title: Option<String>,
        properties: Properties,
    },
    /// `PATCH /v1/pages/{id}` with `in_trash: true`.
    Trash,
}

/// A write to the file, guarded by the hash it must still have.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum FileOp {
    Write {
        content: String,
        /// `None`: the file must not exist.
        expected_hash: Option<ContentHash>,
        new_hash: ContentHash,
    },
    Delete {
        expected_hash: ContentHash,
    },
}

/// Why a version went to history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryReason {
    /// Replaced by the other side's change.
    Overwritten,
    /// Lost a conflict decided by the strategy.
    ConflictLoser,
    /// Deleted because the other side deleted it.
    Deleted,
    /// A deletion that an edit on the other side overrode (G6).
    DeletionOverridden,
}

/// Which side a history entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SideName {
    Local,
    Remote,
}

/// A version to record before the write that replaces it (G1, G16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub side: SideName,
    pub reason: HistoryReason,
    /// The replaced version: the file's text, or the page's Markdown.
    pub content: String,
}

/// A conflict to queue for the user (SPEC §4: base, Repl and Notion side by side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub base: String,
    pub local: String,
    /// The page written as a file.
    pub remote: String,
    pub hunks: Vec<ConflictHunk>,
    pub message: String,
}

/// What to do for one item.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub action: Action,
    pub message: Option<String>,
    pub remote: Option<RemoteOp>,
    /// The page's Markdown after `remote` (canonical form; compare with
    /// [`normalize::canonical_markdown`] of Notion's answer to verify the write).
    pub expected_markdown: Option<String>,
    pub file: Option<FileOp>,
    pub conflict: Option<Conflict>,
    /// Record these before executing the writes.
    pub history: Vec<HistoryEntry>,
    /// The base to store once every write is confirmed; its `remote_markdown` is to be replaced
    /// by Notion's answer to the write (None: keep the base; `Forget`: drop it).
    pub base_after: Option<PageBase>,
    /// Overlapping hunks a strategy decided (already applied), for the log.
    pub decided_conflicts: Vec<ConflictHunk>,
}

impl Plan {
    pub(crate) fn new(action: Action) -> Plan {
        Plan {
            action,
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

    pub(crate) fn skip(message: impl Into<String>) -> Plan {
        Plan {
            message: Some(message.into()),
            ..Plan::new(Action::Skip)
        }
    }

    /// True when the plan writes nothing.
    pub fn is_noop(&self) -> bool {
        self.remote.is_none() && self.file.is_none()
    }
}

/// A file's title, body and front matter, read once.
struct LocalFile<'a> {
    parts: FileParts<'a>,
    form: TextForm,
    title: String,
    fm: Option<FrontMatter>,
}

impl<'a> LocalFile<'a> {
    /// `hints` are titles the file name may stand for (the page's, the base's): a name made by
    /// [`crate::names::file_name`] from a title means that title, not the sanitized spelling.
    fn read(path: &str, text: &'a str, hints: &[&str]) -> LocalFile<'a> {
        let parts = FileParts::split(text);
        let fm = parts.front_matter.map(FrontMatter::parse);
        let stem = title::file_stem(path);
        let title = fm
            .as_ref()
            .and_then(FrontMatter::title)
            .or_else(|| parts.h1.clone())
            .unwrap_or_else(|| {
                hints
                    .iter()
                    .find(|h| !h.is_empty() && crate::names::stem_for_title(h) == stem)
                    .map_or_else(|| stem.to_string(), |h| h.to_string())
            });
        LocalFile {
            form: TextForm::detect(text),
            parts,
            title,
            fm,
        }
    }

    fn properties(&self, schema: &Schema) -> Properties {
        let mut props = match &self.fm {
            Some(fm) => frontmatter::properties(fm, schema).unwrap_or_default(),
            None => Properties::new(),
        };
        // The title is handled on its own.
        props.retain(|name, _| schema.get(name) != Some(&PropertyType::Title));
        props
    }
}

/// The history entry for a version a write replaces: the loser of a conflict the strategy
/// decided against it, else simply overwritten.
pub(crate) fn replaced(side: SideName, lost_conflict: bool, content: &str) -> HistoryEntry {
    HistoryEntry {
        side,
        reason: if lost_conflict {
            HistoryReason::ConflictLoser
        } else {
            HistoryReason::Overwritten
        },
        content: content.to_string(),
    }
}

pub(crate) fn file_write(content: String, expected: Option<&str>) -> FileOp {
    FileOp::Write {
        new_hash: ContentHash::of(&content),
        expected_hash: expected.map(ContentHash::of),
        content,
    }
}

fn remote_changed(base: &PageBase, page: &RemotePage<'_>, opts: &Options) -> bool {
    normalize::canonical_markdown(page.markdown, opts.dialect)
        != normalize::canonical_markdown(&base.remote_markdown, opts.dialect)
        || page.title != base.title
        || *page.properties != base.properties
}

/// The whole file for a page (first pull, or a file recreated after a deletion lost to an edit).
pub fn render_file(path: &str, page: &RemotePage<'_>, settings: &Settings) -> String {
    let body = translate::from_notion_with(page.markdown, &settings.opts);
    let mut props = page.properties.clone();
    props.retain(|name, _| settings.schema.get(name) != Some(&PropertyType::Title));
    let mut out = String::new();
    if !props.is_empty() {
        let mut fm = FrontMatter::empty("\n");
        frontmatter::apply_properties(&mut fm, &props, &settings.schema);
        out.push_str(&fm.render());
    }
    let needs_h1 =
        crate::names::stem_for_title(page.title) != title::file_stem(path) || starts_with_h1(&body);
    if needs_h1 && !page.title.is_empty() {
        out.push_str(&format!("# {}\n", page.title));
        if !body.is_empty() {
            out.push('\n');
        }
    }
    out.push_str(&body);
    out
}

/// Whether a body's first line is an `# H1` (which a file's first line means as its title).
fn starts_with_h1(body: &str) -> bool {
    body.starts_with("# ") || body.starts_with("#\t")
}

/// The page body for a file's text (front matter and title line removed).
pub fn page_body(text: &str, opts: &Options) -> String {
    let parts = FileParts::split(text);
    translate::to_notion_with(parts.body, opts)
}

/// Plans one item.
pub fn plan(input: &Input<'_>, settings: &Settings) -> Plan {
    if !settings.opts.links.is_empty() {
        // Links are relative to the file: translate with the map seen from this file.
        let mut local = settings.clone();
        local.opts.links = settings.opts.links.for_file(input.path);
        return plan_with(input, &local);
    }
    plan_with(input, settings)
}

fn plan_with(input: &Input<'_>, settings: &Settings) -> Plan {
    let path = input.path;
    match (input.local, input.remote) {
        (LocalSide::Unknown, _) => {
            return Plan::skip("the file could not be read; nothing was changed (retried next sync)")
        }
        (_, RemoteSide::Unknown) => {
            return Plan::skip(
                "the page could not be read (missing, unshared or an error); nothing was changed (retried next sync)",
            )
        }
        (_, RemoteSide::Present(p)) if p.truncated => {
            return Plan::skip(
                "Notion returned only part of the page; it is not used as evidence of anything (retried next sync)",
            )
        }
        _ => {}
    }
    match (input.local, input.remote) {
        (LocalSide::Deleted, RemoteSide::Trashed | RemoteSide::NotCreated) => Plan {
            message: Some("both the file and the page are gone".into()),
            ..Plan::new(Action::Forget)
        },
        (LocalSide::Deleted, RemoteSide::Present(page)) => deleted_locally(input, &page, settings),
        (LocalSide::Present(text), RemoteSide::Trashed) => trashed_remotely(input, text, settings),
        (LocalSide::Present(text), RemoteSide::NotCreated) => create(path, text, settings, None),
        (LocalSide::Present(text), RemoteSide::Present(page)) => match input.base {
            None => first_link(path, text, &page, settings),
            Some(base) => both_present(input, base, text, &page, settings),
        },
        _ => Plan::skip("nothing to do"),
    }
}

fn create(path: &str, text: &str, settings: &Settings, history: Option<HistoryEntry>) -> Plan {
    if settings.direction == Direction::NotionToReplit {
        return Plan::skip("the file is new, but this mapping only syncs Notion → Repl");
    }
    let local = LocalFile::read(path, text, &[]);
    let blocks = translate::to_blocks(local.parts.body, &settings.opts);
    let markdown = notion_markdown::render(&blocks, settings.opts.dialect);
    let properties = local.properties(&settings.schema);
    let mut plan = Plan::new(if history.is_some() {
        Action::Restore
    } else {
        Action::Create
    });
    plan.history.extend(history);
    plan.expected_markdown = Some(normalize::canonical_markdown(
        &markdown,
        settings.opts.dialect,
    ));
    plan.base_after = Some(PageBase {
        file_text: text.to_string(),
        remote_markdown: markdown.clone(),
        title: local.title.clone(),
        properties: properties.clone(),
    });
    plan.remote = Some(RemoteOp::Create {
        title: local.title,
        markdown,
        properties,
    });
    plan
}

fn deleted_locally(input: &Input<'_>, page: &RemotePage<'_>, settings: &Settings) -> Plan {
    let Some(base) = input.base else {
        return Plan::skip("the file is gone and was never synced; the page was left alone");
    };
    if remote_changed(base, page, &settings.opts) || settings.direction == Direction::NotionToReplit
    {
        // Edit beats delete (G6): the page's version comes back as the file.
        let content = render_file(input.path, page, settings);
        let mut plan = Plan::new(Action::Restore);
        plan.message = Some(
            "the file was deleted but the page was edited since; the file was restored".into(),
        );
        plan.history.push(HistoryEntry {
            side: SideName::Local,
            reason: HistoryReason::DeletionOverridden,
            content: base.file_text.clone(),
        });
        plan.base_after = Some(PageBase {
            file_text: content.clone(),
            remote_markdown: page.markdown.to_string(),
            title: page.title.to_string(),
            properties: page.properties.clone(),
        });
        plan.file = Some(file_write(content, None));
        return plan;
    }
    if settings.direction == Direction::ReplitToNotion
        || settings.direction == Direction::Bidirectional
    {
        let mut plan = Plan::new(Action::DeleteRemote);
        plan.history.push(HistoryEntry {
            side: SideName::Remote,
            reason: HistoryReason::Deleted,
            content: page.markdown.to_string(),
        });
        plan.remote = Some(RemoteOp::Trash);
        return plan;
    }
    Plan::skip("the file was deleted")
}

fn trashed_remotely(input: &Input<'_>, text: &str, settings: &Settings) -> Plan {
    let Some(base) = input.base else {
        return create(input.path, text, settings, None);
    };
    if text != base.file_text || settings.direction == Direction::ReplitToNotion {
        // Edit beats delete (G6): the file's version comes back as a new page.
        let mut plan = create(
            input.path,
            text,
            settings,
            Some(HistoryEntry {
                side: SideName::Remote,
                reason: HistoryReason::DeletionOverridden,
                content: base.remote_markdown.clone(),
            }),
        );
        plan.message = Some(
            "the page was trashed but the file was edited since; the page was recreated".into(),
        );
        return plan;
    }
    if settings.direction == Direction::NotionToReplit
        || settings.direction == Direction::Bidirectional
    {
        let mut plan = Plan::new(Action::DeleteLocal);
        plan.history.push(HistoryEntry {
            side: SideName::Local,
            reason: HistoryReason::Deleted,
            content: text.to_string(),
        });
        plan.file = Some(FileOp::Delete {
            expected_hash: ContentHash::of(text),
        });
        return plan;
    }
    Plan::skip("the page was trashed")
}

fn first_link(path: &str, text: &str, page: &RemotePage<'_>, settings: &Settings) -> Plan {
    let opts = &settings.opts;
    let local = LocalFile::read(path, text, &[page.title]);
    let local_keys =
        normalize::block_keys(&translate::to_blocks(local.parts.body, opts), opts.dialect);
    let remote_doc = RemoteDoc::parse(page.markdown, opts);
    let remote_empty = remote_doc.blocks.iter().all(is_empty_paragraph);
    let local_empty = local_keys.is_empty();
    let same = local_keys
        == remote_doc
            .blocks
            .iter()
            .filter(|b| !is_empty_paragraph(b))
            .map(|b| normalize::block_key(b, opts.dialect))
            .collect::<Vec<_>>();
    if same {
        let mut plan = Plan::new(Action::Unchanged);
        plan.message = Some("the file and the page already hold the same content".into());
        plan.base_after = Some(PageBase {
            file_text: text.to_string(),
            remote_markdown: page.markdown.to_string(),
            title: page.title.to_string(),
            properties: page.properties.clone(),
        });
        return plan;
    }
    if remote_empty {
        let base = PageBase {
            file_text: String::new(),
            remote_markdown: page.markdown.to_string(),
            title: page.title.to_string(),
            properties: page.properties.clone(),
        };
        let input = Input {
            path,
            base: Some(&base),
            local: LocalSide::Present(text),
            remote: RemoteSide::Present(*page),
            clocks: Clocks::default(),
        };
        return both_present(&input, &base, text, page, settings);
    }
    if local_empty && local.fm.is_none() {
        let content = render_file(path, page, settings);
        let mut plan = Plan::new(Action::Pull);
        plan.history.push(HistoryEntry {
            side: SideName::Local,
            reason: HistoryReason::Overwritten,
            content: text.to_string(),
        });
        plan.base_after = Some(PageBase {
            file_text: content.clone(),
            remote_markdown: page.markdown.to_string(),
            title: page.title.to_string(),
            properties: page.properties.clone(),
        });
        plan.file = Some(file_write(content, Some(text)));
        return plan;
    }
    let mut plan = Plan::new(Action::Conflict);
    plan.message = Some(
        "both the file and the page already have content; nothing was overwritten — choose which to keep".into(),
    );
    plan.conflict = Some(Conflict {
        base: String::new(),
        local: text.to_string(),
        remote: render_file(path, page, settings),
        hunks: Vec::new(),
        message: "first link".into(),
    });
    plan
}

fn is_empty_paragraph(b: &Block) -> bool {
    matches!(&b.kind, BlockKind::Paragraph { text, .. } if text.is_empty()) && b.children.is_empty()
}

/// Urls of blocks only Notion can hold (child pages and databases, unknown and synced blocks).
fn notion_only(blocks: &[Block], out: &mut BTreeSet<String>) {
    for b in blocks {
        match &b.kind {
            BlockKind::ChildPage { url, .. }
            | BlockKind::ChildDatabase { url, .. }
            | BlockKind::Unknown { url, .. }
            | BlockKind::SyncedBlockReference { url } => {
                out.insert(url.clone());
            }
            BlockKind::SyncedBlock { url: Some(url) } => {
                out.insert(url.clone());
            }
            _ => {}
        }
        notion_only(&b.children, out);
    }
}

/// Three-way decision on one value.
fn three_way<T: PartialEq + Clone>(base: &T, local: &T, remote: &T, policy: Policy) -> (T, bool) {
    match (local != base, remote != base) {
        (false, _) => (remote.clone(), false),
        (true, false) => (local.clone(), false),
        (true, true) if local == remote => (local.clone(), false),
        (true, true) => match policy {
            Policy::Local => (local.clone(), true),
            Policy::Remote => (remote.clone(), true),
            Policy::Unresolved => (base.clone(), true),
        },
    }
}

fn both_present(
    input: &Input<'_>,
    base: &PageBase,
    text: &str,
    page: &RemotePage<'_>,
    settings: &Settings,
) -> Plan {
    let opts = &settings.opts;
    let local_changed = text != base.file_text;
    let remote_changed = remote_changed(base, page, opts);
    if !local_changed && !remote_changed {
        return Plan::new(Action::Unchanged);
    }
    let dir = settings.direction;
    if dir == Direction::ReplitToNotion && !local_changed {
        return Plan::skip("the page changed in Notion, but this mapping only syncs Repl → Notion");
    }
    if dir == Direction::NotionToReplit && !remote_changed {
        return Plan::skip("the file changed, but this mapping only syncs Notion → Repl");
    }
    let policy = match dir {
        Direction::ReplitToNotion => Policy::Local,
        Direction::NotionToReplit => Policy::Remote,
        Direction::Bidirectional => strategy::policy(settings.strategy, input.clocks),
    };
    let local = LocalFile::read(input.path, text, &[page.title, &base.title]);
    let base_local = LocalFile::read(input.path, &base.file_text, &[&base.title]);
    let nl = local.form.newline();

    let base_file = FileDoc::parse(base_local.parts.body, opts);
    let local_doc = FileDoc::parse(local.parts.body, opts);
    let base_remote = RemoteDoc::parse(&base.remote_markdown, opts);
    let remote_doc = RemoteDoc::parse(page.markdown, opts);
    let merged = merge::merge(
        &MergeInput {
            base_file: &base_file,
            local: &local_doc,
            base_remote: &base_remote,
            remote: &remote_doc,
            opts,
            nl,
        },
        policy,
    );

    // Title and properties: three-way per value.
    let (title, title_conflict) =
        three_way(&base.title, &local.title, &page.title.to_string(), policy);
    let local_props = local.properties(&settings.schema);
    let mut props = base.properties.clone();
    let mut prop_conflict = false;
    let names: BTreeSet<&String> = base
        .properties
        .keys()
        .chain(local_props.keys())
        .chain(page.properties.keys())
        .collect();
    for name in names {
        if settings.schema.get(name) == Some(&PropertyType::Title) {
            continue;
        }
        let b = base.properties.get(name).cloned();
        let l = local_props.get(name).cloned().or_else(|| b.clone());
        let r = page.properties.get(name).cloned();
        let (v, c) = three_way(&b, &l, &r, policy);
        prop_conflict |= c;
        match v {
            Some(v) => {
                props.insert(name.clone(), v);
            }
            None => {
                props.remove(name);
            }
        }
    }

    // Notion-only blocks a push would delete become a conflict (G10).
    let mut before = BTreeSet::new();
    notion_only(&remote_doc.blocks, &mut before);
    let mut after = BTreeSet::new();
    notion_only(&merged.blocks, &mut after);
    let would_delete: Vec<&String> = before.difference(&after).collect();
    let opaque_conflict = !would_delete.is_empty() && !settings.allow_deleting_notion_only;

    let unresolved = merged.unresolved
        || (policy == Policy::Unresolved && (title_conflict || prop_conflict))
        || opaque_conflict;
    if unresolved {
        let mut plan = Plan::new(Action::Conflict);
        let message = if opaque_conflict {
            format!(
                "the change would delete {} Notion-only block(s) (child pages, databases or embeds); nothing was written — restore them in the file or delete them in Notion",
                would_delete.len()
            )
        } else {
            "changed in both the Repl and Notion at the same place; nothing was written — choose which to keep".to_string()
        };
        plan.message = Some(message.clone());
        plan.conflict = Some(Conflict {
            base: base.file_text.clone(),
            local: text.to_string(),
            remote: render_file(input.path, page, settings),
            hunks: merged.conflicts,
            message,
        });
        return plan;
    }

    // The new file.
    let pull_title = title != local.title && dir != Direction::ReplitToNotion;
    let props_to_file: Properties = props
        .iter()
        .filter(|(k, v)| local_props.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut new_text = text.to_string();
    if dir != Direction::ReplitToNotion
        && (merged.file_changed || pull_title || !props_to_file.is_empty())
    {
        new_text = assemble(
            &local,
            &merged.body,
            pull_title.then_some(&title),
            &props_to_file,
            settings,
            input.path,
        );
    }
    let file_changes = new_text != text;

    // The new page.
    let desired = notion_markdown::render(&merged.blocks, opts.dialect);
    let edit = if dir != Direction::NotionToReplit && merged.remote_changed {
        minimal_edits(page.markdown, &desired, &settings.limits)
    } else {
        None
    };
    let push_title =
        (title != page.title && dir != Direction::NotionToReplit).then(|| title.clone());
    let push_props: Properties = if dir == Direction::NotionToReplit {
        Properties::new()
    } else {
        props
            .iter()
            .filter(|(k, v)| page.properties.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    };
    let remote_writes = edit.is_some() || push_title.is_some() || !push_props.is_empty();

    let mut plan = Plan::new(match (file_changes, remote_writes) {
        (false, false) => Action::Unchanged,
        (true, false) => Action::Pull,
        (false, true) => Action::Push,
        (true, true) => Action::Merge,
    });
    plan.decided_conflicts = merged.conflicts;
    let decided = !plan.decided_conflicts.is_empty() || title_conflict || prop_conflict;
    if file_changes {
        plan.history.push(replaced(
            SideName::Local,
            decided && policy == Policy::Remote,
            text,
        ));
        plan.file = Some(file_write(new_text.clone(), Some(text)));
    }
    if remote_writes {
        plan.history.push(replaced(
            SideName::Remote,
            decided && policy == Policy::Local,
            page.markdown,
        ));
        plan.remote = Some(RemoteOp::Update {
            edit,
            title: push_title,
            properties: push_props,
        });
    }
    let remote_after = if plan.remote.is_some() {
        desired.clone()
    } else {
        page.markdown.to_string()
    };
    plan.expected_markdown = Some(normalize::canonical_markdown(&remote_after, opts.dialect));
    plan.base_after = Some(PageBase {
        file_text: new_text,
        remote_markdown: remote_after,
        title,
        properties: if dir == Direction::NotionToReplit {
            page.properties.clone()
        } else {
            props
        },
    });
    plan
}

/// The file with a merged body, and pulled title and properties, keeping everything else.
fn assemble(
    local: &LocalFile<'_>,
    body: &str,
    title: Option<&String>,
    props: &Properties,
    settings: &Settings,
    path: &str,
) -> String {
    let nl = local.form.newline();
    let mut out = String::new();
    if local.parts.bom {
        out.push('\u{feff}');
    }
    let mut fm = local.fm.clone();
    if !props.is_empty() {
        let f = fm.get_or_insert_with(|| FrontMatter::empty(nl));
        frontmatter::apply_properties(f, props, &settings.schema);
    }
    let title_in_fm = local.fm.as_ref().and_then(FrontMatter::title).is_some();
    if let (Some(t), true) = (title, title_in_fm) {
        if let Some(f) = fm.as_mut() {
            f.set("title", &frontmatter::Value::String(t.clone()));
        }
    }
    if let Some(f) = &fm {
        out.push_str(&f.render());
    }
    let before = out.len();
    match (title, local.parts.title_line) {
        (Some(t), Some(line)) if !title_in_fm => {
            // Replace the H1 text, keep the blank lines after it.
            let rest = &line[line.find('\n').map_or(line.len(), |i| i + 1)..];
            out.push_str(&format!("# {t}{nl}"));
            out.push_str(rest);
        }
        (Some(t), None)
            if !title_in_fm && crate::names::stem_for_title(t) != title::file_stem(path) =>
        {
            out.push_str(&format!("# {t}{nl}"));
            if !body.trim().is_empty() {
                out.push_str(nl);
            }
        }
        (_, Some(line)) => out.push_str(line),
        _ => {}
    }
    if out.len() == before && !title_in_fm && starts_with_h1(body) {
        // A body that starts with an H1 would lose it to the title on the next read: the title
        // goes first, explicitly.
        let t = title.unwrap_or(&local.title);
        out.push_str(&format!("# {t}{nl}{nl}"));
    }
    out.push_str(body);
    out
}

#[cfg(test)]
mod tests;

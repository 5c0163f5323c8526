//! The blocks API over the stored page bodies: finding a block by id, showing stored blocks as
//! Notion block objects, and the tree edits (append, update, trash, restore).
//!
//! Page bodies stay the single store of content (the Markdown endpoints read and write the same
//! trees). Table rows, which the Markdown model keeps inside their table, are shown as
//! `table_row` children with ids kept in [`BlockExtra::table_rows`] (or derived from the table
//! id and the row's position for tables written as Markdown).

use notion::{
    BlockContent, CalloutBlock, CodeBlock, ColorBlock, ColumnBlock, EmptyBlock, EquationBlock,
    ExternalFile, FileObject, HeadingBlock, Icon, MediaBlock, NumberedListItemBlock, Parent,
    PartialUser, SyncedBlockBlock, TableBlock, TableRowBlock, TextBlock, Timestamp, TitleBlock,
    ToDoBlock,
};
use notion_markdown::{BlockKind, Color, MediaKind, RichText};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::content::{Stamp, StoredBlock};
use crate::convert;
use crate::ids;
use crate::objects::{BlockExtra, TrashedBlock};
use crate::state::{PageParentRef, PageRecord, Store};
use crate::time::Clock;
use crate::version::ApiVersion;

/// Where a stored block sits: its page and the index path through the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub page: Uuid,
    pub path: Vec<usize>,
}

/// What an id names, for the blocks API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Page(Uuid),
    Database(Uuid),
    Block(Loc),
    /// A table row (`index` within the table at `table`).
    Row {
        table: Loc,
        index: usize,
    },
    /// In the blocks API's trash: the trashed subtree's root and the path within it.
    Trashed {
        root: Uuid,
        path: Vec<usize>,
    },
}

/// Finds what `id` names. Linear in the size of the workspace, which is small in tests.
pub fn find(store: &Store, id: Uuid) -> Option<Found> {
    if store.pages.contains_key(&id) {
        return Some(Found::Page(id));
    }
    if store.objects.databases.contains_key(&id) {
        return Some(Found::Database(id));
    }
    for page in store.pages.values() {
        let mut path = Vec::new();
        if let Some(found) = search(store, page.id, &page.blocks, id, &mut path) {
            return Some(found);
        }
    }
    for (root, trashed) in &store.objects.block_trash {
        if *root == id {
            return Some(Found::Trashed {
                root: *root,
                path: Vec::new(),
            });
        }
        let mut path = Vec::new();
        if let Some(Found::Block(loc)) =
            search(store, trashed.page, &trashed.block.children, id, &mut path)
        {
            return Some(Found::Trashed {
                root: *root,
                path: loc.path,
            });
        }
    }
    None
}

fn search(
    store: &Store,
    page: Uuid,
    blocks: &[StoredBlock],
    id: Uuid,
    path: &mut Vec<usize>,
) -> Option<Found> {
    for (i, b) in blocks.iter().enumerate() {
        path.push(i);
        if matches!(
            b.kind,
            BlockKind::ChildPage { .. } | BlockKind::ChildDatabase { .. }
        ) {
            path.pop();
            continue;
        }
        if b.id == id {
            return Some(Found::Block(Loc {
                page,
                path: path.clone(),
            }));
        }
        if let BlockKind::Table { .. } = b.kind {
            if let Some(index) = row_ids(store, b).iter().position(|r| *r == id) {
                return Some(Found::Row {
                    table: Loc {
                        page,
                        path: path.clone(),
                    },
                    index,
                });
            }
        }
        if let Some(found) = search(store, page, &b.children, id, path) {
            return Some(found);
        }
        path.pop();
    }
    None
}

pub fn get<'s>(store: &'s Store, loc: &Loc) -> Option<&'s StoredBlock> {
    let mut blocks = &store.pages.get(&loc.page)?.blocks;
    let (last, rest) = loc.path.split_last()?;
    for i in rest {
        blocks = &blocks.get(*i)?.children;
    }
    blocks.get(*last)
}

pub fn get_mut<'s>(store: &'s mut Store, loc: &Loc) -> Option<&'s mut StoredBlock> {
    let mut blocks = &mut store.pages.get_mut(&loc.page)?.blocks;
    let (last, rest) = loc.path.split_last()?;
    for i in rest {
        blocks = &mut blocks.get_mut(*i)?.children;
    }
    blocks.get_mut(*last)
}

/// The children list of a container: the page body for an empty path.
pub fn children_mut<'s>(
    store: &'s mut Store,
    page: Uuid,
    path: &[usize],
) -> Option<&'s mut Vec<StoredBlock>> {
    let mut blocks = &mut store.pages.get_mut(&page)?.blocks;
    for i in path {
        blocks = &mut blocks.get_mut(*i)?.children;
    }
    Some(blocks)
}

/// The id of the block holding `loc` (`None` at the top of the page body).
pub fn parent_block(store: &Store, loc: &Loc) -> Option<Uuid> {
    let (_, parent_path) = loc.path.split_last()?;
    if parent_path.is_empty() {
        return None;
    }
    get(
        store,
        &Loc {
            page: loc.page,
            path: parent_path.to_vec(),
        },
    )
    .map(|b| b.id)
}

/// A derived, stable id for row `index` of a table that has none recorded.
fn derived_row_id(table: Uuid, index: usize) -> Uuid {
    let mut h = Sha256::new();
    h.update(table.as_bytes());
    h.update((index as u64).to_be_bytes());
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

/// The row ids of a table block, in row order.
pub fn row_ids(store: &Store, table: &StoredBlock) -> Vec<Uuid> {
    let BlockKind::Table { rows, .. } = &table.kind else {
        return Vec::new();
    };
    let recorded = store
        .objects
        .block_extras
        .get(&table.id)
        .map(|e| e.table_rows.as_slice())
        .unwrap_or(&[]);
    (0..rows.len())
        .map(|i| {
            recorded
                .get(i)
                .copied()
                .unwrap_or_else(|| derived_row_id(table.id, i))
        })
        .collect()
}

/// The page holding the original synced block `id` (for references to it).
pub fn page_of_synced_original(store: &Store, id: Uuid) -> Option<Uuid> {
    match find(store, id)? {
        Found::Block(loc) => match get(store, &loc)?.kind {
            BlockKind::SyncedBlock { .. } => Some(loc.page),
            _ => None,
        },
        _ => None,
    }
}

/// Shows stored blocks as Notion block objects.
pub struct View<'a> {
    pub store: &'a Store,
    pub clock: &'a Clock,
    pub version: ApiVersion,
}

fn api_color(c: Color) -> String {
    c.api_name()
}

fn text_block(text: &RichText, color: Color) -> TextBlock {
    TextBlock {
        rich_text: convert::rich_text_to_api(text),
        icon: None,
        color: api_color(color),
    }
}

fn external(url: &str) -> FileObject {
    FileObject::External(ExternalFile {
        url: url.to_string(),
    })
}

/// A callout icon as stored (emoji or image URL) → the API icon.
fn icon_of(icon: &str) -> Icon {
    if icon.starts_with("http://") || icon.starts_with("https://") {
        Icon::External(ExternalFile {
            url: icon.to_string(),
        })
    } else {
        Icon::Emoji(icon.to_string())
    }
}

impl View<'_> {
    fn ts(&self, t: OffsetDateTime) -> Option<Timestamp> {
        Some(Timestamp::new(self.clock.floor(t)))
    }

    fn user(id: Uuid) -> Option<PartialUser> {
        Some(PartialUser::new(ids::dashed(id)))
    }

    /// The type payload of a stored block.
    pub fn content(&self, b: &StoredBlock) -> BlockContent {
        let extra = self.store.objects.block_extras.get(&b.id);
        match &b.kind {
            BlockKind::Paragraph { text, color } => {
                BlockContent::Paragraph(text_block(text, *color).as_paragraph())
            }
            BlockKind::Heading {
                level,
                text,
                color,
                toggleable,
            } => {
                let h = HeadingBlock {
                    rich_text: convert::rich_text_to_api(text),
                    color: api_color(*color),
                    is_toggleable: *toggleable,
                };
                match level {
                    1 => BlockContent::Heading1(h),
                    2 => BlockContent::Heading2(h),
                    3 => BlockContent::Heading3(h),
                    _ => BlockContent::Heading4(h),
                }
            }
            BlockKind::BulletedListItem { text, color } => {
                BlockContent::BulletedListItem(text_block(text, *color))
            }
            BlockKind::NumberedListItem { text, color } => {
                BlockContent::NumberedListItem(NumberedListItemBlock {
                    rich_text: convert::rich_text_to_api(text),
                    color: api_color(*color),
                    list_start_index: None,
                    list_format: None,
                })
            }
            BlockKind::ToDo {
                text,
                checked,
                color,
            } => BlockContent::ToDo(ToDoBlock {
                rich_text: convert::rich_text_to_api(text),
                color: api_color(*color),
                checked: *checked,
            }),
            BlockKind::Quote { text, color } => BlockContent::Quote(text_block(text, *color)),
            BlockKind::Toggle { text, color } => BlockContent::Toggle(text_block(text, *color)),
            BlockKind::Callout { text, icon, color } => BlockContent::Callout(CalloutBlock {
                rich_text: convert::rich_text_to_api(text),
                color: api_color(*color),
                icon: icon.as_deref().map(icon_of),
            }),
            BlockKind::Code { language, text } => BlockContent::Code(CodeBlock {
                rich_text: if text.is_empty() {
                    Vec::new()
                } else {
                    notion::split_runs(text)
                },
                caption: extra.map(|e| e.caption.clone()).unwrap_or_default(),
                language: language.clone(),
            }),
            BlockKind::Equation { expression } => BlockContent::Equation(EquationBlock {
                expression: expression.clone(),
            }),
            BlockKind::Divider => BlockContent::Divider(EmptyBlock {}),
            BlockKind::Table {
                has_column_header,
                has_row_header,
                columns,
                rows,
                ..
            } => BlockContent::Table(TableBlock {
                table_width: rows
                    .iter()
                    .map(|r| r.cells.len())
                    .max()
                    .unwrap_or(columns.len())
                    .max(1) as u32,
                has_column_header: *has_column_header,
                has_row_header: *has_row_header,
            }),
            BlockKind::Image { url, caption, .. } => BlockContent::Image(MediaBlock {
                caption: convert::rich_text_to_api(caption),
                file: external(url),
                name: None,
            }),
            BlockKind::Media {
                kind, url, caption, ..
            } => {
                let m = MediaBlock {
                    caption: convert::rich_text_to_api(caption),
                    file: external(url),
                    name: extra.and_then(|e| e.file_name.clone()),
                };
                match kind {
                    MediaKind::Audio => BlockContent::Audio(m),
                    MediaKind::Video => BlockContent::Video(m),
                    MediaKind::File => BlockContent::File(m),
                    MediaKind::Pdf => BlockContent::Pdf(m),
                }
            }
            BlockKind::ChildPage { title, .. } => BlockContent::ChildPage(TitleBlock {
                title: self
                    .store
                    .pages
                    .get(&b.id)
                    .map(PageRecord::title_text)
                    .unwrap_or_else(|| title.clone()),
            }),
            BlockKind::ChildDatabase { title, .. } => BlockContent::ChildDatabase(TitleBlock {
                title: self
                    .store
                    .objects
                    .databases
                    .get(&b.id)
                    .map(|d| d.title_text())
                    .unwrap_or_else(|| title.clone()),
            }),
            BlockKind::TableOfContents { color } => BlockContent::TableOfContents(ColorBlock {
                color: api_color(*color),
            }),
            BlockKind::ColumnList => BlockContent::ColumnList(EmptyBlock {}),
            BlockKind::Column { ratio } => BlockContent::Column(ColumnBlock {
                width_ratio: ratio.as_deref().and_then(|r| r.parse().ok()),
            }),
            BlockKind::SyncedBlock { .. } => {
                BlockContent::SyncedBlock(SyncedBlockBlock { synced_from: None })
            }
            BlockKind::SyncedBlockReference { url } => {
                BlockContent::SyncedBlock(SyncedBlockBlock {
                    synced_from: ids::from_url(url).map(|id| Parent::BlockId(ids::dashed(id))),
                })
            }
            BlockKind::Unknown { alt, .. } => match extra.and_then(|e| e.api.as_ref()) {
                Some((type_name, payload)) => {
                    let type_name = match type_name.as_str() {
                        "meeting_notes" | "transcription" => {
                            self.version.meeting_notes_type().to_string()
                        }
                        other => other.to_string(),
                    };
                    BlockContent::from_parts(type_name, payload.clone())
                }
                None => BlockContent::Unsupported(serde_json::json!({
                    "block_type": alt.clone().unwrap_or_else(|| "unsupported".into())
                })),
            },
        }
    }

    fn has_children(&self, b: &StoredBlock) -> bool {
        match &b.kind {
            BlockKind::Table { rows, .. } => !rows.is_empty(),
            BlockKind::ChildPage { .. } => self
                .store
                .pages
                .get(&b.id)
                .is_some_and(|p| !p.blocks.is_empty()),
            BlockKind::ChildDatabase { .. } | BlockKind::Unknown { .. } => false,
            _ => !b.children.is_empty(),
        }
    }

    /// A stored block as a block object.
    pub fn block(&self, b: &StoredBlock, parent: Parent, in_trash: bool) -> notion::Block {
        notion::Block {
            object: "block".into(),
            id: ids::dashed(b.id),
            parent: Some(parent),
            created_time: self.ts(b.created_time),
            last_edited_time: self.ts(b.last_edited_time),
            created_by: Self::user(b.created_by),
            last_edited_by: Self::user(b.last_edited_by),
            has_children: self.has_children(b),
            in_trash,
            archived: self.version.has_archived_key().then_some(in_trash),
            content: self.content(b),
            request_id: None,
        }
    }

    /// The parent of a block at `loc`, as block objects name it.
    pub fn parent_of(&self, loc: &Loc) -> Parent {
        match parent_block(self.store, loc) {
            Some(id) => Parent::BlockId(ids::dashed(id)),
            None => Parent::PageId(ids::dashed(loc.page)),
        }
    }

    /// Row `index` of `table` as a `table_row` block.
    pub fn row(&self, table: &StoredBlock, index: usize) -> Option<notion::Block> {
        let BlockKind::Table { rows, .. } = &table.kind else {
            return None;
        };
        let row = rows.get(index)?;
        let id = *row_ids(self.store, table).get(index)?;
        Some(notion::Block {
            object: "block".into(),
            id: ids::dashed(id),
            parent: Some(Parent::BlockId(ids::dashed(table.id))),
            created_time: self.ts(table.created_time),
            last_edited_time: self.ts(table.last_edited_time),
            created_by: Self::user(table.created_by),
            last_edited_by: Self::user(table.last_edited_by),
            has_children: false,
            in_trash: false,
            archived: self.version.has_archived_key().then_some(false),
            content: BlockContent::TableRow(TableRowBlock {
                cells: row.cells.iter().map(convert::rich_text_to_api).collect(),
            }),
            request_id: None,
        })
    }

    /// How a page's or database's parent reads in a block object.
    fn container_parent(&self, parent: PageParentRef) -> Parent {
        match parent {
            PageParentRef::Workspace => Parent::Workspace,
            PageParentRef::Page(id) => Parent::PageId(ids::dashed(id)),
            PageParentRef::DataSource(ds) => {
                let database = self.store.objects.data_sources.get(&ds).map(|d| d.database);
                if self.version.has_data_sources() {
                    Parent::DataSourceId {
                        data_source_id: ids::dashed(ds),
                        database_id: database.map(ids::dashed),
                    }
                } else {
                    Parent::DatabaseId(ids::dashed(database.unwrap_or(ds)))
                }
            }
        }
    }

    /// A page as the `child_page` block the blocks API shows for a page id.
    pub fn page_block(&self, page: &PageRecord) -> notion::Block {
        notion::Block {
            object: "block".into(),
            id: ids::dashed(page.id),
            parent: Some(self.container_parent(page.parent)),
            created_time: self.ts(page.created_time),
            last_edited_time: self.ts(page.last_edited_time),
            created_by: Self::user(page.created_by),
            last_edited_by: Self::user(page.last_edited_by),
            has_children: !page.blocks.is_empty(),
            in_trash: page.in_trash,
            archived: self.version.has_archived_key().then_some(page.in_trash),
            content: BlockContent::ChildPage(TitleBlock {
                title: page.title_text(),
            }),
            request_id: None,
        }
    }

    /// A database as the `child_database` block the blocks API shows for a database id.
    pub fn database_block(&self, db: &crate::objects::DatabaseRecord) -> notion::Block {
        notion::Block {
            object: "block".into(),
            id: ids::dashed(db.id),
            parent: Some(self.container_parent(db.parent)),
            created_time: self.ts(db.created_time),
            last_edited_time: self.ts(db.last_edited_time),
            created_by: Self::user(db.created_by),
            last_edited_by: Self::user(db.last_edited_by),
            has_children: false,
            in_trash: db.in_trash,
            archived: self.version.has_archived_key().then_some(db.in_trash),
            content: BlockContent::ChildDatabase(TitleBlock {
                title: db.title_text(),
            }),
            request_id: None,
        }
    }

    /// Whatever `found` names, as a block object.
    pub fn found(&self, found: &Found) -> Option<notion::Block> {
        match found {
            Found::Page(id) => self.store.pages.get(id).map(|p| self.page_block(p)),
            Found::Database(id) => self
                .store
                .objects
                .databases
                .get(id)
                .map(|d| self.database_block(d)),
            Found::Block(loc) => {
                let b = get(self.store, loc)?;
                Some(self.block(b, self.parent_of(loc), false))
            }
            Found::Row { table, index } => self.row(get(self.store, table)?, *index),
            Found::Trashed { root, path } => {
                let trashed = self.store.objects.block_trash.get(root)?;
                let mut b = &trashed.block;
                let mut parent = match trashed.parent_block {
                    Some(id) => Parent::BlockId(ids::dashed(id)),
                    None => Parent::PageId(ids::dashed(trashed.page)),
                };
                for i in path {
                    parent = Parent::BlockId(ids::dashed(b.id));
                    b = b.children.get(*i)?;
                }
                Some(self.block(b, parent, true))
            }
        }
    }

    /// The direct children of what `found` names, as block objects.
    pub fn children(&self, found: &Found) -> Vec<notion::Block> {
        match found {
            Found::Page(id) => match self.store.pages.get(id) {
                Some(page) => {
                    let visible = crate::content::visible_tree(self.store, &page.blocks);
                    visible
                        .iter()
                        .map(|b| self.block(b, Parent::PageId(ids::dashed(*id)), false))
                        .collect()
                }
                None => Vec::new(),
            },
            Found::Block(loc) => {
                let Some(b) = get(self.store, loc) else {
                    return Vec::new();
                };
                if let BlockKind::Table { rows, .. } = &b.kind {
                    return (0..rows.len()).filter_map(|i| self.row(b, i)).collect();
                }
                let visible = crate::content::visible_tree(self.store, &b.children);
                visible
                    .iter()
                    .map(|c| self.block(c, Parent::BlockId(ids::dashed(b.id)), false))
                    .collect()
            }
            Found::Trashed { root, path } => {
                let Some(trashed) = self.store.objects.block_trash.get(root) else {
                    return Vec::new();
                };
                let mut b = &trashed.block;
                for i in path {
                    match b.children.get(*i) {
                        Some(c) => b = c,
                        None => return Vec::new(),
                    }
                }
                b.children
                    .iter()
                    .map(|c| self.block(c, Parent::BlockId(ids::dashed(b.id)), true))
                    .collect()
            }
            Found::Database(_) | Found::Row { .. } => Vec::new(),
        }
    }
}

/// Whether the blocks API lets `kind` hold children (appending to others is refused).
pub fn accepts_children(kind: &BlockKind) -> bool {
    match kind {
        BlockKind::Paragraph { .. }
        | BlockKind::BulletedListItem { .. }
        | BlockKind::NumberedListItem { .. }
        | BlockKind::ToDo { .. }
        | BlockKind::Quote { .. }
        | BlockKind::Toggle { .. }
        | BlockKind::Callout { .. }
        | BlockKind::Column { .. }
        | BlockKind::ColumnList
        | BlockKind::SyncedBlock { .. }
        | BlockKind::Table { .. } => true,
        BlockKind::Heading { toggleable, .. } => *toggleable,
        _ => false,
    }
}

/// Moves the block at `loc` (and its subtree) to the blocks API's trash.
pub fn trash(store: &mut Store, loc: &Loc, stamp: Stamp) -> Option<()> {
    let parent_block = parent_block(store, loc);
    let (index, parent_path) = loc.path.split_last()?;
    let siblings = children_mut(store, loc.page, parent_path)?;
    if *index >= siblings.len() {
        return None;
    }
    let block = siblings.remove(*index);
    store.objects.block_trash.insert(
        block.id,
        TrashedBlock {
            block,
            page: loc.page,
            parent_block,
            index: *index,
            trashed_at: stamp.now,
            trashed_by: stamp.actor,
        },
    );
    touch_page(store, loc.page, stamp);
    Some(())
}

/// Puts a trashed block back where it was (or at the end of its page if its parent is gone).
/// `None` if the block is not in the trash, or its page is gone.
pub fn restore(store: &mut Store, id: Uuid, stamp: Stamp) -> Option<Loc> {
    let trashed = store.objects.block_trash.get(&id)?.clone();
    if !store.pages.contains_key(&trashed.page) {
        return None;
    }
    let parent_path = match trashed.parent_block {
        Some(pid) => match find(store, pid) {
            Some(Found::Block(loc)) if loc.page == trashed.page => loc.path,
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    store.objects.block_trash.remove(&id);
    let siblings = children_mut(store, trashed.page, &parent_path)?;
    let index = trashed.index.min(siblings.len());
    siblings.insert(index, trashed.block);
    touch_page(store, trashed.page, stamp);
    let mut path = parent_path;
    path.push(index);
    Some(Loc {
        page: trashed.page,
        path,
    })
}

/// Marks a page edited.
pub fn touch_page(store: &mut Store, page: Uuid, stamp: Stamp) {
    if let Some(p) = store.pages.get_mut(&page) {
        p.last_edited_time = stamp.now;
        p.last_edited_by = stamp.actor;
    }
}

/// The API payload of a block as JSON (the base a partial update merges into).
pub fn payload_json(view: &View<'_>, b: &StoredBlock) -> Value {
    view.content(b).payload_value().unwrap_or(Value::Null)
}

/// Timestamps for a block edited in place.
pub fn stamp_edit(b: &mut StoredBlock, stamp: Stamp) {
    b.last_edited_time = stamp.now;
    b.last_edited_by = stamp.actor;
}

/// Records extras of new blocks.
pub fn record_extras(store: &mut Store, extras: Vec<(Uuid, BlockExtra)>) {
    for (id, extra) in extras {
        store.objects.block_extras.insert(id, extra);
    }
}

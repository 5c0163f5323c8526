//! Writing a page body from Markdown (create with markdown, replace_content, update_content).
//!
//! Besides keeping block ids ([`crate::content::reconcile`]), a body write has Notion's
//! child-page semantics: a `<page url>` tag naming an existing page keeps it (or moves it under
//! this page), a `<page>` tag without a URL creates a sub-page, and leaving a child page's tag
//! out deletes that child, which is refused unless `allow_deleting_content` is set.

use std::collections::HashSet;

use notion::RichTextItem;
use notion_markdown::{Block, BlockKind, Color};
use uuid::Uuid;

use crate::content::{self, Stamp, StoredBlock};
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::state::{BotRecord, PageParentRef, PageRecord, Store};

/// Where a new child page's block goes in its parent's body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    End,
    Start,
    AfterBlock(Uuid),
}

/// Puts the new page's `child_page` block into its parent's body.
pub fn attach_child_page(
    store: &mut Store,
    parent_id: Uuid,
    child: Uuid,
    position: &Position,
    stamp: Stamp,
) {
    let title = store
        .pages
        .get(&child)
        .map(PageRecord::title_text)
        .unwrap_or_default();
    let Some(parent) = store.pages.get_mut(&parent_id) else {
        return;
    };
    let block = StoredBlock {
        id: child,
        kind: BlockKind::ChildPage {
            url: ids::markdown_page_url(child),
            title,
            color: Color::Default,
        },
        children: Vec::new(),
        created_time: stamp.now,
        last_edited_time: stamp.now,
        created_by: stamp.actor,
        last_edited_by: stamp.actor,
    };
    let at = match position {
        Position::End => parent.blocks.len(),
        Position::Start => 0,
        Position::AfterBlock(after) => parent
            .blocks
            .iter()
            .position(|b| b.id == *after)
            .map_or(parent.blocks.len(), |i| i + 1),
    };
    parent.blocks.insert(at, block);
    parent.last_edited_time = stamp.now;
    parent.last_edited_by = stamp.actor;
}

/// What a write does to child pages, worked out before anything changes.
#[derive(Default)]
struct ChildPlan {
    /// Every child page named in the new body.
    named: HashSet<Uuid>,
    /// Existing pages moved under this page.
    moves: Vec<Uuid>,
    /// New sub-pages to create: (id, title).
    creates: Vec<(Uuid, String)>,
}

/// Replaces the body of `page_id` with `new`, keeping ids of untouched blocks.
///
/// Validation happens before any mutation, so an `Err` leaves the store unchanged.
pub fn write_body(
    store: &mut Store,
    page_id: Uuid,
    bot: &BotRecord,
    mut new: Vec<Block>,
    allow_deleting_content: bool,
    stamp: Stamp,
) -> ApiResult<()> {
    let Some(page) = store.pages.get(&page_id) else {
        return Err(ApiError::validation("Page does not exist."));
    };
    if store.is_trashed_deep(page_id) {
        return Err(ApiError::validation(
            "Can't edit block that is archived. You must unarchive the block before editing.",
        ));
    }
    let old_visible = content::visible_tree(store, &page.blocks);
    let old_view = content::to_blocks(&old_visible);

    let mut plan = ChildPlan::default();
    resolve_child_pages(store, bot, page_id, &mut new, &mut plan)?;

    let mut old_children = Vec::new();
    content::child_page_ids(&old_visible, &mut old_children);
    let deleted: Vec<Uuid> = old_children
        .into_iter()
        .filter(|id| !plan.named.contains(id))
        .collect();
    let deleted_databases = removed_databases(&old_view, &new);
    if !allow_deleting_content && (!deleted.is_empty() || !deleted_databases.is_empty()) {
        let mut names: Vec<String> = deleted
            .iter()
            .filter_map(|id| store.pages.get(id))
            .map(|p| format!("page \"{}\" ({})", p.title_text(), ids::dashed(p.id)))
            .collect();
        names.extend(
            deleted_databases
                .iter()
                .map(|t| format!("database \"{t}\"")),
        );
        return Err(ApiError::validation(format!(
            "This update would delete {}: {}. Set allow_deleting_content to true to delete them.",
            if names.len() == 1 {
                "a child page or database"
            } else {
                "child pages or databases"
            },
            names.join(", ")
        )));
    }

    let new_stored = content::reconcile(&old_visible, new, stamp);
    let changed = content::to_blocks(&new_stored) != old_view
        || !plan.moves.is_empty()
        || !plan.creates.is_empty()
        || !deleted.is_empty();
    let updated_blocks = crate::events::changed_blocks(&old_visible, &new_stored);

    for id in &plan.moves {
        move_under(store, *id, page_id, stamp);
    }
    for (id, title) in &plan.creates {
        let seq = store.next_seq();
        store.pages.insert(
            *id,
            new_page_record(*id, PageParentRef::Page(page_id), title, stamp, seq),
        );
    }
    for id in &deleted {
        if let Some(child) = store.pages.get_mut(id) {
            child.in_trash = true;
            child.last_edited_time = stamp.now;
            child.last_edited_by = stamp.actor;
        }
    }
    let mut created_now = false;
    if let Some(page) = store.pages.get_mut(&page_id) {
        page.blocks = new_stored;
        if changed {
            page.last_edited_time = stamp.now;
            page.last_edited_by = stamp.actor;
        }
        created_now = page.created_time == stamp.now;
    }
    record_body_events(
        store,
        page_id,
        &plan,
        &deleted,
        changed && !created_now,
        updated_blocks,
        stamp,
    );
    Ok(())
}

/// Webhook events of a body write: sub-pages created, moved in or deleted, and the page's own
/// content change (not for a page created by this same write: that is `page.created`).
fn record_body_events(
    store: &mut Store,
    page_id: Uuid,
    plan: &ChildPlan,
    deleted: &[Uuid],
    content_changed: bool,
    updated_blocks: Vec<Uuid>,
    stamp: Stamp,
) {
    use crate::events::kinds;
    for (id, _) in &plan.creates {
        store.record_page_event(kinds::PAGE_CREATED, *id, stamp);
    }
    for id in &plan.moves {
        store.record_page_event(kinds::PAGE_MOVED, *id, stamp);
    }
    for id in deleted {
        store.record_page_event(kinds::PAGE_DELETED, *id, stamp);
    }
    if content_changed {
        store.record_page_change(kinds::PAGE_CONTENT_UPDATED, page_id, stamp, updated_blocks);
    }
}

/// A fresh page record with an empty body.
pub fn new_page_record(
    id: Uuid,
    parent: PageParentRef,
    title: &str,
    stamp: Stamp,
    seq: u64,
) -> PageRecord {
    PageRecord {
        id,
        parent,
        title: if title.is_empty() {
            Vec::new()
        } else {
            vec![RichTextItem::text(title)]
        },
        icon: None,
        cover: None,
        created_time: stamp.now,
        last_edited_time: stamp.now,
        created_by: stamp.actor,
        last_edited_by: stamp.actor,
        in_trash: false,
        is_archived: false,
        is_locked: false,
        blocks: Vec::new(),
        seq,
        properties: Default::default(),
    }
}

/// Re-parents `child` under `new_parent`, taking its block out of the old parent's body.
fn move_under(store: &mut Store, child: Uuid, new_parent: Uuid, stamp: Stamp) {
    let old_parent = store.pages.get(&child).map(|p| p.parent);
    if let Some(PageParentRef::Page(old)) = old_parent {
        if let Some(old_page) = store.pages.get_mut(&old) {
            if content::remove_child_page_block(&mut old_page.blocks, child) {
                old_page.last_edited_time = stamp.now;
                old_page.last_edited_by = stamp.actor;
            }
        }
    }
    if let Some(page) = store.pages.get_mut(&child) {
        page.parent = PageParentRef::Page(new_parent);
        page.last_edited_time = stamp.now;
        page.last_edited_by = stamp.actor;
    }
}

/// Gives every `<page>` tag in `blocks` its page: canonical URL and the page's current title
/// (a title typed into the tag does not rename the page).
fn resolve_child_pages(
    store: &Store,
    bot: &BotRecord,
    page_id: Uuid,
    blocks: &mut [Block],
    plan: &mut ChildPlan,
) -> ApiResult<()> {
    for block in blocks.iter_mut() {
        if let BlockKind::ChildPage { url, title, .. } = &mut block.kind {
            if url.trim().is_empty() {
                let id = ids::new_id();
                plan.named.insert(id);
                plan.creates.push((id, title.clone()));
                *url = ids::markdown_page_url(id);
            } else {
                let id = ids::from_url(url).ok_or_else(|| {
                    ApiError::validation(format!("Invalid page URL in <page> tag: {url}"))
                })?;
                let child = store
                    .pages
                    .get(&id)
                    .filter(|p| !p.in_trash && store.can_see(bot, id))
                    .ok_or_else(|| {
                        ApiError::validation(format!(
                            "Could not find page with ID: {} named in a <page> tag.",
                            ids::dashed(id)
                        ))
                    })?;
                if store.is_ancestor_or_self(id, page_id) {
                    return Err(ApiError::validation(
                        "A page cannot contain itself or one of its ancestors.",
                    ));
                }
                if !plan.named.insert(id) {
                    return Err(ApiError::validation(format!(
                        "Page {} appears more than once in the content.",
                        ids::dashed(id)
                    )));
                }
                if child.parent != PageParentRef::Page(page_id) {
                    plan.moves.push(id);
                }
                *url = ids::markdown_page_url(id);
                *title = child.title_text();
            }
        }
        resolve_child_pages(store, bot, page_id, &mut block.children, plan)?;
    }
    Ok(())
}

/// Titles of `<database>` blocks present before and missing after.
fn removed_databases(old: &[Block], new: &[Block]) -> Vec<String> {
    fn collect(blocks: &[Block], out: &mut Vec<(String, String)>) {
        for b in blocks {
            if let BlockKind::ChildDatabase { url, title, .. } = &b.kind {
                out.push((url.clone(), title.clone()));
            }
            collect(&b.children, out);
        }
    }
    let (mut before, mut after) = (Vec::new(), Vec::new());
    collect(old, &mut before);
    collect(new, &mut after);
    let kept: HashSet<&str> = after.iter().map(|(u, _)| u.as_str()).collect();
    before
        .into_iter()
        .filter(|(u, _)| !kept.contains(u.as_str()))
        .map(|(_, t)| t)
        .collect()
}

//! Change events: every mutation of the workspace records one, and the webhook emitter turns
//! them into Notion's webhook deliveries (reference/notion-api.md §15).
//!
//! Mutations run with the store locked, so recording is a push onto the store's outbox
//! (`Store::record_event`, or `Store::record_page_event` for page events, which fills in
//! the parent). After each request the outbox is drained into the emulator's event log and the
//! webhook queue ([`crate::webhooks`]).

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::content::{Stamp, StoredBlock};
use crate::ids;
use crate::state::{PageParentRef, Store};

/// Webhook event types the emulator emits (Notion's spelling).
pub mod kinds {
    pub const PAGE_CREATED: &str = "page.created";
    pub const PAGE_CONTENT_UPDATED: &str = "page.content_updated";
    pub const PAGE_PROPERTIES_UPDATED: &str = "page.properties_updated";
    pub const PAGE_DELETED: &str = "page.deleted";
    pub const PAGE_UNDELETED: &str = "page.undeleted";
    pub const PAGE_MOVED: &str = "page.moved";
    pub const PAGE_LOCKED: &str = "page.locked";
    pub const PAGE_UNLOCKED: &str = "page.unlocked";
    pub const DATA_SOURCE_CREATED: &str = "data_source.created";
    pub const DATA_SOURCE_CONTENT_UPDATED: &str = "data_source.content_updated";
    pub const DATA_SOURCE_SCHEMA_UPDATED: &str = "data_source.schema_updated";
    pub const DATA_SOURCE_DELETED: &str = "data_source.deleted";
    pub const DATA_SOURCE_UNDELETED: &str = "data_source.undeleted";
    pub const DATA_SOURCE_MOVED: &str = "data_source.moved";
    pub const DATABASE_CREATED: &str = "database.created";
    pub const DATABASE_DELETED: &str = "database.deleted";
    pub const DATABASE_UNDELETED: &str = "database.undeleted";
    pub const DATABASE_MOVED: &str = "database.moved";

    /// Events Notion batches per entity within a short window.
    pub fn is_aggregated(kind: &str) -> bool {
        kind.ends_with(".content_updated")
            || kind.ends_with(".properties_updated")
            || kind.ends_with(".schema_updated")
    }
}

/// What an event is about (`entity.type`, `data.parent.type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityType {
    Page,
    Block,
    Database,
    DataSource,
    /// The workspace (`"space"` in Notion's payloads).
    Space,
}

impl EntityType {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Page => "page",
            EntityType::Block => "block",
            EntityType::Database => "database",
            EntityType::DataSource => "data_source",
            EntityType::Space => "space",
        }
    }
}

/// `{id, type}` as in `entity` and `data.parent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct EntityRef {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub kind: EntityType,
}

/// One change, as a mutation records it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeEvent {
    /// Notion's event type, e.g. `page.content_updated` (see [`kinds`]).
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub entity: EntityRef,
    pub parent: EntityRef,
    /// The bot or person who made the change.
    pub actor: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub updated_blocks: Vec<Uuid>,
    /// `updated_properties`: property ids (strings) for `page.properties_updated`,
    /// `{id, name, action}` objects for `*.schema_updated`, as Notion sends them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub updated_properties: Vec<serde_json::Value>,
}

/// Events recorded by mutations and not yet collected. Not part of a state dump.
#[derive(Debug, Clone, Default)]
pub struct Outbox(Vec<ChangeEvent>);

/// More than this many uncollected events means nobody collects: the oldest are dropped.
const OUTBOX_LIMIT: usize = 10_000;

impl Store {
    /// Records a change for webhooks. Call it with the store locked, after the change.
    pub fn record_event(&mut self, event: ChangeEvent) {
        let outbox = &mut self.events.0;
        if outbox.len() >= OUTBOX_LIMIT {
            outbox.remove(0);
        }
        outbox.push(event);
    }

    /// Records a page event (`kinds::PAGE_*`); the parent is the page's current parent.
    pub fn record_page_event(&mut self, kind: &'static str, page_id: Uuid, stamp: Stamp) {
        self.record_page_change(kind, page_id, stamp, Vec::new());
    }

    /// Records a page event with the blocks it changed (`page.content_updated`).
    pub fn record_page_change(
        &mut self,
        kind: &'static str,
        page_id: Uuid,
        stamp: Stamp,
        updated_blocks: Vec<Uuid>,
    ) {
        let Some(page) = self.pages.get(&page_id) else {
            return;
        };
        let parent = self.page_parent_ref(page.parent);
        self.record_event(ChangeEvent {
            kind,
            entity: EntityRef {
                id: page_id,
                kind: EntityType::Page,
            },
            parent,
            actor: stamp.actor,
            at: stamp.now,
            updated_blocks,
            updated_properties: Vec::new(),
        });
    }

    /// A page parent as webhook payloads name it (the workspace is a `space`).
    pub fn page_parent_ref(&self, parent: PageParentRef) -> EntityRef {
        match parent {
            PageParentRef::Page(id) => EntityRef {
                id,
                kind: EntityType::Page,
            },
            PageParentRef::DataSource(id) => EntityRef {
                id,
                kind: EntityType::DataSource,
            },
            PageParentRef::Workspace => EntityRef {
                id: self.workspace.id,
                kind: EntityType::Space,
            },
        }
    }

    /// Takes the recorded events, oldest first.
    pub fn take_events(&mut self) -> Vec<ChangeEvent> {
        std::mem::take(&mut self.events.0)
    }
}

/// Ids of blocks that an edit created, changed or removed: what `updated_blocks` lists.
/// A block counts as changed when its `last_edited_time` moved.
pub fn changed_blocks(old: &[StoredBlock], new: &[StoredBlock]) -> Vec<Uuid> {
    fn index(blocks: &[StoredBlock], out: &mut HashMap<Uuid, OffsetDateTime>) {
        for b in blocks {
            out.insert(b.id, b.last_edited_time);
            index(&b.children, out);
        }
    }
    fn walk(
        blocks: &[StoredBlock],
        before: &HashMap<Uuid, OffsetDateTime>,
        seen: &mut Vec<Uuid>,
        out: &mut Vec<Uuid>,
    ) {
        for b in blocks {
            seen.push(b.id);
            if before.get(&b.id) != Some(&b.last_edited_time) {
                out.push(b.id);
            }
            walk(&b.children, before, seen, out);
        }
    }
    let mut before = HashMap::new();
    index(old, &mut before);
    let (mut seen, mut out) = (Vec::new(), Vec::new());
    walk(new, &before, &mut seen, &mut out);
    let seen: std::collections::HashSet<Uuid> = seen.into_iter().collect();
    let mut removed: Vec<Uuid> = before
        .keys()
        .filter(|id| !seen.contains(id))
        .copied()
        .collect();
    removed.sort();
    out.extend(removed);
    out
}

/// `{id, type}` with a dashed id, for payloads.
pub fn entity_json(entity: EntityRef) -> serde_json::Value {
    serde_json::json!({ "id": ids::dashed(entity.id), "type": entity.kind.as_str() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use notion_markdown::{BlockKind, Color, RichText};
    use time::macros::datetime;

    fn block(id: u128, minute: u8) -> StoredBlock {
        let at = datetime!(2026-07-04 09:00 UTC) + time::Duration::minutes(minute.into());
        StoredBlock {
            id: Uuid::from_u128(id),
            kind: BlockKind::Paragraph {
                text: RichText::plain("x"),
                color: Color::Default,
            },
            children: Vec::new(),
            created_time: at,
            last_edited_time: at,
            created_by: Uuid::nil(),
            last_edited_by: Uuid::nil(),
        }
    }

    #[test]
    fn lists_new_edited_and_removed_blocks() {
        let old = vec![block(1, 0), block(2, 0), block(3, 0)];
        let new = vec![block(1, 0), block(2, 5), block(4, 5)];
        assert_eq!(
            changed_blocks(&old, &new),
            vec![Uuid::from_u128(2), Uuid::from_u128(4), Uuid::from_u128(3)]
        );
        assert!(changed_blocks(&old, &old).is_empty());
    }

    #[test]
    fn aggregated_kinds() {
        assert!(kinds::is_aggregated(kinds::PAGE_CONTENT_UPDATED));
        assert!(kinds::is_aggregated(kinds::DATA_SOURCE_SCHEMA_UPDATED));
        assert!(!kinds::is_aggregated(kinds::PAGE_CREATED));
    }
}

//! Page bodies as block trees with ids, and how a Markdown edit maps onto them.
//!
//! Notion keeps block ids stable across edits: a sync that changes one paragraph must not
//! re-create the other 299 (SPEC G4, G10). The emulator reproduces that by diffing the block
//! tree before and after an edit ([`reconcile`]) and carrying ids over to every block that the
//! edit did not touch.

use std::collections::HashSet;

use notion_markdown::{Block, BlockKind};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::ids;
use crate::state::Store;

/// A block as stored: its Markdown-model kind plus the identity and audit fields Notion keeps.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredBlock {
    pub id: Uuid,
    pub kind: BlockKind,
    pub children: Vec<StoredBlock>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_edited_time: OffsetDateTime,
    pub created_by: Uuid,
    pub last_edited_by: Uuid,
}

/// Who writes, and when.
#[derive(Debug, Clone, Copy)]
pub struct Stamp {
    pub now: OffsetDateTime,
    pub actor: Uuid,
}

impl StoredBlock {
    /// The block without ids (what Markdown renders).
    pub fn to_block(&self) -> Block {
        Block::with_children(self.kind.clone(), to_blocks(&self.children))
    }
}

pub fn to_blocks(stored: &[StoredBlock]) -> Vec<Block> {
    stored.iter().map(StoredBlock::to_block).collect()
}

/// The part of a body a reader sees, with child-page blocks refreshed from their pages (title,
/// URL) and child pages that are gone or in the trash left out, as Notion renders them.
pub fn visible_tree(store: &Store, blocks: &[StoredBlock]) -> Vec<StoredBlock> {
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        let mut block = block.clone();
        if let BlockKind::ChildPage { url, title, .. } = &mut block.kind {
            match store.pages.get(&block.id) {
                Some(page) if !page.in_trash => {
                    *url = ids::markdown_page_url(page.id);
                    *title = page.title_text();
                }
                _ => continue,
            }
        }
        if let BlockKind::ChildDatabase { .. } = block.kind {
            // A database the emulator knows shows its current title; a trashed one is left
            // out. A `<database>` tag naming no known database stays as written.
            match store.objects.databases.get(&block.id) {
                Some(db) if db.in_trash => continue,
                Some(db) => block.kind = crate::databases::markdown_kind(store, db),
                None => {}
            }
        }
        block.children = visible_tree(store, &block.children);
        out.push(block);
    }
    out
}

/// Ids of blocks rendered as `<unknown …/>` (Notion's `unknown_block_ids`).
pub fn unknown_block_ids(blocks: &[StoredBlock], out: &mut Vec<Uuid>) {
    for b in blocks {
        if matches!(b.kind, BlockKind::Unknown { .. }) {
            out.push(b.id);
        }
        unknown_block_ids(&b.children, out);
    }
}

/// Ids of child-page blocks anywhere in the tree (= the child pages' ids).
pub fn child_page_ids(blocks: &[StoredBlock], out: &mut Vec<Uuid>) {
    for b in blocks {
        if matches!(b.kind, BlockKind::ChildPage { .. }) {
            out.push(b.id);
        }
        child_page_ids(&b.children, out);
    }
}

/// Removes the child-page block `page_id` wherever it sits; true if it was found.
pub fn remove_child_page_block(blocks: &mut Vec<StoredBlock>, page_id: Uuid) -> bool {
    let before = blocks.len();
    blocks.retain(|b| !(b.id == page_id && matches!(b.kind, BlockKind::ChildPage { .. })));
    if blocks.len() != before {
        return true;
    }
    blocks
        .iter_mut()
        .any(|b| remove_child_page_block(&mut b.children, page_id))
}

/// Builds a new stored tree for `new`, reusing the ids of `old` blocks the edit left alone.
///
/// 1. Blocks equal to an old block, subtree included, keep that block unchanged (longest
///    common subsequence, so insertions and deletions elsewhere do not disturb them).
/// 2. In the stretches between those, a block whose own content is unchanged but whose
///    children changed keeps its id, and its children are reconciled recursively.
/// 3. What is left is paired by position when the block type is the same: that is an edited
///    block, which keeps its id (Notion edits blocks in place). Everything else is new.
///
/// Child-page blocks must already carry their page's canonical URL: their id is the page id.
/// `<unknown>` blocks written back keep their id (the URL names it), which is how content the
/// Markdown dialect cannot express survives an edit.
pub fn reconcile(old: &[StoredBlock], new: Vec<Block>, stamp: Stamp) -> Vec<StoredBlock> {
    let mut unknown_pool = Vec::new();
    unknown_block_ids(old, &mut unknown_pool);
    let mut cx = Reconciler {
        stamp,
        unknown_pool: unknown_pool.into_iter().collect(),
        database_pool: database_block_ids(old),
        used: HashSet::new(),
    };
    cx.reconcile_level(old, new)
}

struct Reconciler {
    stamp: Stamp,
    /// Ids of old `<unknown>` blocks that a new `<unknown>` naming them may take over.
    unknown_pool: HashSet<Uuid>,
    /// Ids of old `<database>` blocks (= database ids) a tag naming them keeps.
    database_pool: HashSet<Uuid>,
    /// Ids already given out in the new tree (an id is never used twice).
    used: HashSet<Uuid>,
}

/// Ids of `child_database` blocks anywhere in the tree.
fn database_block_ids(blocks: &[StoredBlock]) -> HashSet<Uuid> {
    let mut out = HashSet::new();
    let mut stack: Vec<&StoredBlock> = blocks.iter().collect();
    while let Some(b) = stack.pop() {
        if matches!(b.kind, BlockKind::ChildDatabase { .. }) {
            out.insert(b.id);
        }
        stack.extend(b.children.iter());
    }
    out
}

impl Reconciler {
    fn reconcile_level(&mut self, old: &[StoredBlock], new: Vec<Block>) -> Vec<StoredBlock> {
        let old_blocks: Vec<Block> = to_blocks(old);
        let anchors = lcs(old.len(), new.len(), |i, j| old_blocks[i] == new[j]);
        let mut new_slots: Vec<Option<Block>> = new.into_iter().map(Some).collect();
        let mut out: Vec<StoredBlock> = Vec::with_capacity(new_slots.len());
        let (mut oi, mut ni) = (0, 0);
        for (ai, aj) in anchors
            .into_iter()
            .chain(std::iter::once((old.len(), new_slots.len())))
        {
            let gap_new: Vec<Block> = new_slots[ni..aj]
                .iter_mut()
                .filter_map(Option::take)
                .collect();
            out.extend(self.reconcile_gap(&old[oi..ai], gap_new));
            if ai < old.len() && aj < new_slots.len() {
                new_slots[aj] = None;
                out.push(self.keep_subtree(&old[ai]));
            }
            oi = ai + 1;
            ni = aj + 1;
        }
        out
    }

    /// Keeps an unchanged block and its subtree; ids already used elsewhere are reissued.
    fn keep_subtree(&mut self, old: &StoredBlock) -> StoredBlock {
        if !self.used.insert(old.id) {
            return self.fresh(old.to_block());
        }
        let mut kept = old.clone();
        kept.children = old.children.iter().map(|c| self.keep_subtree(c)).collect();
        kept
    }

    fn reconcile_gap(&mut self, old: &[StoredBlock], new: Vec<Block>) -> Vec<StoredBlock> {
        if new.is_empty() {
            return Vec::new();
        }
        let pairs = lcs(old.len(), new.len(), |i, j| {
            !has_identity(&old[i].kind) && old[i].kind == new[j].kind
        });
        let mut new_slots: Vec<Option<Block>> = new.into_iter().map(Some).collect();
        let mut out = Vec::with_capacity(new_slots.len());
        let (mut oi, mut ni) = (0, 0);
        for (pi, pj) in pairs
            .into_iter()
            .chain(std::iter::once((old.len(), new_slots.len())))
        {
            // Unmatched stretch: pair by position when the type is the same (an edited block).
            let stretch: Vec<Block> = new_slots[ni..pj]
                .iter_mut()
                .filter_map(Option::take)
                .collect();
            let olds = &old[oi..pi];
            for (k, block) in stretch.into_iter().enumerate() {
                match olds.get(k) {
                    Some(o) if same_type(&o.kind, &block.kind) && !has_identity(&o.kind) => {
                        out.push(self.edited(o, block))
                    }
                    _ => out.push(self.fresh(block)),
                }
            }
            if pi < old.len() && pj < new_slots.len() {
                if let Some(block) = new_slots[pj].take() {
                    out.push(self.same_content(&old[pi], block));
                }
            }
            oi = pi + 1;
            ni = pj + 1;
        }
        out
    }

    /// Same block content, children changed: keep id and timestamps, reconcile children.
    fn same_content(&mut self, old: &StoredBlock, new: Block) -> StoredBlock {
        if !self.used.insert(old.id) {
            return self.fresh(new);
        }
        StoredBlock {
            id: old.id,
            kind: new.kind,
            children: self.reconcile_level(&old.children, new.children),
            created_time: old.created_time,
            last_edited_time: old.last_edited_time,
            created_by: old.created_by,
            last_edited_by: old.last_edited_by,
        }
    }

    /// Same type, content edited in place: keep id, bump last edited.
    fn edited(&mut self, old: &StoredBlock, new: Block) -> StoredBlock {
        if !self.used.insert(old.id) {
            return self.fresh(new);
        }
        StoredBlock {
            id: old.id,
            kind: new.kind,
            children: self.reconcile_level(&old.children, new.children),
            created_time: old.created_time,
            last_edited_time: self.stamp.now,
            created_by: old.created_by,
            last_edited_by: self.stamp.actor,
        }
    }

    /// A new block (and subtree), except for blocks whose identity is written in the Markdown.
    fn fresh(&mut self, block: Block) -> StoredBlock {
        let named = match &block.kind {
            BlockKind::ChildPage { url, .. } => ids::from_url(url),
            BlockKind::ChildDatabase { url, .. } => {
                ids::from_url(url).filter(|id| self.database_pool.contains(id))
            }
            BlockKind::Unknown { url, .. } => {
                ids::from_url(url).filter(|id| self.unknown_pool.contains(id))
            }
            _ => None,
        };
        let id = match named {
            Some(id) if self.used.insert(id) => id,
            _ => loop {
                let id = ids::new_id();
                if self.used.insert(id) {
                    break id;
                }
            },
        };
        let children = block.children.into_iter().map(|c| self.fresh(c)).collect();
        StoredBlock {
            id,
            kind: block.kind,
            children,
            created_time: self.stamp.now,
            last_edited_time: self.stamp.now,
            created_by: self.stamp.actor,
            last_edited_by: self.stamp.actor,
        }
    }
}

/// Blocks whose id is named in the Markdown itself; they are never matched by position.
fn has_identity(kind: &BlockKind) -> bool {
    matches!(
        kind,
        BlockKind::ChildPage { .. }
            | BlockKind::ChildDatabase { .. }
            | BlockKind::Unknown { .. }
            | BlockKind::SyncedBlock { .. }
            | BlockKind::SyncedBlockReference { .. }
    )
}

/// Same Notion block type (a block's type cannot change in place in Notion).
fn same_type(a: &BlockKind, b: &BlockKind) -> bool {
    match (a, b) {
        (BlockKind::Heading { level: x, .. }, BlockKind::Heading { level: y, .. }) => x == y,
        (BlockKind::Media { kind: x, .. }, BlockKind::Media { kind: y, .. }) => x == y,
        _ => std::mem::discriminant(a) == std::mem::discriminant(b),
    }
}

/// Above this many cells the LCS falls back to a greedy in-order match (still correct, just
/// less optimal): keeps a pathological 20 000-block rewrite from allocating gigabytes.
const LCS_MAX_CELLS: usize = 1 << 20;

/// Index pairs of a longest common subsequence of `0..n` and `0..m` under `eq`, ascending.
fn lcs(n: usize, m: usize, eq: impl Fn(usize, usize) -> bool) -> Vec<(usize, usize)> {
    let mut prefix = 0;
    while prefix < n && prefix < m && eq(prefix, prefix) {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < n - prefix && suffix < m - prefix && eq(n - 1 - suffix, m - 1 - suffix) {
        suffix += 1;
    }
    let mut pairs: Vec<(usize, usize)> = (0..prefix).map(|i| (i, i)).collect();
    let (a, b) = (n - prefix - suffix, m - prefix - suffix);
    if a > 0 && b > 0 {
        if a.saturating_mul(b) <= LCS_MAX_CELLS {
            // table[i][j] = LCS length of old[i..] and new[j..] (within the middle window).
            let width = b + 1;
            let mut table = vec![0u32; (a + 1) * width];
            for i in (0..a).rev() {
                for j in (0..b).rev() {
                    table[i * width + j] = if eq(prefix + i, prefix + j) {
                        table[(i + 1) * width + j + 1] + 1
                    } else {
                        table[(i + 1) * width + j].max(table[i * width + j + 1])
                    };
                }
            }
            let (mut i, mut j) = (0, 0);
            while i < a && j < b {
                if eq(prefix + i, prefix + j) {
                    pairs.push((prefix + i, prefix + j));
                    i += 1;
                    j += 1;
                } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
                    i += 1;
                } else {
                    j += 1;
                }
            }
        } else {
            let mut j = 0;
            for i in 0..a {
                if let Some(k) = (j..b).find(|&k| eq(prefix + i, prefix + k)) {
                    pairs.push((prefix + i, prefix + k));
                    j = k + 1;
                }
            }
        }
    }
    pairs.extend((0..suffix).map(|k| (n - suffix + k, m - suffix + k)));
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;
    use notion_markdown::{Color, RichText};

    fn para(s: &str) -> Block {
        Block::paragraph(s)
    }

    fn heading(s: &str) -> Block {
        Block::new(BlockKind::Heading {
            level: 2,
            text: RichText::plain(s),
            color: Color::Default,
            toggleable: false,
        })
    }

    fn stamp() -> Stamp {
        Stamp {
            now: OffsetDateTime::now_utc(),
            actor: ids::new_id(),
        }
    }

    fn ids_of(blocks: &[StoredBlock]) -> Vec<Uuid> {
        blocks.iter().map(|b| b.id).collect()
    }

    #[test]
    fn lcs_basics() {
        let a = [1, 2, 3, 4, 5];
        let b = [1, 3, 9, 4, 5];
        assert_eq!(
            lcs(5, 5, |i, j| a[i] == b[j]),
            vec![(0, 0), (2, 1), (3, 3), (4, 4)]
        );
        assert!(lcs(0, 3, |_, _| true).is_empty());
    }

    #[test]
    fn editing_one_paragraph_keeps_every_id() {
        let s = stamp();
        let old = reconcile(
            &[],
            vec![heading("A"), para("one"), para("two"), para("three")],
            s,
        );
        let new = reconcile(
            &old,
            vec![heading("A"), para("one"), para("TWO!"), para("three")],
            stamp(),
        );
        assert_eq!(ids_of(&old), ids_of(&new));
        assert_eq!(new[0].last_edited_time, old[0].last_edited_time);
    }

    #[test]
    fn insert_and_delete_keep_other_ids() {
        let old = reconcile(&[], vec![para("a"), para("b"), para("c")], stamp());
        let new = reconcile(&old, vec![para("a"), para("new"), para("c")], stamp());
        // "b" -> "new" is an in-place edit of the same type.
        assert_eq!(ids_of(&old), ids_of(&new));
        let inserted = reconcile(
            &old,
            vec![para("x"), para("a"), para("b"), para("c")],
            stamp(),
        );
        assert_eq!(&ids_of(&inserted)[1..], &ids_of(&old)[..]);
        assert!(!ids_of(&old).contains(&inserted[0].id));
        let deleted = reconcile(&old, vec![para("a"), para("c")], stamp());
        assert_eq!(ids_of(&deleted), vec![old[0].id, old[2].id]);
    }

    #[test]
    fn type_change_gets_new_id_and_children_are_reconciled() {
        let parent = Block::with_children(
            BlockKind::BulletedListItem {
                text: RichText::plain("p"),
                color: Color::Default,
            },
            vec![para("c1"), para("c2")],
        );
        let old = reconcile(&[], vec![parent.clone(), para("x")], stamp());
        let mut changed = parent;
        changed.children[1] = para("c2 edited");
        let new = reconcile(&old, vec![changed, heading("x")], stamp());
        assert_eq!(new[0].id, old[0].id);
        assert_eq!(ids_of(&new[0].children), ids_of(&old[0].children));
        assert_ne!(new[1].id, old[1].id);
    }

    #[test]
    fn unknown_blocks_keep_their_id_when_written_back() {
        let page = ids::new_id();
        let mut old = reconcile(&[], vec![para("a")], stamp());
        let unknown_id = ids::new_id();
        let mut unknown = old[0].clone();
        unknown.id = unknown_id;
        unknown.kind = BlockKind::Unknown {
            url: ids::markdown_block_url(page, unknown_id),
            alt: Some("bookmark".into()),
        };
        old.push(unknown.clone());
        let moved = reconcile(&old, vec![unknown.to_block(), para("b")], stamp());
        assert_eq!(moved[0].id, unknown_id);
    }
}

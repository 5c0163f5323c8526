//! Folder ↔ database mappings: their items (keyed by Notion page), the database's rows as last
//! seen, the mapping's Notion-side state, and the write-ahead journal of Notion writes (G5).

use super::{col, Store};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;

/// One item of a folder mapping: a file ↔ a row, and the base both last agreed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderItem {
    pub page_id: String,
    pub path: String,
    pub local_hash: String,
    pub remote_hash: String,
    pub base_text: String,
    pub remote_markdown: String,
    pub title: String,
    /// Engine property values (JSON).
    pub properties: String,
    /// The row's `last_edited_time` when the base was confirmed (Unix ms), if known.
    pub remote_edited_at_ms: Option<i64>,
    /// Who Notion said edited the row last at that time.
    pub remote_edited_by: Option<String>,
    /// When the relay last confirmed the base against Notion (Unix ms).
    pub synced_at_ms: Option<i64>,
    /// The `Sync ID` the relay gave the row when it created it.
    pub sync_id: Option<String>,
}

/// A row of the database as the relay last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderRow {
    pub page_id: String,
    pub title: String,
    /// Engine property values (JSON), title and `Sync ID` excluded.
    pub properties: String,
    pub sync_id: Option<String>,
    pub last_edited_ms: Option<i64>,
    pub last_edited_by: Option<String>,
    pub created_by: Option<String>,
    pub in_trash: bool,
}

/// The Notion side of a folder mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FolderState {
    pub database_id: Option<String>,
    pub data_source_id: Option<String>,
    pub created_database: bool,
    /// Property name → Notion type name (JSON object).
    pub schema_json: String,
    pub cursor_ms: Option<i64>,
    /// Paths whose deletion the guard held (JSON list).
    pub held_deletions: Option<String>,
}

/// One intended Notion write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    pub id: String,
    pub user_id: i64,
    pub mapping_id: String,
    pub op: String,
    pub page_id: Option<String>,
    pub path: String,
    pub sync_id: Option<String>,
    pub payload: String,
    pub status: String,
    pub created_at: i64,
}

const ITEM_COLUMNS: &str =
    "notion_page_id, path, local_hash, remote_hash, base_text, remote_markdown, \
    title, properties, remote_edited_at_ms, remote_edited_by, synced_at_ms, sync_id";

fn item_from_row(row: &AnyRow) -> sqlx::Result<FolderItem> {
    Ok(FolderItem {
        page_id: col(row, "notion_page_id")?,
        path: col(row, "path")?,
        local_hash: col(row, "local_hash")?,
        remote_hash: col(row, "remote_hash")?,
        base_text: col(row, "base_text")?,
        remote_markdown: col(row, "remote_markdown")?,
        title: col(row, "title")?,
        properties: col(row, "properties")?,
        remote_edited_at_ms: col(row, "remote_edited_at_ms")?,
        remote_edited_by: col(row, "remote_edited_by")?,
        synced_at_ms: col(row, "synced_at_ms")?,
        sync_id: col(row, "sync_id")?,
    })
}

const ROW_COLUMNS: &str =
    "page_id, title, properties, sync_id, last_edited_ms, last_edited_by, created_by, in_trash";

fn row_from_row(row: &AnyRow) -> sqlx::Result<FolderRow> {
    Ok(FolderRow {
        page_id: col(row, "page_id")?,
        title: col(row, "title")?,
        properties: col(row, "properties")?,
        sync_id: col(row, "sync_id")?,
        last_edited_ms: col(row, "last_edited_ms")?,
        last_edited_by: col(row, "last_edited_by")?,
        created_by: col(row, "created_by")?,
        in_trash: col::<i64>(row, "in_trash")? != 0,
    })
}

const JOURNAL_COLUMNS: &str =
    "id, user_id, mapping_id, op, page_id, path, sync_id, payload, status, created_at";

fn journal_from_row(row: &AnyRow) -> sqlx::Result<JournalEntry> {
    Ok(JournalEntry {
        id: col(row, "id")?,
        user_id: col(row, "user_id")?,
        mapping_id: col(row, "mapping_id")?,
        op: col(row, "op")?,
        page_id: col(row, "page_id")?,
        path: col(row, "path")?,
        sync_id: col(row, "sync_id")?,
        payload: col(row, "payload")?,
        status: col(row, "status")?,
        created_at: col(row, "created_at")?,
    })
}

impl Store {
    // ---- items ---------------------------------------------------------------------------

    pub async fn folder_items(&self, mapping_id: &str) -> sqlx::Result<Vec<FolderItem>> {
        let sql =
            format!("SELECT {ITEM_COLUMNS} FROM sync_items WHERE mapping_id = $1 ORDER BY path");
        let rows = sqlx::query(&sql)
            .bind(mapping_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item_from_row).collect()
    }

    /// Stores an item's confirmed base under its page, at its (possibly new) path.
    pub async fn put_folder_item(
        &self,
        mapping_id: &str,
        item: &FolderItem,
        now: i64,
    ) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        // A rename moves the item: its row at the old path goes.
        sqlx::query(
            "DELETE FROM sync_items WHERE mapping_id = $1 AND notion_page_id = $2 AND path <> $3",
        )
        .bind(mapping_id)
        .bind(&item.page_id)
        .bind(&item.path)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO sync_items (mapping_id, path, notion_page_id, local_hash, remote_hash, base_text, \
             remote_markdown, title, title_from_h1, updated_at, properties, remote_edited_at_ms, \
             remote_edited_by, synced_at_ms, sync_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11, $12, $13, $14) \
             ON CONFLICT (mapping_id, path) DO UPDATE SET notion_page_id = excluded.notion_page_id, \
             local_hash = excluded.local_hash, remote_hash = excluded.remote_hash, \
             base_text = excluded.base_text, remote_markdown = excluded.remote_markdown, \
             title = excluded.title, updated_at = excluded.updated_at, \
             properties = excluded.properties, remote_edited_at_ms = excluded.remote_edited_at_ms, \
             remote_edited_by = excluded.remote_edited_by, synced_at_ms = excluded.synced_at_ms, \
             sync_id = excluded.sync_id",
        )
        .bind(mapping_id)
        .bind(&item.path)
        .bind(&item.page_id)
        .bind(&item.local_hash)
        .bind(&item.remote_hash)
        .bind(&item.base_text)
        .bind(&item.remote_markdown)
        .bind(&item.title)
        .bind(now)
        .bind(&item.properties)
        .bind(item.remote_edited_at_ms)
        .bind(&item.remote_edited_by)
        .bind(item.synced_at_ms)
        .bind(&item.sync_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    /// Records that an item's base was confirmed against Notion without changing it.
    pub async fn touch_folder_item(
        &self,
        mapping_id: &str,
        page_id: &str,
        remote_edited_at_ms: Option<i64>,
        remote_edited_by: Option<&str>,
        synced_at_ms: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE sync_items SET remote_edited_at_ms = $1, remote_edited_by = $2, synced_at_ms = $3 \
             WHERE mapping_id = $4 AND notion_page_id = $5",
        )
        .bind(remote_edited_at_ms)
        .bind(remote_edited_by)
        .bind(synced_at_ms)
        .bind(mapping_id)
        .bind(page_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Forgets an item of a folder mapping.
    pub async fn delete_folder_item(&self, mapping_id: &str, page_id: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM sync_items WHERE mapping_id = $1 AND notion_page_id = $2")
            .bind(mapping_id)
            .bind(page_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- rows ----------------------------------------------------------------------------

    pub async fn folder_rows(&self, mapping_id: &str) -> sqlx::Result<Vec<FolderRow>> {
        let sql = format!("SELECT {ROW_COLUMNS} FROM folder_rows WHERE mapping_id = $1");
        let rows = sqlx::query(&sql)
            .bind(mapping_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(row_from_row).collect()
    }

    /// Records rows as seen now (one transaction).
    pub async fn put_folder_rows(
        &self,
        mapping_id: &str,
        rows: &[FolderRow],
        now: i64,
    ) -> sqlx::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self.pool.begin().await?;
        for r in rows {
            sqlx::query(
                "INSERT INTO folder_rows (mapping_id, page_id, title, properties, sync_id, last_edited_ms, \
                 last_edited_by, created_by, in_trash, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (mapping_id, page_id) DO UPDATE SET title = excluded.title, \
                 properties = excluded.properties, sync_id = excluded.sync_id, \
                 last_edited_ms = excluded.last_edited_ms, last_edited_by = excluded.last_edited_by, \
                 created_by = excluded.created_by, in_trash = excluded.in_trash, \
                 updated_at = excluded.updated_at",
            )
            .bind(mapping_id)
            .bind(&r.page_id)
            .bind(&r.title)
            .bind(&r.properties)
            .bind(&r.sync_id)
            .bind(r.last_edited_ms)
            .bind(&r.last_edited_by)
            .bind(&r.created_by)
            .bind(r.in_trash as i64)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }

    pub async fn delete_folder_row(&self, mapping_id: &str, page_id: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM folder_rows WHERE mapping_id = $1 AND page_id = $2")
            .bind(mapping_id)
            .bind(page_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- state ---------------------------------------------------------------------------

    pub async fn folder_state(&self, mapping_id: &str) -> sqlx::Result<Option<FolderState>> {
        let row = sqlx::query(
            "SELECT database_id, data_source_id, created_database, schema_json, cursor_ms, \
             held_deletions FROM folder_state WHERE mapping_id = $1",
        )
        .bind(mapping_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(FolderState {
            database_id: col(&row, "database_id")?,
            data_source_id: col(&row, "data_source_id")?,
            created_database: col::<i64>(&row, "created_database")? != 0,
            schema_json: col(&row, "schema_json")?,
            cursor_ms: col(&row, "cursor_ms")?,
            held_deletions: col(&row, "held_deletions")?,
        }))
    }

    pub async fn put_folder_state(
        &self,
        mapping_id: &str,
        s: &FolderState,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO folder_state (mapping_id, database_id, data_source_id, created_database, \
             schema_json, cursor_ms, held_deletions, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (mapping_id) DO UPDATE SET database_id = excluded.database_id, \
             data_source_id = excluded.data_source_id, created_database = excluded.created_database, \
             schema_json = excluded.schema_json, cursor_ms = excluded.cursor_ms, \
             held_deletions = excluded.held_deletions, updated_at = excluded.updated_at",
        )
        .bind(mapping_id)
        .bind(&s.database_id)
        .bind(&s.data_source_id)
        .bind(s.created_database as i64)
        .bind(&s.schema_json)
        .bind(s.cursor_ms)
        .bind(&s.held_deletions)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // ---- journal -------------------------------------------------------------------------

    /// Records an intended write before it is made (and forgets entries settled more than a
    /// week ago).
    pub async fn journal_begin(&self, e: &JournalEntry) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM notion_journal WHERE status <> 'pending' AND completed_at < $1")
            .bind(e.created_at - 7 * 24 * 3600)
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO notion_journal (id, user_id, mapping_id, op, page_id, path, sync_id, payload, \
             status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&e.id)
        .bind(e.user_id)
        .bind(&e.mapping_id)
        .bind(&e.op)
        .bind(&e.page_id)
        .bind(&e.path)
        .bind(&e.sync_id)
        .bind(&e.payload)
        .bind(&e.status)
        .bind(e.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Settles an entry: `done`, `failed` (refused, not applied) or `abandoned` (looked for
    /// after an unknown outcome and not found).
    pub async fn journal_settle(
        &self,
        id: &str,
        status: &str,
        page_id: Option<&str>,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE notion_journal SET status = $1, page_id = COALESCE($2, page_id), completed_at = $3, \
             payload = '{}' WHERE id = $4",
        )
        .bind(status)
        .bind(page_id)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Entries of a mapping whose outcome is not known yet, oldest first.
    pub async fn journal_pending(&self, mapping_id: &str) -> sqlx::Result<Vec<JournalEntry>> {
        let sql = format!(
            "SELECT {JOURNAL_COLUMNS} FROM notion_journal WHERE mapping_id = $1 AND status = 'pending' \
             ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(mapping_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(journal_from_row).collect()
    }

    /// The sync id of an earlier create of `path` that was looked for and not found: a retry
    /// reuses it, so a create that lands late is recognized as the same row.
    pub async fn journal_abandoned_sync_id(
        &self,
        mapping_id: &str,
        op: &str,
        path: &str,
    ) -> sqlx::Result<Option<String>> {
        let row = sqlx::query(
            "SELECT sync_id FROM notion_journal WHERE mapping_id = $1 AND op = $2 AND path = $3 \
             AND status = 'abandoned' ORDER BY created_at DESC LIMIT 1",
        )
        .bind(mapping_id)
        .bind(op)
        .bind(path)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(r) => col(&r, "sync_id"),
            None => Ok(None),
        }
    }

    /// Every entry of a mapping (for tests and operators).
    pub async fn journal(&self, mapping_id: &str) -> sqlx::Result<Vec<JournalEntry>> {
        let sql = format!(
            "SELECT {JOURNAL_COLUMNS} FROM notion_journal WHERE mapping_id = $1 ORDER BY created_at, id"
        );
        let rows = sqlx::query(&sql)
            .bind(mapping_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(journal_from_row).collect()
    }
}

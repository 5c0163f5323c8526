//! Sync state: item bases, sessions between their steps, and logs.

use super::{col, Store};
use sqlx::any::AnyRow;

/// The base of one item: what both sides last agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemBase {
    pub mapping_id: String,
    pub path: String,
    pub notion_page_id: String,
    pub local_hash: String,
    pub remote_hash: String,
    /// The file's text at the base (for three-way merges and conflict views).
    pub base_text: String,
    /// The page's Markdown as Notion returned it at the base.
    pub remote_markdown: String,
    pub title: String,
    pub title_from_h1: bool,
    /// The agreed page properties, as JSON (`{}` for a plain page).
    pub properties: String,
}

#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id: String,
    pub user_id: i64,
    pub mapping_id: String,
    pub stage: String,
    /// JSON owned by the sync module.
    pub state: String,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct LogRecord {
    pub id: String,
    pub user_id: i64,
    pub mapping_id: Option<String>,
    pub operation: String,
    pub status: String,
    pub records_processed: i64,
    pub conflicts_detected: i64,
    pub conflicts_resolved: i64,
    pub error_details: Option<String>,
    pub duration_ms: i64,
    pub created_at: i64,
}

impl Store {
    pub async fn item(&self, mapping_id: &str, path: &str) -> sqlx::Result<Option<ItemBase>> {
        let row = sqlx::query(
            "SELECT mapping_id, path, notion_page_id, local_hash, remote_hash, base_text, remote_markdown, \
             title, title_from_h1, properties FROM sync_items WHERE mapping_id = $1 AND path = $2",
        )
        .bind(mapping_id)
        .bind(path)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(ItemBase {
            mapping_id: col(&row, "mapping_id")?,
            path: col(&row, "path")?,
            notion_page_id: col(&row, "notion_page_id")?,
            local_hash: col(&row, "local_hash")?,
            remote_hash: col(&row, "remote_hash")?,
            base_text: col(&row, "base_text")?,
            remote_markdown: col(&row, "remote_markdown")?,
            title: col(&row, "title")?,
            title_from_h1: col::<i64>(&row, "title_from_h1")? != 0,
            properties: col(&row, "properties")?,
        }))
    }

    /// Forgets an item (both sides are gone).
    pub async fn delete_item(&self, mapping_id: &str, path: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM sync_items WHERE mapping_id = $1 AND path = $2")
            .bind(mapping_id)
            .bind(path)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Advances an item's base.
    pub async fn put_item(&self, b: &ItemBase, now: i64) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO sync_items (mapping_id, path, notion_page_id, local_hash, remote_hash, base_text, \
             remote_markdown, title, title_from_h1, updated_at, properties) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (mapping_id, path) DO UPDATE SET notion_page_id = excluded.notion_page_id, \
             local_hash = excluded.local_hash, remote_hash = excluded.remote_hash, base_text = excluded.base_text, \
             remote_markdown = excluded.remote_markdown, title = excluded.title, \
             title_from_h1 = excluded.title_from_h1, updated_at = excluded.updated_at, \
             properties = excluded.properties",
        )
        .bind(&b.mapping_id)
        .bind(&b.path)
        .bind(&b.notion_page_id)
        .bind(&b.local_hash)
        .bind(&b.remote_hash)
        .bind(&b.base_text)
        .bind(&b.remote_markdown)
        .bind(&b.title)
        .bind(b.title_from_h1 as i64)
        .bind(now)
        .bind(&b.properties)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn insert_session(&self, s: &SessionRecord, now: i64) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO sync_sessions (id, user_id, mapping_id, stage, state, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&s.id)
        .bind(s.user_id)
        .bind(&s.mapping_id)
        .bind(&s.stage)
        .bind(&s.state)
        .bind(now)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM sync_sessions WHERE expires_at < $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// How many sessions the user started since `since` (for the per-user trigger limit).
    pub async fn sessions_since(&self, user_id: i64, since: i64) -> sqlx::Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM sync_sessions WHERE user_id = $1 AND created_at > $2",
        )
        .bind(user_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        col(&row, "n")
    }

    /// A live session of this user.
    pub async fn session(
        &self,
        user_id: i64,
        id: &str,
        now: i64,
    ) -> sqlx::Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT id, user_id, mapping_id, stage, state, expires_at FROM sync_sessions \
             WHERE user_id = $1 AND id = $2 AND expires_at > $3",
        )
        .bind(user_id)
        .bind(id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SessionRecord {
            id: col(&row, "id")?,
            user_id: col(&row, "user_id")?,
            mapping_id: col(&row, "mapping_id")?,
            stage: col(&row, "stage")?,
            state: col(&row, "state")?,
            expires_at: col(&row, "expires_at")?,
        }))
    }

    /// Moves a session from one stage to the next; false if another request moved it first.
    pub async fn advance_session(
        &self,
        id: &str,
        from: &str,
        to: &str,
        state: &str,
    ) -> sqlx::Result<bool> {
        let r = sqlx::query(
            "UPDATE sync_sessions SET stage = $1, state = $2 WHERE id = $3 AND stage = $4",
        )
        .bind(to)
        .bind(state)
        .bind(id)
        .bind(from)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn insert_log(&self, l: &LogRecord) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO sync_logs (id, user_id, mapping_id, operation, status, records_processed, \
             conflicts_detected, conflicts_resolved, error_details, duration_ms, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&l.id)
        .bind(l.user_id)
        .bind(&l.mapping_id)
        .bind(&l.operation)
        .bind(&l.status)
        .bind(l.records_processed)
        .bind(l.conflicts_detected)
        .bind(l.conflicts_resolved)
        .bind(&l.error_details)
        .bind(l.duration_ms)
        .bind(l.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn logs(&self, user_id: i64, limit: i64) -> sqlx::Result<Vec<LogRecord>> {
        let rows = sqlx::query(
            "SELECT id, user_id, mapping_id, operation, status, records_processed, conflicts_detected, \
             conflicts_resolved, error_details, duration_ms, created_at FROM sync_logs \
             WHERE user_id = $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(log_from_row).collect()
    }
}

fn log_from_row(row: &AnyRow) -> sqlx::Result<LogRecord> {
    Ok(LogRecord {
        id: col(row, "id")?,
        user_id: col(row, "user_id")?,
        mapping_id: col(row, "mapping_id")?,
        operation: col(row, "operation")?,
        status: col(row, "status")?,
        records_processed: col(row, "records_processed")?,
        conflicts_detected: col(row, "conflicts_detected")?,
        conflicts_resolved: col(row, "conflicts_resolved")?,
        error_details: col(row, "error_details")?,
        duration_ms: col(row, "duration_ms")?,
        created_at: col(row, "created_at")?,
    })
}

//! Conflicts: at most one unsettled per item, updated as both sides keep changing, and the
//! user's choice kept until a sync applies it.

use super::{col, Store};
use sqlx::any::AnyRow;

/// A conflict as a sync finds it.
#[derive(Debug, Clone)]
pub struct ConflictRecord {
    pub user_id: i64,
    pub mapping_id: String,
    pub path: String,
    pub base_text: String,
    pub local_text: Option<String>,
    pub remote_text: String,
    /// Which versions it is about: the file's hash (None: no file) and the page Markdown's hash.
    pub local_hash: Option<String>,
    pub remote_hash: String,
}

/// A stored conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConflict {
    pub id: String,
    pub mapping_id: String,
    pub path: String,
    pub base_text: String,
    pub local_text: Option<String>,
    pub remote_text: String,
    pub local_hash: Option<String>,
    pub remote_hash: Option<String>,
    pub status: String,
    pub resolution: Option<String>,
    pub resolved_text: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str =
    "id, mapping_id, path, base_text, local_text, remote_text, local_hash, remote_hash, \
    status, resolution, resolved_text, created_at";

impl StoredConflict {
    fn from_row(row: &AnyRow) -> sqlx::Result<StoredConflict> {
        Ok(StoredConflict {
            id: col(row, "id")?,
            mapping_id: col(row, "mapping_id")?,
            path: col(row, "path")?,
            base_text: col(row, "base_text")?,
            local_text: col(row, "local_text")?,
            remote_text: col(row, "remote_text")?,
            local_hash: col(row, "local_hash")?,
            remote_hash: col(row, "remote_hash")?,
            status: col(row, "status")?,
            resolution: col(row, "resolution")?,
            resolved_text: col(row, "resolved_text")?,
            created_at: col(row, "created_at")?,
        })
    }
}

impl Store {
    /// Records a conflict; an unsettled one for the same item is brought up to date instead
    /// (and a choice made for older versions is dropped: it no longer describes what is there).
    pub async fn upsert_conflict(&self, c: &ConflictRecord, now: i64) -> sqlx::Result<String> {
        let existing = self.unsettled_conflict(&c.mapping_id, &c.path).await?;
        if let Some(old) = existing {
            sqlx::query(
                "UPDATE conflicts SET base_text = $1, local_text = $2, remote_text = $3, local_hash = $4, \
                 remote_hash = $5, status = 'open', resolution = NULL, resolved_text = NULL WHERE id = $6",
            )
            .bind(&c.base_text)
            .bind(&c.local_text)
            .bind(&c.remote_text)
            .bind(&c.local_hash)
            .bind(&c.remote_hash)
            .bind(&old.id)
            .execute(&self.pool)
            .await?;
            return Ok(old.id);
        }
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO conflicts (id, user_id, mapping_id, path, base_text, local_text, remote_text, \
             local_hash, remote_hash, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'open', $10)",
        )
        .bind(&id)
        .bind(c.user_id)
        .bind(&c.mapping_id)
        .bind(&c.path)
        .bind(&c.base_text)
        .bind(&c.local_text)
        .bind(&c.remote_text)
        .bind(&c.local_hash)
        .bind(&c.remote_hash)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// The item's open or chosen-but-unapplied conflict.
    pub async fn unsettled_conflict(
        &self,
        mapping_id: &str,
        path: &str,
    ) -> sqlx::Result<Option<StoredConflict>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM conflicts WHERE mapping_id = $1 AND path = $2 AND status IN ('open', 'resolved')"
        );
        let row = sqlx::query(&sql)
            .bind(mapping_id)
            .bind(path)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(StoredConflict::from_row).transpose()
    }

    /// The user's unsettled conflicts, oldest first.
    pub async fn conflicts(&self, user_id: i64) -> sqlx::Result<Vec<StoredConflict>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM conflicts WHERE user_id = $1 AND status IN ('open', 'resolved') \
             ORDER BY created_at, path"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(StoredConflict::from_row).collect()
    }

    pub async fn conflict(&self, user_id: i64, id: &str) -> sqlx::Result<Option<StoredConflict>> {
        let sql = format!("SELECT {COLUMNS} FROM conflicts WHERE user_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(user_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(StoredConflict::from_row).transpose()
    }

    /// Records the user's choice; false if the conflict is not unsettled (or not theirs).
    pub async fn resolve_conflict(
        &self,
        user_id: i64,
        id: &str,
        resolution: &str,
        resolved_text: Option<&str>,
    ) -> sqlx::Result<bool> {
        let r = sqlx::query(
            "UPDATE conflicts SET status = 'resolved', resolution = $1, resolved_text = $2 \
             WHERE user_id = $3 AND id = $4 AND status IN ('open', 'resolved')",
        )
        .bind(resolution)
        .bind(resolved_text)
        .bind(user_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Moves a chosen resolution along with our own write to Notion, so the next attempt still
    /// recognizes the page as the one the choice was about.
    pub async fn set_conflict_remote_hash(&self, id: &str, remote_hash: &str) -> sqlx::Result<()> {
        sqlx::query("UPDATE conflicts SET remote_hash = $1 WHERE id = $2")
            .bind(remote_hash)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn mark_conflict_applied(&self, id: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE conflicts SET status = 'applied', resolved_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn open_conflicts(&self, user_id: i64) -> sqlx::Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM conflicts WHERE user_id = $1 AND status = 'open'",
        )
        .bind(user_id)
        .fetch_one(&self.pool)
        .await?;
        col(&row, "n")
    }
}

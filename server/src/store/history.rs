//! History (`revisions`, `revision_blobs`): append-only and content-addressed per user.

use super::{col, Store};
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRecord {
    pub id: String,
    pub mapping_id: Option<String>,
    pub path: String,
    pub side: String,
    pub reason: String,
    pub hash: String,
    pub size: i64,
    pub created_at: i64,
}

/// A version about to be recorded.
#[derive(Debug, Clone)]
pub struct NewRevision<'a> {
    pub user_id: i64,
    pub mapping_id: Option<&'a str>,
    pub path: &'a str,
    pub side: &'a str,
    pub reason: &'a str,
    pub content: &'a str,
}

const COLUMNS: &str = "id, mapping_id, path, side, reason, hash, size, created_at";

impl RevisionRecord {
    fn from_row(row: &AnyRow) -> sqlx::Result<RevisionRecord> {
        Ok(RevisionRecord {
            id: col(row, "id")?,
            mapping_id: col(row, "mapping_id")?,
            path: col(row, "path")?,
            side: col(row, "side")?,
            reason: col(row, "reason")?,
            hash: col(row, "hash")?,
            size: col(row, "size")?,
            created_at: col(row, "created_at")?,
        })
    }
}

impl Store {
    /// Records a replaced version. The blob is written once per (user, hash).
    pub async fn record_revision(&self, r: &NewRevision<'_>, now: i64) -> sqlx::Result<String> {
        let hash = protocol::ContentHash::of(r.content).to_string();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO revision_blobs (user_id, hash, content) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id, hash) DO NOTHING",
        )
        .bind(r.user_id)
        .bind(&hash)
        .bind(r.content)
        .execute(&mut *tx)
        .await?;
        let id = uuid::Uuid::new_v4().to_string();
        sqlx::query(
            "INSERT INTO revisions (id, user_id, mapping_id, path, side, reason, hash, size, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&id)
        .bind(r.user_id)
        .bind(r.mapping_id)
        .bind(r.path)
        .bind(r.side)
        .bind(r.reason)
        .bind(&hash)
        .bind(r.content.len() as i64)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The user's history of one path, newest first.
    pub async fn revisions(
        &self,
        user_id: i64,
        path: &str,
        limit: i64,
    ) -> sqlx::Result<Vec<RevisionRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM revisions WHERE user_id = $1 AND path = $2 \
             ORDER BY seq DESC LIMIT $3"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .bind(path)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(RevisionRecord::from_row).collect()
    }

    /// One revision of this user, with its content.
    pub async fn revision(
        &self,
        user_id: i64,
        id: &str,
    ) -> sqlx::Result<Option<(RevisionRecord, String)>> {
        let sql = "SELECT r.id, r.mapping_id, r.path, r.side, r.reason, r.hash, r.size, r.created_at, b.content \
             FROM revisions r JOIN revision_blobs b ON b.user_id = r.user_id AND b.hash = r.hash \
             WHERE r.user_id = $1 AND r.id = $2";
        let row = sqlx::query(sql)
            .bind(user_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some((
            RevisionRecord::from_row(&row)?,
            col(&row, "content")?,
        )))
    }

    /// "Delete my data": every row of the user, in every table.
    pub async fn delete_user(&self, user_id: i64) -> sqlx::Result<()> {
        let mut tx = self.pool.begin().await?;
        // Children first where foreign keys point at the configuration.
        for table in [
            "sync_configurations",
            "sync_logs",
            "revisions",
            "revision_blobs",
            "tickets",
            "oauth_states",
            "conflicts",
            "sync_sessions",
            "sync_mappings",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

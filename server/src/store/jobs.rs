//! The durable job queue, shared pacing, webhook de-duplication and run-time secrets.
//!
//! Claiming differs by database: PostgreSQL uses `FOR UPDATE SKIP LOCKED` so replicas never wait
//! on each other's rows; SQLite has one writer at a time, so the same statement without it is
//! already exclusive.

use super::{col, Backend, Store};
use sqlx::any::AnyRow;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRecord {
    pub id: String,
    pub user_id: i64,
    pub mapping_id: String,
    pub kind: String,
    pub attempts: i64,
}

impl JobRecord {
    fn from_row(row: &AnyRow) -> sqlx::Result<JobRecord> {
        Ok(JobRecord {
            id: col(row, "id")?,
            user_id: col(row, "user_id")?,
            mapping_id: col(row, "mapping_id")?,
            kind: col(row, "kind")?,
            attempts: col(row, "attempts")?,
        })
    }
}

/// A job's row as it ended, for operators and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobOutcome {
    pub id: String,
    pub status: String,
    pub attempts: i64,
    pub worker: Option<String>,
    pub last_error: Option<String>,
}

impl Store {
    /// Queues a job unless one of the same kind is already pending for the mapping (triggers
    /// coalesce). Returns the new job's id.
    pub async fn enqueue_job(
        &self,
        user_id: i64,
        mapping_id: &str,
        kind: &str,
        run_after_ms: i64,
        now: i64,
    ) -> sqlx::Result<Option<String>> {
        let id = uuid::Uuid::new_v4().to_string();
        let r = sqlx::query(
            "INSERT INTO sync_jobs (id, user_id, mapping_id, kind, status, run_after_ms, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7) \
             ON CONFLICT (mapping_id, kind) WHERE status IN ('queued', 'running') DO NOTHING",
        )
        .bind(&id)
        .bind(user_id)
        .bind(mapping_id)
        .bind(kind)
        .bind(run_after_ms)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok((r.rows_affected() == 1).then_some(id))
    }

    /// Claims the oldest due job (or one whose worker's lease ran out) for `lease_ms`.
    pub async fn claim_job(
        &self,
        worker: &str,
        now_ms: i64,
        lease_ms: i64,
    ) -> sqlx::Result<Option<JobRecord>> {
        let pick = match self.backend {
            Backend::Postgres => {
                "SELECT id FROM sync_jobs WHERE (status = 'queued' AND run_after_ms <= $3) \
                 OR (status = 'running' AND lease_until_ms < $4) ORDER BY run_after_ms LIMIT 1 FOR UPDATE SKIP LOCKED"
            }
            Backend::Sqlite => {
                "SELECT id FROM sync_jobs WHERE (status = 'queued' AND run_after_ms <= $3) \
                 OR (status = 'running' AND lease_until_ms < $4) ORDER BY run_after_ms LIMIT 1"
            }
        };
        let sql = format!(
            "UPDATE sync_jobs SET status = 'running', lease_until_ms = $1, attempts = attempts + 1, worker = $2, \
             updated_at = $5 WHERE id = ({pick}) RETURNING id, user_id, mapping_id, kind, attempts"
        );
        let row = sqlx::query(&sql)
            .bind(now_ms + lease_ms)
            .bind(worker)
            .bind(now_ms)
            .bind(now_ms)
            .bind(now_ms / 1000)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(JobRecord::from_row).transpose()
    }

    /// Finishes a job this worker still holds; false if its lease was lost to another worker.
    pub async fn finish_job(&self, id: &str, worker: &str, now: i64) -> sqlx::Result<bool> {
        let r = sqlx::query(
            "UPDATE sync_jobs SET status = 'done', updated_at = $1 WHERE id = $2 AND worker = $3 AND status = 'running'",
        )
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Puts a failed job back for `retry_at_ms`, or gives up on it (`None`).
    pub async fn fail_job(
        &self,
        id: &str,
        worker: &str,
        error: &str,
        retry_at_ms: Option<i64>,
        now: i64,
    ) -> sqlx::Result<()> {
        let (status, run_after) = match retry_at_ms {
            Some(t) => ("queued", t),
            None => ("failed", 0),
        };
        sqlx::query(
            "UPDATE sync_jobs SET status = $1, run_after_ms = CASE WHEN $2 > 0 THEN $3 ELSE run_after_ms END, \
             last_error = $4, updated_at = $5 WHERE id = $6 AND worker = $7 AND status = 'running'",
        )
        .bind(status)
        .bind(run_after)
        .bind(run_after)
        .bind(error)
        .bind(now)
        .bind(id)
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn job(&self, id: &str) -> sqlx::Result<Option<JobOutcome>> {
        let row = sqlx::query(
            "SELECT id, status, attempts, worker, last_error FROM sync_jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(JobOutcome {
            id: col(&row, "id")?,
            status: col(&row, "status")?,
            attempts: col(&row, "attempts")?,
            worker: col(&row, "worker")?,
            last_error: col(&row, "last_error")?,
        }))
    }

    /// Jobs not yet finished (queued or running).
    pub async fn pending_jobs(&self) -> sqlx::Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM sync_jobs WHERE status IN ('queued', 'running')",
        )
        .fetch_one(&self.pool)
        .await?;
        col(&row, "n")
    }

    /// Auto-sync mappings whose Notion side has not been looked at for their interval.
    pub async fn due_auto_sync(&self, now: i64, limit: i64) -> sqlx::Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT user_id, id FROM sync_mappings WHERE auto_sync = 1 AND notion_page_id IS NOT NULL \
             AND COALESCE(last_checked_at, 0) + sync_interval_secs <= $1 ORDER BY COALESCE(last_checked_at, 0) LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((col(r, "user_id")?, col(r, "id")?)))
            .collect()
    }

    pub async fn set_mapping_checked(&self, id: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE sync_mappings SET last_checked_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Every mapping (of any user) bound to a Notion page: what a webhook about it concerns.
    pub async fn mappings_for_page(&self, page_id: &str) -> sqlx::Result<Vec<(i64, String)>> {
        let rows = sqlx::query("SELECT user_id, id FROM sync_mappings WHERE notion_page_id = $1")
            .bind(page_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((col(r, "user_id")?, col(r, "id")?)))
            .collect()
    }

    /// Reserves the next request slot of a Notion token for all replicas (GCRA: an emission
    /// interval plus a burst tolerance). Returns when the caller may send, in ms.
    pub async fn reserve_notion_slot(
        &self,
        token_key: &str,
        now_ms: i64,
        interval_ms: i64,
        tolerance_ms: i64,
    ) -> sqlx::Result<i64> {
        let max = match self.backend {
            Backend::Postgres => "GREATEST",
            Backend::Sqlite => "MAX",
        };
        let sql = format!(
            "INSERT INTO notion_pacing (token_key, next_slot_ms) VALUES ($1, $2) \
             ON CONFLICT (token_key) DO UPDATE SET next_slot_ms = {max}(notion_pacing.next_slot_ms, $3) + $4 \
             RETURNING next_slot_ms"
        );
        let row = sqlx::query(&sql)
            .bind(token_key)
            .bind(now_ms + interval_ms)
            .bind(now_ms)
            .bind(interval_ms)
            .fetch_one(&self.pool)
            .await?;
        let tat: i64 = col(&row, "next_slot_ms")?;
        // The request that moved the theoretical arrival time to `tat` may go at
        // `tat - interval - tolerance`, and never before now.
        Ok((tat - interval_ms - tolerance_ms).max(now_ms))
    }

    /// Records a webhook delivery; false when it was already handled.
    pub async fn record_webhook_event(&self, id: &str, now: i64) -> sqlx::Result<bool> {
        let r = sqlx::query("INSERT INTO webhook_events (id, received_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn put_secret(&self, name: &str, value_enc: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO relay_secrets (name, value_enc, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET value_enc = excluded.value_enc, created_at = excluded.created_at",
        )
        .bind(name)
        .bind(value_enc)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn secret(&self, name: &str) -> sqlx::Result<Option<String>> {
        let row = sqlx::query("SELECT value_enc FROM relay_secrets WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(|r| col(r, "value_enc")).transpose()
    }
}

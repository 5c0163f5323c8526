//! Mappings (`sync_mappings`): a path in a Repl bound to a Notion target.

use super::{col, Store};
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct NewMapping {
    pub user_id: i64,
    pub configuration_id: String,
    pub kind: String,
    pub repl_id: Option<String>,
    pub path: String,
    pub notion_page_id: Option<String>,
    pub notion_parent_page_id: Option<String>,
    pub direction: String,
    pub strategy: String,
}

/// Settings a user may change on a mapping.
#[derive(Debug, Clone, Default)]
pub struct MappingUpdate {
    pub direction: Option<String>,
    pub strategy: Option<String>,
    pub auto_sync: Option<bool>,
    pub sync_interval_secs: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingRecord {
    pub id: String,
    pub user_id: i64,
    pub configuration_id: String,
    pub kind: String,
    pub repl_id: Option<String>,
    pub path: String,
    pub notion_page_id: Option<String>,
    pub notion_parent_page_id: Option<String>,
    pub notion_url: Option<String>,
    pub title: Option<String>,
    pub direction: String,
    pub strategy: String,
    pub status: String,
    pub last_synced_at: Option<i64>,
    pub auto_sync: bool,
    pub sync_interval_secs: i64,
    /// Kind-specific settings (JSON): for folders, `{"recursive": true}`.
    pub rules: String,
}

const COLUMNS: &str = "id, user_id, configuration_id, kind, repl_id, path, notion_page_id, \
    notion_parent_page_id, notion_url, title, direction, strategy, status, last_synced_at, auto_sync, \
    sync_interval_secs, rules";

impl MappingRecord {
    fn from_row(row: &AnyRow) -> sqlx::Result<MappingRecord> {
        Ok(MappingRecord {
            id: col(row, "id")?,
            user_id: col(row, "user_id")?,
            configuration_id: col(row, "configuration_id")?,
            kind: col(row, "kind")?,
            repl_id: col(row, "repl_id")?,
            path: col(row, "path")?,
            notion_page_id: col(row, "notion_page_id")?,
            notion_parent_page_id: col(row, "notion_parent_page_id")?,
            notion_url: col(row, "notion_url")?,
            title: col(row, "title")?,
            direction: col(row, "direction")?,
            strategy: col(row, "strategy")?,
            status: col(row, "status")?,
            last_synced_at: col(row, "last_synced_at")?,
            auto_sync: col::<i64>(row, "auto_sync")? != 0,
            sync_interval_secs: col(row, "sync_interval_secs")?,
            rules: col(row, "rules")?,
        })
    }
}

impl Store {
    pub async fn insert_mapping(&self, m: &NewMapping, now: i64) -> sqlx::Result<MappingRecord> {
        let sql = format!(
            "INSERT INTO sync_mappings (id, user_id, configuration_id, kind, repl_id, path, notion_page_id, \
             notion_parent_page_id, direction, strategy, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(m.user_id)
            .bind(&m.configuration_id)
            .bind(&m.kind)
            .bind(&m.repl_id)
            .bind(&m.path)
            .bind(&m.notion_page_id)
            .bind(&m.notion_parent_page_id)
            .bind(&m.direction)
            .bind(&m.strategy)
            .bind(now)
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
        MappingRecord::from_row(&row)
    }

    pub async fn mappings(&self, user_id: i64) -> sqlx::Result<Vec<MappingRecord>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM sync_mappings WHERE user_id = $1 ORDER BY created_at, path"
        );
        let rows = sqlx::query(&sql)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(MappingRecord::from_row).collect()
    }

    /// A mapping of this user; another user's id reads as absent.
    pub async fn mapping(&self, user_id: i64, id: &str) -> sqlx::Result<Option<MappingRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sync_mappings WHERE user_id = $1 AND id = $2");
        let row = sqlx::query(&sql)
            .bind(user_id)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(MappingRecord::from_row).transpose()
    }

    /// Changes how a mapping syncs; `None` leaves a setting as it is.
    pub async fn update_mapping(
        &self,
        user_id: i64,
        id: &str,
        u: &MappingUpdate,
        now: i64,
    ) -> sqlx::Result<bool> {
        let r = sqlx::query(
            "UPDATE sync_mappings SET direction = COALESCE($1, direction), strategy = COALESCE($2, strategy), \
             auto_sync = COALESCE($3, auto_sync), sync_interval_secs = COALESCE($4, sync_interval_secs), \
             updated_at = $5 WHERE user_id = $6 AND id = $7",
        )
        .bind(&u.direction)
        .bind(&u.strategy)
        .bind(u.auto_sync.map(i64::from))
        .bind(u.sync_interval_secs)
        .bind(now)
        .bind(user_id)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    pub async fn delete_mapping(&self, user_id: i64, id: &str) -> sqlx::Result<bool> {
        let r = sqlx::query("DELETE FROM sync_mappings WHERE user_id = $1 AND id = $2")
            .bind(user_id)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }

    /// Records the page a mapping points at once it exists.
    pub async fn set_mapping_page(
        &self,
        id: &str,
        page_id: &str,
        url: Option<&str>,
        title: &str,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query("UPDATE sync_mappings SET notion_page_id = $1, notion_url = $2, title = $3, updated_at = $4 WHERE id = $5")
            .bind(page_id)
            .bind(url)
            .bind(title)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Stores a mapping's kind-specific settings (JSON).
    pub async fn set_mapping_rules(&self, id: &str, rules: &str, now: i64) -> sqlx::Result<()> {
        sqlx::query("UPDATE sync_mappings SET rules = $1, updated_at = $2 WHERE id = $3")
            .bind(rules)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_mapping_status(
        &self,
        id: &str,
        status: &str,
        synced_at: Option<i64>,
        now: i64,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE sync_mappings SET status = $1, last_synced_at = COALESCE($2, last_synced_at), updated_at = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(synced_at)
        .bind(now)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

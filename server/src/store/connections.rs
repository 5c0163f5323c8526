//! Connections (`sync_configurations`): one Notion workspace per user, tokens sealed.

use super::{col, Store};
use sqlx::any::AnyRow;

#[derive(Debug, Clone)]
pub struct NewConnection {
    pub user_id: i64,
    pub installation_id: String,
    pub workspace_id: String,
    pub workspace_name: String,
    pub workspace_icon: Option<String>,
    pub bot_id: String,
    /// Sealed with [`crate::crypto::Secrets::seal`]; never plaintext.
    pub access_token_enc: String,
    pub refresh_token_enc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ConnectionRecord {
    pub id: String,
    pub user_id: i64,
    pub workspace_id: String,
    pub workspace_name: String,
    pub workspace_icon: Option<String>,
    pub bot_id: String,
    pub access_token_enc: String,
    pub refresh_token_enc: Option<String>,
}

impl ConnectionRecord {
    fn from_row(row: &AnyRow) -> sqlx::Result<ConnectionRecord> {
        Ok(ConnectionRecord {
            id: col(row, "id")?,
            user_id: col(row, "user_id")?,
            workspace_id: col(row, "workspace_id")?,
            workspace_name: col(row, "workspace_name")?,
            workspace_icon: col(row, "workspace_icon")?,
            bot_id: col(row, "bot_id")?,
            access_token_enc: col(row, "access_token_enc")?,
            refresh_token_enc: col(row, "refresh_token_enc")?,
        })
    }
}

const COLUMNS: &str = "id, user_id, workspace_id, workspace_name, workspace_icon, bot_id, access_token_enc, refresh_token_enc";

impl Store {
    /// Stores a connection; connecting again replaces the user's previous one (and its tokens).
    pub async fn upsert_connection(
        &self,
        c: &NewConnection,
        now: i64,
    ) -> sqlx::Result<ConnectionRecord> {
        let id = uuid::Uuid::new_v4().to_string();
        let sql = format!(
            "INSERT INTO sync_configurations (id, user_id, installation_id, workspace_id, workspace_name, \
             workspace_icon, bot_id, access_token_enc, refresh_token_enc, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (user_id) DO UPDATE SET installation_id = excluded.installation_id, \
             workspace_id = excluded.workspace_id, workspace_name = excluded.workspace_name, \
             workspace_icon = excluded.workspace_icon, bot_id = excluded.bot_id, \
             access_token_enc = excluded.access_token_enc, refresh_token_enc = excluded.refresh_token_enc, \
             updated_at = excluded.updated_at \
             RETURNING {COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(id)
            .bind(c.user_id)
            .bind(&c.installation_id)
            .bind(&c.workspace_id)
            .bind(&c.workspace_name)
            .bind(&c.workspace_icon)
            .bind(&c.bot_id)
            .bind(&c.access_token_enc)
            .bind(&c.refresh_token_enc)
            .bind(now)
            .bind(now)
            .fetch_one(&self.pool)
            .await?;
        ConnectionRecord::from_row(&row)
    }

    pub async fn connection(&self, user_id: i64) -> sqlx::Result<Option<ConnectionRecord>> {
        let sql = format!("SELECT {COLUMNS} FROM sync_configurations WHERE user_id = $1");
        let row = sqlx::query(&sql)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(ConnectionRecord::from_row).transpose()
    }

    /// Replaces a rotated token pair, only if the refresh token is still the one the caller
    /// used: of two replicas refreshing at once, exactly one wins; the other re-reads.
    pub async fn rotate_tokens(
        &self,
        user_id: i64,
        old_refresh_enc: &str,
        access_enc: &str,
        refresh_enc: Option<&str>,
        now: i64,
    ) -> sqlx::Result<bool> {
        let r = sqlx::query(
            "UPDATE sync_configurations SET access_token_enc = $1, refresh_token_enc = $2, updated_at = $3 \
             WHERE user_id = $4 AND refresh_token_enc = $5",
        )
        .bind(access_enc)
        .bind(refresh_enc)
        .bind(now)
        .bind(user_id)
        .bind(old_refresh_enc)
        .execute(&self.pool)
        .await?;
        Ok(r.rows_affected() == 1)
    }

    /// Removes the connection and, through the foreign keys, its mappings and their state.
    pub async fn delete_connection(&self, user_id: i64) -> sqlx::Result<bool> {
        let r = sqlx::query("DELETE FROM sync_configurations WHERE user_id = $1")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(r.rows_affected() > 0)
    }
}

//! Single-use secrets: tickets and OAuth states. Only their fingerprints are stored, and taking
//! one deletes it in the same statement, so two requests can never both use it.

use super::{col, Store};

#[derive(Debug, Clone, Copy)]
enum Table {
    Tickets,
    OAuthStates,
}

impl Table {
    fn name(self) -> &'static str {
        match self {
            Table::Tickets => "tickets",
            Table::OAuthStates => "oauth_states",
        }
    }
}

impl Store {
    pub async fn insert_ticket(
        &self,
        hash: &str,
        user_id: i64,
        iid: &str,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        self.insert_single_use(Table::Tickets, hash, user_id, iid, expires_at)
            .await
    }

    /// Takes a ticket: returns its user if it existed and had not expired, and deletes it.
    pub async fn take_ticket(&self, hash: &str, now: i64) -> sqlx::Result<Option<(i64, String)>> {
        self.take_single_use(Table::Tickets, hash, now).await
    }

    pub async fn insert_oauth_state(
        &self,
        hash: &str,
        user_id: i64,
        iid: &str,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        self.insert_single_use(Table::OAuthStates, hash, user_id, iid, expires_at)
            .await
    }

    pub async fn take_oauth_state(
        &self,
        hash: &str,
        now: i64,
    ) -> sqlx::Result<Option<(i64, String)>> {
        self.take_single_use(Table::OAuthStates, hash, now).await
    }

    async fn insert_single_use(
        &self,
        t: Table,
        hash: &str,
        user_id: i64,
        iid: &str,
        expires_at: i64,
    ) -> sqlx::Result<()> {
        let sql = format!(
            "INSERT INTO {} (hash, user_id, installation_id, expires_at) VALUES ($1, $2, $3, $4)",
            t.name()
        );
        sqlx::query(&sql)
            .bind(hash)
            .bind(user_id)
            .bind(iid)
            .bind(expires_at)
            .execute(&self.pool)
            .await?;
        // Expired rows are swept on the way; they are useless and must not pile up.
        let sweep = format!("DELETE FROM {} WHERE expires_at < $1", t.name());
        sqlx::query(&sweep)
            .bind(expires_at - 24 * 3600)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn take_single_use(
        &self,
        t: Table,
        hash: &str,
        now: i64,
    ) -> sqlx::Result<Option<(i64, String)>> {
        let sql = format!(
            "DELETE FROM {} WHERE hash = $1 RETURNING user_id, installation_id, expires_at",
            t.name()
        );
        let row = sqlx::query(&sql)
            .bind(hash)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at: i64 = col(&row, "expires_at")?;
        if expires_at <= now {
            return Ok(None);
        }
        Ok(Some((col(&row, "user_id")?, col(&row, "installation_id")?)))
    }
}

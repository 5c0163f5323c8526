//! Per-Notion-token pacing shared by every relay replica (SPEC §7): each request first reserves a
//! slot in the database, so replicas together stay within Notion's 3 requests per second.

use crate::store::Store;
use std::time::Duration;

/// Requests allowed back to back before the spacing applies.
const BURST: i64 = 5;

#[derive(Clone)]
pub struct Pacer {
    store: Store,
    interval_ms: i64,
    tolerance_ms: i64,
}

impl Pacer {
    pub fn new(store: Store, requests_per_second: f64) -> Pacer {
        let interval_ms = (1000.0 / requests_per_second).ceil().max(1.0) as i64;
        Pacer {
            store,
            interval_ms,
            tolerance_ms: interval_ms * (BURST - 1),
        }
    }

    /// Waits for this token's next slot.
    pub async fn wait(&self, token: &notion::AccessToken) -> sqlx::Result<()> {
        // The key identifies the token without storing it.
        let key = &crate::crypto::fingerprint(token.expose())[..32];
        let now = now_ms();
        let slot = self
            .store
            .reserve_notion_slot(key, now, self.interval_ms, self.tolerance_ms)
            .await?;
        if slot > now {
            tokio::time::sleep(Duration::from_millis((slot - now) as u64)).await;
        }
        Ok(())
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

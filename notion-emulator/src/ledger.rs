//! The request ledger: one entry per `/v1` request, for tests and benchmarks that count calls
//! (SPEC §10: "1 Notion write, <= 2 calls in all").

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// One `/v1` request as seen by the emulator. Holds no secret and no content: the token is
/// reduced to a short hash prefix, enough to tell connections apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub duration_ms: f64,
    pub token_hint: Option<String>,
    pub request_id: String,
    /// When the request arrived, in milliseconds since the Unix epoch (for measuring rates).
    #[serde(default)]
    pub received_at_ms: f64,
    /// The injected fault (`429`, `500`, `502`, `503`, `529`, `delay`, `reset`, `lost`), if any.
    /// For `reset` and `lost` the client got no answer, whatever `status` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// Keeps the most recent entries (bounded so a long benchmark cannot grow it without limit).
#[derive(Debug, Default)]
pub struct Ledger {
    inner: Mutex<LedgerInner>,
}

#[derive(Debug, Default)]
struct LedgerInner {
    next_seq: u64,
    entries: std::collections::VecDeque<LedgerEntry>,
}

const MAX_ENTRIES: usize = 100_000;

impl Ledger {
    /// Appends an entry; its `seq` is assigned here.
    pub fn record(&self, mut entry: LedgerEntry) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.next_seq += 1;
        entry.seq = inner.next_seq;
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.pop_front();
        }
        inner.entries.push_back(entry);
    }

    pub fn entries(&self) -> Vec<LedgerEntry> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.entries.iter().cloned().collect()
    }

    /// Forgets the entries; sequence numbers keep counting so entries stay unique.
    pub fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.entries.clear();
    }
}

/// Milliseconds since the Unix epoch.
pub fn now_unix_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

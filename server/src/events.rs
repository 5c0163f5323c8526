//! Live sync progress for `/ws/sync-status`.
//!
//! Events fan out in-process through one broadcast channel; each socket keeps only its user's.
//! With several replicas a socket hears the syncs its own replica runs (the panel's sessions go
//! to the replica its requests reach); the final state is always in the database either way.

use protocol::api::SyncEvent;
use tokio::sync::broadcast;

/// How many events a slow socket may lag behind before it misses some (it is told, and the
/// panel reloads the mapping state).
const CAPACITY: usize = 256;

#[derive(Clone)]
pub struct Events {
    tx: broadcast::Sender<(i64, SyncEvent)>,
}

impl Default for Events {
    fn default() -> Self {
        Events::new()
    }
}

impl Events {
    pub fn new() -> Events {
        Events {
            tx: broadcast::channel(CAPACITY).0,
        }
    }

    /// Sends to the user's sockets; nobody listening is fine.
    pub fn publish(&self, user_id: i64, event: SyncEvent) {
        let _ = self.tx.send((user_id, event));
    }

    pub fn subscribe(&self) -> broadcast::Receiver<(i64, SyncEvent)> {
        self.tx.subscribe()
    }
}

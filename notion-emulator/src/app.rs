//! Shared state handed to every handler.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::{OAuthClientConfig, Seed};
use crate::ledger::Ledger;
use crate::seed;
use crate::state::Store;
use crate::time::Clock;

#[derive(Clone)]
pub struct AppState {
    store: Arc<Mutex<Store>>,
    pub ledger: Arc<Ledger>,
    pub clock: Clock,
    pub clients: Arc<Vec<OAuthClientConfig>>,
    pub seed: Seed,
}

impl AppState {
    pub fn new(seed: Seed, clock: Clock, clients: Vec<OAuthClientConfig>) -> Self {
        AppState {
            store: Arc::new(Mutex::new(seed::build(seed, &clock))),
            ledger: Arc::new(Ledger::default()),
            clock,
            clients: Arc::new(clients),
            seed,
        }
    }

    /// Locks the workspace. A handler that panicked while holding the lock cannot leave a torn
    /// write behind (writes validate first, then mutate), so a poisoned lock is still usable.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Back to the seed: pages, integrations, tokens and the ledger are all dropped.
    pub fn reset(&self) {
        let fresh = seed::build(self.seed, &self.clock);
        *self.lock() = fresh;
        self.ledger.clear();
    }

    pub fn client(&self, client_id: &str) -> Option<&OAuthClientConfig> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }
}

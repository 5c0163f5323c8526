//! Shared state handed to every handler.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::{OAuthClientConfig, Seed};
use crate::infra::Infra;
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
    /// Rate limit, faults, webhooks and a loaded seed state (see [`Infra`]).
    pub infra: Arc<Infra>,
}

impl AppState {
    pub fn new(seed: Seed, clock: Clock, clients: Vec<OAuthClientConfig>) -> Self {
        AppState {
            store: Arc::new(Mutex::new(seed::build(seed, &clock))),
            ledger: Arc::new(Ledger::default()),
            clock,
            clients: Arc::new(clients),
            seed,
            infra: Arc::new(Infra::inert(clock)),
        }
    }

    /// Installs the edge (rate limit, faults, webhooks); a loaded seed state replaces the
    /// workspace.
    pub fn with_infra(mut self, infra: Infra) -> Self {
        if let Some(seed) = &infra.seed_state {
            *self.lock() = seed.clone();
        }
        self.infra = Arc::new(infra);
        self
    }

    /// Locks the workspace. A handler that panicked while holding the lock cannot leave a torn
    /// write behind (writes validate first, then mutate), so a poisoned lock is still usable.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Back to the seed: pages, integrations, tokens and the ledger are all dropped.
    pub fn reset(&self) {
        let fresh = match &self.infra.seed_state {
            Some(state) => state.clone(),
            None => seed::build(self.seed, &self.clock),
        };
        *self.lock() = fresh;
        self.ledger.clear();
    }

    pub fn client(&self, client_id: &str) -> Option<&OAuthClientConfig> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }
}

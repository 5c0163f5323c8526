//! The emulator's "edge": what sits in front of the API rather than in it — the per-token rate
//! limit, fault injection, the webhook emitter, and the state a reset returns to.

use std::sync::Arc;

use tokio::sync::watch;

use crate::faults::{FaultPlan, Faults};
use crate::rate_limit::{Limiter, RateLimit};
use crate::state::Store;
use crate::time::Clock;
use crate::webhooks::Webhooks;

pub struct Infra {
    pub limiter: Limiter,
    pub faults: Faults,
    pub webhooks: Arc<Webhooks>,
    /// A loaded state dump (`--seed FILE`): where `reset` goes back to, instead of the seed.
    pub seed_state: Option<Store>,
    /// The time scale, for `Retry-After` of injected 429/529 answers.
    pub time_scale: f64,
    stop: watch::Sender<bool>,
}

impl Infra {
    pub fn new(
        rate_limit: RateLimit,
        faults: FaultPlan,
        clock: Clock,
        time_scale: f64,
        seed_state: Option<Store>,
    ) -> Self {
        let (stop, stopped) = watch::channel(false);
        Infra {
            limiter: Limiter::new(rate_limit, time_scale),
            faults: Faults::new(faults),
            webhooks: Arc::new(Webhooks::new(clock, stopped)),
            seed_state,
            time_scale,
            stop,
        }
    }

    /// No limit, no faults, no webhooks: what an `AppState` starts with.
    pub fn inert(clock: Clock) -> Self {
        Infra::new(RateLimit::Off, FaultPlan::default(), clock, 1.0, None)
    }

    /// Ends background work (webhook deliveries, injected delays) when the server stops.
    pub fn stop(&self) {
        let _ = self.stop.send(true);
    }

    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }
}

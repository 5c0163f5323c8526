//! Per-token pacing: the client's side of Notion's rate limit.
//!
//! Notion allows "an average of three requests per second per connection, with bursts"
//! (SPEC §4, reference/notion-api.md §12.1). Every bearer request waits for a cell of a GCRA
//! limiter ([`governor`]) keyed by its token, so one token's requests average at most `rate`
//! per second across every clone of the client, while other tokens are not held up. Retries go
//! through the pacer too.
//!
//! The default burst (5) is half of what the emulator (and, as far as documented, Notion) allows
//! (10), which leaves room for requests that leave in order but arrive bunched up.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::errors::NotionError;

/// How fast one token's requests may go.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pacing {
    requests_per_second: f64,
    burst: u32,
}

impl Pacing {
    /// Notion's documented average (3 requests/s per connection) with bursts of 5.
    pub fn notion() -> Self {
        Pacing {
            requests_per_second: 3.0,
            burst: 5,
        }
    }

    /// `requests_per_second` on average (> 0), up to `burst` (≥ 1) at once.
    pub fn new(requests_per_second: f64, burst: u32) -> Result<Self, NotionError> {
        if !(requests_per_second.is_finite() && requests_per_second > 0.0) {
            return Err(NotionError::InvalidRequest(format!(
                "pacing rate must be a positive number, got {requests_per_second}"
            )));
        }
        if burst == 0 {
            return Err(NotionError::InvalidRequest(
                "pacing burst must be at least 1".into(),
            ));
        }
        Ok(Pacing {
            requests_per_second,
            burst,
        })
    }

    /// The same pacing `factor` times faster: tests run the emulator with `--time-scale N` and
    /// the client with `Pacing::notion().scaled(N)`. Factors that are not positive are ignored.
    pub fn scaled(self, factor: f64) -> Self {
        if !(factor.is_finite() && factor > 0.0) {
            return self;
        }
        Pacing {
            requests_per_second: self.requests_per_second * factor,
            ..self
        }
    }

    pub fn requests_per_second(&self) -> f64 {
        self.requests_per_second
    }

    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Time between two requests at the average rate.
    pub fn period(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.requests_per_second).max(Duration::from_nanos(1))
    }
}

impl Default for Pacing {
    fn default() -> Self {
        Pacing::notion()
    }
}

/// Keys are salted hashes of tokens, so the limiter never holds a token.
type Key = u64;

/// The shared limiter behind a client and its clones.
pub(crate) struct Pacer {
    pacing: Pacing,
    limiter: DefaultKeyedRateLimiter<Key>,
    hasher: RandomState,
    calls: AtomicU64,
}

/// Forget idle tokens' state every this many calls (a full bucket carries no information).
const SWEEP_EVERY: u64 = 4096;

impl Pacer {
    pub(crate) fn new(pacing: Pacing) -> Self {
        let burst = NonZeroU32::new(pacing.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(pacing.period())
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        Pacer {
            pacing,
            limiter: RateLimiter::keyed(quota),
            hasher: RandomState::new(),
            calls: AtomicU64::new(0),
        }
    }

    pub(crate) fn pacing(&self) -> Pacing {
        self.pacing
    }

    /// Waits until `token` may send another request.
    pub(crate) async fn ready(&self, token: &str) {
        let key = self.hasher.hash_one(token);
        if self.calls.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.limiter.retain_recent();
        }
        self.limiter.until_key_ready(&key).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn validates_and_scales() {
        assert!(Pacing::new(0.0, 1).is_err());
        assert!(Pacing::new(f64::NAN, 1).is_err());
        assert!(Pacing::new(3.0, 0).is_err());
        let p = Pacing::notion().scaled(60.0);
        assert_eq!(p.requests_per_second(), 180.0);
        assert_eq!(p.burst(), 5);
        assert_eq!(Pacing::notion().scaled(-1.0), Pacing::notion());
    }

    #[tokio::test]
    async fn paces_per_token_after_a_burst() {
        let pacer = Pacer::new(Pacing::new(50.0, 5).unwrap());
        let started = Instant::now();
        for _ in 0..5 {
            pacer.ready("a").await;
        }
        assert!(
            started.elapsed() < Duration::from_millis(15),
            "burst is immediate"
        );
        for _ in 0..10 {
            pacer.ready("a").await;
        }
        let elapsed = started.elapsed();
        // 10 more at 50/s take ~200 ms.
        assert!(elapsed >= Duration::from_millis(170), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(1000), "{elapsed:?}");
        let other = Instant::now();
        pacer.ready("b").await;
        assert!(
            other.elapsed() < Duration::from_millis(15),
            "tokens are paced apart"
        );
    }
}

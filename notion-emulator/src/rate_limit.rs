//! Notion's per-connection rate limit: a token bucket per bearer token.
//!
//! Notion documents "an average of three requests per second per connection, with some bursts
//! beyond the average allowed" (reference/notion-api.md §12.1). Each token gets a bucket of
//! `burst` requests that refills at `rate` per second; a request that finds it empty is answered
//! 429 `rate_limited` with `Retry-After` and `additional_data.rate_limit_reason`, and does not use
//! up anything. `--time-scale N` multiplies the refill rate by N and divides `Retry-After` by N.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `rate_limit_reason` for the per-connection limit, as Notion names it.
pub const REASON: &str = "public_api_request_rate_limit";

/// Buckets untouched for this long (at the configured pace) are dropped; a full bucket carries
/// no information.
const IDLE_BUCKET: Duration = Duration::from_secs(600);

/// The configured limit (`--rate-limit RATE[/BURST]` or `off`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RateLimit {
    Off,
    /// `rate` requests per second on average (at Notion's pace), `burst` at once.
    PerSecond {
        rate: f64,
        burst: u32,
    },
}

impl RateLimit {
    /// Notion's documented pace: 3 requests/s on average, bursts of about 10.
    pub const NOTION: RateLimit = RateLimit::PerSecond {
        rate: 3.0,
        burst: 10,
    };
}

impl Default for RateLimit {
    fn default() -> Self {
        RateLimit::NOTION
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RateLimit::Off => f.write_str("off"),
            RateLimit::PerSecond { rate, burst } => write!(f, "{rate}/{burst}"),
        }
    }
}

impl FromStr for RateLimit {
    type Err = String;

    /// `off`, `RATE` (burst 10) or `RATE/BURST`, e.g. `3/10`, `0.5/1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") {
            return Ok(RateLimit::Off);
        }
        let (rate, burst) = match s.split_once('/') {
            Some((rate, burst)) => (rate, Some(burst)),
            None => (s, None),
        };
        let rate: f64 = rate
            .trim()
            .parse()
            .map_err(|_| format!("invalid rate limit `{s}` (expected RATE[/BURST] or `off`)"))?;
        if !(rate.is_finite() && rate > 0.0) {
            return Err(format!(
                "invalid rate limit `{s}`: the rate must be a positive number"
            ));
        }
        let burst = match burst {
            None => 10,
            Some(b) => b
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|b| *b >= 1)
                .ok_or_else(|| {
                    format!("invalid rate limit `{s}`: the burst must be a whole number ≥ 1")
                })?,
        };
        Ok(RateLimit::PerSecond { rate, burst })
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// The live limiter: one bucket per token fingerprint.
#[derive(Debug)]
pub struct Limiter {
    /// Refill per real second (the configured rate times the time scale).
    rate: f64,
    burst: f64,
    scale: f64,
    buckets: Mutex<HashMap<String, Bucket>>,
    limit: RateLimit,
}

/// A refused request: how long the caller must wait, as `Retry-After` says it.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// Header value: integer seconds at Notion's pace (≥ 1); divided by the time scale when it
    /// is not 1, with millisecond precision.
    pub retry_after: String,
    pub wait: Duration,
}

impl Limiter {
    pub fn new(limit: RateLimit, time_scale: f64) -> Self {
        let scale = if time_scale.is_finite() && time_scale > 0.0 {
            time_scale
        } else {
            1.0
        };
        let (rate, burst) = match limit {
            RateLimit::Off => (f64::INFINITY, f64::INFINITY),
            RateLimit::PerSecond { rate, burst } => (rate * scale, f64::from(burst)),
        };
        Limiter {
            rate,
            burst,
            scale,
            buckets: Mutex::new(HashMap::new()),
            limit,
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Takes one request from `key`'s bucket, or says how long to wait.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Refusal> {
        if self.rate.is_infinite() {
            return Ok(());
        }
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 1024 {
            let idle = IDLE_BUCKET.div_f64(self.scale);
            buckets.retain(|_, b| now.saturating_duration_since(b.updated) < idle);
        }
        let bucket = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: self.burst,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(bucket.updated).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.rate).min(self.burst);
        bucket.updated = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = Duration::from_secs_f64((1.0 - bucket.tokens) / self.rate);
        Err(self.refusal(wait))
    }

    /// `Retry-After` for a real wait: Notion sends whole seconds (at least 1), so the wait is
    /// rounded up at Notion's pace and then compressed by the time scale.
    fn refusal(&self, wait: Duration) -> Refusal {
        let notion_secs = (wait.as_secs_f64() * self.scale).ceil().max(1.0);
        let scaled = notion_secs / self.scale;
        let retry_after = if self.scale == 1.0 {
            format!("{notion_secs:.0}")
        } else {
            format_seconds(scaled)
        };
        Refusal {
            retry_after,
            wait: Duration::from_secs_f64(scaled),
        }
    }
}

/// Seconds with up to millisecond precision and no trailing zeros (`0.017`, `2`).
pub fn format_seconds(secs: f64) -> String {
    let ms = (secs * 1000.0).ceil().max(1.0);
    let text = format!("{:.3}", ms / 1000.0);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_flags() {
        assert_eq!("off".parse::<RateLimit>(), Ok(RateLimit::Off));
        assert_eq!(
            "3".parse::<RateLimit>(),
            Ok(RateLimit::PerSecond {
                rate: 3.0,
                burst: 10
            })
        );
        assert_eq!(
            "0.5/2".parse::<RateLimit>(),
            Ok(RateLimit::PerSecond {
                rate: 0.5,
                burst: 2
            })
        );
        for bad in ["", "fast", "0", "-1/3", "3/0", "3/x"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn bucket_allows_a_burst_then_refuses_with_retry_after() {
        let limiter = Limiter::new(RateLimit::NOTION, 1.0);
        let t0 = Instant::now();
        for _ in 0..10 {
            assert!(limiter.check("a", t0).is_ok());
        }
        let refused = limiter.check("a", t0).unwrap_err();
        assert_eq!(refused.retry_after, "1");
        assert!(limiter.check("b", t0).is_ok(), "buckets are per token");
        // One request's worth refills in a third of a second.
        assert!(limiter.check("a", t0 + Duration::from_millis(340)).is_ok());
        assert!(limiter.check("a", t0 + Duration::from_millis(345)).is_err());
    }

    #[test]
    fn time_scale_compresses_rate_and_retry_after() {
        let limiter = Limiter::new(RateLimit::NOTION, 60.0);
        let t0 = Instant::now();
        for _ in 0..10 {
            assert!(limiter.check("a", t0).is_ok());
        }
        let refused = limiter.check("a", t0).unwrap_err();
        assert_eq!(refused.retry_after, "0.017");
        // 180 requests/s: one more after ~5.6 ms.
        assert!(limiter.check("a", t0 + Duration::from_millis(6)).is_ok());
        let off = Limiter::new(RateLimit::Off, 1.0);
        for _ in 0..1000 {
            assert!(off.check("a", t0).is_ok());
        }
    }
}

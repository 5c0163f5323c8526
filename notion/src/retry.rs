//! Retry decisions and back-off delays.

use std::time::{Duration, SystemTime};

use rand::Rng;
use reqwest::Method;

use crate::config::RetryPolicy;

/// Whether an HTTP status is worth another attempt for this method.
///
/// 429 and 529 mean "not now" and nothing was applied, so any method may retry. Other 5xx are
/// retried only for idempotent methods: a POST/PATCH that failed with 502 may have been applied
/// (create-page is not idempotent), and the caller must look before writing again (SPEC §4).
pub(crate) fn should_retry_status(method: &Method, status: u16) -> bool {
    match status {
        429 | 529 => true,
        500 | 502 | 503 | 504 => is_idempotent(method),
        _ => false,
    }
}

/// Transport failures (connect refused, reset, timeout) are retried for idempotent methods only,
/// for the same reason as 5xx.
pub(crate) fn should_retry_transport(method: &Method) -> bool {
    is_idempotent(method)
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::DELETE | Method::OPTIONS
    )
}

/// Exponential back-off with "equal jitter": half the delay is fixed, half random, so
/// concurrent clients spread out without ever retrying immediately.
pub(crate) fn backoff_delay(policy: &RetryPolicy, retry: u32) -> Duration {
    let exp = policy
        .base_delay
        .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
    let capped = exp.min(policy.max_delay);
    let half = capped / 2;
    let jitter_ms = u64::try_from(half.as_millis()).unwrap_or(u64::MAX);
    let extra = if jitter_ms == 0 {
        0
    } else {
        rand::thread_rng().gen_range(0..=jitter_ms)
    };
    half + Duration::from_millis(extra)
}

/// The wait after a `Retry-After`: at least what the server asked, plus up to a tenth more
/// (at most 1 s), so that clients told the same thing do not all come back at once.
pub(crate) fn retry_after_delay(wait: Duration) -> Duration {
    let spread = u64::try_from((wait / 10).min(Duration::from_secs(1)).as_micros()).unwrap_or(0);
    let extra = if spread == 0 {
        0
    } else {
        rand::thread_rng().gen_range(0..=spread)
    };
    wait + Duration::from_micros(extra)
}

/// Parses `Retry-After`: delta-seconds (integer or decimal) or an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_finite() && secs >= 0.0 {
            return Some(Duration::from_secs_f64(secs));
        }
        return None;
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_matrix() {
        assert!(should_retry_status(&Method::POST, 429));
        assert!(should_retry_status(&Method::PATCH, 529));
        assert!(should_retry_status(&Method::GET, 503));
        assert!(!should_retry_status(&Method::POST, 502));
        assert!(!should_retry_status(&Method::GET, 400));
        assert!(should_retry_transport(&Method::GET));
        assert!(!should_retry_transport(&Method::POST));
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn retry_after_is_honoured_with_a_little_jitter() {
        for _ in 0..50 {
            let d = retry_after_delay(Duration::from_secs(2));
            assert!(
                d >= Duration::from_secs(2) && d <= Duration::from_millis(2200),
                "{d:?}"
            );
        }
        assert_eq!(retry_after_delay(Duration::ZERO), Duration::ZERO);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
            max_retry_after: Duration::from_secs(1),
        };
        let first = backoff_delay(&policy, 1);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        for retry in 1..10 {
            assert!(backoff_delay(&policy, retry) <= Duration::from_millis(300));
        }
    }
}

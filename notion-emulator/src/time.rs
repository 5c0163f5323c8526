//! The emulator's clock.
//!
//! Notion floors page and block timestamps to the minute. Tests cannot wait minutes, so
//! `--time-scale N` shrinks that granularity (and other windows, such as OAuth code expiry) by
//! N while the clock itself stays real: timestamps remain comparable with the caller's own
//! wall clock, only the rounding window is compressed.

use std::time::Duration;

use time::OffsetDateTime;

#[derive(Debug, Clone, Copy)]
pub struct Clock {
    scale: f64,
}

impl Clock {
    /// `scale` values that are not finite and positive fall back to 1 (real pace).
    pub fn new(scale: f64) -> Self {
        let scale = if scale.is_finite() && scale > 0.0 {
            scale
        } else {
            1.0
        };
        Clock { scale }
    }

    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }

    /// A Notion-paced duration compressed by the time scale (at least one millisecond).
    pub fn scaled(&self, notion_pace: Duration) -> Duration {
        notion_pace
            .div_f64(self.scale)
            .max(Duration::from_millis(1))
    }

    /// Floors a timestamp the way Notion floors `created_time`/`last_edited_time`: to the
    /// minute at scale 1, to `60 s / scale` otherwise.
    pub fn floor(&self, at: OffsetDateTime) -> OffsetDateTime {
        let step =
            i128::try_from(self.scaled(Duration::from_secs(60)).as_nanos()).unwrap_or(i128::MAX);
        let nanos = at.unix_timestamp_nanos();
        let floored = nanos - nanos.rem_euclid(step);
        OffsetDateTime::from_unix_timestamp_nanos(floored).unwrap_or(at)
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn floors_to_minute_at_real_pace() {
        let c = Clock::new(1.0);
        assert_eq!(
            c.floor(datetime!(2026-07-04 09:11:42.123 UTC)),
            datetime!(2026-07-04 09:11:00 UTC)
        );
    }

    #[test]
    fn scale_shrinks_the_window() {
        let c = Clock::new(60.0);
        assert_eq!(
            c.floor(datetime!(2026-07-04 09:11:42.123 UTC)),
            datetime!(2026-07-04 09:11:42 UTC)
        );
        assert_eq!(c.scaled(Duration::from_secs(600)), Duration::from_secs(10));
        let nan = Clock::new(f64::NAN);
        assert_eq!(
            nan.floor(datetime!(2026-07-04 09:11:42.123 UTC)),
            datetime!(2026-07-04 09:11:00 UTC)
        );
    }
}

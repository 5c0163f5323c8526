//! Notion timestamps.
//!
//! Notion writes pages, blocks and data sources as `2026-07-04T09:11:00.000Z` (minute-floored)
//! and database containers as `2026-08-12T20:15:11.370+00:00`. Both are RFC 3339; we parse any
//! RFC 3339 value and always write the page form, so values we emit look like Notion's.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// An instant as Notion reports it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub OffsetDateTime);

impl Timestamp {
    pub fn new(at: OffsetDateTime) -> Self {
        Timestamp(at.to_offset(UtcOffset::UTC))
    }

    pub fn as_offset_date_time(&self) -> OffsetDateTime {
        self.0
    }

    /// Seconds since the Unix epoch.
    pub fn unix_timestamp(&self) -> i64 {
        self.0.unix_timestamp()
    }
}

impl From<OffsetDateTime> for Timestamp {
    fn from(at: OffsetDateTime) -> Self {
        Timestamp::new(at)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fmt = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
        );
        let utc = self.0.to_offset(UtcOffset::UTC);
        match utc.format(&fmt) {
            Ok(s) => f.write_str(&s),
            Err(_) => Err(fmt::Error),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({self})")
    }
}

impl FromStr for Timestamp {
    type Err = time::error::Parse;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OffsetDateTime::parse(s, &Rfc3339).map(Timestamp::new)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl Timestamp {
    /// The form Notion uses for database containers: millisecond precision and an explicit
    /// `+00:00` offset (`2026-08-12T20:15:11.370+00:00`).
    pub fn to_offset_string(&self) -> String {
        let fmt = format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]+00:00"
        );
        self.0
            .to_offset(UtcOffset::UTC)
            .format(&fmt)
            .unwrap_or_else(|_| self.to_string())
    }
}

/// serde for `Option<Timestamp>` fields written in the database-container form
/// ([`Timestamp::to_offset_string`]); reads any RFC 3339 value.
pub mod offset_form {
    use super::Timestamp;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(t) => s.serialize_str(&t.to_offset_string()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        Option::<Timestamp>::deserialize(d)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_notion_forms() {
        let t: Timestamp = "2026-07-04T09:11:00.000Z".parse().unwrap();
        assert_eq!(t.to_string(), "2026-07-04T09:11:00.000Z");
        let db: Timestamp = "2026-08-12T20:15:11.370+00:00".parse().unwrap();
        assert_eq!(db.to_string(), "2026-08-12T20:15:11.370Z");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"2026-07-04T09:11:00.000Z\"");
        let back: Timestamp = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
        assert_eq!(db.to_offset_string(), "2026-08-12T20:15:11.370+00:00");
    }
}

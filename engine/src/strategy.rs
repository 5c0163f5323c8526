//! Conflict strategies (SPEC §4). A strategy only decides hunks both sides changed in
//! different ways (G13); everything else merges whatever the strategy, and the losing version
//! of a decided conflict always goes to history.

use serde::{Deserialize, Serialize};

use crate::merge::Policy;

/// A mapping's conflict strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    /// Merge what does not overlap; an overlap is a conflict for the user.
    #[default]
    Merge,
    /// The later edit wins, when the clocks can tell (else the user decides).
    LatestWins,
    /// The Repl's version wins overlaps.
    ReplitPriority,
    /// Notion's version wins overlaps.
    NotionPriority,
    /// Every overlap waits for the user; nothing is written for the item until then.
    ManualResolution,
}

impl std::str::FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "merge" => Strategy::Merge,
            "latest_wins" => Strategy::LatestWins,
            "replit_priority" => Strategy::ReplitPriority,
            "notion_priority" => Strategy::NotionPriority,
            "manual_resolution" => Strategy::ManualResolution,
            other => return Err(format!("unknown conflict strategy `{other}`")),
        })
    }
}

/// What the clocks say about an item, in Unix milliseconds. They only order versions inside
/// `latest_wins`; they never decide whether a side changed (G12).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Clocks {
    /// When the panel first saw the local change (watchers and scans; the extension file API has
    /// no modification times).
    pub local_changed_at: Option<i64>,
    /// Notion's `last_edited_time`, which Notion rounds down to the minute.
    pub remote_edited_at: Option<i64>,
}

/// Notion's `last_edited_time` granularity.
pub const NOTION_TIME_GRANULARITY_MS: i64 = 60_000;

/// How overlapping hunks are decided for `strategy`.
pub fn policy(strategy: Strategy, clocks: Clocks) -> Policy {
    match strategy {
        Strategy::Merge | Strategy::ManualResolution => Policy::Unresolved,
        Strategy::ReplitPriority => Policy::Local,
        Strategy::NotionPriority => Policy::Remote,
        Strategy::LatestWins => latest(clocks),
    }
}

/// `latest_wins`, honestly: a Notion time `r` means the edit happened in `[r, r + 1 min)`, so the
/// local edit is later only from `r + 1 min` on and earlier only before `r`; in between the
/// order is unknown and the user decides.
fn latest(c: Clocks) -> Policy {
    match (c.local_changed_at, c.remote_edited_at) {
        (Some(l), Some(r)) if l >= r + NOTION_TIME_GRANULARITY_MS => Policy::Local,
        (Some(l), Some(r)) if l < r => Policy::Remote,
        _ => Policy::Unresolved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latest_wins_is_honest_about_minutes() {
        let at = |l, r| Clocks {
            local_changed_at: Some(l),
            remote_edited_at: Some(r),
        };
        let r = 1_700_000_040_000; // a whole minute
        assert_eq!(
            policy(Strategy::LatestWins, at(r + 60_000, r)),
            Policy::Local
        );
        assert_eq!(policy(Strategy::LatestWins, at(r - 1, r)), Policy::Remote);
        assert_eq!(
            policy(Strategy::LatestWins, at(r + 30_000, r)),
            Policy::Unresolved
        );
        assert_eq!(
            policy(Strategy::LatestWins, Clocks::default()),
            Policy::Unresolved
        );
        assert_eq!(policy(Strategy::Merge, at(0, 0)), Policy::Unresolved);
        assert_eq!("notion_priority".parse(), Ok(Strategy::NotionPriority));
    }
}

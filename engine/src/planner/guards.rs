//! The mass-deletion guard (G8): a sync that would delete more than a share of a mapping's
//! items (and more than a few) deletes nothing, applies everything else, and asks.

use serde::{Deserialize, Serialize};

use super::ItemPlan;
use crate::file_page::{Action, Plan};

/// When deletions need a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GuardLimits {
    /// More deletions than this may need confirmation…
    pub min_count: usize,
    /// …when they are also more than this share of the tracked items.
    pub max_share: f64,
}

impl Default for GuardLimits {
    fn default() -> Self {
        GuardLimits {
            min_count: 5,
            max_share: 0.2,
        }
    }
}

/// Deletions held back for confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionGuard {
    pub would_delete: usize,
    pub tracked: usize,
    /// Paths whose deletion was held.
    pub paths: Vec<String>,
    pub message: String,
}

/// Holds every deletion back when there are too many; returns what was held.
pub(crate) fn apply(
    items: &mut [ItemPlan],
    tracked: usize,
    limits: &GuardLimits,
    confirmed: bool,
) -> Option<DeletionGuard> {
    let deleting: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(_, i)| matches!(i.plan.action, Action::DeleteRemote | Action::DeleteLocal))
        .map(|(k, _)| k)
        .collect();
    let n = deleting.len();
    let too_many = n > limits.min_count && (n as f64) > limits.max_share * tracked as f64;
    if !too_many || confirmed {
        return None;
    }
    let message = format!(
        "halted: {n}/{tracked} would be deleted; nothing was deleted — confirm to delete them"
    );
    let mut paths = Vec::with_capacity(n);
    for k in deleting {
        paths.push(items[k].path.clone());
        items[k].plan = Plan {
            action: Action::Skip,
            message: Some(message.clone()),
            remote: None,
            expected_markdown: None,
            file: None,
            conflict: None,
            history: Vec::new(),
            base_after: None,
            decided_conflicts: Vec::new(),
        };
    }
    Some(DeletionGuard {
        would_delete: n,
        tracked,
        paths,
        message,
    })
}

//! The base rule (SPEC §4): change is detected by content against a base, never by clocks (G12).
//!
//! - nothing changed → nothing to do (G2: a no-change sync writes nothing);
//! - one side changed → copy it to the other;
//! - both changed → a conflict; nothing is overwritten (G1). Merging and strategies build on this.
//!
//! Hashes make "changed" exact: the local side is compared by the hash of the file's bytes, the
//! remote side by the hash of the Markdown Notion returned, so Notion's rewriting of what we sent
//! (it normalizes heavily) is part of the base and never looks like an edit (G9: no echo).

use protocol::ContentHash;

/// What both sides looked like after the last sync they agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Base {
    /// Hash of the file's bytes as written or read at the last sync.
    pub local: ContentHash,
    /// Hash of the page's Markdown as Notion returned it at the last sync.
    pub remote: ContentHash,
}

/// One side now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideState {
    /// The file or page does not exist (or is empty, for a page not yet created).
    Missing,
    Present(ContentHash),
}

impl SideState {
    fn hash(&self) -> Option<&ContentHash> {
        match self {
            SideState::Missing => None,
            SideState::Present(h) => Some(h),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Both sides are as in the base.
    Unchanged,
    /// No page yet: create it from the file.
    CreateRemote,
    /// The file changed: write it to Notion.
    PushLocal,
    /// Notion changed: write it to the file.
    PullRemote,
    /// Both changed since the base, or both have content and there is no base (first link).
    Conflict,
    /// The file is gone. Absence is never deletion (G7): leave Notion alone and report it.
    LocalMissing,
}

/// Decides what one item needs, from the base and the two sides.
pub fn decide(base: Option<&Base>, local: &SideState, remote: &SideState) -> Decision {
    let Some(local_hash) = local.hash() else {
        return Decision::LocalMissing;
    };
    let Some(base) = base else {
        // First link: nothing was ever agreed on.
        return match remote {
            SideState::Missing => Decision::CreateRemote,
            SideState::Present(_) => Decision::Conflict,
        };
    };
    let Some(remote_hash) = remote.hash() else {
        // The page is gone or unreadable after a sync. Recreating it silently could resurrect
        // something a teammate deleted on purpose; absence is reported, never acted on (G7).
        return Decision::Conflict;
    };
    let local_changed = *local_hash != base.local;
    let remote_changed = *remote_hash != base.remote;
    match (local_changed, remote_changed) {
        (false, false) => Decision::Unchanged,
        (true, false) => Decision::PushLocal,
        (false, true) => Decision::PullRemote,
        (true, true) => Decision::Conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn h(s: &str) -> ContentHash {
        ContentHash::of(s)
    }
    fn present(s: &str) -> SideState {
        SideState::Present(h(s))
    }
    fn base(l: &str, r: &str) -> Base {
        Base {
            local: h(l),
            remote: h(r),
        }
    }

    #[test]
    fn one_side_changed_is_copied() {
        let b = base("file", "page");
        assert_eq!(
            decide(Some(&b), &present("file"), &present("page")),
            Decision::Unchanged
        );
        assert_eq!(
            decide(Some(&b), &present("file2"), &present("page")),
            Decision::PushLocal
        );
        assert_eq!(
            decide(Some(&b), &present("file"), &present("page2")),
            Decision::PullRemote
        );
    }

    #[test]
    fn both_changed_is_a_conflict() {
        let b = base("file", "page");
        assert_eq!(
            decide(Some(&b), &present("file2"), &present("page2")),
            Decision::Conflict
        );
    }

    #[test]
    fn first_link() {
        assert_eq!(
            decide(None, &present("x"), &SideState::Missing),
            Decision::CreateRemote
        );
        assert_eq!(
            decide(None, &present("x"), &present("y")),
            Decision::Conflict
        );
    }

    #[test]
    fn absence_is_never_deletion() {
        let b = base("file", "page");
        assert_eq!(
            decide(Some(&b), &SideState::Missing, &present("page")),
            Decision::LocalMissing
        );
        assert_eq!(
            decide(Some(&b), &present("file"), &SideState::Missing),
            Decision::Conflict
        );
    }

    proptest! {
        /// Whatever the inputs, a side that changed is never overwritten by the other side:
        /// the only decisions that write a side are taken when that side equals the base.
        #[test]
        fn never_overwrites_a_changed_side(
            bl in "[ab]", br in "[ab]", l in "[ab]", r in "[ab]", has_base: bool,
        ) {
            let b = base(&bl, &br);
            let base = has_base.then_some(&b);
            let d = decide(base, &present(&l), &present(&r));
            match d {
                Decision::PullRemote => prop_assert!(base.is_some_and(|b| b.local == h(&l))),
                Decision::PushLocal => prop_assert!(base.is_some_and(|b| b.remote == h(&r))),
                Decision::CreateRemote => prop_assert!(false, "remote exists"),
                _ => {}
            }
        }
    }
}

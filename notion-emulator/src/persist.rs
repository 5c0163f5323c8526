//! Loading a state dump (`GET /__emulator/state`) back: `PUT /__emulator/state` and
//! `--seed FILE`. A dump holds secrets only as hashes, so tokens in it keep working after a load
//! (their holders still have them) while the dump itself reveals none.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::state::{PageParentRef, Store};

/// Why a dump was refused.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("not an emulator state dump: {0}")]
    Shape(#[from] serde_json::Error),
    #[error("inconsistent state dump: {0}")]
    Inconsistent(String),
}

/// Parses and checks a dump.
pub fn load(dump: Value) -> Result<Store, LoadError> {
    let store: Store = serde_json::from_value(dump)?;
    check(&store)?;
    Ok(store)
}

fn check(store: &Store) -> Result<(), LoadError> {
    if !store.people.contains_key(&store.workspace.owner) {
        return Err(LoadError::Inconsistent(
            "the workspace owner is not among `people`".into(),
        ));
    }
    for (key, page) in &store.pages {
        if *key != page.id {
            return Err(LoadError::Inconsistent(format!(
                "page stored under {key} has id {}",
                page.id
            )));
        }
        if let PageParentRef::Page(parent) = page.parent {
            if !store.pages.contains_key(&parent) {
                return Err(LoadError::Inconsistent(format!(
                    "page {key} has a parent that is not in the dump"
                )));
            }
        }
        // Parent chains must end at the workspace.
        let mut seen = BTreeSet::new();
        let mut current = page.parent;
        while let PageParentRef::Page(id) = current {
            if !seen.insert(id) {
                return Err(LoadError::Inconsistent(format!(
                    "page {key} is its own ancestor"
                )));
            }
            current = store
                .pages
                .get(&id)
                .map_or(PageParentRef::Workspace, |p| p.parent);
        }
    }
    for token in store.tokens.values() {
        if !store.bots.contains_key(&token.bot_id) {
            return Err(LoadError::Inconsistent(
                "a token belongs to a bot that is not in the dump".into(),
            ));
        }
    }
    Ok(())
}

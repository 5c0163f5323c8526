//! Stored records → the `notion` crate's response models (one definition of Notion's JSON
//! shape, shared with the client).

use std::collections::BTreeMap;

use notion::{
    Bot, BotOwner, Page, PageMarkdown, Parent, PartialUser, PropertyValue, Timestamp, User,
    WorkspaceLimits,
};
use notion_markdown::Dialect;

use crate::content;
use crate::ids;
use crate::nfm;
use crate::state::{BotRecord, PageParentRef, PageRecord, Person, Store};
use crate::time::Clock;
use crate::version::ApiVersion;

/// Notion's free-plan upload limit, as recorded in `users/me` (5 MiB).
const MAX_FILE_UPLOAD_BYTES: u64 = 5 * 1024 * 1024;

pub fn page(page: &PageRecord, clock: &Clock, version: ApiVersion) -> Page {
    let mut properties = BTreeMap::new();
    properties.insert(
        "title".to_string(),
        PropertyValue::title(page.title.clone()),
    );
    Page {
        object: "page".into(),
        id: ids::dashed(page.id),
        created_time: Some(Timestamp::new(clock.floor(page.created_time))),
        last_edited_time: Some(Timestamp::new(clock.floor(page.last_edited_time))),
        created_by: Some(PartialUser::new(ids::dashed(page.created_by))),
        last_edited_by: Some(PartialUser::new(ids::dashed(page.last_edited_by))),
        cover: page.cover.clone(),
        icon: page.icon.clone(),
        parent: Some(match page.parent {
            PageParentRef::Workspace => Parent::Workspace,
            PageParentRef::Page(id) => Parent::PageId(ids::dashed(id)),
        }),
        in_trash: page.in_trash,
        is_archived: page.is_archived,
        is_locked: page.is_locked,
        properties,
        url: ids::page_url(&page.title_text(), page.id),
        public_url: None,
        archived: version.has_archived_key().then_some(page.in_trash),
        request_id: None,
    }
}

/// The page body as Markdown, with the `<unknown>` block ids Notion lists next to it.
pub fn page_markdown(store: &Store, page: &PageRecord, dialect: Dialect) -> PageMarkdown {
    let visible = content::visible_tree(store, &page.blocks);
    let mut unknown = Vec::new();
    content::unknown_block_ids(&visible, &mut unknown);
    PageMarkdown {
        object: "page_markdown".into(),
        id: ids::dashed(page.id),
        markdown: nfm::render(&content::to_blocks(&visible), dialect),
        truncated: false,
        unknown_block_ids: unknown.into_iter().map(ids::dashed).collect(),
        warnings: None,
        request_id: None,
    }
}

pub fn person(person: &Person) -> User {
    User {
        object: "user".into(),
        id: ids::dashed(person.id),
        name: Some(person.name.clone()),
        avatar_url: None,
        kind: Some("person".into()),
        person: Some(notion::Person {
            email: Some(person.email.clone()),
        }),
        bot: None,
        request_id: None,
    }
}

pub fn bot_owner(store: &Store, bot: &BotRecord) -> BotOwner {
    match bot.owner.and_then(|id| store.people.get(&id)) {
        Some(owner) => BotOwner::User {
            user: Box::new(person(owner)),
        },
        None => BotOwner::Workspace { workspace: true },
    }
}

pub fn bot_user(store: &Store, bot: &BotRecord) -> User {
    User {
        object: "user".into(),
        id: ids::dashed(bot.id),
        name: Some(bot.name.clone()),
        avatar_url: None,
        kind: Some("bot".into()),
        person: None,
        bot: Some(Bot {
            owner: Some(bot_owner(store, bot)),
            workspace_name: Some(store.workspace.name.clone()),
            workspace_id: Some(ids::dashed(store.workspace.id)),
            workspace_limits: Some(WorkspaceLimits {
                max_file_upload_size_in_bytes: MAX_FILE_UPLOAD_BYTES,
            }),
        }),
        request_id: None,
    }
}

//! Stored records → the `notion` crate's response models (one definition of Notion's JSON
//! shape, shared with the client).

use std::collections::BTreeMap;

use notion::{
    Bot, BotOwner, Page, PageMarkdown, Parent, PartialUser, Timestamp, User, WorkspaceLimits,
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

pub fn page(store: &Store, page: &PageRecord, clock: &Clock, version: ApiVersion) -> Page {
    page_with(store, page, clock, version, None)
}

/// The page object; `only` (property names or ids, from `filter_properties`) limits the
/// properties shown.
pub fn page_with(
    store: &Store,
    page: &PageRecord,
    clock: &Clock,
    version: ApiVersion,
    only: Option<&[String]>,
) -> Page {
    let data_source = match page.parent {
        PageParentRef::DataSource(ds) => store.objects.data_sources.get(&ds),
        _ => None,
    };
    let properties = match data_source {
        Some(ds) => crate::properties::row_properties(store, page, ds, clock, only),
        None => {
            let mut properties = BTreeMap::new();
            if only.is_none_or(|keys| keys.iter().any(|k| k == "title")) {
                properties.insert(
                    "title".to_string(),
                    crate::properties::page_value(
                        "title",
                        notion::PropertyValueKind::Title(page.title.clone()),
                    ),
                );
            }
            properties
        }
    };
    let parent = match page.parent {
        PageParentRef::Workspace => Parent::Workspace,
        PageParentRef::Page(id) => Parent::PageId(ids::dashed(id)),
        PageParentRef::DataSource(ds) => {
            let database = data_source.map(|d| d.database);
            if version.has_data_sources() {
                Parent::DataSourceId {
                    data_source_id: ids::dashed(ds),
                    database_id: database.map(ids::dashed),
                }
            } else {
                Parent::DatabaseId(ids::dashed(database.unwrap_or(ds)))
            }
        }
    };
    Page {
        object: "page".into(),
        id: ids::dashed(page.id),
        created_time: Some(Timestamp::new(clock.floor(page.created_time))),
        last_edited_time: Some(Timestamp::new(clock.floor(page.last_edited_time))),
        created_by: Some(PartialUser::new(ids::dashed(page.created_by))),
        last_edited_by: Some(PartialUser::new(ids::dashed(page.last_edited_by))),
        cover: page.cover.clone(),
        icon: page.icon.clone(),
        parent: Some(parent),
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
    page_markdown_for(store, page, dialect, None)
}

/// The page body as `bot` reads it: blocks it may not see (copies of synced blocks whose
/// original is in a page it cannot see) and blocks past the render cap (Notion stops at about
/// 20 000) become `<unknown>` and set `truncated`. Unsupported blocks are `<unknown>` too but
/// do not truncate.
pub fn page_markdown_for(
    store: &Store,
    page: &PageRecord,
    dialect: Dialect,
    bot: Option<&BotRecord>,
) -> PageMarkdown {
    let visible = content::visible_tree(store, &page.blocks);
    let mut cut = Cut {
        store,
        bot,
        page: page.id,
        budget: store.objects.tuning.markdown_render_cap,
        truncated: false,
    };
    let visible = cut.apply(visible);
    let mut unknown = Vec::new();
    content::unknown_block_ids(&visible, &mut unknown);
    PageMarkdown {
        object: "page_markdown".into(),
        id: ids::dashed(page.id),
        markdown: nfm::render(&content::to_blocks(&visible), dialect),
        truncated: cut.truncated,
        unknown_block_ids: unknown.into_iter().map(ids::dashed).collect(),
        warnings: None,
        request_id: None,
    }
}

/// Replaces what a reader may not (or cannot any more) see with `<unknown>` blocks.
struct Cut<'a> {
    store: &'a Store,
    bot: Option<&'a BotRecord>,
    page: uuid::Uuid,
    budget: usize,
    truncated: bool,
}

impl Cut<'_> {
    fn unknown(&self, b: &content::StoredBlock) -> content::StoredBlock {
        let mut u = b.clone();
        u.children = Vec::new();
        if !matches!(u.kind, notion_markdown::BlockKind::Unknown { .. }) {
            u.kind = notion_markdown::BlockKind::Unknown {
                url: ids::markdown_block_url(self.page, b.id),
                alt: Some(b.to_block().api_type()),
            };
        }
        u
    }

    fn hidden(&self, b: &content::StoredBlock) -> bool {
        let (Some(bot), notion_markdown::BlockKind::SyncedBlockReference { url }) =
            (self.bot, &b.kind)
        else {
            return false;
        };
        // A copy of an original the emulator does not know is shown as written.
        let original_page = ids::from_url(url)
            .and_then(|id| crate::blocks::page_of_synced_original(self.store, id));
        original_page.is_some_and(|p| !self.store.can_see(bot, p))
    }

    fn apply(&mut self, blocks: Vec<content::StoredBlock>) -> Vec<content::StoredBlock> {
        blocks
            .into_iter()
            .map(|mut b| {
                if self.budget == 0 || self.hidden(&b) {
                    self.truncated = true;
                    return self.unknown(&b);
                }
                self.budget -= 1;
                b.children = self.apply(std::mem::take(&mut b.children));
                b
            })
            .collect()
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
            email_verified: None,
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

//! The emulated workspace: people, integrations (bots), tokens, OAuth grants and pages.
//!
//! All of it lives behind one mutex ([`crate::app::AppState`]); handlers lock, do their work
//! synchronously and unlock, so every request sees a consistent workspace and nothing is held
//! across an `.await`. Secrets (tokens, refresh tokens, codes) are stored only as SHA-256
//! hashes, so a state dump cannot leak them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use notion::{FileObject, Icon, RichTextItem};
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::content::StoredBlock;
use crate::ids;

/// Mirrors the brief's model: one workspace per emulator.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Workspace {
    pub id: Uuid,
    pub name: String,
    pub icon: Option<String>,
    /// The person who owns the workspace and authorizes OAuth grants on the consent page.
    pub owner: Uuid,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: String,
}

/// What an integration may see.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Access {
    /// Everything (test tokens minted through `/__emulator/tokens`).
    All,
    /// Pages shared with it (and their descendants), plus pages it created.
    Shared { roots: BTreeSet<Uuid> },
}

/// An integration's bot user. Public integrations get one bot per workspace; re-authorizing
/// returns the same bot, as in Notion.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BotRecord {
    pub id: Uuid,
    pub name: String,
    /// The OAuth client for public integrations; `None` for internal ones.
    pub client_id: Option<String>,
    /// The person who authorized a public integration.
    pub owner: Option<Uuid>,
    pub access: Access,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenRecord {
    pub bot_id: Uuid,
    /// The OAuth grant that issued it; `None` for internal-integration tokens.
    pub grant_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub issued_at: OffsetDateTime,
}

/// One OAuth authorization: the current access/refresh pair, rotated on refresh.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GrantRecord {
    pub id: Uuid,
    pub client_id: String,
    pub bot_id: Uuid,
    pub refresh_hash: String,
    pub access_hashes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CodeRecord {
    pub client_id: String,
    pub bot_id: Uuid,
    /// The redirect URI given to authorize, if any; the token request must repeat it.
    pub redirect_uri: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

/// An authorize request waiting for the person's answer on the consent page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub client_id: String,
    pub redirect_uri: String,
    pub redirect_uri_given: bool,
    pub state: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
pub enum PageParentRef {
    Workspace,
    Page(Uuid),
    /// A database row.
    DataSource(Uuid),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageRecord {
    pub id: Uuid,
    pub parent: PageParentRef,
    pub title: Vec<RichTextItem>,
    pub icon: Option<Icon>,
    pub cover: Option<FileObject>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_time: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub last_edited_time: OffsetDateTime,
    pub created_by: Uuid,
    pub last_edited_by: Uuid,
    pub in_trash: bool,
    pub is_archived: bool,
    pub is_locked: bool,
    /// The page body: a tree of blocks with ids. Child pages appear here as `ChildPage` blocks
    /// whose id is the child page's id, as in Notion.
    pub blocks: Vec<StoredBlock>,
    /// Creation order, the tie-breaker for stable listings.
    pub seq: u64,
    /// Property values of a database row, by property id (the title lives in `title`).
    #[serde(default)]
    pub properties: BTreeMap<String, notion::PropertyValueKind>,
}

impl PageRecord {
    pub fn title_text(&self) -> String {
        notion::plain_text(&self.title)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Store {
    pub workspace: Workspace,
    pub people: BTreeMap<Uuid, Person>,
    pub bots: BTreeMap<Uuid, BotRecord>,
    pub pages: BTreeMap<Uuid, PageRecord>,
    /// Access tokens by SHA-256 hash.
    pub tokens: HashMap<String, TokenRecord>,
    pub grants: HashMap<Uuid, GrantRecord>,
    /// Authorization codes by SHA-256 hash; single use.
    pub codes: HashMap<String, CodeRecord>,
    pub consents: HashMap<String, ConsentRecord>,
    next_seq: u64,
    /// Databases, data sources, trashed blocks, async tasks (see [`crate::objects`]).
    #[serde(flatten)]
    pub objects: crate::objects::Objects,
    /// Change events recorded by mutations, not yet collected for webhooks (not dumped).
    #[serde(skip)]
    pub events: crate::events::Outbox,
}

/// Hex SHA-256 of a secret: the only form in which secrets are kept.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// A short, non-secret fingerprint of a token for the ledger and logs.
pub fn token_hint(token: &str) -> String {
    secret_hash(token)[..12].to_string()
}

/// A random secret with a recognizable prefix (`ntn_…` like Notion's tokens).
pub fn random_secret(prefix: &str, len: usize) -> String {
    let body: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect();
    format!("{prefix}{body}")
}

impl Store {
    pub fn new(workspace_name: &str, owner_name: &str, owner_email: &str) -> Self {
        let owner = Person {
            id: ids::new_id(),
            name: owner_name.into(),
            email: owner_email.into(),
        };
        let workspace = Workspace {
            id: ids::new_id(),
            name: workspace_name.into(),
            icon: None,
            owner: owner.id,
        };
        let mut people = BTreeMap::new();
        people.insert(owner.id, owner);
        Store {
            workspace,
            people,
            bots: BTreeMap::new(),
            pages: BTreeMap::new(),
            tokens: HashMap::new(),
            grants: HashMap::new(),
            codes: HashMap::new(),
            consents: HashMap::new(),
            next_seq: 0,
            objects: Default::default(),
            events: Default::default(),
        }
    }

    pub fn next_seq(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    pub fn owner(&self) -> Option<&Person> {
        self.people.get(&self.workspace.owner)
    }

    /// The bot behind an access token, if the token is live.
    pub fn bot_for_token(&self, token: &str) -> Option<&BotRecord> {
        let record = self.tokens.get(&secret_hash(token))?;
        self.bots.get(&record.bot_id)
    }

    /// Issues an access token for a bot.
    pub fn issue_token(
        &mut self,
        bot_id: Uuid,
        grant_id: Option<Uuid>,
        now: OffsetDateTime,
    ) -> String {
        let token = random_secret("ntn_", 46);
        self.tokens.insert(
            secret_hash(&token),
            TokenRecord {
                bot_id,
                grant_id,
                issued_at: now,
            },
        );
        token
    }

    /// Creates an internal integration that sees everything (or only `pages` and their
    /// descendants) and returns its bot id and token.
    pub fn mint_internal(
        &mut self,
        name: &str,
        pages: Option<BTreeSet<Uuid>>,
        now: OffsetDateTime,
    ) -> (Uuid, String) {
        let bot = BotRecord {
            id: ids::new_id(),
            name: name.to_string(),
            client_id: None,
            owner: None,
            access: match pages {
                Some(roots) => Access::Shared { roots },
                None => Access::All,
            },
        };
        let id = bot.id;
        self.bots.insert(id, bot);
        let token = self.issue_token(id, None, now);
        (id, token)
    }

    /// Whether `bot` may see `page_id` (shared root, descendant of one, or everything).
    pub fn can_see(&self, bot: &BotRecord, page_id: Uuid) -> bool {
        self.can_see_node(bot, crate::objects::Node::Page(page_id))
    }

    /// In the trash itself or under a trashed ancestor (page, data source or database).
    pub fn is_trashed_deep(&self, page_id: Uuid) -> bool {
        self.node_trashed_deep(crate::objects::Node::Page(page_id))
    }

    /// Whether `ancestor` is `page_id` or one of its ancestors (guards moves against cycles).
    pub fn is_ancestor_or_self(&self, ancestor: Uuid, page_id: Uuid) -> bool {
        self.node_is_ancestor_or_self(ancestor, crate::objects::Node::Page(page_id))
    }

    /// Lets a bot see a page it just created (Notion shares a page with its creator).
    pub fn grant_created(&mut self, bot_id: Uuid, page_id: Uuid) {
        if let Some(BotRecord {
            access: Access::Shared { roots },
            ..
        }) = self.bots.get_mut(&bot_id)
        {
            roots.insert(page_id);
        }
    }

    /// Top-level pages of the workspace (the consent page lists these).
    pub fn top_level_pages(&self) -> Vec<&PageRecord> {
        let mut pages: Vec<&PageRecord> = self
            .pages
            .values()
            .filter(|p| p.parent == PageParentRef::Workspace && !p.in_trash)
            .collect();
        pages.sort_by_key(|p| p.seq);
        pages
    }

    /// The bot of a public integration in this workspace, created on first authorization.
    pub fn bot_for_client(&mut self, client_id: &str, client_name: &str) -> Uuid {
        if let Some(bot) = self
            .bots
            .values()
            .find(|b| b.client_id.as_deref() == Some(client_id))
        {
            return bot.id;
        }
        let bot = BotRecord {
            id: ids::new_id(),
            name: client_name.to_string(),
            client_id: Some(client_id.to_string()),
            owner: Some(self.workspace.owner),
            access: Access::Shared {
                roots: BTreeSet::new(),
            },
        };
        let id = bot.id;
        self.bots.insert(id, bot);
        id
    }

    /// Revokes every token of a grant (disconnect).
    pub fn revoke_grant(&mut self, grant_id: Uuid) {
        if let Some(grant) = self.grants.remove(&grant_id) {
            for hash in grant.access_hashes {
                self.tokens.remove(&hash);
            }
        }
    }

    /// Expires every OAuth access token (Notion's tokens can stop working at any time; the
    /// refresh tokens stay valid, so a client that refreshes recovers).
    pub fn expire_oauth_access_tokens(&mut self) {
        for grant in self.grants.values_mut() {
            for hash in grant.access_hashes.drain(..) {
                self.tokens.remove(&hash);
            }
        }
    }

    /// The grant whose current refresh token is `refresh_token`.
    pub fn grant_by_refresh(&self, refresh_token: &str) -> Option<&GrantRecord> {
        let hash = secret_hash(refresh_token);
        self.grants.values().find(|g| g.refresh_hash == hash)
    }
}

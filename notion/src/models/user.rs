//! Users: people, bots, and the partial `{object, id}` form used in `created_by` and friends.

use serde::{Deserialize, Serialize};

fn user_object() -> String {
    "user".to_string()
}

/// `{"object":"user","id":"…"}` as found in `created_by` / `last_edited_by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartialUser {
    #[serde(default = "user_object")]
    pub object: String,
    pub id: String,
}

impl PartialUser {
    pub fn new(id: impl Into<String>) -> Self {
        PartialUser {
            object: user_object(),
            id: id.into(),
        }
    }
}

/// A full user object (`GET /v1/users/me`, `/v1/users`, OAuth `owner.user`).
///
/// `name` and `avatar_url` are written even when null, as Notion does; `type`, `person` and `bot`
/// are left out when absent so a partial user read into this type writes back the same keys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(default = "user_object")]
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// `person` or `bot`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<Person>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<Bot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl User {
    pub fn is_bot(&self) -> bool {
        self.kind.as_deref() == Some("bot")
    }

    /// The workspace name, for a bot user that carries one.
    pub fn workspace_name(&self) -> Option<&str> {
        self.bot.as_ref()?.workspace_name.as_deref()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Person {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
}

/// The `bot` payload. Notion may send `{}`, so every field is optional.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Bot {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<BotOwner>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workspace_limits: Option<WorkspaceLimits>,
}

/// Who owns a bot (and who authorized an OAuth grant).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum BotOwner {
    /// An internal integration, owned by the workspace (`"workspace": true`).
    Workspace { workspace: bool },
    /// A public integration authorized by this user.
    User { user: Box<User> },
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceLimits {
    pub max_file_upload_size_in_bytes: u64,
}

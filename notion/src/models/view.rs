//! Database views (`/v1/views`) and custom emojis. Not used by the sync; modelled so every
//! recorded response parses. View configurations stay JSON: their shape depends on the view
//! type and we never read them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::parent::Parent;
use super::user::PartialUser;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    #[serde(default)]
    pub object: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Parent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `table`, `board`, `list`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Views use the millisecond `+00:00` form; kept as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<PartialUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_edited_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_edited_by: Option<PartialUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(
        default,
        deserialize_with = "super::tagged::keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub filter: Option<Value>,
    #[serde(
        default,
        deserialize_with = "super::tagged::keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub sorts: Option<Value>,
    #[serde(
        default,
        deserialize_with = "super::tagged::keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub quick_filters: Option<Value>,
    #[serde(
        default,
        deserialize_with = "super::tagged::keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub configuration: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A view query (`POST /v1/views/{id}/queries`): a server-side cursor over the view's rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ViewQuery {
    #[serde(default)]
    pub object: String,
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<Value>>,
    #[serde(
        default,
        deserialize_with = "super::tagged::keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub next_cursor: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A workspace's custom emoji (`GET /v1/custom_emojis`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomEmoji {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub url: String,
}

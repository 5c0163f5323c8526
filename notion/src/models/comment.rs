//! Comments (`/v1/comments`). The sync does not use them; they are modelled so every recorded
//! response parses.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::parent::Parent;
use super::rich_text::RichTextItem;
use super::timestamp::Timestamp;
use super::user::PartialUser;

/// `{"type":"integration"|"user"|"custom","resolved_name":…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommentDisplayName {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub resolved_name: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    #[serde(default)]
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub parent: Option<Parent>,
    #[serde(default)]
    pub discussion_id: Option<String>,
    #[serde(default)]
    pub created_time: Option<Timestamp>,
    #[serde(default)]
    pub last_edited_time: Option<Timestamp>,
    #[serde(default)]
    pub created_by: Option<PartialUser>,
    #[serde(default)]
    pub rich_text: Vec<RichTextItem>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<CommentDisplayName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachments: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

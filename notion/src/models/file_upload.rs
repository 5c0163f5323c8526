//! File uploads (`/v1/file_uploads`). Modelled for completeness (recorded responses parse);
//! the emulator does not implement uploads.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::timestamp::Timestamp;

/// `{"id":…,"type":"bot"|"person"}` as found in `file_upload.created_by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Creator {
    pub id: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileUpload {
    #[serde(default)]
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub created_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<Creator>,
    #[serde(default)]
    pub last_edited_time: Option<Timestamp>,
    #[serde(default)]
    pub expiry_time: Option<Timestamp>,
    /// Where to send the bytes, while `pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_url: Option<String>,
    #[serde(default)]
    pub in_trash: bool,
    /// `pending`, `uploaded`, `expired` or `failed`.
    pub status: String,
    #[serde(default)]
    pub filename: Option<String>,
    #[serde(default)]
    pub content_type: Option<String>,
    #[serde(default)]
    pub content_length: Option<u64>,
    /// `{"type":"success"|"error", …, "imported_time"}` for imports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_import_result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_parts: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

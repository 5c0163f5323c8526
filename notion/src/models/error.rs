//! Notion's error object.

use serde::{Deserialize, Serialize};

fn error_object() -> String {
    "error".to_string()
}

/// `{"object":"error","status":404,"code":"object_not_found","message":…,"request_id":…}`.
///
/// Every field has a default so that a malformed or foreign error body still yields something
/// the client can report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    #[serde(default = "error_object")]
    pub object: String,
    #[serde(default)]
    pub status: u16,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_data: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ErrorObject {
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorObject {
            object: error_object(),
            status,
            code: code.into(),
            message: message.into(),
            additional_data: None,
            request_id: None,
        }
    }
}

/// Error codes Notion documents (the `code` field).
pub mod codes {
    pub const INVALID_JSON: &str = "invalid_json";
    pub const INVALID_REQUEST_URL: &str = "invalid_request_url";
    pub const INVALID_REQUEST: &str = "invalid_request";
    pub const INVALID_GRANT: &str = "invalid_grant";
    pub const VALIDATION_ERROR: &str = "validation_error";
    pub const MISSING_VERSION: &str = "missing_version";
    pub const UNAUTHORIZED: &str = "unauthorized";
    pub const RESTRICTED_RESOURCE: &str = "restricted_resource";
    pub const OBJECT_NOT_FOUND: &str = "object_not_found";
    pub const CONFLICT_ERROR: &str = "conflict_error";
    pub const RATE_LIMITED: &str = "rate_limited";
    pub const INTERNAL_SERVER_ERROR: &str = "internal_server_error";
    pub const SERVICE_UNAVAILABLE: &str = "service_unavailable";
    pub const GATEWAY_TIMEOUT: &str = "gateway_timeout";
    pub const SERVICE_OVERLOAD: &str = "service_overload";
}

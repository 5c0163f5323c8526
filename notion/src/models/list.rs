//! Paginated lists (`{"object":"list","results":[…],"next_cursor":…,"has_more":…}`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

fn list_object() -> String {
    "list".to_string()
}

/// One page of a cursor-paginated list.
///
/// Notion adds `"type": "<t>"` and an empty `"<t>": {}` object naming what the list holds
/// (`page_or_data_source`, `block`, `user`, …) plus occasional keys such as `request_status`;
/// those land in `extra` so they survive a round trip.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ListResponse<T> {
    #[serde(default = "list_object")]
    pub object: String,
    pub results: Vec<T>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl<T> ListResponse<T> {
    /// A list of `kind` items, shaped as Notion shapes it (with the empty `"<kind>": {}`).
    pub fn new(kind: &str, results: Vec<T>, next_cursor: Option<String>) -> Self {
        let mut extra = Map::new();
        extra.insert(kind.to_string(), Value::Object(Map::new()));
        ListResponse {
            object: list_object(),
            has_more: next_cursor.is_some(),
            results,
            next_cursor,
            kind: Some(kind.to_string()),
            extra,
            request_id: None,
        }
    }
}

/// Cursor and page size of one list request (`page_size` 1–100; `None`: Notion's default, 100).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pagination {
    pub start_cursor: Option<String>,
    pub page_size: Option<u32>,
}

impl Pagination {
    pub fn page_size(page_size: u32) -> Self {
        Pagination {
            start_cursor: None,
            page_size: Some(page_size),
        }
    }

    /// The next page after `cursor` (a list's `next_cursor`).
    pub fn after(&self, cursor: &str) -> Self {
        Pagination {
            start_cursor: Some(cursor.to_string()),
            page_size: self.page_size,
        }
    }

    /// As GET query parameters.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(c) = &self.start_cursor {
            q.push(("start_cursor", c.clone()));
        }
        if let Some(n) = self.page_size {
            q.push(("page_size", n.to_string()));
        }
        q
    }
}

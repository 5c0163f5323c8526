//! The Markdown content endpoints (`GET/PATCH /v1/pages/{id}/markdown`) and async tasks.

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::error::ErrorObject;
use super::timestamp::Timestamp;

fn page_markdown_object() -> String {
    "page_markdown".to_string()
}

/// A page (or block subtree) as Notion-flavored Markdown.
///
/// `unknown_block_ids` lists blocks rendered as `<unknown …/>`; they must be written back
/// verbatim or Notion deletes them. `truncated` means the page was too large to render whole:
/// never treat missing content of a truncated page as deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageMarkdown {
    #[serde(default = "page_markdown_object")]
    pub object: String,
    pub id: String,
    pub markdown: String,
    #[serde(default)]
    pub truncated: bool,
    #[serde(default)]
    pub unknown_block_ids: Vec<String>,
    /// v2 writes may report what the parser changed or dropped; the element shape is not
    /// documented, so it stays JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warnings: Option<Vec<serde_json::Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// `markdown_version`: v1 ("enhanced markdown", Notion's default today) or v2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MarkdownVersion {
    #[default]
    V1,
    V2,
}

impl MarkdownVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            MarkdownVersion::V1 => "v1",
            MarkdownVersion::V2 => "v2",
        }
    }
}

/// One search-and-replace of an `update_content` edit. `old_str` must match the page's
/// Markdown exactly as GET renders it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContentUpdate {
    pub old_str: String,
    pub new_str: String,
    #[serde(default)]
    pub replace_all_matches: bool,
}

/// The body of `PATCH /v1/pages/{id}/markdown`.
///
/// `allow_deleting_content` must be set for edits that drop `<page>`/`<database>` children;
/// otherwise Notion refuses rather than deleting them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpdatePageMarkdown {
    /// Replace the whole body.
    ReplaceContent {
        new_str: String,
        allow_deleting_content: bool,
    },
    /// Targeted edits (at most 100), applied in order.
    UpdateContent {
        content_updates: Vec<ContentUpdate>,
        allow_deleting_content: bool,
    },
    /// Deprecated: insert Markdown after an ellipsis selection (`"start...end"`), at the
    /// start, or (neither) at the end.
    InsertContent {
        content: String,
        after: Option<String>,
        at_start: bool,
    },
    /// Deprecated: replace the ellipsis selection `content_range` with `content`.
    ReplaceContentRange {
        content: String,
        content_range: String,
        allow_deleting_content: bool,
    },
}

impl UpdatePageMarkdown {
    /// Replace the whole body; refuses (rather than deletes) if child pages would go.
    pub fn replace_content(new_str: &str) -> Self {
        UpdatePageMarkdown::ReplaceContent {
            new_str: new_str.to_string(),
            allow_deleting_content: false,
        }
    }

    /// Targeted edits; refuses (rather than deletes) if child pages would go.
    pub fn update_content(content_updates: Vec<ContentUpdate>) -> Self {
        UpdatePageMarkdown::UpdateContent {
            content_updates,
            allow_deleting_content: false,
        }
    }
}

impl ContentUpdate {
    /// Replace the single exact occurrence of `old_str`.
    pub fn new(old_str: &str, new_str: &str) -> Self {
        ContentUpdate {
            old_str: old_str.to_string(),
            new_str: new_str.to_string(),
            replace_all_matches: false,
        }
    }
}

impl Serialize for UpdatePageMarkdown {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        match self {
            UpdatePageMarkdown::ReplaceContent {
                new_str,
                allow_deleting_content,
            } => {
                map.serialize_entry("type", "replace_content")?;
                map.serialize_entry(
                    "replace_content",
                    &serde_json::json!({
                        "new_str": new_str,
                        "allow_deleting_content": allow_deleting_content,
                    }),
                )?;
            }
            UpdatePageMarkdown::UpdateContent {
                content_updates,
                allow_deleting_content,
            } => {
                map.serialize_entry("type", "update_content")?;
                map.serialize_entry(
                    "update_content",
                    &serde_json::json!({
                        "content_updates": content_updates,
                        "allow_deleting_content": allow_deleting_content,
                    }),
                )?;
            }
            UpdatePageMarkdown::InsertContent {
                content,
                after,
                at_start,
            } => {
                let mut body = serde_json::json!({ "content": content });
                if let Some(after) = after {
                    body["after"] = serde_json::Value::from(after.as_str());
                } else if *at_start {
                    body["position"] = serde_json::json!({"type": "start"});
                }
                map.serialize_entry("type", "insert_content")?;
                map.serialize_entry("insert_content", &body)?;
            }
            UpdatePageMarkdown::ReplaceContentRange {
                content,
                content_range,
                allow_deleting_content,
            } => {
                map.serialize_entry("type", "replace_content_range")?;
                map.serialize_entry(
                    "replace_content_range",
                    &serde_json::json!({
                        "content": content,
                        "content_range": content_range,
                        "allow_deleting_content": allow_deleting_content,
                    }),
                )?;
            }
        }
        map.end()
    }
}

/// An async write (`allow_async: true`): poll `GET /v1/async_tasks/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AsyncTask {
    #[serde(default)]
    pub object: String,
    pub id: String,
    /// `queued`, `running`, `retrying`, `succeeded` or `failed`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_after_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<serde_json::Value>,
    /// For a succeeded task, e.g. a `page_markdown` object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl AsyncTask {
    /// `succeeded` or `failed`: polling again changes nothing.
    pub fn is_finished(&self) -> bool {
        matches!(self.status.as_str(), "succeeded" | "failed")
    }

    /// The result of a succeeded Markdown task.
    pub fn result_markdown(&self) -> Option<PageMarkdown> {
        let result = self.result.clone()?;
        (result.get("object").and_then(serde_json::Value::as_str) == Some("page_markdown"))
            .then(|| serde_json::from_value(result).ok())
            .flatten()
    }

    /// The result of a succeeded create-page task.
    pub fn result_page(&self) -> Option<super::page::Page> {
        let result = self.result.clone()?;
        (result.get("object").and_then(serde_json::Value::as_str) == Some("page"))
            .then(|| serde_json::from_value(result).ok())
            .flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_body_shapes() {
        let body = UpdatePageMarkdown::UpdateContent {
            content_updates: vec![ContentUpdate {
                old_str: "a".into(),
                new_str: "b".into(),
                replace_all_matches: false,
            }],
            allow_deleting_content: false,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"type":"update_content","update_content":{
                "content_updates":[{"old_str":"a","new_str":"b","replace_all_matches":false}],
                "allow_deleting_content":false}})
        );
    }
}

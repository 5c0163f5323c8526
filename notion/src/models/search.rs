//! `POST /v1/search` and the minimal data-source object it can return.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::file::{FileObject, Icon};
use super::list::ListResponse;
use super::page::Page;
use super::parent::Parent;
use super::rich_text::{plain_text, RichTextItem};
use super::timestamp::Timestamp;

/// Search request. Search covers titles of pages and data sources shared with the token; it is
/// eventually consistent, so use it for discovery, not as an enumerator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<SearchFilter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_cursor: Option<String>,
}

impl SearchRequest {
    /// Pages whose title matches `query` (an empty query lists every shared page).
    pub fn pages(query: &str) -> Self {
        SearchRequest {
            query: (!query.is_empty()).then(|| query.to_string()),
            filter: Some(SearchFilter::Page),
            ..SearchRequest::default()
        }
    }
}

/// `{"property":"object","value":"page"|"data_source"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchFilter {
    Page,
    DataSource,
}

impl SearchFilter {
    pub fn value(self) -> &'static str {
        match self {
            SearchFilter::Page => "page",
            SearchFilter::DataSource => "data_source",
        }
    }
}

#[derive(Serialize, Deserialize)]
struct SearchFilterWire {
    property: String,
    value: String,
}

impl Serialize for SearchFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        SearchFilterWire {
            property: "object".into(),
            value: self.value().into(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for SearchFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = SearchFilterWire::deserialize(deserializer)?;
        match (wire.property.as_str(), wire.value.as_str()) {
            ("object", "page") => Ok(SearchFilter::Page),
            ("object", "data_source") | ("object", "database") => Ok(SearchFilter::DataSource),
            _ => Err(serde::de::Error::custom(
                "filter must be {property: object, value: page|data_source}",
            )),
        }
    }
}

/// A data source (2025-09-03+): the row container holding a schema. Only the fields a picker and
/// a folder mapping need are typed; the schema stays JSON until the data-source work lands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSource {
    #[serde(default)]
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub title: Vec<RichTextItem>,
    #[serde(default)]
    pub description: Vec<RichTextItem>,
    #[serde(default)]
    pub parent: Option<Parent>,
    #[serde(default)]
    pub database_parent: Option<Parent>,
    #[serde(default)]
    pub created_time: Option<Timestamp>,
    #[serde(default)]
    pub last_edited_time: Option<Timestamp>,
    #[serde(default)]
    pub icon: Option<Icon>,
    #[serde(default)]
    pub cover: Option<FileObject>,
    #[serde(default)]
    pub in_trash: bool,
    #[serde(default)]
    pub properties: BTreeMap<String, Value>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub public_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl DataSource {
    pub fn title(&self) -> String {
        plain_text(&self.title)
    }
}

/// One search hit.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchResult {
    Page(Box<Page>),
    DataSource(Box<DataSource>),
    /// Anything else (e.g. a `database` from an old API version), kept as JSON.
    Other(Value),
}

impl SearchResult {
    pub fn id(&self) -> Option<&str> {
        match self {
            SearchResult::Page(p) => Some(&p.id),
            SearchResult::DataSource(d) => Some(&d.id),
            SearchResult::Other(v) => v.get("id").and_then(Value::as_str),
        }
    }

    pub fn title(&self) -> String {
        match self {
            SearchResult::Page(p) => p.title(),
            SearchResult::DataSource(d) => d.title(),
            SearchResult::Other(_) => String::new(),
        }
    }

    pub fn as_page(&self) -> Option<&Page> {
        match self {
            SearchResult::Page(p) => Some(p),
            _ => None,
        }
    }
}

impl Serialize for SearchResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SearchResult::Page(p) => p.serialize(serializer),
            SearchResult::DataSource(d) => d.serialize(serializer),
            SearchResult::Other(v) => v.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SearchResult {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let result = match value.get("object").and_then(Value::as_str) {
            Some("page") => serde_json::from_value(value).map(|p| SearchResult::Page(Box::new(p))),
            Some("data_source") => {
                serde_json::from_value(value).map(|d| SearchResult::DataSource(Box::new(d)))
            }
            _ => Ok(SearchResult::Other(value)),
        };
        result.map_err(serde::de::Error::custom)
    }
}

/// `POST /v1/search` response (`type: "page_or_data_source"`).
pub type SearchResponse = ListResponse<SearchResult>;

impl ListResponse<SearchResult> {
    /// The page hits, in order.
    pub fn pages(&self) -> impl Iterator<Item = &Page> {
        self.results.iter().filter_map(SearchResult::as_page)
    }
}

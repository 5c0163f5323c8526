//! `POST /v1/search`; its results (pages and data sources) are also what a data-source query
//! returns.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::database::{DataSource, Database};
use super::list::ListResponse;
use super::page::Page;

/// Search request. Search covers titles of pages and data sources shared with the token; it is
/// eventually consistent, so use it for discovery, not as an enumerator.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<SearchFilter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<SearchSort>,
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

    /// Data sources (the tables of databases) whose title matches `query`.
    pub fn data_sources(query: &str) -> Self {
        SearchRequest {
            query: (!query.is_empty()).then(|| query.to_string()),
            filter: Some(SearchFilter::DataSource),
            ..SearchRequest::default()
        }
    }
}

/// `{"timestamp":"last_edited_time","direction":"ascending"|"descending"}`, the only sort
/// search offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchSort {
    pub timestamp: String,
    pub direction: super::query::SortDirection,
}

impl SearchSort {
    pub fn last_edited(direction: super::query::SortDirection) -> Self {
        SearchSort {
            timestamp: "last_edited_time".into(),
            direction,
        }
    }
}

/// `{"property":"object","value":"page"|"data_source"}` (`"database"` with 2022-06-28).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchFilter {
    Page,
    DataSource,
    /// Notion-Version 2022-06-28 only.
    Database,
}

impl SearchFilter {
    pub fn value(self) -> &'static str {
        match self {
            SearchFilter::Page => "page",
            SearchFilter::DataSource => "data_source",
            SearchFilter::Database => "database",
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
            ("object", "data_source") => Ok(SearchFilter::DataSource),
            ("object", "database") => Ok(SearchFilter::Database),
            _ => Err(serde::de::Error::custom(
                "filter must be {property: object, value: page|data_source|database}",
            )),
        }
    }
}

/// One search hit (also one data-source query result: a page or, for wikis, a data source).
#[derive(Debug, Clone, PartialEq)]
pub enum SearchResult {
    Page(Box<Page>),
    DataSource(Box<DataSource>),
    /// A database, as search returns them with Notion-Version 2022-06-28.
    Database(Box<Database>),
    /// Anything else, kept as JSON.
    Other(Value),
}

/// A data-source query result.
pub type PageOrDataSource = SearchResult;

impl SearchResult {
    pub fn id(&self) -> Option<&str> {
        match self {
            SearchResult::Page(p) => Some(&p.id),
            SearchResult::DataSource(d) => Some(&d.id),
            SearchResult::Database(d) => Some(&d.id),
            SearchResult::Other(v) => v.get("id").and_then(Value::as_str),
        }
    }

    pub fn title(&self) -> String {
        match self {
            SearchResult::Page(p) => p.title(),
            SearchResult::DataSource(d) => d.title(),
            SearchResult::Database(d) => d.title(),
            SearchResult::Other(_) => String::new(),
        }
    }

    pub fn as_page(&self) -> Option<&Page> {
        match self {
            SearchResult::Page(p) => Some(p),
            _ => None,
        }
    }

    pub fn as_data_source(&self) -> Option<&DataSource> {
        match self {
            SearchResult::DataSource(d) => Some(d),
            _ => None,
        }
    }
}

impl Serialize for SearchResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            SearchResult::Page(p) => p.serialize(serializer),
            SearchResult::DataSource(d) => d.serialize(serializer),
            SearchResult::Database(d) => d.serialize(serializer),
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
            Some("database") => {
                serde_json::from_value(value).map(|d| SearchResult::Database(Box::new(d)))
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

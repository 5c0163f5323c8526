//! Where a page, block or data source lives.

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A parent reference as Notion returns it (`{"type":"page_id","page_id":"…"}` …).
///
/// Written by hand rather than derived because the `data_source_id` form carries a sibling
/// `database_id` key, and unknown parent types must survive a round trip.
#[derive(Debug, Clone, PartialEq)]
pub enum Parent {
    PageId(String),
    DatabaseId(String),
    DataSourceId {
        data_source_id: String,
        database_id: Option<String>,
    },
    BlockId(String),
    /// `{"type":"workspace","workspace":true}`.
    Workspace,
    AgentId(String),
    Other {
        type_name: String,
        fields: Map<String, Value>,
    },
}

impl Parent {
    pub fn type_name(&self) -> &str {
        match self {
            Parent::PageId(_) => "page_id",
            Parent::DatabaseId(_) => "database_id",
            Parent::DataSourceId { .. } => "data_source_id",
            Parent::BlockId(_) => "block_id",
            Parent::Workspace => "workspace",
            Parent::AgentId(_) => "agent_id",
            Parent::Other { type_name, .. } => type_name,
        }
    }

    /// The parent page id, when the parent is a page.
    pub fn page_id(&self) -> Option<&str> {
        match self {
            Parent::PageId(id) => Some(id),
            _ => None,
        }
    }
}

impl Serialize for Parent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", self.type_name())?;
        match self {
            Parent::PageId(id) => map.serialize_entry("page_id", id)?,
            Parent::DatabaseId(id) => map.serialize_entry("database_id", id)?,
            Parent::DataSourceId {
                data_source_id,
                database_id,
            } => {
                map.serialize_entry("data_source_id", data_source_id)?;
                if let Some(db) = database_id {
                    map.serialize_entry("database_id", db)?;
                }
            }
            Parent::BlockId(id) => map.serialize_entry("block_id", id)?,
            Parent::Workspace => map.serialize_entry("workspace", &true)?,
            Parent::AgentId(id) => map.serialize_entry("agent_id", id)?,
            Parent::Other { fields, .. } => {
                for (k, v) in fields {
                    map.serialize_entry(k, v)?;
                }
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Parent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        let type_name = match map.remove("type") {
            Some(Value::String(s)) => s,
            _ => return Err(serde::de::Error::missing_field("type")),
        };
        let mut take = |key: &str| match map.remove(key) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let parsed = match type_name.as_str() {
            "page_id" => take("page_id").map(Parent::PageId),
            "database_id" => take("database_id").map(Parent::DatabaseId),
            "data_source_id" => take("data_source_id").map(|data_source_id| Parent::DataSourceId {
                data_source_id,
                database_id: take("database_id"),
            }),
            "block_id" => take("block_id").map(Parent::BlockId),
            "workspace" => Some(Parent::Workspace),
            "agent_id" => take("agent_id").map(Parent::AgentId),
            _ => None,
        };
        Ok(parsed.unwrap_or(Parent::Other {
            type_name,
            fields: map,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        for raw in [
            r#"{"type":"page_id","page_id":"a"}"#,
            r#"{"type":"workspace","workspace":true}"#,
            r#"{"type":"data_source_id","data_source_id":"d","database_id":"b"}"#,
        ] {
            let p: Parent = serde_json::from_str(raw).unwrap();
            assert_eq!(serde_json::to_string(&p).unwrap(), raw);
        }
    }
}

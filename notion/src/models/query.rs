//! Data-source queries (`POST /v1/data_sources/{id}/query`, legacy
//! `POST /v1/databases/{id}/query`): filters, sorts and the request body.
//!
//! Filters are written the way Notion reads them:
//! - `{"and": [...]}` / `{"or": [...]}` (at most two levels of nesting);
//! - `{"property": "Name", "<type>": {"<operator>": value}}`;
//! - `{"timestamp": "last_edited_time", "last_edited_time": {"<operator>": value}}`.

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// Conditions on text-like properties (title, rich_text, url, email, phone_number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextCondition {
    Equals(String),
    DoesNotEqual(String),
    Contains(String),
    DoesNotContain(String),
    StartsWith(String),
    EndsWith(String),
    IsEmpty(bool),
    IsNotEmpty(bool),
}

/// Conditions on numbers (number, unique_id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberCondition {
    Equals(f64),
    DoesNotEqual(f64),
    GreaterThan(f64),
    LessThan(f64),
    GreaterThanOrEqualTo(f64),
    LessThanOrEqualTo(f64),
    IsEmpty(bool),
    IsNotEmpty(bool),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckboxCondition {
    Equals(bool),
    DoesNotEqual(bool),
}

/// Conditions on select and status properties (option names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SelectCondition {
    Equals(String),
    DoesNotEqual(String),
    IsEmpty(bool),
    IsNotEmpty(bool),
}

/// Conditions on lists (multi_select option names, people and relation ids).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContainsCondition {
    Contains(String),
    DoesNotContain(String),
    IsEmpty(bool),
    IsNotEmpty(bool),
}

/// `{}`: the operand of relative date operators (`past_week`, …).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Empty {}

/// Conditions on dates and timestamps. Operands are ISO 8601 dates or date-times, or (from
/// 2025) relative values such as `today` or `one_week_ago`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateCondition {
    Equals(String),
    Before(String),
    After(String),
    OnOrBefore(String),
    OnOrAfter(String),
    ThisWeek(Empty),
    PastWeek(Empty),
    PastMonth(Empty),
    PastYear(Empty),
    NextWeek(Empty),
    NextMonth(Empty),
    NextYear(Empty),
    IsEmpty(bool),
    IsNotEmpty(bool),
}

/// `{"is_empty": true}` / `{"is_not_empty": true}` (files).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmptinessCondition {
    IsEmpty(bool),
    IsNotEmpty(bool),
}

/// A condition on one property, keyed by the property's type.
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyCondition {
    Title(TextCondition),
    RichText(TextCondition),
    Url(TextCondition),
    Email(TextCondition),
    PhoneNumber(TextCondition),
    Number(NumberCondition),
    UniqueId(NumberCondition),
    Checkbox(CheckboxCondition),
    Select(SelectCondition),
    Status(SelectCondition),
    MultiSelect(ContainsCondition),
    People(ContainsCondition),
    Relation(ContainsCondition),
    Date(DateCondition),
    CreatedTime(DateCondition),
    LastEditedTime(DateCondition),
    Files(EmptinessCondition),
    /// formula, rollup, verification, … (or a condition this crate could not read), as JSON.
    Other {
        type_name: String,
        condition: Value,
    },
}

impl PropertyCondition {
    /// The type key (`title`, `number`, …).
    pub fn type_name(&self) -> &str {
        match self {
            PropertyCondition::Title(_) => "title",
            PropertyCondition::RichText(_) => "rich_text",
            PropertyCondition::Url(_) => "url",
            PropertyCondition::Email(_) => "email",
            PropertyCondition::PhoneNumber(_) => "phone_number",
            PropertyCondition::Number(_) => "number",
            PropertyCondition::UniqueId(_) => "unique_id",
            PropertyCondition::Checkbox(_) => "checkbox",
            PropertyCondition::Select(_) => "select",
            PropertyCondition::Status(_) => "status",
            PropertyCondition::MultiSelect(_) => "multi_select",
            PropertyCondition::People(_) => "people",
            PropertyCondition::Relation(_) => "relation",
            PropertyCondition::Date(_) => "date",
            PropertyCondition::CreatedTime(_) => "created_time",
            PropertyCondition::LastEditedTime(_) => "last_edited_time",
            PropertyCondition::Files(_) => "files",
            PropertyCondition::Other { type_name, .. } => type_name,
        }
    }

    fn condition_value(&self) -> Result<Value, serde_json::Error> {
        match self {
            PropertyCondition::Title(c)
            | PropertyCondition::RichText(c)
            | PropertyCondition::Url(c)
            | PropertyCondition::Email(c)
            | PropertyCondition::PhoneNumber(c) => serde_json::to_value(c),
            PropertyCondition::Number(c) | PropertyCondition::UniqueId(c) => {
                serde_json::to_value(c)
            }
            PropertyCondition::Checkbox(c) => serde_json::to_value(c),
            PropertyCondition::Select(c) | PropertyCondition::Status(c) => serde_json::to_value(c),
            PropertyCondition::MultiSelect(c)
            | PropertyCondition::People(c)
            | PropertyCondition::Relation(c) => serde_json::to_value(c),
            PropertyCondition::Date(c)
            | PropertyCondition::CreatedTime(c)
            | PropertyCondition::LastEditedTime(c) => serde_json::to_value(c),
            PropertyCondition::Files(c) => serde_json::to_value(c),
            PropertyCondition::Other { condition, .. } => Ok(condition.clone()),
        }
    }

    /// Reads the condition under a type key. A known type whose condition does not parse is
    /// an error (a typo in an operator must not silently match everything).
    pub fn from_parts(type_name: &str, condition: Value) -> Result<Self, serde_json::Error> {
        use serde_json::from_value as v;
        Ok(match type_name {
            "title" => PropertyCondition::Title(v(condition)?),
            "rich_text" => PropertyCondition::RichText(v(condition)?),
            "url" => PropertyCondition::Url(v(condition)?),
            "email" => PropertyCondition::Email(v(condition)?),
            "phone_number" => PropertyCondition::PhoneNumber(v(condition)?),
            "number" => PropertyCondition::Number(v(condition)?),
            "unique_id" => PropertyCondition::UniqueId(v(condition)?),
            "checkbox" => PropertyCondition::Checkbox(v(condition)?),
            "select" => PropertyCondition::Select(v(condition)?),
            "status" => PropertyCondition::Status(v(condition)?),
            "multi_select" => PropertyCondition::MultiSelect(v(condition)?),
            "people" | "created_by" | "last_edited_by" => PropertyCondition::People(v(condition)?),
            "relation" => PropertyCondition::Relation(v(condition)?),
            "date" => PropertyCondition::Date(v(condition)?),
            "created_time" => PropertyCondition::CreatedTime(v(condition)?),
            "last_edited_time" => PropertyCondition::LastEditedTime(v(condition)?),
            "files" => PropertyCondition::Files(v(condition)?),
            other => PropertyCondition::Other {
                type_name: other.to_string(),
                condition,
            },
        })
    }
}

/// Which timestamp a timestamp filter or sort reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampKind {
    CreatedTime,
    LastEditedTime,
}

impl TimestampKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TimestampKind::CreatedTime => "created_time",
            TimestampKind::LastEditedTime => "last_edited_time",
        }
    }
}

/// A query filter.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    /// `property` is the property's name or id.
    Property {
        property: String,
        condition: PropertyCondition,
    },
    /// A filter on the row's own timestamps; no schema property needed.
    Timestamp {
        timestamp: TimestampKind,
        condition: DateCondition,
    },
}

impl Filter {
    pub fn property(property: &str, condition: PropertyCondition) -> Self {
        Filter::Property {
            property: property.to_string(),
            condition,
        }
    }

    /// Rows edited at or after `iso` (mind Notion's minute rounding: subtract a minute).
    pub fn edited_since(iso: &str) -> Self {
        Filter::Timestamp {
            timestamp: TimestampKind::LastEditedTime,
            condition: DateCondition::OnOrAfter(iso.to_string()),
        }
    }

    /// Nesting depth of compound filters (a plain condition is 0).
    pub fn depth(&self) -> usize {
        match self {
            Filter::And(fs) | Filter::Or(fs) => 1 + fs.iter().map(Filter::depth).max().unwrap_or(0),
            _ => 0,
        }
    }
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        match self {
            Filter::And(fs) => map.serialize_entry("and", fs)?,
            Filter::Or(fs) => map.serialize_entry("or", fs)?,
            Filter::Property {
                property,
                condition,
            } => {
                map.serialize_entry("property", property)?;
                let value = condition
                    .condition_value()
                    .map_err(serde::ser::Error::custom)?;
                map.serialize_entry(condition.type_name(), &value)?;
            }
            Filter::Timestamp {
                timestamp,
                condition,
            } => {
                map.serialize_entry("timestamp", timestamp)?;
                map.serialize_entry(timestamp.as_str(), condition)?;
            }
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Filter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        if let Some(list) = map.remove("and") {
            return serde_json::from_value(list)
                .map(Filter::And)
                .map_err(D::Error::custom);
        }
        if let Some(list) = map.remove("or") {
            return serde_json::from_value(list)
                .map(Filter::Or)
                .map_err(D::Error::custom);
        }
        if let Some(ts) = map.remove("timestamp") {
            let timestamp: TimestampKind = serde_json::from_value(ts).map_err(D::Error::custom)?;
            let condition = map
                .remove(timestamp.as_str())
                .ok_or_else(|| D::Error::missing_field("condition"))?;
            let condition = serde_json::from_value(condition).map_err(D::Error::custom)?;
            return Ok(Filter::Timestamp {
                timestamp,
                condition,
            });
        }
        let property = match map.remove("property") {
            Some(Value::String(s)) => s,
            _ => {
                return Err(D::Error::custom(
                    "a filter needs `and`, `or`, `property` or `timestamp`",
                ))
            }
        };
        map.remove("type");
        let mut entries = map.into_iter();
        let (type_name, condition) = match (entries.next(), entries.next()) {
            (Some(entry), None) => entry,
            _ => {
                return Err(D::Error::custom(
                    "a property filter needs exactly one condition keyed by the property type",
                ))
            }
        };
        let condition =
            PropertyCondition::from_parts(&type_name, condition).map_err(D::Error::custom)?;
        Ok(Filter::Property {
            property,
            condition,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortDirection {
    #[default]
    Ascending,
    Descending,
}

/// One sort criterion: a property (by name or id) or a row timestamp.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Sort {
    Property {
        property: String,
        direction: SortDirection,
    },
    Timestamp {
        timestamp: TimestampKind,
        direction: SortDirection,
    },
}

/// The body of a query. `filter_properties` travels in the URL (see the client method).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct QueryRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sorts: Vec<Sort>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    /// Query the trash instead (`true`) of live rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_trash: Option<bool>,
    /// `page` or `data_source` (wikis hold both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_round_trip() {
        let raw = json!({"and": [
            {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": "2026-07-01T00:00:00Z"}},
            {"property": "Status", "status": {"does_not_equal": "Archived"}},
            {"or": [
                {"property": "Tags", "multi_select": {"contains": "a"}},
                {"property": "Done", "checkbox": {"equals": true}},
                {"property": "Due", "date": {"past_week": {}}}
            ]}
        ]});
        let f: Filter = serde_json::from_value(raw.clone()).unwrap();
        assert_eq!(f.depth(), 2);
        assert_eq!(serde_json::to_value(&f).unwrap(), raw);
    }

    #[test]
    fn bad_operator_is_an_error() {
        let bad = json!({"property": "Name", "title": {"sounds_like": "x"}});
        assert!(serde_json::from_value::<Filter>(bad).is_err());
        let other = json!({"property": "F", "formula": {"string": {"equals": "x"}}});
        let f: Filter = serde_json::from_value(other).unwrap();
        assert!(matches!(
            f,
            Filter::Property {
                condition: PropertyCondition::Other { .. },
                ..
            }
        ));
    }

    #[test]
    fn sorts() {
        let s: Vec<Sort> = serde_json::from_value(json!([
            {"timestamp": "last_edited_time", "direction": "ascending"},
            {"property": "Name", "direction": "descending"}
        ]))
        .unwrap();
        assert_eq!(
            s[0],
            Sort::Timestamp {
                timestamp: TimestampKind::LastEditedTime,
                direction: SortDirection::Ascending
            }
        );
    }
}

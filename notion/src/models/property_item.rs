//! `GET /v1/pages/{id}/properties/{property_id}`: one property value, paginated for the types
//! whose page-object value Notion caps at 25 references (title, rich_text, relation, people,
//! rollup).

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::file::NamedFile;
use super::property::{SelectOption, UniqueId};
use super::rich_text::{DateValue, IdRef, RichTextItem};
use super::tagged::tagged_enum;
use super::timestamp::Timestamp;
use super::user::User;

fn property_item_object() -> String {
    "property_item".to_string()
}

fn list_object() -> String {
    "list".to_string()
}

tagged_enum! {
    /// The value of one property item. For paginated types an item holds one element (one
    /// rich-text run, one relation, one person).
    pub enum PropertyItemValue {
        Title(RichTextItem) = "title",
        RichText(RichTextItem) = "rich_text",
        Relation(IdRef) = "relation",
        People(User) = "people",
        Number(Option<f64>) = "number",
        Checkbox(bool) = "checkbox",
        Select(Option<SelectOption>) = "select",
        MultiSelect(Vec<SelectOption>) = "multi_select",
        Status(Option<SelectOption>) = "status",
        Date(Option<DateValue>) = "date",
        Url(Option<String>) = "url",
        Email(Option<String>) = "email",
        PhoneNumber(Option<String>) = "phone_number",
        Files(Vec<NamedFile>) = "files",
        CreatedTime(Timestamp) = "created_time",
        LastEditedTime(Timestamp) = "last_edited_time",
        CreatedBy(User) = "created_by",
        LastEditedBy(User) = "last_edited_by",
        UniqueId(UniqueId) = "unique_id",
        Formula(serde_json::Value) = "formula",
        Rollup(serde_json::Value) = "rollup",
    }
}

/// `{"object":"property_item","id":…,"type":…,<type>:…}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyItem {
    #[serde(default = "property_item_object")]
    pub object: String,
    pub id: String,
    #[serde(flatten)]
    pub value: PropertyItemValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// The `property_item` member of a paginated answer: which property, and where the next page
/// is (`next_url`). Type-specific keys (`"title": {}`, a rollup's `function`) stay in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyItemListInfo {
    pub id: String,
    #[serde(default)]
    pub next_url: Option<String>,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One page of a paginated property value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyItemList {
    #[serde(default = "list_object")]
    pub object: String,
    pub results: Vec<PropertyItem>,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(rename = "type", default = "property_item_object")]
    pub kind: String,
    pub property_item: PropertyItemListInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// What the property endpoint answers: a list for paginated types, one item otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum PropertyItemResponse {
    Item(Box<PropertyItem>),
    List(Box<PropertyItemList>),
}

impl PropertyItemResponse {
    /// The items of this answer (one for simple types).
    pub fn items(&self) -> Vec<&PropertyItem> {
        match self {
            PropertyItemResponse::Item(item) => vec![item],
            PropertyItemResponse::List(list) => list.results.iter().collect(),
        }
    }

    /// Cursor of the next page, for paginated types.
    pub fn next_cursor(&self) -> Option<&str> {
        match self {
            PropertyItemResponse::Item(_) => None,
            PropertyItemResponse::List(list) => list.next_cursor.as_deref(),
        }
    }
}

impl Serialize for PropertyItemResponse {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            PropertyItemResponse::Item(item) => item.serialize(serializer),
            PropertyItemResponse::List(list) => list.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for PropertyItemResponse {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let result = if value.get("object").and_then(Value::as_str) == Some("list") {
            serde_json::from_value(value).map(|l| PropertyItemResponse::List(Box::new(l)))
        } else {
            serde_json::from_value(value).map(|i| PropertyItemResponse::Item(Box::new(i)))
        };
        result.map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_title_list_parses_and_round_trips() {
        let raw = r#"{"object":"list","results":[{"object":"property_item","type":"title","id":"title","title":{"type":"text","text":{"content":"T","link":null},"annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,"code":false,"color":"default"},"plain_text":"T","href":null}}],"next_cursor":null,"has_more":false,"type":"property_item","property_item":{"id":"title","next_url":null,"type":"title","title":{}},"request_id":"r"}"#;
        let parsed: PropertyItemResponse = serde_json::from_str(raw).unwrap();
        assert_eq!(parsed.items().len(), 1);
        assert_eq!(
            serde_json::to_value(&parsed).unwrap(),
            serde_json::from_str::<Value>(raw).unwrap()
        );
        let simple: PropertyItemResponse = serde_json::from_str(
            r#"{"object":"property_item","id":"x","type":"number","number":2}"#,
        )
        .unwrap();
        assert!(matches!(simple, PropertyItemResponse::Item(_)));
    }
}

//! Page property values (`page.properties.<name>`).

use serde::{Deserialize, Serialize};

use super::file::NamedFile;
use super::rich_text::{DateValue, IdRef, RichTextItem};
use super::tagged::tagged_enum;
use super::timestamp::Timestamp;
use super::user::User;

/// One property value: a stable `id` plus the typed value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertyValue {
    pub id: String,
    #[serde(flatten)]
    pub value: PropertyValueKind,
    /// Relation values list at most 25 references; `has_more` says the page object cut them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
}

impl PropertyValue {
    /// The `title` property as Notion returns it for a plain page.
    pub fn title(items: Vec<RichTextItem>) -> Self {
        PropertyValue {
            id: "title".to_string(),
            value: PropertyValueKind::Title(items),
            has_more: None,
        }
    }
}

/// An option of a select, multi-select or status property.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectOption {
    #[serde(default)]
    pub id: Option<String>,
    pub name: String,
    #[serde(default)]
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UniqueId {
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default)]
    pub number: Option<i64>,
}

tagged_enum! {
    /// The typed value of a property. Formula and rollup results stay JSON: their shape
    /// depends on the expression and we only ever read them.
    pub enum PropertyValueKind {
        Title(Vec<RichTextItem>) = "title",
        RichText(Vec<RichTextItem>) = "rich_text",
        Number(Option<f64>) = "number",
        Checkbox(bool) = "checkbox",
        Select(Option<SelectOption>) = "select",
        MultiSelect(Vec<SelectOption>) = "multi_select",
        Status(Option<SelectOption>) = "status",
        Date(Option<DateValue>) = "date",
        Url(Option<String>) = "url",
        Email(Option<String>) = "email",
        PhoneNumber(Option<String>) = "phone_number",
        Relation(Vec<IdRef>) = "relation",
        People(Vec<User>) = "people",
        Files(Vec<NamedFile>) = "files",
        CreatedTime(Timestamp) = "created_time",
        LastEditedTime(Timestamp) = "last_edited_time",
        CreatedBy(User) = "created_by",
        LastEditedBy(User) = "last_edited_by",
        UniqueId(UniqueId) = "unique_id",
        Formula(serde_json::Value) = "formula",
        Rollup(serde_json::Value) = "rollup",
        Verification(serde_json::Value) = "verification",
        Button(serde_json::Value) = "button",
    }
}

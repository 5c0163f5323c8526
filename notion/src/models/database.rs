//! Databases (containers) and data sources (row containers with a schema), as introduced by
//! Notion-Version 2025-09-03, plus the legacy (2022-06-28) database shape that still carries
//! `properties`.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::file::{FileObject, Icon};
use super::parent::Parent;
use super::rich_text::{plain_text, RichTextItem};
use super::tagged::tagged_enum;
use super::timestamp::{offset_form, Timestamp};
use super::user::PartialUser;

fn database_object() -> String {
    "database".to_string()
}

fn data_source_object() -> String {
    "data_source".to_string()
}

/// `{"id": …, "name": …}`: a data source as listed by its database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DataSourceRef {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// A database. From 2025-09-03 it is a container listing its `data_sources`; in 2022-06-28
/// responses it carries the (single) data source's schema as `properties` instead.
///
/// Container timestamps are written with millisecond precision and `+00:00`, as Notion does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Database {
    #[serde(default = "database_object")]
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub title: Vec<RichTextItem>,
    #[serde(default)]
    pub description: Vec<RichTextItem>,
    #[serde(default)]
    pub parent: Option<Parent>,
    #[serde(default)]
    pub is_inline: bool,
    #[serde(default)]
    pub in_trash: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_locked: Option<bool>,
    #[serde(default, with = "offset_form")]
    pub created_time: Option<Timestamp>,
    #[serde(default, with = "offset_form")]
    pub last_edited_time: Option<Timestamp>,
    /// Legacy shape only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<PartialUser>,
    /// Legacy shape only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_edited_by: Option<PartialUser>,
    /// 2025-09-03 and later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_sources: Option<Vec<DataSourceRef>>,
    /// 2022-06-28 only: the schema of the database's single data source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub properties: Option<BTreeMap<String, PropertySchema>>,
    #[serde(default)]
    pub icon: Option<Icon>,
    #[serde(default)]
    pub cover: Option<FileObject>,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub public_url: Option<String>,
    /// Present up to Notion-Version 2025-09-03 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Database {
    pub fn title(&self) -> String {
        plain_text(&self.title)
    }

    /// The only data source, when there is exactly one (a folder mapping refuses to guess
    /// between several).
    pub fn single_data_source(&self) -> Option<&DataSourceRef> {
        match self.data_sources.as_deref() {
            Some([only]) => Some(only),
            _ => None,
        }
    }
}

/// A data source (2025-09-03+): a schema and the rows (pages) under it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSource {
    #[serde(default = "data_source_object")]
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub cover: Option<FileObject>,
    #[serde(default)]
    pub icon: Option<Icon>,
    #[serde(default)]
    pub created_time: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by: Option<PartialUser>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_edited_by: Option<PartialUser>,
    #[serde(default)]
    pub last_edited_time: Option<Timestamp>,
    #[serde(default)]
    pub title: Vec<RichTextItem>,
    #[serde(default)]
    pub description: Vec<RichTextItem>,
    #[serde(default)]
    pub is_inline: bool,
    #[serde(default)]
    pub properties: BTreeMap<String, PropertySchema>,
    #[serde(default)]
    pub parent: Option<Parent>,
    #[serde(default)]
    pub database_parent: Option<Parent>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub public_url: Option<String>,
    #[serde(default)]
    pub in_trash: bool,
    /// Present up to Notion-Version 2025-09-03 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl DataSource {
    pub fn title(&self) -> String {
        plain_text(&self.title)
    }

    /// The name of the title property (every data source has exactly one).
    pub fn title_property(&self) -> Option<&str> {
        self.properties
            .iter()
            .find(|(_, p)| matches!(p.config, PropertyConfig::Title(_)))
            .map(|(name, _)| name.as_str())
    }
}

/// One property of a schema: `{id, name, description, type, <type>: config}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropertySchema {
    /// Stable id (`title` for the title property, short URL-encoded strings otherwise).
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Present (often `null`) on data-source schemas; absent on legacy database schemas.
    #[serde(
        default,
        deserialize_with = "super::tagged::keep_null",
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<Value>,
    #[serde(flatten)]
    pub config: PropertyConfig,
}

/// `{}`: the configuration of property types that have none.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EmptyConfig {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NumberConfig {
    #[serde(default = "default_number_format")]
    pub format: String,
}

fn default_number_format() -> String {
    "number".to_string()
}

impl Default for NumberConfig {
    fn default() -> Self {
        NumberConfig {
            format: default_number_format(),
        }
    }
}

/// An option of a select, multi-select or status schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaOption {
    pub id: String,
    pub name: String,
    #[serde(default = "default_option_color")]
    pub color: String,
    #[serde(default)]
    pub description: Option<String>,
}

fn default_option_color() -> String {
    "default".to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SelectConfig {
    #[serde(default)]
    pub options: Vec<SchemaOption>,
}

/// A status group (`To-do`, `In progress`, `Complete`) and the options in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusGroup {
    pub id: String,
    pub name: String,
    #[serde(default = "default_option_color")]
    pub color: String,
    #[serde(default)]
    pub option_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct StatusConfig {
    #[serde(default)]
    pub options: Vec<SchemaOption>,
    #[serde(default)]
    pub groups: Vec<StatusGroup>,
}

/// A relation to another data source. `type` is `single_property` or `dual_property`; the
/// matching key holds its details (`{}` or `{synced_property_id, synced_property_name}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelationConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub database_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_source_id: Option<String>,
    #[serde(rename = "type", default = "default_relation_type")]
    pub relation_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_property: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dual_property: Option<Value>,
}

fn default_relation_type() -> String {
    "single_property".to_string()
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RollupConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation_property_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation_property_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollup_property_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollup_property_id: Option<String>,
    #[serde(default)]
    pub function: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FormulaConfig {
    #[serde(default)]
    pub expression: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct UniqueIdConfig {
    #[serde(default)]
    pub prefix: Option<String>,
}

tagged_enum! {
    /// A schema property's type and configuration.
    pub enum PropertyConfig {
        Title(EmptyConfig) = "title",
        RichText(EmptyConfig) = "rich_text",
        Number(NumberConfig) = "number",
        Checkbox(EmptyConfig) = "checkbox",
        Select(SelectConfig) = "select",
        MultiSelect(SelectConfig) = "multi_select",
        Status(StatusConfig) = "status",
        Date(EmptyConfig) = "date",
        Url(EmptyConfig) = "url",
        Email(EmptyConfig) = "email",
        PhoneNumber(EmptyConfig) = "phone_number",
        People(EmptyConfig) = "people",
        Relation(RelationConfig) = "relation",
        Files(EmptyConfig) = "files",
        CreatedTime(EmptyConfig) = "created_time",
        CreatedBy(EmptyConfig) = "created_by",
        LastEditedTime(EmptyConfig) = "last_edited_time",
        LastEditedBy(EmptyConfig) = "last_edited_by",
        Formula(FormulaConfig) = "formula",
        Rollup(RollupConfig) = "rollup",
        UniqueId(UniqueIdConfig) = "unique_id",
    }
}

impl PropertyConfig {
    /// Computed by Notion: values cannot be written.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            PropertyConfig::CreatedTime(_)
                | PropertyConfig::CreatedBy(_)
                | PropertyConfig::LastEditedTime(_)
                | PropertyConfig::LastEditedBy(_)
                | PropertyConfig::Formula(_)
                | PropertyConfig::Rollup(_)
                | PropertyConfig::UniqueId(_)
        )
    }
}

/// One entry of a schema write (`POST /v1/data_sources`, `PATCH /v1/data_sources/{id}`,
/// `POST /v1/databases` `initial_data_source`): a new configuration, a rename, or both.
/// A `None` in the request map (JSON `null`) deletes the property.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PropertySchemaRequest {
    /// Rename to this.
    pub name: Option<String>,
    pub description: Option<Vec<RichTextItem>>,
    /// The (new) type and configuration; `None` keeps the current one (rename only).
    pub config: Option<PropertyConfig>,
}

impl PropertySchemaRequest {
    pub fn new(config: PropertyConfig) -> Self {
        PropertySchemaRequest {
            config: Some(config),
            ..PropertySchemaRequest::default()
        }
    }

    pub fn rename(name: &str) -> Self {
        PropertySchemaRequest {
            name: Some(name.to_string()),
            ..PropertySchemaRequest::default()
        }
    }
}

impl Serialize for PropertySchemaRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(name) = &self.name {
            map.serialize_entry("name", name)?;
        }
        if let Some(description) = &self.description {
            map.serialize_entry("description", description)?;
        }
        if let Some(config) = &self.config {
            map.serialize_entry("type", config.type_name())?;
            let payload = config.payload_value().map_err(serde::ser::Error::custom)?;
            map.serialize_entry(config.type_name(), &payload)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PropertySchemaRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut map = Map::<String, Value>::deserialize(deserializer)?;
        let name = match map.remove("name") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let description = match map.remove("description") {
            Some(v @ Value::Array(_)) => {
                Some(serde_json::from_value(v).map_err(serde::de::Error::custom)?)
            }
            _ => None,
        };
        let declared = match map.remove("type") {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        // The type is the declared one, else the single remaining key.
        let type_name = declared.or_else(|| map.keys().next().cloned());
        let config = type_name.map(|t| {
            let payload = map.remove(&t).unwrap_or(Value::Object(Map::new()));
            PropertyConfig::from_parts(t, payload)
        });
        Ok(PropertySchemaRequest {
            name,
            description,
            config,
        })
    }
}

/// A schema write: property name (or id) → new definition, or `None` to delete it.
pub type SchemaChanges = BTreeMap<String, Option<PropertySchemaRequest>>;

/// `POST /v1/data_sources` / `POST /v1/databases` `initial_data_source` body part.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct InitialDataSource {
    #[serde(skip_serializing_if = "SchemaChanges::is_empty")]
    pub properties: SchemaChanges,
}

/// `POST /v1/databases`: a database container and its first data source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateDatabaseRequest {
    /// `{"type":"page_id","page_id":…}` (or a workspace parent for public integrations).
    pub parent: Parent,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub title: Vec<RichTextItem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub description: Vec<RichTextItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_inline: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Icon>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover: Option<FileObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initial_data_source: Option<InitialDataSource>,
}

impl CreateDatabaseRequest {
    /// A full-page database under `page_id` with the given schema.
    pub fn under_page(page_id: &str, title: &str, properties: SchemaChanges) -> Self {
        CreateDatabaseRequest {
            parent: Parent::PageId(page_id.to_string()),
            title: vec![RichTextItem::text(title)],
            description: Vec::new(),
            is_inline: None,
            icon: None,
            cover: None,
            initial_data_source: Some(InitialDataSource { properties }),
        }
    }
}

/// `PATCH /v1/databases/{id}`: container metadata. `Some(None)` clears icon or cover.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateDatabaseRequest {
    pub title: Option<Vec<RichTextItem>>,
    pub description: Option<Vec<RichTextItem>>,
    pub is_inline: Option<bool>,
    pub icon: Option<Option<Icon>>,
    pub cover: Option<Option<FileObject>>,
    pub in_trash: Option<bool>,
    pub is_locked: Option<bool>,
    /// Move the database under another page.
    pub parent: Option<Parent>,
}

impl Serialize for UpdateDatabaseRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(v) = &self.title {
            map.serialize_entry("title", v)?;
        }
        if let Some(v) = &self.description {
            map.serialize_entry("description", v)?;
        }
        if let Some(v) = &self.is_inline {
            map.serialize_entry("is_inline", v)?;
        }
        if let Some(v) = &self.icon {
            map.serialize_entry("icon", v)?;
        }
        if let Some(v) = &self.cover {
            map.serialize_entry("cover", v)?;
        }
        if let Some(v) = &self.in_trash {
            map.serialize_entry("in_trash", v)?;
        }
        if let Some(v) = &self.is_locked {
            map.serialize_entry("is_locked", v)?;
        }
        if let Some(v) = &self.parent {
            map.serialize_entry("parent", v)?;
        }
        map.end()
    }
}

/// `POST /v1/data_sources`: another data source in an existing database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CreateDataSourceRequest {
    /// `{"type":"database_id","database_id":…}`.
    pub parent: Parent,
    pub properties: SchemaChanges,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub title: Vec<RichTextItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icon: Option<Icon>,
}

/// `PATCH /v1/data_sources/{id}`: schema changes and metadata. `Some(None)` clears the icon.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateDataSourceRequest {
    pub title: Option<Vec<RichTextItem>>,
    pub description: Option<Vec<RichTextItem>>,
    pub icon: Option<Option<Icon>>,
    pub properties: SchemaChanges,
    pub in_trash: Option<bool>,
}

impl Serialize for UpdateDataSourceRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(v) = &self.title {
            map.serialize_entry("title", v)?;
        }
        if let Some(v) = &self.description {
            map.serialize_entry("description", v)?;
        }
        if let Some(v) = &self.icon {
            map.serialize_entry("icon", v)?;
        }
        if !self.properties.is_empty() {
            map.serialize_entry("properties", &self.properties)?;
        }
        if let Some(v) = &self.in_trash {
            map.serialize_entry("in_trash", v)?;
        }
        map.end()
    }
}

/// A page template of a data source (`GET /v1/data_sources/{id}/templates`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub is_default: bool,
}

/// `GET /v1/data_sources/{id}/templates` (not a standard list: `templates` instead of
/// `results`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateList {
    pub templates: Vec<Template>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub next_cursor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_request_forms() {
        let typed: PropertySchemaRequest =
            serde_json::from_str(r#"{"type":"title","title":{}}"#).unwrap();
        let bare: PropertySchemaRequest = serde_json::from_str(r#"{"title":{}}"#).unwrap();
        assert_eq!(typed, bare);
        assert_eq!(
            typed.config,
            Some(PropertyConfig::Title(EmptyConfig::default()))
        );
        let rename: PropertySchemaRequest = serde_json::from_str(r#"{"name":"New"}"#).unwrap();
        assert_eq!(rename, PropertySchemaRequest::rename("New"));
        assert_eq!(
            serde_json::to_value(&typed).unwrap(),
            serde_json::json!({"type":"title","title":{}})
        );
    }

    #[test]
    fn database_timestamps_use_the_offset_form() {
        let raw = r#"{"object":"database","id":"d","created_time":"2026-07-04T09:13:00.290+00:00","last_edited_time":"2026-07-04T09:13:00.290+00:00","data_sources":[{"id":"s","name":"S"}]}"#;
        let db: Database = serde_json::from_str(raw).unwrap();
        let back = serde_json::to_value(&db).unwrap();
        assert_eq!(back["created_time"], "2026-07-04T09:13:00.290+00:00");
        assert_eq!(db.single_data_source().unwrap().id, "s");
    }
}

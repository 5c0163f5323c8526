//! Pages and the create-page request.

use std::collections::BTreeMap;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize, Serializer};

use super::block::NewBlock;
use super::file::{FileObject, Icon};
use super::markdown::MarkdownVersion;
use super::parent::Parent;
use super::property::{PropertyValue, PropertyValueKind};
use super::rich_text::{plain_text, RichTextItem};
use super::timestamp::Timestamp;
use super::user::PartialUser;

fn page_object() -> String {
    "page".to_string()
}

/// A page object (`GET /v1/pages/{id}`, create, search results).
///
/// Everything but `id` is optional on read because Notion may return a *partial* page
/// (`{"object":"page","id":"…"}`) when the connection lacks read capability. `archived` is only
/// present up to Notion-Version 2025-09-03; read [`Page::is_trashed`] rather than either flag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page {
    #[serde(default = "page_object")]
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub created_time: Option<Timestamp>,
    #[serde(default)]
    pub last_edited_time: Option<Timestamp>,
    #[serde(default)]
    pub created_by: Option<PartialUser>,
    #[serde(default)]
    pub last_edited_by: Option<PartialUser>,
    #[serde(default)]
    pub cover: Option<FileObject>,
    #[serde(default)]
    pub icon: Option<Icon>,
    #[serde(default)]
    pub parent: Option<Parent>,
    #[serde(default)]
    pub in_trash: bool,
    #[serde(default)]
    pub is_archived: bool,
    #[serde(default)]
    pub is_locked: bool,
    #[serde(default)]
    pub properties: BTreeMap<String, PropertyValue>,
    /// The page's Notion URL (empty for a partial page). Never parse it or hard-code its host.
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub public_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Page {
    /// Plain text of the page's title property (whatever its name: `title` on plain pages,
    /// e.g. `Name` on database rows). Empty for untitled or partial pages.
    pub fn title(&self) -> String {
        self.title_items().map(plain_text).unwrap_or_default()
    }

    /// The rich text of the title property.
    pub fn title_items(&self) -> Option<&[RichTextItem]> {
        self.properties.values().find_map(|p| match &p.value {
            PropertyValueKind::Title(items) => Some(items.as_slice()),
            _ => None,
        })
    }

    /// In the trash, whichever API version answered.
    pub fn is_trashed(&self) -> bool {
        self.in_trash || self.archived == Some(true)
    }

    /// The icon as text: the emoji itself, or the image URL for external and hosted icons.
    pub fn icon_text(&self) -> Option<String> {
        match self.icon.as_ref()? {
            Icon::Emoji(emoji) => Some(emoji.clone()),
            Icon::External(f) => Some(f.url.clone()),
            Icon::File(f) => Some(f.url.clone()),
            _ => None,
        }
    }

    /// Whether this is a partial page (no properties, no timestamps).
    pub fn is_partial(&self) -> bool {
        self.last_edited_time.is_none() && self.properties.is_empty()
    }
}

/// Where to create (or move) a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageParent {
    PageId(String),
    /// Top level of the workspace (public integrations only).
    Workspace,
    /// A row of this data source (2025-09-03+).
    DataSourceId(String),
    /// A row of this database: single-source databases only (and the only form before
    /// 2025-09-03).
    DatabaseId(String),
}

impl Serialize for PageParent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        match self {
            PageParent::PageId(id) => {
                map.serialize_entry("type", "page_id")?;
                map.serialize_entry("page_id", id)?;
            }
            PageParent::Workspace => {
                map.serialize_entry("type", "workspace")?;
                map.serialize_entry("workspace", &true)?;
            }
            PageParent::DataSourceId(id) => {
                map.serialize_entry("type", "data_source_id")?;
                map.serialize_entry("data_source_id", id)?;
            }
            PageParent::DatabaseId(id) => {
                map.serialize_entry("type", "database_id")?;
                map.serialize_entry("database_id", id)?;
            }
        }
        map.end()
    }
}

/// `POST /v1/pages`: content as Markdown *or* as blocks (`children`), never both.
///
/// Without `title` (and without a title-typed entry in `properties`), Notion takes the first
/// `# H1` of `markdown` as the title and removes it from the body.
#[derive(Debug, Clone, PartialEq)]
pub struct CreatePageRequest {
    pub parent: PageParent,
    /// Shortcut for the title property of a plain page (written as `properties.title`).
    pub title: Option<String>,
    pub markdown: Option<String>,
    /// Property values by name (database rows) — only the ones to set.
    pub properties: BTreeMap<String, PropertyValueKind>,
    /// Content as blocks (same limits as appending children).
    pub children: Vec<NewBlock>,
    pub icon: Option<Icon>,
    pub cover: Option<FileObject>,
    /// `markdown_version` of `markdown` (`None`: Notion's default, v1).
    pub markdown_version: Option<MarkdownVersion>,
}

impl Default for CreatePageRequest {
    fn default() -> Self {
        CreatePageRequest {
            parent: PageParent::Workspace,
            title: None,
            markdown: None,
            properties: BTreeMap::new(),
            children: Vec::new(),
            icon: None,
            cover: None,
            markdown_version: None,
        }
    }
}

impl CreatePageRequest {
    /// A page with Markdown content under `parent_page_id` (`None`: the workspace top level).
    /// An empty `title` sends no title, so Notion takes the Markdown's first `# H1`.
    pub fn markdown(parent_page_id: Option<&str>, title: &str, markdown: &str) -> Self {
        CreatePageRequest {
            parent: match parent_page_id {
                Some(id) => PageParent::PageId(id.to_string()),
                None => PageParent::Workspace,
            },
            title: (!title.is_empty()).then(|| title.to_string()),
            markdown: Some(markdown.to_string()),
            ..CreatePageRequest::default()
        }
    }

    /// A page whose content is given as blocks.
    pub fn blocks(parent: PageParent, title: &str, children: Vec<NewBlock>) -> Self {
        CreatePageRequest {
            parent,
            title: (!title.is_empty()).then(|| title.to_string()),
            children,
            ..CreatePageRequest::default()
        }
    }

    /// A database row with these property values.
    pub fn row(data_source_id: &str, properties: BTreeMap<String, PropertyValueKind>) -> Self {
        CreatePageRequest {
            parent: PageParent::DataSourceId(data_source_id.to_string()),
            properties,
            ..CreatePageRequest::default()
        }
    }
}

impl Serialize for CreatePageRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("parent", &self.parent)?;
        let mut props = serde_json::Map::new();
        if let Some(title) = &self.title {
            props.insert(
                "title".into(),
                serde_json::json!({ "title": [ { "type": "text", "text": { "content": title } } ] }),
            );
        }
        for (name, value) in &self.properties {
            let value = serde_json::to_value(value).map_err(serde::ser::Error::custom)?;
            props.insert(name.clone(), value);
        }
        if !props.is_empty() {
            map.serialize_entry("properties", &props)?;
        }
        if let Some(icon) = &self.icon {
            map.serialize_entry("icon", icon)?;
        }
        if let Some(cover) = &self.cover {
            map.serialize_entry("cover", cover)?;
        }
        if let Some(markdown) = &self.markdown {
            map.serialize_entry("markdown", markdown)?;
            if let Some(version) = self.markdown_version {
                map.serialize_entry("markdown_version", version.as_str())?;
            }
        }
        if !self.children.is_empty() {
            map.serialize_entry("children", &self.children)?;
        }
        map.end()
    }
}

/// `PATCH /v1/pages/{id}`. Only the given properties change; `Some(None)` clears the icon or
/// cover. Content is not touched here (except by `erase_content`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdatePageRequest {
    /// Property values by name or id.
    pub properties: BTreeMap<String, PropertyValueKind>,
    pub icon: Option<Option<Icon>>,
    pub cover: Option<Option<FileObject>>,
    pub in_trash: Option<bool>,
    pub is_locked: Option<bool>,
    pub is_archived: Option<bool>,
    /// Deletes every block of the page body.
    pub erase_content: bool,
}

impl UpdatePageRequest {
    /// Renames a plain page.
    pub fn title(title: &str) -> Self {
        let mut properties = BTreeMap::new();
        properties.insert(
            "title".to_string(),
            PropertyValueKind::Title(vec![RichTextItem::text(title)]),
        );
        UpdatePageRequest {
            properties,
            ..UpdatePageRequest::default()
        }
    }

    pub fn trash(in_trash: bool) -> Self {
        UpdatePageRequest {
            in_trash: Some(in_trash),
            ..UpdatePageRequest::default()
        }
    }
}

impl Serialize for UpdatePageRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if !self.properties.is_empty() {
            map.serialize_entry("properties", &self.properties)?;
        }
        if let Some(icon) = &self.icon {
            map.serialize_entry("icon", icon)?;
        }
        if let Some(cover) = &self.cover {
            map.serialize_entry("cover", cover)?;
        }
        if let Some(v) = self.in_trash {
            map.serialize_entry("in_trash", &v)?;
        }
        if let Some(v) = self.is_locked {
            map.serialize_entry("is_locked", &v)?;
        }
        if let Some(v) = self.is_archived {
            map.serialize_entry("is_archived", &v)?;
        }
        if self.erase_content {
            map.serialize_entry("erase_content", &true)?;
        }
        map.end()
    }
}

/// `POST /v1/pages/{id}/move`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MovePageRequest {
    pub parent: PageParent,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_page_parses() {
        let p: Page = serde_json::from_str(r#"{"object":"page","id":"x"}"#).unwrap();
        assert!(p.is_partial());
        assert_eq!(p.title(), "");
    }

    #[test]
    fn create_request_body() {
        let req = CreatePageRequest {
            parent: PageParent::Workspace,
            title: Some("Spec".into()),
            markdown: Some("Body".into()),
            ..CreatePageRequest::default()
        };
        assert_eq!(
            serde_json::to_value(&req).unwrap(),
            serde_json::json!({"parent":{"type":"workspace","workspace":true},
                "properties":{"title":{"title":[{"type":"text","text":{"content":"Spec"}}]}},
                "markdown":"Body"})
        );
    }
}

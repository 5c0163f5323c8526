//! Block objects (`GET /v1/blocks/{id}`, children lists).

use serde::{Deserialize, Serialize};

use super::file::{FileObject, Icon};
use super::parent::Parent;
use super::rich_text::{default_color, RichTextItem};
use super::tagged::tagged_enum;
use super::timestamp::Timestamp;
use super::user::PartialUser;

fn block_object() -> String {
    "block".to_string()
}

/// A block. Children are never embedded; `has_children` says whether to list them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    #[serde(default = "block_object")]
    pub object: String,
    pub id: String,
    #[serde(default)]
    pub parent: Option<Parent>,
    #[serde(default)]
    pub created_time: Option<Timestamp>,
    #[serde(default)]
    pub last_edited_time: Option<Timestamp>,
    #[serde(default)]
    pub created_by: Option<PartialUser>,
    #[serde(default)]
    pub last_edited_by: Option<PartialUser>,
    #[serde(default)]
    pub has_children: bool,
    #[serde(default)]
    pub in_trash: bool,
    /// Present up to Notion-Version 2025-09-03 only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
    #[serde(flatten)]
    pub content: BlockContent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Text blocks: paragraph, list items, toggle, quote, template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextBlock {
    #[serde(default)]
    pub rich_text: Vec<RichTextItem>,
    /// Block icons (2025): recorded as `null` on paragraphs, absent on the other text blocks,
    /// and written the same way (`null` only where the key was read, or for paragraphs).
    #[serde(
        default,
        deserialize_with = "super::tagged::present",
        skip_serializing_if = "Option::is_none"
    )]
    pub icon: Option<Option<Icon>>,
    #[serde(default = "default_color")]
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadingBlock {
    #[serde(default)]
    pub rich_text: Vec<RichTextItem>,
    #[serde(default = "default_color")]
    pub color: String,
    #[serde(default)]
    pub is_toggleable: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberedListItemBlock {
    #[serde(default)]
    pub rich_text: Vec<RichTextItem>,
    #[serde(default = "default_color")]
    pub color: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_start_index: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_format: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToDoBlock {
    #[serde(default)]
    pub rich_text: Vec<RichTextItem>,
    #[serde(default = "default_color")]
    pub color: String,
    #[serde(default)]
    pub checked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalloutBlock {
    #[serde(default)]
    pub rich_text: Vec<RichTextItem>,
    #[serde(default = "default_color")]
    pub color: String,
    #[serde(default)]
    pub icon: Option<Icon>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeBlock {
    #[serde(default)]
    pub rich_text: Vec<RichTextItem>,
    #[serde(default)]
    pub caption: Vec<RichTextItem>,
    /// Notion's language name (`plain text`, `rust`, `mermaid`, …).
    pub language: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquationBlock {
    pub expression: String,
}

/// Payload-less blocks (`divider`, `breadcrumb`, `column_list`, `tab`): `{}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EmptyBlock {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColorBlock {
    #[serde(default = "default_color")]
    pub color: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableBlock {
    pub table_width: u32,
    #[serde(default)]
    pub has_column_header: bool,
    #[serde(default)]
    pub has_row_header: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableRowBlock {
    pub cells: Vec<Vec<RichTextItem>>,
}

/// image, video, audio, file, pdf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MediaBlock {
    #[serde(default)]
    pub caption: Vec<RichTextItem>,
    #[serde(flatten)]
    pub file: FileObject,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// bookmark, embed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookmarkBlock {
    pub url: String,
    #[serde(default)]
    pub caption: Vec<RichTextItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlBlock {
    pub url: String,
}

/// child_page, child_database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TitleBlock {
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnBlock {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width_ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncedBlockBlock {
    /// `None` for an original; `{"type":"block_id","block_id":…}` for a copy.
    #[serde(default)]
    pub synced_from: Option<Parent>,
}

tagged_enum! {
    /// A block's type and payload.
    pub enum BlockContent {
        Paragraph(TextBlock) = "paragraph",
        Heading1(HeadingBlock) = "heading_1",
        Heading2(HeadingBlock) = "heading_2",
        Heading3(HeadingBlock) = "heading_3",
        Heading4(HeadingBlock) = "heading_4",
        BulletedListItem(TextBlock) = "bulleted_list_item",
        NumberedListItem(NumberedListItemBlock) = "numbered_list_item",
        ToDo(ToDoBlock) = "to_do",
        Toggle(TextBlock) = "toggle",
        Quote(TextBlock) = "quote",
        Callout(CalloutBlock) = "callout",
        Code(CodeBlock) = "code",
        Equation(EquationBlock) = "equation",
        Divider(EmptyBlock) = "divider",
        Breadcrumb(EmptyBlock) = "breadcrumb",
        TableOfContents(ColorBlock) = "table_of_contents",
        Table(TableBlock) = "table",
        TableRow(TableRowBlock) = "table_row",
        Image(MediaBlock) = "image",
        Video(MediaBlock) = "video",
        Audio(MediaBlock) = "audio",
        File(MediaBlock) = "file",
        Pdf(MediaBlock) = "pdf",
        Bookmark(BookmarkBlock) = "bookmark",
        Embed(BookmarkBlock) = "embed",
        LinkPreview(UrlBlock) = "link_preview",
        ChildPage(TitleBlock) = "child_page",
        ChildDatabase(TitleBlock) = "child_database",
        /// `{"type":"page_id","page_id":…}` / `database_id` / `comment_id`.
        LinkToPage(Parent) = "link_to_page",
        ColumnList(EmptyBlock) = "column_list",
        Column(ColumnBlock) = "column",
        SyncedBlock(SyncedBlockBlock) = "synced_block",
        Template(TextBlock) = "template",
        Tab(EmptyBlock) = "tab",
        MeetingNotes(serde_json::Value) = "meeting_notes",
        Transcription(serde_json::Value) = "transcription",
        /// `{"block_type": "form" | "button" | …}`; read-only.
        Unsupported(serde_json::Value) = "unsupported",
    }
}

impl TextBlock {
    /// Unstyled text in the default colour.
    pub fn plain(text: &str) -> Self {
        TextBlock {
            rich_text: vec![RichTextItem::text(text)],
            icon: None,
            color: default_color(),
        }
    }

    /// The same block as a paragraph payload (which carries `icon`, `null` when unset).
    pub fn as_paragraph(mut self) -> Self {
        self.icon = Some(self.icon.flatten());
        self
    }
}

impl BlockContent {
    pub fn paragraph(text: &str) -> Self {
        BlockContent::Paragraph(TextBlock::plain(text).as_paragraph())
    }

    /// `heading_1` … `heading_4` (other levels are clamped).
    pub fn heading(level: u8, text: &str) -> Self {
        let h = HeadingBlock {
            rich_text: vec![RichTextItem::text(text)],
            color: default_color(),
            is_toggleable: false,
        };
        match level {
            0 | 1 => BlockContent::Heading1(h),
            2 => BlockContent::Heading2(h),
            3 => BlockContent::Heading3(h),
            _ => BlockContent::Heading4(h),
        }
    }

    pub fn to_do(text: &str, checked: bool) -> Self {
        BlockContent::ToDo(ToDoBlock {
            rich_text: vec![RichTextItem::text(text)],
            color: default_color(),
            checked,
        })
    }

    /// A code block; `language` is Notion's name (`rust`, `plain text`, …). Text longer than
    /// Notion's 2000-character run limit is split into several runs.
    pub fn code(language: &str, text: &str) -> Self {
        BlockContent::Code(CodeBlock {
            rich_text: split_runs(text),
            caption: Vec::new(),
            language: language.to_string(),
        })
    }

    /// The rich text of text-like blocks (paragraph, headings, list items, to-do, toggle,
    /// quote, callout, code).
    pub fn rich_text(&self) -> Option<&[RichTextItem]> {
        match self {
            BlockContent::Paragraph(b)
            | BlockContent::BulletedListItem(b)
            | BlockContent::Toggle(b)
            | BlockContent::Quote(b)
            | BlockContent::Template(b) => Some(&b.rich_text),
            BlockContent::Heading1(b)
            | BlockContent::Heading2(b)
            | BlockContent::Heading3(b)
            | BlockContent::Heading4(b) => Some(&b.rich_text),
            BlockContent::NumberedListItem(b) => Some(&b.rich_text),
            BlockContent::ToDo(b) => Some(&b.rich_text),
            BlockContent::Callout(b) => Some(&b.rich_text),
            BlockContent::Code(b) => Some(&b.rich_text),
            _ => None,
        }
    }
}

/// Splits text into runs of at most 2000 characters (Notion's limit per run).
pub fn split_runs(text: &str) -> Vec<RichTextItem> {
    const MAX: usize = 2000;
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(MAX)
        .map(|c| RichTextItem::text(c.iter().collect::<String>()))
        .collect()
}

/// A block to create (append children, `children` of a new page). Serialized the way Notion
/// reads it: `{"object":"block","type":t, t: {…payload, "children": [...]}}`. Read
/// tolerantly: `object` and `type` may be omitted (the type is then the single payload key).
#[derive(Debug, Clone, PartialEq)]
pub struct NewBlock {
    pub content: BlockContent,
    /// At most two levels of nesting per request (Notion's limit).
    pub children: Vec<NewBlock>,
}

impl NewBlock {
    pub fn new(content: BlockContent) -> Self {
        NewBlock {
            content,
            children: Vec::new(),
        }
    }

    pub fn paragraph(text: &str) -> Self {
        NewBlock::new(BlockContent::paragraph(text))
    }

    pub fn with_children(mut self, children: Vec<NewBlock>) -> Self {
        self.children = children;
        self
    }
}

impl Serialize for NewBlock {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let type_name = self.content.type_name();
        let mut payload = self.content.payload_value().map_err(S::Error::custom)?;
        if !self.children.is_empty() {
            let children = serde_json::to_value(&self.children).map_err(S::Error::custom)?;
            match &mut payload {
                serde_json::Value::Object(map) => {
                    map.insert("children".into(), children);
                }
                _ => {
                    return Err(S::Error::custom(
                        "a block with children needs an object payload",
                    ))
                }
            }
        }
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("object", "block")?;
        map.serialize_entry("type", type_name)?;
        map.serialize_entry(type_name, &payload)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for NewBlock {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut map = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        map.remove("object");
        let type_name = match map.remove("type") {
            Some(serde_json::Value::String(t)) => t,
            Some(_) => return Err(D::Error::custom("`type` is not a string")),
            None if map.len() == 1 => map.keys().next().cloned().unwrap_or_default(),
            None => return Err(D::Error::custom("cannot tell the block type")),
        };
        let mut payload = map.remove(&type_name).unwrap_or(serde_json::Value::Null);
        let children = match payload.as_object_mut().and_then(|p| p.remove("children")) {
            Some(c) => serde_json::from_value(c).map_err(D::Error::custom)?,
            None => Vec::new(),
        };
        Ok(NewBlock {
            content: BlockContent::from_parts(type_name, payload),
            children,
        })
    }
}

/// Where appended children go (Notion-Version 2026-03-11 `position`; older versions send a
/// flat `after` instead, which the client does for them).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AppendPosition {
    #[default]
    End,
    Start,
    AfterBlock(String),
}

impl Serialize for AppendPosition {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = match self {
            AppendPosition::End => serde_json::json!({"type": "end"}),
            AppendPosition::Start => serde_json::json!({"type": "start"}),
            AppendPosition::AfterBlock(id) => {
                serde_json::json!({"type": "after_block", "after_block": {"id": id}})
            }
        };
        value.serialize(serializer)
    }
}

/// `PATCH /v1/blocks/{id}/children`: at most 100 children, two levels of nesting, 1000 block
/// elements and 500 KB per request.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppendBlockChildren {
    pub children: Vec<NewBlock>,
    pub position: Option<AppendPosition>,
}

impl AppendBlockChildren {
    pub fn new(children: Vec<NewBlock>) -> Self {
        AppendBlockChildren {
            children,
            position: None,
        }
    }

    pub fn after(mut self, block_id: &str) -> Self {
        self.position = Some(AppendPosition::AfterBlock(block_id.to_string()));
        self
    }

    pub fn at_start(mut self) -> Self {
        self.position = Some(AppendPosition::Start);
        self
    }

    /// The JSON body for a Notion-Version: `position` from 2026-03-11 on, the flat `after`
    /// before (where "start" cannot be expressed and is sent as `position` anyway).
    pub fn body_for_version(
        &self,
        notion_version: &str,
    ) -> Result<serde_json::Value, serde_json::Error> {
        let mut body = serde_json::Map::new();
        body.insert("children".into(), serde_json::to_value(&self.children)?);
        match (&self.position, notion_version < "2026-03-11") {
            (None, _) => {}
            (Some(AppendPosition::AfterBlock(id)), true) => {
                body.insert("after".into(), serde_json::Value::from(id.as_str()));
            }
            (Some(p), _) => {
                body.insert("position".into(), serde_json::to_value(p)?);
            }
        }
        Ok(serde_json::Value::Object(body))
    }
}

/// `PATCH /v1/blocks/{id}`: a new payload of the block's own type (the type cannot change),
/// and/or a trash flag.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateBlock {
    pub content: Option<BlockContent>,
    pub in_trash: Option<bool>,
}

impl UpdateBlock {
    pub fn content(content: BlockContent) -> Self {
        UpdateBlock {
            content: Some(content),
            in_trash: None,
        }
    }

    /// Restore from (`false`) or move to (`true`) the trash.
    pub fn trash(in_trash: bool) -> Self {
        UpdateBlock {
            content: None,
            in_trash: Some(in_trash),
        }
    }
}

impl Serialize for UpdateBlock {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{Error, SerializeMap};
        let mut map = serializer.serialize_map(None)?;
        if let Some(content) = &self.content {
            let payload = content.payload_value().map_err(S::Error::custom)?;
            map.serialize_entry(content.type_name(), &payload)?;
        }
        if let Some(t) = self.in_trash {
            map.serialize_entry("in_trash", &t)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_page_block_round_trip() {
        let raw = r#"{"object":"block","id":"393abc1e-edcd-81f5-ae94-ec2d55fe98ed","parent":{"type":"page_id","page_id":"p"},"created_time":"2026-07-04T09:08:00.000Z","last_edited_time":"2026-07-04T09:08:00.000Z","created_by":{"object":"user","id":"u"},"last_edited_by":{"object":"user","id":"u"},"has_children":false,"in_trash":true,"type":"child_page","child_page":{"title":"T"},"archived":true,"request_id":"r"}"#;
        let b: Block = serde_json::from_str(raw).unwrap();
        assert_eq!(
            b.content,
            BlockContent::ChildPage(TitleBlock { title: "T".into() })
        );
        let back: serde_json::Value = serde_json::to_value(&b).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(raw).unwrap()
        );
    }

    #[test]
    fn new_block_forms() {
        let inferred: NewBlock =
            serde_json::from_str(r#"{"paragraph":{"rich_text":[{"type":"text","text":{"content":"x"}}],"children":[{"to_do":{"checked":true}}]}}"#)
                .unwrap();
        assert_eq!(inferred.content.type_name(), "paragraph");
        assert_eq!(inferred.children[0].content.type_name(), "to_do");
        let v = serde_json::to_value(&inferred).unwrap();
        assert_eq!(v["type"], "paragraph");
        assert_eq!(v["paragraph"]["children"][0]["to_do"]["checked"], true);
        let append = AppendBlockChildren::new(vec![NewBlock::paragraph("a")]).after("b1");
        assert_eq!(
            append.body_for_version("2026-03-11").unwrap()["position"]["after_block"]["id"],
            "b1"
        );
        assert_eq!(
            append.body_for_version("2025-09-03").unwrap()["after"],
            "b1"
        );
        assert_eq!(
            serde_json::to_value(UpdateBlock::trash(false)).unwrap(),
            serde_json::json!({"in_trash": false})
        );
        assert_eq!(split_runs(&"x".repeat(4001)).len(), 3);
    }

    #[test]
    fn unknown_type_survives() {
        let raw = r#"{"id":"x","type":"hologram","hologram":{"depth":3}}"#;
        let b: Block = serde_json::from_str(raw).unwrap();
        assert_eq!(b.content.type_name(), "hologram");
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["hologram"]["depth"], 3);
    }
}

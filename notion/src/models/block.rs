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
    /// Recorded as `null` on paragraphs since 2025 (block icons); written the same way.
    #[serde(default)]
    pub icon: Option<Icon>,
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
    fn unknown_type_survives() {
        let raw = r#"{"id":"x","type":"hologram","hologram":{"depth":3}}"#;
        let b: Block = serde_json::from_str(raw).unwrap();
        assert_eq!(b.content.type_name(), "hologram");
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(v["hologram"]["depth"], 3);
    }
}

//! Rich text (Notion's `rich_text` arrays).

use serde::{Deserialize, Serialize};

use super::user::User;

/// One rich-text item. Responses always fill `annotations`, `plain_text` and `href`; requests may
/// omit them, hence the defaults.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RichTextItem {
    #[serde(flatten)]
    pub content: RichTextContent,
    #[serde(default)]
    pub annotations: Annotations,
    #[serde(default)]
    pub plain_text: String,
    #[serde(default)]
    pub href: Option<String>,
}

impl RichTextItem {
    /// An unstyled text item, filled in the way Notion returns it.
    pub fn text(content: impl Into<String>) -> Self {
        let content = content.into();
        RichTextItem {
            plain_text: content.clone(),
            content: RichTextContent::Text {
                text: TextContent {
                    content,
                    link: None,
                },
            },
            annotations: Annotations::default(),
            href: None,
        }
    }
}

/// Concatenates the `plain_text` of every item.
pub fn plain_text(items: &[RichTextItem]) -> String {
    items.iter().map(|i| i.plain_text.as_str()).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RichTextContent {
    Text {
        text: TextContent,
    },
    Mention {
        mention: Mention,
    },
    Equation {
        equation: EquationContent,
    },
    /// A rich-text type this crate does not know (its payload is dropped).
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextContent {
    pub content: String,
    #[serde(default)]
    pub link: Option<Link>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EquationContent {
    pub expression: String,
}

/// Styling. `color` stays a string (`default`, `red`, `red_background`, …) so new colours parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotations {
    #[serde(default)]
    pub bold: bool,
    #[serde(default)]
    pub italic: bool,
    #[serde(default)]
    pub strikethrough: bool,
    #[serde(default)]
    pub underline: bool,
    #[serde(default)]
    pub code: bool,
    #[serde(default = "default_color")]
    pub color: String,
}

pub(crate) fn default_color() -> String {
    "default".to_string()
}

impl Default for Annotations {
    fn default() -> Self {
        Annotations {
            bold: false,
            italic: false,
            strikethrough: false,
            underline: false,
            code: false,
            color: default_color(),
        }
    }
}

/// What a mention points at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Mention {
    /// Usually a partial user; a full one when the integration may read user info.
    User {
        user: Box<User>,
    },
    Page {
        page: IdRef,
    },
    Database {
        database: IdRef,
    },
    DataSource {
        data_source: IdRef,
    },
    Date {
        date: DateValue,
    },
    LinkPreview {
        link_preview: UrlRef,
    },
    LinkMention {
        link_mention: serde_json::Value,
    },
    TemplateMention {
        template_mention: serde_json::Value,
    },
    CustomEmoji {
        custom_emoji: serde_json::Value,
    },
    #[serde(other)]
    Unknown,
}

/// `{"id": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdRef {
    pub id: String,
}

/// `{"url": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrlRef {
    pub url: String,
}

/// A date or date range (date mentions and date properties). Values are ISO date or date-time
/// strings exactly as Notion sent them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateValue {
    pub start: String,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub time_zone: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_item_matches_notion_shape() {
        let v = serde_json::to_value(RichTextItem::text("Hi")).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"type":"text","text":{"content":"Hi","link":null},
                "annotations":{"bold":false,"italic":false,"strikethrough":false,"underline":false,
                "code":false,"color":"default"},"plain_text":"Hi","href":null})
        );
    }

    #[test]
    fn request_form_parses() {
        let item: RichTextItem = serde_json::from_str(r#"{"text":{"content":"x"}}"#)
            .or_else(|_| serde_json::from_str(r#"{"type":"text","text":{"content":"x"}}"#))
            .unwrap();
        assert!(matches!(item.content, RichTextContent::Text { .. }));
    }
}

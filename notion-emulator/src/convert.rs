//! Rich text between the Markdown model (`notion_markdown::RichText`) and the API model
//! (`notion::RichTextItem`), and validation of rich text sent in request bodies.

use notion::{
    Annotations, DateValue, EquationContent, IdRef, Link, Mention, RichTextContent, RichTextItem,
    TextContent, User,
};
use notion_markdown::{Mention as MdMention, RichText, SpanKind};
use serde_json::Value;

use crate::errors::{ApiError, ApiResult};
use crate::ids;

/// Notion's limits for one rich-text array.
const MAX_ITEMS: usize = 100;
const MAX_TEXT_CHARS: usize = 2000;

/// Markdown rich text → API rich text (as a response would show it).
pub fn rich_text_to_api(text: &RichText) -> Vec<RichTextItem> {
    text.0
        .iter()
        .map(|span| {
            let a = &span.annotations;
            let annotations = Annotations {
                bold: a.bold,
                italic: a.italic,
                strikethrough: a.strikethrough,
                underline: a.underline,
                code: a.code,
                color: a.color.api_name(),
            };
            let plain_text = span.plain_text();
            let (content, href) = match &span.kind {
                SpanKind::Text { content, link } => (
                    RichTextContent::Text {
                        text: TextContent {
                            content: content.clone(),
                            link: link.clone().map(|url| Link { url }),
                        },
                    },
                    link.clone(),
                ),
                SpanKind::Equation { expression } => (
                    RichTextContent::Equation {
                        equation: EquationContent {
                            expression: expression.clone(),
                        },
                    },
                    None,
                ),
                SpanKind::Mention { mention, .. } => mention_to_api(mention, &plain_text),
            };
            RichTextItem {
                content,
                annotations,
                plain_text,
                href,
            }
        })
        .collect()
}

fn mention_to_api(mention: &MdMention, plain: &str) -> (RichTextContent, Option<String>) {
    let by_url = |url: &str| ids::from_url(url).map(ids::dashed);
    let api = match mention {
        MdMention::Page { url } => by_url(url).map(|id| Mention::Page { page: IdRef { id } }),
        MdMention::Database { url } => by_url(url).map(|id| Mention::Database {
            database: IdRef { id },
        }),
        MdMention::DataSource { url } => by_url(url).map(|id| Mention::DataSource {
            data_source: IdRef { id },
        }),
        MdMention::User { url } => by_url(url).map(|id| Mention::User {
            user: User {
                object: "user".into(),
                id,
                name: None,
                avatar_url: None,
                kind: None,
                person: None,
                bot: None,
                request_id: None,
            },
        }),
        MdMention::Date {
            start,
            end,
            start_time,
            end_time,
            time_zone,
        } => {
            let join = |d: &str, t: &Option<String>| match t {
                Some(t) => format!("{d}T{t}"),
                None => d.to_string(),
            };
            Some(Mention::Date {
                date: DateValue {
                    start: join(start, start_time),
                    end: end.as_ref().map(|e| join(e, end_time)),
                    time_zone: time_zone.clone(),
                },
            })
        }
        MdMention::Agent { .. } => None,
    };
    match api {
        Some(mention) => (RichTextContent::Mention { mention }, None),
        // A mention whose target the emulator cannot name stays readable as text.
        None => (
            RichTextContent::Text {
                text: TextContent {
                    content: plain.to_string(),
                    link: None,
                },
            },
            None,
        ),
    }
}

/// Validates and normalizes a request rich-text array (`type` optional, annotations partial),
/// filling `plain_text`, `href` and defaults the way Notion's responses show them.
pub fn rich_text_from_request(value: &Value, path: &str) -> ApiResult<Vec<RichTextItem>> {
    let items = value.as_array().ok_or_else(|| {
        ApiError::validation(format!(
            "body failed validation: {path} should be an array, instead was `{value}`."
        ))
    })?;
    if items.len() > MAX_ITEMS {
        return Err(ApiError::validation(format!(
            "body failed validation: {path}.length should be ≤ `{MAX_ITEMS}`, instead was `{}`.",
            items.len()
        )));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| rich_text_item_from_request(item, &format!("{path}[{i}]")))
        .collect()
}

fn rich_text_item_from_request(item: &Value, path: &str) -> ApiResult<RichTextItem> {
    let bad = |what: &str| ApiError::validation(format!("body failed validation: {path}{what}"));
    let obj = item
        .as_object()
        .ok_or_else(|| bad(" should be an object."))?;
    let annotations = match obj.get("annotations") {
        None | Some(Value::Null) => Annotations::default(),
        Some(a) => {
            let mut merged = serde_json::to_value(Annotations::default()).unwrap_or(Value::Null);
            if let (Value::Object(base), Value::Object(given)) = (&mut merged, a) {
                for (k, v) in given {
                    base.insert(k.clone(), v.clone());
                }
            }
            serde_json::from_value(merged).map_err(|e| bad(&format!(".annotations: {e}")))?
        }
    };
    if let Some(text) = obj.get("text") {
        let content = text
            .get("content")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(".text.content should be a string."))?;
        if content.chars().count() > MAX_TEXT_CHARS {
            return Err(bad(&format!(
                ".text.content.length should be ≤ `{MAX_TEXT_CHARS}`, instead was `{}`.",
                content.chars().count()
            )));
        }
        let link = match text.get("link") {
            None | Some(Value::Null) => None,
            Some(l) => Some(
                l.get("url")
                    .and_then(Value::as_str)
                    .map(|u| Link { url: u.to_string() })
                    .ok_or_else(|| bad(".text.link.url should be a string."))?,
            ),
        };
        let href = link.as_ref().map(|l| l.url.clone());
        return Ok(RichTextItem {
            plain_text: content.to_string(),
            content: RichTextContent::Text {
                text: TextContent {
                    content: content.to_string(),
                    link,
                },
            },
            annotations,
            href,
        });
    }
    if let Some(eq) = obj.get("equation") {
        let expression = eq
            .get("expression")
            .and_then(Value::as_str)
            .ok_or_else(|| bad(".equation.expression should be a string."))?;
        return Ok(RichTextItem {
            plain_text: expression.to_string(),
            content: RichTextContent::Equation {
                equation: EquationContent {
                    expression: expression.to_string(),
                },
            },
            annotations,
            href: None,
        });
    }
    if let Some(mention) = obj.get("mention") {
        let mention: Mention =
            serde_json::from_value(mention.clone()).map_err(|e| bad(&format!(".mention: {e}")))?;
        let plain_text = obj
            .get("plain_text")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        return Ok(RichTextItem {
            content: RichTextContent::Mention { mention },
            annotations,
            plain_text,
            href: None,
        });
    }
    Err(bad(" should have one of `text`, `mention` or `equation`."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_forms_are_normalized() {
        let items = rich_text_from_request(
            &serde_json::json!([{"text":{"content":"Spec"}},
                {"type":"text","text":{"content":"!","link":{"url":"https://x"}},"annotations":{"bold":true}}]),
            "t",
        )
        .unwrap();
        assert_eq!(items[0].plain_text, "Spec");
        assert_eq!(items[1].href.as_deref(), Some("https://x"));
        assert!(items[1].annotations.bold);
        assert_eq!(items[1].annotations.color, "default");
        assert!(rich_text_from_request(&serde_json::json!([{"nope":1}]), "t").is_err());
        let long = "x".repeat(2001);
        assert!(
            rich_text_from_request(&serde_json::json!([{"text":{"content":long}}]), "t").is_err()
        );
    }

    #[test]
    fn markdown_spans_convert() {
        let items = rich_text_to_api(&RichText::plain("Hello"));
        assert_eq!(notion::plain_text(&items), "Hello");
    }
}

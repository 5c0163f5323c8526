//! Rich text between the Markdown model (`notion_markdown::RichText`) and the API model
//! (`notion::RichTextItem`), and validation of rich text sent in request bodies.

use notion::{
    Annotations, DateValue, EquationContent, IdRef, Link, Mention, RichTextContent, RichTextItem,
    TextContent, User,
};
use notion_markdown::{
    Annotations as MdAnnotations, Color, Mention as MdMention, RichText, Span, SpanKind,
};
use serde_json::Value;

use crate::errors::{ApiError, ApiResult};
use crate::ids;

/// Notion's limits for one rich-text array.
const MAX_ITEMS: usize = 100;
const MAX_TEXT_CHARS: usize = 2000;
const MAX_EXPRESSION_CHARS: usize = 1000;

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
            user: Box::new(User {
                object: "user".into(),
                id,
                name: None,
                avatar_url: None,
                kind: None,
                person: None,
                bot: None,
                request_id: None,
            }),
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

/// API rich text → Markdown rich text (what a block written through the blocks API stores).
///
/// Mentions Markdown can name (user, page, database, data source, date) stay mentions; link
/// previews and link mentions become links; template mentions and custom emoji become their
/// plain text (the Markdown dialect has no form for them).
pub fn rich_text_from_api(items: &[RichTextItem]) -> RichText {
    let spans = items
        .iter()
        .map(|item| {
            let a = &item.annotations;
            let annotations = MdAnnotations {
                bold: a.bold,
                italic: a.italic,
                strikethrough: a.strikethrough,
                underline: a.underline,
                code: a.code,
                color: Color::from_api_name(&a.color).unwrap_or_default(),
            };
            let text = |content: &str, link: Option<String>| SpanKind::Text {
                content: content.to_string(),
                link,
            };
            let label = (!item.plain_text.is_empty()).then(|| item.plain_text.clone());
            let kind = match &item.content {
                RichTextContent::Text { text: t } => {
                    text(&t.content, t.link.as_ref().map(|l| l.url.clone()))
                }
                RichTextContent::Equation { equation } => SpanKind::Equation {
                    expression: equation.expression.clone(),
                },
                RichTextContent::Mention { mention } => match mention_from_api(mention) {
                    Some(m) => SpanKind::Mention { mention: m, label },
                    None => match mention {
                        Mention::LinkPreview { link_preview } => {
                            text(&item.plain_text, Some(link_preview.url.clone()))
                        }
                        Mention::LinkMention { link_mention } => text(
                            &item.plain_text,
                            link_mention
                                .get("href")
                                .and_then(Value::as_str)
                                .map(str::to_string),
                        ),
                        _ => text(&item.plain_text, None),
                    },
                },
                RichTextContent::Unknown => text(&item.plain_text, None),
            };
            Span { kind, annotations }
        })
        .collect();
    RichText(spans)
}

fn mention_from_api(mention: &Mention) -> Option<MdMention> {
    let parse = |id: &str| crate::ids::parse(id);
    Some(match mention {
        Mention::User { user } => MdMention::User {
            url: format!("user://{}", ids::dashed(parse(&user.id)?)),
        },
        Mention::Page { page } => MdMention::Page {
            url: ids::markdown_page_url(parse(&page.id)?),
        },
        Mention::Database { database } => MdMention::Database {
            url: ids::markdown_page_url(parse(&database.id)?),
        },
        Mention::DataSource { data_source } => MdMention::DataSource {
            url: format!("collection://{}", ids::dashed(parse(&data_source.id)?)),
        },
        Mention::Date { date } => {
            let split = |s: &str| match s.split_once('T') {
                Some((d, t)) => (d.to_string(), Some(t.to_string())),
                None => (s.to_string(), None),
            };
            let (start, start_time) = split(&date.start);
            let (end, end_time) = match date.end.as_deref().map(split) {
                Some((e, t)) => (Some(e), t),
                None => (None, None),
            };
            MdMention::Date {
                start,
                end,
                start_time,
                end_time,
                time_zone: date.time_zone.clone(),
            }
        }
        _ => return None,
    })
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
        if link
            .as_ref()
            .is_some_and(|l| l.url.chars().count() > MAX_TEXT_CHARS)
        {
            return Err(bad(&format!(
                ".text.link.url.length should be ≤ `{MAX_TEXT_CHARS}`."
            )));
        }
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
        if expression.chars().count() > MAX_EXPRESSION_CHARS {
            return Err(bad(&format!(
                ".equation.expression.length should be ≤ `{MAX_EXPRESSION_CHARS}`."
            )));
        }
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
        // `type` may be omitted: it is then the single key (`{"page": {"id": …}}`).
        let mut mention = mention.clone();
        if let Value::Object(m) = &mut mention {
            if !m.contains_key("type") && m.len() == 1 {
                if let Some(k) = m.keys().next().cloned() {
                    m.insert("type".into(), Value::from(k));
                }
            }
        }
        let mention: Mention =
            serde_json::from_value(mention).map_err(|e| bad(&format!(".mention: {e}")))?;
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

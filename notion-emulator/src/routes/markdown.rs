//! `GET` and `PATCH /v1/pages/{id}/markdown`.

use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use notion::PageMarkdown;
use serde_json::Value;

use super::pages::visible_page;
use super::{dialect, expect_object, expect_str, field, optional_bool, path_id, Ctx, JsonBody};
use crate::app::AppState;
use crate::content::Stamp;
use crate::edit;
use crate::errors::{ApiError, ApiResult};
use crate::nfm;
use crate::views;

/// Notion's cap on `content_updates` per request.
const MAX_CONTENT_UPDATES: usize = 100;

pub async fn retrieve(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<PageMarkdown>> {
    let id = path_id("page_id", &raw)?;
    let mut version = None;
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if key == "markdown_version" {
            version = Some(value.into_owned());
        }
    }
    let dialect = dialect(version.as_deref(), "query.markdown_version")?;
    let store = state.lock();
    let page = visible_page(&store, &ctx, id)?;
    let mut out = views::page_markdown(&store, page, dialect);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// One parsed edit request.
enum Edit {
    Replace {
        new_str: String,
    },
    Update {
        updates: Vec<(String, String, bool)>,
    },
}

pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<PageMarkdown>> {
    let id = path_id("page_id", &raw)?;
    expect_object(&body, "body")?;
    let dialect = dialect(
        field(&body, "markdown_version").and_then(Value::as_str),
        "body.markdown_version",
    )?;
    if optional_bool(body.get("allow_async"), "body.allow_async")? {
        return Err(ApiError::validation(
            "allow_async is not supported by the emulator yet.",
        ));
    }
    let kind = expect_str(body.get("type"), "body.type")?;
    let payload = match field(&body, kind) {
        Some(p) => p,
        None if matches!(
            kind,
            "replace_content" | "update_content" | "insert_content" | "replace_content_range"
        ) =>
        {
            return Err(ApiError::validation(format!(
                "body failed validation: body.{kind} should be defined, instead was `undefined`."
            )))
        }
        None => &Value::Null,
    };
    let (edit, allow_deleting) = match kind {
        "replace_content" => {
            expect_object(payload, "body.replace_content")?;
            let new_str = expect_str(payload.get("new_str"), "body.replace_content.new_str")?;
            let allow = optional_bool(payload.get("allow_deleting_content"), "body.replace_content.allow_deleting_content")?;
            (Edit::Replace { new_str: new_str.to_string() }, allow)
        }
        "update_content" => {
            expect_object(payload, "body.update_content")?;
            let allow = optional_bool(payload.get("allow_deleting_content"), "body.update_content.allow_deleting_content")?;
            (Edit::Update { updates: parse_updates(payload.get("content_updates"))? }, allow)
        }
        "insert_content" | "replace_content_range" => {
            return Err(ApiError::validation(format!(
                "`{kind}` is deprecated and not supported by the emulator; use `update_content` or `replace_content`."
            )))
        }
        other => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.type should be one of `update_content`, `replace_content`, `insert_content`, `replace_content_range`, instead was `{other}`."
            )))
        }
    };

    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    let page = visible_page(&store, &ctx, id)?;
    let new_markdown = match edit {
        Edit::Replace { new_str } => new_str,
        Edit::Update { updates } => {
            let current = views::page_markdown(&store, page, dialect).markdown;
            apply_updates(current, &updates)?
        }
    };
    let blocks = nfm::parse(&new_markdown, dialect);
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    edit::write_body(&mut store, id, &bot, blocks, allow_deleting, stamp)?;
    let page = visible_page(&store, &ctx, id)?;
    let mut out = views::page_markdown(&store, page, dialect);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

fn parse_updates(value: Option<&Value>) -> ApiResult<Vec<(String, String, bool)>> {
    let path = "body.update_content.content_updates";
    let items = match value {
        Some(Value::Array(items)) => items,
        None | Some(Value::Null) => {
            return Err(ApiError::validation(format!(
                "body failed validation: {path} should be defined, instead was `undefined`."
            )))
        }
        Some(other) => {
            return Err(ApiError::validation(format!(
                "body failed validation: {path} should be an array, instead was `{other}`."
            )))
        }
    };
    if items.is_empty() || items.len() > MAX_CONTENT_UPDATES {
        return Err(ApiError::validation(format!(
            "body failed validation: {path}.length should be between 1 and {MAX_CONTENT_UPDATES}, instead was `{}`.",
            items.len()
        )));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let old = expect_str(item.get("old_str"), &format!("{path}[{i}].old_str"))?;
            if old.is_empty() {
                return Err(ApiError::validation(format!(
                    "body failed validation: {path}[{i}].old_str should not be empty."
                )));
            }
            let new = expect_str(item.get("new_str"), &format!("{path}[{i}].new_str"))?;
            let all = optional_bool(
                item.get("replace_all_matches"),
                &format!("{path}[{i}].replace_all_matches"),
            )?;
            Ok((old.to_string(), new.to_string(), all))
        })
        .collect()
}

/// Applies search-and-replace edits in order, each against the result of the previous one,
/// with Notion's rules: the match is exact; none → error; several → error unless
/// `replace_all_matches`.
fn apply_updates(mut markdown: String, updates: &[(String, String, bool)]) -> ApiResult<String> {
    for (i, (old, new, all)) in updates.iter().enumerate() {
        let count = markdown.matches(old.as_str()).count();
        if count == 0 {
            return Err(ApiError::validation(format!(
                "content_updates[{i}]: no match found for old_str {}. old_str must match the page's Markdown exactly.",
                excerpt(old)
            )));
        }
        if count > 1 && !all {
            return Err(ApiError::validation(format!(
                "content_updates[{i}]: old_str {} matches {count} times. Make it unique or set replace_all_matches to true.",
                excerpt(old)
            )));
        }
        markdown = if *all {
            markdown.replace(old.as_str(), new)
        } else {
            markdown.replacen(old.as_str(), new, 1)
        };
    }
    Ok(markdown)
}

/// A short quote of the caller's own text for error messages.
fn excerpt(s: &str) -> String {
    let short: String = s.chars().take(60).collect();
    if short.len() < s.len() {
        format!("{:?}…", short)
    } else {
        format!("{short:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_rules() {
        let md = "a b a".to_string();
        assert!(apply_updates(md.clone(), &[("zz".into(), "y".into(), false)]).is_err());
        assert!(apply_updates(md.clone(), &[("a".into(), "y".into(), false)]).is_err());
        assert_eq!(
            apply_updates(md.clone(), &[("a".into(), "y".into(), true)]).unwrap(),
            "y b y"
        );
        assert_eq!(
            apply_updates(
                md,
                &[
                    ("b".into(), "c".into(), false),
                    ("c a".into(), "!".into(), false)
                ]
            )
            .unwrap(),
            "a !"
        );
    }
}

//! `GET` and `PATCH /v1/pages/{id}/markdown`.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use notion::PageMarkdown;
use notion_markdown::BlockKind;
use serde_json::Value;

use super::pages::visible_page;
use super::{dialect, expect_object, expect_str, field, optional_bool, path_id, Ctx, JsonBody};
use crate::app::AppState;
use crate::content::Stamp;
use crate::edit;
use crate::errors::{ApiError, ApiResult};
use crate::nfm;
use crate::state::Store;
use crate::tasks;
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
    let bot = ctx.bot(&store)?;
    let page = visible_page(&store, &ctx, id)?;
    let mut out = views::page_markdown_for(&store, page, dialect, Some(bot));
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// One parsed edit request.
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    Replace {
        new_str: String,
    },
    Update {
        updates: Vec<(String, String, bool)>,
    },
    /// Deprecated `insert_content`: after an ellipsis selection, at the start, or at the end.
    Insert {
        content: String,
        after: Option<String>,
        at_start: bool,
    },
    /// Deprecated `replace_content_range`: replace an ellipsis selection.
    ReplaceRange {
        content: String,
        range: String,
    },
}

/// A checked `PATCH /v1/pages/{id}/markdown` body.
#[derive(Debug, Clone)]
pub(crate) struct EditRequest {
    edit: Edit,
    allow_deleting: bool,
    dialect: notion_markdown::Dialect,
    pub allow_async: bool,
}

/// Reads the body; shape errors are immediate (matching errors happen when the edit runs).
pub(crate) fn parse_edit(body: &Value) -> ApiResult<EditRequest> {
    expect_object(body, "body")?;
    // Notion's 500 KB limit holds for every request body, Markdown ones included.
    crate::blockreq::check_body_size(body)?;
    let dialect = dialect(
        field(body, "markdown_version").and_then(Value::as_str),
        "body.markdown_version",
    )?;
    let allow_async = optional_bool(body.get("allow_async"), "body.allow_async")?;
    let kind = expect_str(body.get("type"), "body.type")?;
    let payload = match field(body, kind) {
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
    let allow = |path: &str| {
        optional_bool(
            payload.get("allow_deleting_content"),
            &format!("body.{path}.allow_deleting_content"),
        )
    };
    let (edit, allow_deleting) = match kind {
        "replace_content" => {
            expect_object(payload, "body.replace_content")?;
            let new_str = expect_str(payload.get("new_str"), "body.replace_content.new_str")?;
            (Edit::Replace { new_str: new_str.to_string() }, allow("replace_content")?)
        }
        "update_content" => {
            expect_object(payload, "body.update_content")?;
            (Edit::Update { updates: parse_updates(payload.get("content_updates"))? }, allow("update_content")?)
        }
        "insert_content" => {
            expect_object(payload, "body.insert_content")?;
            let content = expect_str(payload.get("content"), "body.insert_content.content")?;
            let after = match field(payload, "after") {
                None => None,
                Some(a) => Some(expect_str(Some(a), "body.insert_content.after")?.to_string()),
            };
            let at_start = match field(payload, "position") {
                None => false,
                Some(p) => match p.get("type").and_then(Value::as_str) {
                    Some("start") => true,
                    Some("end") => false,
                    _ => {
                        return Err(ApiError::validation(
                            "body failed validation: body.insert_content.position.type should be `start` or `end`.",
                        ))
                    }
                },
            };
            if after.is_some() && field(payload, "position").is_some() {
                return Err(ApiError::validation(
                    "body failed validation: body.insert_content.after and body.insert_content.position cannot both be provided.",
                ));
            }
            (Edit::Insert { content: content.to_string(), after, at_start }, false)
        }
        "replace_content_range" => {
            expect_object(payload, "body.replace_content_range")?;
            let content = expect_str(payload.get("content"), "body.replace_content_range.content")?;
            let range = expect_str(payload.get("content_range"), "body.replace_content_range.content_range")?;
            (
                Edit::ReplaceRange { content: content.to_string(), range: range.to_string() },
                allow("replace_content_range")?,
            )
        }
        other => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.type should be one of `update_content`, `replace_content`, `insert_content`, `replace_content_range`, instead was `{other}`."
            )))
        }
    };
    Ok(EditRequest {
        edit,
        allow_deleting,
        dialect,
        allow_async,
    })
}

pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let id = path_id("page_id", &raw)?;
    let req = parse_edit(&body)?;
    if req.allow_async {
        {
            let store = state.lock();
            visible_page(&store, &ctx, id)?;
        }
        let base = super::async_tasks::origin(&headers);
        let task = tasks::enqueue(
            &state,
            &ctx,
            tasks::Operation::UpdateMarkdown(id),
            body,
            &base,
        );
        return Ok((StatusCode::ACCEPTED, Json(task)).into_response());
    }
    let mut store = state.lock();
    let mut out = apply_edit(&mut store, &state.clock, &ctx, id, &req)?;
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out).into_response())
}

/// Runs an edit (now, or later for an async task) and answers the page's Markdown.
pub(crate) fn apply_edit(
    store: &mut Store,
    clock: &crate::time::Clock,
    ctx: &Ctx,
    id: uuid::Uuid,
    req: &EditRequest,
) -> ApiResult<PageMarkdown> {
    let bot = ctx.bot(store)?.clone();
    let page = visible_page(store, ctx, id)?;
    let dialect = req.dialect;
    let current = || views::page_markdown_for(store, page, dialect, Some(&bot)).markdown;
    let new_markdown = match &req.edit {
        Edit::Replace { new_str } => new_str.clone(),
        Edit::Update { updates } => apply_updates(current(), updates)?,
        Edit::Insert {
            content,
            after,
            at_start,
        } => insert(current(), content, after.as_deref(), *at_start)?,
        Edit::ReplaceRange { content, range } => {
            let md = current();
            let (start, end) = select(&md, range)?;
            format!("{}{}{}", &md[..start], content, &md[end..])
        }
    };
    let mut blocks = nfm::parse(&new_markdown, dialect);
    expand_unknowns(store, id, &mut blocks);
    let stamp = Stamp {
        now: clock.now(),
        actor: bot.id,
    };
    let databases_before = database_blocks(store, id);
    edit::write_body(store, id, &bot, blocks, req.allow_deleting, stamp)?;
    // Databases whose `<database>` tag the edit dropped (allowed above) go to the trash.
    let databases_after = database_blocks(store, id);
    for db in databases_before.difference(&databases_after) {
        super::databases::set_database_trash(store, *db, true, stamp);
    }
    let page = visible_page(store, ctx, id)?;
    Ok(views::page_markdown_for(store, page, dialect, Some(&bot)))
}

/// Ids of the known databases whose block sits in the page body.
fn database_blocks(store: &Store, page_id: uuid::Uuid) -> std::collections::BTreeSet<uuid::Uuid> {
    fn walk(
        store: &Store,
        blocks: &[crate::content::StoredBlock],
        out: &mut std::collections::BTreeSet<uuid::Uuid>,
    ) {
        for b in blocks {
            if matches!(b.kind, BlockKind::ChildDatabase { .. })
                && store.objects.databases.contains_key(&b.id)
            {
                out.insert(b.id);
            }
            walk(store, &b.children, out);
        }
    }
    let mut out = std::collections::BTreeSet::new();
    if let Some(page) = store.pages.get(&page_id) {
        walk(store, &page.blocks, &mut out);
    }
    out
}

/// `<unknown>` tags naming a block of the page that the reader could not see (past the render
/// cap, or hidden from the token) are that block, subtree included: writing the tag back keeps
/// the block, as Notion does.
fn expand_unknowns(store: &Store, page_id: uuid::Uuid, blocks: &mut [nfm::Block]) {
    fn index<'a>(
        blocks: &'a [crate::content::StoredBlock],
        out: &mut std::collections::HashMap<uuid::Uuid, &'a crate::content::StoredBlock>,
    ) {
        for b in blocks {
            out.insert(b.id, b);
            index(&b.children, out);
        }
    }
    fn walk(
        blocks: &mut [nfm::Block],
        known: &std::collections::HashMap<uuid::Uuid, &crate::content::StoredBlock>,
    ) {
        for b in blocks.iter_mut() {
            if let BlockKind::Unknown { url, .. } = &b.kind {
                let stored = crate::ids::from_url(url).and_then(|id| known.get(&id));
                if let Some(stored) =
                    stored.filter(|s| !matches!(s.kind, BlockKind::Unknown { .. }))
                {
                    *b = stored.to_block();
                    continue;
                }
            }
            walk(&mut b.children, known);
        }
    }
    let Some(page) = store.pages.get(&page_id) else {
        return;
    };
    let mut known = std::collections::HashMap::new();
    index(&page.blocks, &mut known);
    walk(blocks, &known);
}

/// The byte range an ellipsis selection (`"start...end"`, or an exact text) covers: from the
/// first occurrence of the start to the end of the first occurrence of the end after it.
fn select(markdown: &str, selection: &str) -> ApiResult<(usize, usize)> {
    let missing = || {
        ApiError::validation(format!(
            "No match found for selection {}. The selection must match the page's Markdown exactly.",
            excerpt(selection)
        ))
    };
    match selection.split_once("...") {
        Some((start, end)) if !start.is_empty() || !end.is_empty() => {
            let s = markdown.find(start).ok_or_else(missing)?;
            let from = s + start.len();
            let e = markdown[from..].find(end).ok_or_else(missing)?;
            Ok((s, from + e + end.len()))
        }
        _ => {
            let s = markdown.find(selection).ok_or_else(missing)?;
            Ok((s, s + selection.len()))
        }
    }
}

/// `insert_content`: after the line the selection ends on, at the start, or at the end.
fn insert(
    markdown: String,
    content: &str,
    after: Option<&str>,
    at_start: bool,
) -> ApiResult<String> {
    if let Some(selection) = after {
        let (_, end) = select(&markdown, selection)?;
        let line_end = markdown[end..]
            .find('\n')
            .map_or(markdown.len(), |i| end + i);
        return Ok(format!(
            "{}\n{}{}",
            &markdown[..line_end],
            content,
            &markdown[line_end..]
        ));
    }
    Ok(match (markdown.is_empty(), at_start) {
        (true, _) => content.to_string(),
        (false, true) => format!("{content}\n{markdown}"),
        (false, false) => format!("{markdown}\n{content}"),
    })
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
    fn selections_and_inserts() {
        let md = "# A\nfirst line\n## B\nsecond".to_string();
        assert_eq!(select(&md, "first...B").unwrap(), (4, 19));
        assert_eq!(select(&md, "second").unwrap(), (20, 26));
        assert!(select(&md, "zzz...B").is_err());
        assert_eq!(
            insert(md.clone(), "new", Some("first"), false).unwrap(),
            "# A\nfirst line\nnew\n## B\nsecond"
        );
        assert_eq!(
            insert(md.clone(), "top", None, true).unwrap(),
            format!("top\n{md}")
        );
        assert_eq!(insert(String::new(), "x", None, false).unwrap(), "x");
    }

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

//! `POST /v1/pages` (with Markdown) and `GET /v1/pages/{id}`.

use axum::extract::{Path, State};
use axum::{Extension, Json};
use notion::{FileObject, Icon, Page, RichTextItem};
use notion_markdown::{Block, BlockKind, Dialect};
use serde_json::Value;
use uuid::Uuid;

use super::{dialect, expect_object, expect_str, field, optional_bool, path_id, Ctx, JsonBody};
use crate::app::AppState;
use crate::content::Stamp;
use crate::convert;
use crate::edit::{self, Position};
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::nfm;
use crate::state::{PageParentRef, PageRecord, Store};
use crate::views;

pub async fn retrieve(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Page>> {
    let id = path_id("page_id", &raw)?;
    let store = state.lock();
    let page = visible_page(&store, &ctx, id)?;
    let mut out = views::page(page, &state.clock, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// The page if the caller may see it; Notion's 404 otherwise (missing and unshared look alike).
pub(crate) fn visible_page<'a>(store: &'a Store, ctx: &Ctx, id: Uuid) -> ApiResult<&'a PageRecord> {
    let bot = ctx.bot(store)?;
    match store.pages.get(&id) {
        Some(page) if store.can_see(bot, id) => Ok(page),
        _ => Err(ApiError::not_found("page", id, &bot.name, bot.id)),
    }
}

enum ParentRequest {
    Workspace,
    Page(Uuid),
    /// Databases and data sources do not exist in the emulator yet: always "not found".
    Container(&'static str, Uuid),
}

struct CreateRequest {
    parent: ParentRequest,
    title: Option<Vec<RichTextItem>>,
    markdown: Option<String>,
    dialect: Dialect,
    icon: Option<Icon>,
    cover: Option<FileObject>,
    position: Position,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Page>> {
    let req = parse_create(&body)?;
    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    let parent = match req.parent {
        ParentRequest::Workspace => PageParentRef::Workspace,
        ParentRequest::Page(id) => {
            let parent = visible_page(&store, &ctx, id)?;
            if parent.in_trash {
                return Err(ApiError::validation(
                    "Can't edit block that is archived. You must unarchive the block before editing.",
                ));
            }
            PageParentRef::Page(id)
        }
        ParentRequest::Container(kind, id) => {
            return Err(ApiError::not_found(kind, id, &bot.name, bot.id));
        }
    };
    let mut blocks = req
        .markdown
        .as_deref()
        .map(|m| nfm::parse(m, req.dialect))
        .unwrap_or_default();
    let title = match req.title {
        Some(title) => title,
        None => take_title_heading(&mut blocks).unwrap_or_default(),
    };
    if let (PageParentRef::Page(parent_id), Position::AfterBlock(after)) = (parent, &req.position) {
        let found = store
            .pages
            .get(&parent_id)
            .is_some_and(|p| p.blocks.iter().any(|b| b.id == *after));
        if !found {
            return Err(ApiError::validation(format!(
                "body failed validation: position.after_block.id `{}` is not a block of the parent page.",
                ids::dashed(*after)
            )));
        }
    }

    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    let id = ids::new_id();
    let seq = store.next_seq();
    let mut record = edit::new_page_record(id, parent, "", stamp, seq);
    record.title = title;
    record.icon = req.icon;
    record.cover = req.cover;
    store.pages.insert(id, record);
    store.grant_created(bot.id, id);
    if let Err(err) = edit::write_body(&mut store, id, &bot, blocks, false, stamp) {
        store.pages.remove(&id);
        return Err(err);
    }
    if let PageParentRef::Page(parent_id) = parent {
        edit::attach_child_page(&mut store, parent_id, id, &req.position, stamp);
    }
    let page = store
        .pages
        .get(&id)
        .ok_or_else(|| ApiError::validation("page vanished"))?;
    let mut out = views::page(page, &state.clock, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// Without a title property, the first `# H1` of the Markdown becomes the title and leaves
/// the body (only when it is the first block: a later H1 is content).
fn take_title_heading(blocks: &mut Vec<Block>) -> Option<Vec<RichTextItem>> {
    match blocks.first() {
        Some(Block {
            kind:
                BlockKind::Heading {
                    level: 1,
                    toggleable: false,
                    text,
                    ..
                },
            children,
        }) if children.is_empty() => {
            let title = convert::rich_text_to_api(text);
            blocks.remove(0);
            Some(title)
        }
        _ => None,
    }
}

fn parse_create(body: &Value) -> ApiResult<CreateRequest> {
    expect_object(body, "body")?;
    let parent = parse_parent(body.get("parent"))?;
    let title = match field(body, "properties") {
        None => None,
        Some(props) => parse_title_property(props)?,
    };
    let markdown = match field(body, "markdown") {
        None => None,
        Some(v) => Some(expect_str(Some(v), "body.markdown")?.to_string()),
    };
    for key in ["children", "content"] {
        if let Some(blocks) = field(body, key) {
            let non_empty = blocks.as_array().is_none_or(|a| !a.is_empty());
            if non_empty && markdown.is_some() {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.markdown and body.{key} cannot both be provided."
                )));
            }
            if non_empty {
                return Err(ApiError::validation(format!(
                    "body.{key} with blocks is not supported by the emulator yet; send `markdown` instead."
                )));
            }
        }
    }
    let version = match field(body, "markdown_version") {
        None => None,
        Some(v) => Some(expect_str(Some(v), "body.markdown_version")?),
    };
    if version.is_some() && markdown.is_none() {
        return Err(ApiError::validation(
            "body failed validation: body.markdown_version can only be used with body.markdown.",
        ));
    }
    if optional_bool(body.get("allow_async"), "body.allow_async")? {
        return Err(ApiError::validation(
            "allow_async is not supported by the emulator yet.",
        ));
    }
    let icon = match field(body, "icon") {
        None => None,
        Some(v) => Some(serde_json::from_value::<Icon>(v.clone()).map_err(|e| {
            ApiError::validation(format!("body failed validation: body.icon: {e}"))
        })?),
    };
    let cover = match field(body, "cover") {
        None => None,
        Some(v) => Some(
            serde_json::from_value::<FileObject>(v.clone()).map_err(|e| {
                ApiError::validation(format!("body failed validation: body.cover: {e}"))
            })?,
        ),
    };
    Ok(CreateRequest {
        parent,
        title,
        markdown,
        dialect: dialect(version, "body.markdown_version")?,
        icon,
        cover,
        position: parse_position(field(body, "position"))?,
    })
}

fn parse_parent(value: Option<&Value>) -> ApiResult<ParentRequest> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Err(ApiError::validation(
            "body failed validation: body.parent should be defined, instead was `undefined`.",
        ));
    };
    let parent = expect_object(value, "body.parent")?;
    let id_of = |key: &str| -> ApiResult<Uuid> {
        let raw = expect_str(parent.get(key), &format!("body.parent.{key}"))?;
        ids::parse(raw).ok_or_else(|| {
            ApiError::validation(format!(
                "body failed validation: body.parent.{key} should be a valid uuid, instead was `{}`.",
                Value::from(raw)
            ))
        })
    };
    if parent.contains_key("page_id") {
        Ok(ParentRequest::Page(id_of("page_id")?))
    } else if parent.get("workspace") == Some(&Value::Bool(true)) {
        Ok(ParentRequest::Workspace)
    } else if parent.contains_key("data_source_id") {
        Ok(ParentRequest::Container(
            "data source",
            id_of("data_source_id")?,
        ))
    } else if parent.contains_key("database_id") {
        Ok(ParentRequest::Container("database", id_of("database_id")?))
    } else {
        Err(ApiError::validation(
            "body failed validation: body.parent should have one of `page_id`, `data_source_id`, `database_id` or `workspace`.",
        ))
    }
}

/// A plain page has one property, the title: `{"title": [rich text]}` or
/// `{"title": {"title": [rich text]}}` (both forms are accepted by Notion).
fn parse_title_property(props: &Value) -> ApiResult<Option<Vec<RichTextItem>>> {
    let props = expect_object(props, "body.properties")?;
    let mut title = None;
    for (key, value) in props {
        if key != "title" {
            return Err(ApiError::validation(format!(
                "{key} is not a property that exists. Pages that are not in a database only have a title property."
            )));
        }
        let items = match value {
            Value::Array(_) => value,
            Value::Object(o) => o.get("title").unwrap_or(&Value::Null),
            _ => &Value::Null,
        };
        title = Some(convert::rich_text_from_request(
            items,
            "body.properties.title.title",
        )?);
    }
    Ok(title)
}

fn parse_position(value: Option<&Value>) -> ApiResult<Position> {
    let Some(value) = value else {
        return Ok(Position::End);
    };
    let kind = expect_str(value.get("type"), "body.position.type")?;
    match kind {
        "page_end" | "end" => Ok(Position::End),
        "page_start" | "start" => Ok(Position::Start),
        "after_block" => {
            let raw = expect_str(value.get("after_block").and_then(|a| a.get("id")), "body.position.after_block.id")?;
            ids::parse(raw).map(Position::AfterBlock).ok_or_else(|| {
                ApiError::validation("body failed validation: body.position.after_block.id should be a valid uuid.")
            })
        }
        other => Err(ApiError::validation(format!(
            "body failed validation: body.position.type should be one of `after_block`, `page_start`, `page_end`, instead was `{other}`."
        ))),
    }
}

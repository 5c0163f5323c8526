//! `POST /v1/pages` (with Markdown or blocks; under a page, a data source, a single-source
//! database or the workspace) and `GET /v1/pages/{id}`.

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use notion::{FileObject, Icon, Page, RichTextItem};
use notion_markdown::{Block, BlockKind, Dialect};
use serde_json::Value;
use uuid::Uuid;

use super::{dialect, expect_object, expect_str, field, optional_bool, path_id, Ctx, JsonBody};
use crate::app::AppState;
use crate::blockreq::{self, Container, Reader};
use crate::blocks;
use crate::content::Stamp;
use crate::convert;
use crate::edit::{self, Position};
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::nfm;
use crate::objects::Node;
use crate::properties;
use crate::state::{PageParentRef, PageRecord, Store};
use crate::tasks;
use crate::views;

pub async fn retrieve(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Page>> {
    let id = path_id("page_id", &raw)?;
    let only = filter_properties(query.as_deref());
    let store = state.lock();
    let page = visible_page(&store, &ctx, id)?;
    let mut out = views::page_with(&store, page, &state.clock, ctx.version, only.as_deref());
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// `filter_properties` query parameters (repeatable; names or ids), if any.
pub(crate) fn filter_properties(query: Option<&str>) -> Option<Vec<String>> {
    let keys: Vec<String> = crate::paging::query_pairs(query)
        .into_iter()
        .filter(|(k, _)| k == "filter_properties" || k == "filter_properties[]")
        .map(|(_, v)| v)
        .collect();
    (!keys.is_empty()).then_some(keys)
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
    DataSource(Uuid),
    /// A single-source database (its data source is the parent).
    Database(Uuid),
}

/// Page content given at creation.
enum Content {
    None,
    Markdown(String),
    Blocks(Value),
}

struct CreateRequest {
    parent: ParentRequest,
    properties: Option<Value>,
    content: Content,
    dialect: Dialect,
    icon: Option<Icon>,
    cover: Option<FileObject>,
    position: Position,
    allow_async: bool,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Response> {
    let req = parse_create(&body)?;
    if req.allow_async {
        {
            let store = state.lock();
            resolve_parent(&store, &ctx, &req.parent)?;
        }
        let base = super::async_tasks::origin(&headers);
        let task = tasks::enqueue(&state, &ctx, tasks::Operation::CreatePage, body, &base);
        return Ok((StatusCode::ACCEPTED, Json(task)).into_response());
    }
    let mut store = state.lock();
    let mut out = create_page(&mut store, &state.clock, &ctx, &body)?;
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out).into_response())
}

/// Where a new page goes, checked against what the caller may see and edit.
fn resolve_parent(store: &Store, ctx: &Ctx, parent: &ParentRequest) -> ApiResult<PageParentRef> {
    let archived = || {
        ApiError::validation(
            "Can't edit block that is archived. You must unarchive the block before editing.",
        )
    };
    match parent {
        ParentRequest::Workspace => Ok(PageParentRef::Workspace),
        ParentRequest::Page(id) => {
            let parent = visible_page(store, ctx, *id)?;
            if parent.in_trash {
                return Err(archived());
            }
            Ok(PageParentRef::Page(*id))
        }
        ParentRequest::DataSource(id) => {
            if !ctx.version.has_data_sources() {
                return Err(ApiError::validation(
                    "body failed validation: body.parent.data_source_id requires Notion-Version 2025-09-03 or later.",
                ));
            }
            let ds = super::data_sources::visible_data_source(store, ctx, *id)?;
            if store.node_trashed_deep(Node::DataSource(ds.id)) {
                return Err(archived());
            }
            Ok(PageParentRef::DataSource(*id))
        }
        ParentRequest::Database(id) => {
            let db = super::databases::visible_database(store, ctx, *id)?;
            if db.in_trash {
                return Err(archived());
            }
            match db.data_sources.as_slice() {
                [only] => Ok(PageParentRef::DataSource(*only)),
                _ => Err(ApiError::validation(
                    "Databases with multiple data sources are not supported in this API version.",
                )),
            }
        }
    }
}

/// `POST /v1/pages`, now (or later, for an async task). Everything is checked before the
/// page is stored: an error leaves nothing behind.
pub(crate) fn create_page(
    store: &mut Store,
    clock: &crate::time::Clock,
    ctx: &Ctx,
    body: &Value,
) -> ApiResult<Page> {
    let req = parse_create(body)?;
    let bot = ctx.bot(store)?.clone();
    let parent = resolve_parent(store, ctx, &req.parent)?;
    let data_source = match parent {
        PageParentRef::DataSource(ds) => store.objects.data_sources.get(&ds).cloned(),
        _ => None,
    };
    let writes = match &req.properties {
        Some(props) => properties::parse_writes(data_source.as_ref(), props, "body.properties")?,
        None => properties::Writes::default(),
    };
    let id = ids::new_id();
    let (mut blocks, new_nodes) = match &req.content {
        Content::None => (Vec::new(), Vec::new()),
        Content::Markdown(m) => (nfm::parse(m, req.dialect), Vec::new()),
        Content::Blocks(children) => {
            let mut reader = Reader::new(store, id);
            let nodes = reader.children(children, "body.children", 1, Container::Body)?;
            (Vec::new(), nodes)
        }
    };
    let title = match writes.title.clone() {
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
        now: clock.now(),
        actor: bot.id,
    };
    let seq = store.next_seq();
    let mut record = edit::new_page_record(id, parent, "", stamp, seq);
    record.title = title;
    record.icon = req.icon;
    record.cover = req.cover;
    record.properties = writes.values.iter().cloned().collect();
    let mut extras = Vec::new();
    record.blocks = new_nodes
        .into_iter()
        .map(|n| n.materialize(stamp, &mut extras))
        .collect();
    store.pages.insert(id, record);
    blocks::record_extras(store, extras);
    store.grant_created(bot.id, id);
    if let Content::Markdown(_) = req.content {
        if let Err(err) = edit::write_body(store, id, &bot, blocks, false, stamp) {
            store.pages.remove(&id);
            return Err(err);
        }
    }
    match parent {
        PageParentRef::Page(parent_id) => {
            edit::attach_child_page(store, parent_id, id, &req.position, stamp)
        }
        PageParentRef::DataSource(ds) => {
            if let Some(ds) = store.objects.data_sources.get_mut(&ds) {
                properties::add_options(ds, &writes.new_options);
            }
        }
        PageParentRef::Workspace => {}
    }
    store.record_page_event(crate::events::kinds::PAGE_CREATED, id, stamp);
    let page = store
        .pages
        .get(&id)
        .ok_or_else(|| ApiError::validation("page vanished"))?;
    Ok(views::page(store, page, clock, ctx.version))
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
    let properties = field(body, "properties").cloned();
    if let Some(p) = &properties {
        expect_object(p, "body.properties")?;
    }
    let markdown = match field(body, "markdown") {
        None => None,
        Some(v) => Some(expect_str(Some(v), "body.markdown")?.to_string()),
    };
    let mut blocks = None;
    for key in ["children", "content"] {
        if let Some(value) = field(body, key) {
            let non_empty = value.as_array().is_none_or(|a| !a.is_empty());
            if non_empty && markdown.is_some() {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.markdown and body.{key} cannot both be provided."
                )));
            }
            if non_empty && blocks.is_some() {
                return Err(ApiError::validation(
                    "body failed validation: body.children and body.content cannot both be provided.",
                ));
            }
            if non_empty {
                blocks = Some(value.clone());
            }
        }
    }
    // Notion's 500 KB limit holds for every request body, Markdown ones included.
    if blocks.is_some() || markdown.is_some() {
        blockreq::check_body_size(body)?;
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
    let allow_async = optional_bool(body.get("allow_async"), "body.allow_async")?;
    if allow_async && markdown.is_none() {
        return Err(ApiError::validation(
            "body failed validation: body.allow_async can only be used with body.markdown.",
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
    let content = match (markdown, blocks) {
        (Some(m), _) => Content::Markdown(m),
        (None, Some(b)) => Content::Blocks(b),
        (None, None) => Content::None,
    };
    Ok(CreateRequest {
        parent,
        properties,
        content,
        dialect: dialect(version, "body.markdown_version")?,
        icon,
        cover,
        position: parse_position(field(body, "position"))?,
        allow_async,
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
        Ok(ParentRequest::DataSource(id_of("data_source_id")?))
    } else if parent.contains_key("database_id") {
        Ok(ParentRequest::Database(id_of("database_id")?))
    } else {
        Err(ApiError::validation(
            "body failed validation: body.parent should have one of `page_id`, `data_source_id`, `database_id` or `workspace`.",
        ))
    }
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

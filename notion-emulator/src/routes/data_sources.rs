//! `POST /v1/data_sources`, `GET/PATCH /v1/data_sources/{id}`,
//! `POST /v1/data_sources/{id}/query` and `GET /v1/data_sources/{id}/templates`.
//!
//! These endpoints exist from Notion-Version 2025-09-03 on; with an older version Notion
//! answers `400 invalid_request_url`, and so does the emulator (see [`Versioned`]).

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::Json;
use notion::{DataSource, Icon, ListResponse, SearchResult, TemplateList};
use serde_json::Value;
use uuid::Uuid;

use super::databases::{record, visible_database};
use super::pages::filter_properties;
use super::{expect_object, field, path_id, Ctx, JsonBody};
use crate::app::AppState;
use crate::content::Stamp;
use crate::convert;
use crate::databases;
use crate::errors::{ApiError, ApiResult};
use crate::events::{kinds, ChangeEvent, EntityRef, EntityType};
use crate::ids;
use crate::objects::{DataSourceRecord, Node};
use crate::paging;
use crate::query;
use crate::schema;
use crate::state::Store;
use crate::views;

const ARCHIVED: &str =
    "Can't edit block that is archived. You must unarchive the block before editing.";

/// The request context, refused with `invalid_request_url` before Notion-Version 2025-09-03.
/// Extracted before the body, so an old version never gets a body error instead.
pub struct Versioned(pub Ctx);

impl<S: Send + Sync> FromRequestParts<S> for Versioned {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ctx = parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(ApiError::unauthorized)?;
        if ctx.version.has_data_sources() {
            Ok(Versioned(ctx))
        } else {
            Err(ApiError::invalid_request_url())
        }
    }
}

/// The data source if the caller may see it; Notion's 404 otherwise.
pub(crate) fn visible_data_source<'a>(
    store: &'a Store,
    ctx: &Ctx,
    id: Uuid,
) -> ApiResult<&'a DataSourceRecord> {
    let bot = ctx.bot(store)?;
    match store.objects.data_sources.get(&id) {
        Some(ds) if store.can_see_node(bot, Node::DataSource(id)) => Ok(ds),
        _ => Err(ApiError::not_found("data source", id, &bot.name, bot.id)),
    }
}

/// Applies a schema write to a data source, with its webhook event.
pub(crate) fn apply_schema(
    store: &mut Store,
    id: Uuid,
    props: &Value,
    stamp: Stamp,
) -> ApiResult<()> {
    let Some(mut ds) = store.objects.data_sources.get(&id).cloned() else {
        return Err(ApiError::validation("data source vanished"));
    };
    let changes = schema::apply(store, &mut ds, props, "body.properties")?;
    ds.last_edited_time = stamp.now;
    ds.last_edited_by = stamp.actor;
    let database = ds.database;
    store.objects.data_sources.insert(id, ds);
    store.record_event(ChangeEvent {
        kind: kinds::DATA_SOURCE_SCHEMA_UPDATED,
        entity: EntityRef {
            id,
            kind: EntityType::DataSource,
        },
        parent: EntityRef {
            id: database,
            kind: EntityType::Database,
        },
        actor: stamp.actor,
        at: stamp.now,
        updated_blocks: Vec::new(),
        updated_properties: changes
            .into_iter()
            .map(|c| serde_json::json!({ "id": c.id, "name": c.name, "action": c.action }))
            .collect(),
    });
    Ok(())
}

fn rich_field(body: &Value, key: &str) -> ApiResult<Option<Vec<notion::RichTextItem>>> {
    match field(body, key) {
        None => Ok(None),
        Some(v) => convert::rich_text_from_request(v, &format!("body.{key}")).map(Some),
    }
}

pub async fn create(
    State(state): State<AppState>,
    Versioned(ctx): Versioned,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<DataSource>> {
    expect_object(&body, "body")?;
    let database = field(&body, "parent")
        .and_then(|p| p.get("database_id"))
        .and_then(Value::as_str)
        .and_then(ids::parse)
        .ok_or_else(|| {
            ApiError::validation(
                "body failed validation: body.parent.database_id should be a valid uuid.",
            )
        })?;
    let props = field(&body, "properties").ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.properties should be defined, instead was `undefined`.",
        )
    })?;
    let title = rich_field(&body, "title")?.unwrap_or_default();
    let icon = match field(&body, "icon") {
        None => None,
        Some(v) => Some(serde_json::from_value::<Icon>(v.clone()).map_err(|e| {
            ApiError::validation(format!("body failed validation: body.icon: {e}"))
        })?),
    };
    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    let db = visible_database(&store, &ctx, database)?;
    if db.in_trash {
        return Err(ApiError::validation(ARCHIVED));
    }
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    let seq = store.next_seq();
    let mut ds = databases::new_data_source(&store, database, title, Some(props), stamp, seq)?;
    ds.icon = icon;
    let id = ds.id;
    store.objects.data_sources.insert(id, ds);
    if let Some(db) = store.objects.databases.get_mut(&database) {
        db.data_sources.push(id);
        db.last_edited_time = stamp.now;
        db.last_edited_by = stamp.actor;
    }
    record(
        &mut store,
        kinds::DATA_SOURCE_CREATED,
        EntityRef {
            id,
            kind: EntityType::DataSource,
        },
        stamp,
    );
    let ds = visible_data_source(&store, &ctx, id)?;
    let mut out = databases::data_source(&store, ds, &state.clock, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

pub async fn retrieve(
    State(state): State<AppState>,
    Versioned(ctx): Versioned,
    Path(raw): Path<String>,
) -> ApiResult<Json<DataSource>> {
    let id = path_id("data_source_id", &raw)?;
    let store = state.lock();
    let ds = visible_data_source(&store, &ctx, id)?;
    let mut out = databases::data_source(&store, ds, &state.clock, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

pub async fn update(
    State(state): State<AppState>,
    Versioned(ctx): Versioned,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<DataSource>> {
    let id = path_id("data_source_id", &raw)?;
    expect_object(&body, "body")?;
    let title = rich_field(&body, "title")?;
    let description = rich_field(&body, "description")?;
    let in_trash = ["in_trash", "archived"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_bool));
    let icon = match body.get("icon") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v) => Some(Some(serde_json::from_value::<Icon>(v.clone()).map_err(
            |e| ApiError::validation(format!("body failed validation: body.icon: {e}")),
        )?)),
    };
    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    visible_data_source(&store, &ctx, id)?;
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    if in_trash == Some(false) {
        set_trash(&mut store, id, false, stamp);
    }
    let edits = title.is_some()
        || description.is_some()
        || icon.is_some()
        || field(&body, "properties").is_some();
    if edits && store.node_trashed_deep(Node::DataSource(id)) {
        return Err(ApiError::validation(ARCHIVED));
    }
    if let Some(props) = field(&body, "properties") {
        apply_schema(&mut store, id, props, stamp)?;
    }
    if let Some(ds) = store.objects.data_sources.get_mut(&id) {
        if let Some(t) = title {
            ds.title = t;
        }
        if let Some(t) = description {
            ds.description = t;
        }
        if let Some(i) = icon {
            ds.icon = i;
        }
        if edits {
            ds.last_edited_time = stamp.now;
            ds.last_edited_by = stamp.actor;
        }
    }
    if in_trash == Some(true) {
        set_trash(&mut store, id, true, stamp);
    }
    let ds = visible_data_source(&store, &ctx, id)?;
    let mut out = databases::data_source(&store, ds, &state.clock, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

fn set_trash(store: &mut Store, id: Uuid, in_trash: bool, stamp: Stamp) {
    let Some(ds) = store.objects.data_sources.get_mut(&id) else {
        return;
    };
    if ds.in_trash == in_trash {
        return;
    }
    ds.in_trash = in_trash;
    ds.last_edited_time = stamp.now;
    ds.last_edited_by = stamp.actor;
    let kind = if in_trash {
        kinds::DATA_SOURCE_DELETED
    } else {
        kinds::DATA_SOURCE_UNDELETED
    };
    record(
        store,
        kind,
        EntityRef {
            id,
            kind: EntityType::DataSource,
        },
        stamp,
    );
}

pub async fn query(
    State(state): State<AppState>,
    Versioned(ctx): Versioned,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<ListResponse<SearchResult>>> {
    let id = path_id("data_source_id", &raw)?;
    run_query(&state, &ctx, id, query.as_deref(), &body).map(Json)
}

/// Runs a row query (shared by the data-source query and the legacy database query).
pub(crate) fn run_query(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    raw_query: Option<&str>,
    body: &Value,
) -> ApiResult<ListResponse<SearchResult>> {
    let q = query::parse(body)?;
    let only = filter_properties(raw_query);
    let store = state.lock();
    let ds = visible_data_source(&store, ctx, id)?;
    let rows = query::rows(&store, ds, &state.clock, &q)?;
    let (rows, next) = paging::page(rows, |r| r.id, q.start_cursor.as_deref(), q.page_size)?;
    let results = rows
        .into_iter()
        .map(|r| {
            SearchResult::Page(Box::new(views::page_with(
                &store,
                r,
                &state.clock,
                ctx.version,
                only.as_deref(),
            )))
        })
        .collect();
    let mut out = ListResponse::new("page_or_data_source", results, next);
    out.request_id = Some(ctx.request_id.clone());
    Ok(out)
}

/// `GET /v1/data_sources/{id}/templates`: the emulator has no page templates.
pub async fn templates(
    State(state): State<AppState>,
    Versioned(ctx): Versioned,
    Path(raw): Path<String>,
) -> ApiResult<Json<TemplateList>> {
    let id = path_id("data_source_id", &raw)?;
    let store = state.lock();
    visible_data_source(&store, &ctx, id)?;
    Ok(Json(TemplateList {
        templates: Vec::new(),
        has_more: false,
        next_cursor: None,
        request_id: None,
    }))
}

//! `POST /v1/databases`, `GET/PATCH /v1/databases/{id}` and the pre-2025-09-03 row query
//! `POST /v1/databases/{id}/query`.

use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use notion::{Database, FileObject, Icon, ListResponse, SearchResult};
use serde_json::Value;
use uuid::Uuid;

use super::data_sources::run_query;
use super::pages::visible_page;
use super::{expect_object, field, path_id, Ctx, JsonBody};
use crate::app::AppState;
use crate::content::Stamp;
use crate::convert;
use crate::databases;
use crate::errors::{ApiError, ApiResult};
use crate::events::{kinds, ChangeEvent, EntityRef, EntityType};
use crate::ids;
use crate::objects::{DatabaseRecord, Node};
use crate::state::{PageParentRef, Store};

const ARCHIVED: &str =
    "Can't edit block that is archived. You must unarchive the block before editing.";

/// The database if the caller may see it; Notion's 404 otherwise.
pub(crate) fn visible_database<'a>(
    store: &'a Store,
    ctx: &Ctx,
    id: Uuid,
) -> ApiResult<&'a DatabaseRecord> {
    let bot = ctx.bot(store)?;
    match store.objects.databases.get(&id) {
        Some(db) if store.can_see_node(bot, Node::Database(id)) => Ok(db),
        _ => Err(ApiError::not_found("database", id, &bot.name, bot.id)),
    }
}

/// Records a database or data-source event (the parent is the container's parent).
pub(crate) fn record(store: &mut Store, kind: &'static str, entity: EntityRef, stamp: Stamp) {
    let parent = match entity.kind {
        EntityType::DataSource => store
            .objects
            .data_sources
            .get(&entity.id)
            .map(|d| EntityRef {
                id: d.database,
                kind: EntityType::Database,
            }),
        _ => store
            .objects
            .databases
            .get(&entity.id)
            .map(|d| store.page_parent_ref(d.parent)),
    };
    let Some(parent) = parent else {
        return;
    };
    store.record_event(ChangeEvent {
        kind,
        entity,
        parent,
        actor: stamp.actor,
        at: stamp.now,
        updated_blocks: Vec::new(),
        updated_properties: Vec::new(),
    });
}

/// Trashes or restores a database (also `DELETE /v1/blocks/{database id}`).
pub(crate) fn set_database_trash(store: &mut Store, id: Uuid, in_trash: bool, stamp: Stamp) {
    let Some(db) = store.objects.databases.get_mut(&id) else {
        return;
    };
    if db.in_trash == in_trash {
        return;
    }
    db.in_trash = in_trash;
    db.last_edited_time = stamp.now;
    db.last_edited_by = stamp.actor;
    let parent = db.parent;
    if let (false, PageParentRef::Page(page)) = (in_trash, parent) {
        // Put the block back if a write to the parent dropped it meanwhile.
        let present = store
            .pages
            .get(&page)
            .is_some_and(|p| contains_block(&p.blocks, id));
        if !present {
            let block = store
                .objects
                .databases
                .get(&id)
                .map(|d| databases::child_block(store, d, stamp));
            if let (Some(b), Some(p)) = (block, store.pages.get_mut(&page)) {
                p.blocks.push(b);
            }
        }
    }
    let kind = if in_trash {
        kinds::DATABASE_DELETED
    } else {
        kinds::DATABASE_UNDELETED
    };
    let entity = EntityRef {
        id,
        kind: EntityType::Database,
    };
    record(store, kind, entity, stamp);
}

fn rich_field(body: &Value, key: &str) -> ApiResult<Option<Vec<notion::RichTextItem>>> {
    match field(body, key) {
        None => Ok(None),
        Some(v) => convert::rich_text_from_request(v, &format!("body.{key}")).map(Some),
    }
}

fn bool_field(body: &Value, key: &str) -> ApiResult<Option<bool>> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(ApiError::validation(format!(
            "body failed validation: body.{key} should be a boolean, instead was `{other}`."
        ))),
    }
}

fn clearable<T: serde::de::DeserializeOwned>(
    body: &Value,
    key: &str,
) -> ApiResult<Option<Option<T>>> {
    match body.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(v) => serde_json::from_value(v.clone())
            .map(|x| Some(Some(x)))
            .map_err(|e| ApiError::validation(format!("body failed validation: body.{key}: {e}"))),
    }
}

/// A database's parent: a page (`{page_id}`), or the workspace.
fn parse_parent(store: &Store, ctx: &Ctx, body: &Value) -> ApiResult<PageParentRef> {
    let parent = field(body, "parent").ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.parent should be defined, instead was `undefined`.",
        )
    })?;
    if parent.get("workspace") == Some(&Value::Bool(true)) {
        return Ok(PageParentRef::Workspace);
    }
    let id = parent
        .get("page_id")
        .and_then(Value::as_str)
        .and_then(ids::parse)
        .ok_or_else(|| {
            ApiError::validation(
                "body failed validation: body.parent.page_id should be a valid uuid.",
            )
        })?;
    let page = visible_page(store, ctx, id)?;
    if store.is_trashed_deep(page.id) {
        return Err(ApiError::validation(ARCHIVED));
    }
    Ok(PageParentRef::Page(id))
}

pub async fn create(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Database>> {
    expect_object(&body, "body")?;
    let title = rich_field(&body, "title")?.unwrap_or_default();
    let description = rich_field(&body, "description")?.unwrap_or_default();
    let is_inline = bool_field(&body, "is_inline")?.unwrap_or(false);
    let icon = clearable::<Icon>(&body, "icon")?.flatten();
    let cover = clearable::<FileObject>(&body, "cover")?.flatten();
    // 2025-09-03+: `initial_data_source.properties`; before: `properties` on the database.
    let schema = if ctx.version.has_data_sources() {
        field(&body, "initial_data_source").and_then(|i| field(i, "properties"))
    } else {
        field(&body, "properties")
    };
    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    let parent = parse_parent(&store, &ctx, &body)?;
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    let db_id = ids::new_id();
    let seq = store.next_seq();
    let ds = databases::new_data_source(&store, db_id, title.clone(), schema, stamp, seq)?;
    let ds_id = ds.id;
    let seq = store.next_seq();
    let db = DatabaseRecord {
        id: db_id,
        parent,
        title,
        description,
        icon,
        cover,
        is_inline,
        in_trash: false,
        is_locked: false,
        created_time: stamp.now,
        last_edited_time: stamp.now,
        created_by: bot.id,
        last_edited_by: bot.id,
        data_sources: vec![ds_id],
        seq,
    };
    store.objects.data_sources.insert(ds_id, ds);
    store.objects.databases.insert(db_id, db);
    // Notion shares what an integration creates with it.
    store.grant_created(bot.id, db_id);
    if let PageParentRef::Page(page) = parent {
        let block = match store.objects.databases.get(&db_id) {
            Some(db) => databases::child_block(&store, db, stamp),
            None => return Err(ApiError::validation("database vanished")),
        };
        if let Some(p) = store.pages.get_mut(&page) {
            p.blocks.push(block);
            p.last_edited_time = stamp.now;
            p.last_edited_by = stamp.actor;
        }
    }
    record(
        &mut store,
        kinds::DATABASE_CREATED,
        EntityRef {
            id: db_id,
            kind: EntityType::Database,
        },
        stamp,
    );
    record(
        &mut store,
        kinds::DATA_SOURCE_CREATED,
        EntityRef {
            id: ds_id,
            kind: EntityType::DataSource,
        },
        stamp,
    );
    let db = visible_database(&store, &ctx, db_id)?;
    let mut out = databases::database(&store, db, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// With Notion-Version 2022-06-28 a database stands for its single data source.
fn legacy_single(db: &DatabaseRecord) -> ApiResult<Uuid> {
    match db.data_sources.as_slice() {
        [only] => Ok(*only),
        _ => Err(ApiError::validation(
            "Databases with multiple data sources are not supported in this API version.",
        )),
    }
}

pub async fn retrieve(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Database>> {
    let id = path_id("database_id", &raw)?;
    let store = state.lock();
    let db = visible_database(&store, &ctx, id)?;
    if !ctx.version.has_data_sources() {
        legacy_single(db)?;
    }
    let mut out = databases::database(&store, db, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Database>> {
    let id = path_id("database_id", &raw)?;
    expect_object(&body, "body")?;
    let title = rich_field(&body, "title")?;
    let description = rich_field(&body, "description")?;
    let is_inline = bool_field(&body, "is_inline")?;
    let is_locked = bool_field(&body, "is_locked")?;
    let in_trash = match bool_field(&body, "in_trash")? {
        Some(v) => Some(v),
        None => bool_field(&body, "archived")?,
    };
    let icon = clearable::<Icon>(&body, "icon")?;
    let cover = clearable::<FileObject>(&body, "cover")?;
    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    let db = visible_database(&store, &ctx, id)?.clone();
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    if in_trash == Some(false) {
        set_database_trash(&mut store, id, false, stamp);
    }
    let edits = title.is_some()
        || description.is_some()
        || is_inline.is_some()
        || icon.is_some()
        || cover.is_some()
        || field(&body, "properties").is_some()
        || field(&body, "parent").is_some();
    if edits && store.node_trashed_deep(Node::Database(id)) {
        return Err(ApiError::validation(ARCHIVED));
    }
    // Legacy schema writes go to the single data source.
    if let Some(props) = field(&body, "properties") {
        if ctx.version.has_data_sources() {
            return Err(ApiError::validation(
                "body failed validation: database properties are updated on the data source (PATCH /v1/data_sources/{id}) since Notion-Version 2025-09-03.",
            ));
        }
        let ds_id = legacy_single(&db)?;
        super::data_sources::apply_schema(&mut store, ds_id, props, stamp)?;
    }
    let new_parent = match field(&body, "parent") {
        Some(_) => {
            let p = parse_parent(&store, &ctx, &body)?;
            if let PageParentRef::Page(page) = p {
                if store.node_is_ancestor_or_self(id, Node::Page(page)) {
                    return Err(ApiError::validation(
                        "A database cannot be moved under a page it contains.",
                    ));
                }
            }
            Some(p)
        }
        None => None,
    };
    if let Some(d) = store.objects.databases.get_mut(&id) {
        if let Some(t) = title {
            d.title = t;
        }
        if let Some(t) = description {
            d.description = t;
        }
        if let Some(v) = is_inline {
            d.is_inline = v;
        }
        if let Some(v) = is_locked {
            d.is_locked = v;
        }
        if let Some(v) = icon {
            d.icon = v;
        }
        if let Some(v) = cover {
            d.cover = v;
        }
        if edits || is_locked.is_some() {
            d.last_edited_time = stamp.now;
            d.last_edited_by = stamp.actor;
        }
    }
    if let Some(p) = new_parent.filter(|p| *p != db.parent) {
        move_database(&mut store, id, db.parent, p, stamp);
    }
    if in_trash == Some(true) {
        set_database_trash(&mut store, id, true, stamp);
    }
    let db = visible_database(&store, &ctx, id)?;
    let mut out = databases::database(&store, db, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// Re-parents a database: its block leaves the old page body and joins the new one.
fn move_database(
    store: &mut Store,
    id: Uuid,
    old: PageParentRef,
    new: PageParentRef,
    stamp: Stamp,
) {
    let mut block = None;
    if let PageParentRef::Page(old_page) = old {
        if let Some(p) = store.pages.get_mut(&old_page) {
            block = take_block(&mut p.blocks, id);
        }
    }
    if let Some(d) = store.objects.databases.get_mut(&id) {
        d.parent = new;
    }
    if let PageParentRef::Page(new_page) = new {
        let block = match block {
            Some(b) => Some(b),
            None => store
                .objects
                .databases
                .get(&id)
                .map(|d| databases::child_block(store, d, stamp)),
        };
        if let (Some(b), Some(p)) = (block, store.pages.get_mut(&new_page)) {
            p.blocks.push(b);
        }
    }
    record(
        store,
        kinds::DATABASE_MOVED,
        EntityRef {
            id,
            kind: EntityType::Database,
        },
        stamp,
    );
}

fn contains_block(blocks: &[crate::content::StoredBlock], id: Uuid) -> bool {
    blocks
        .iter()
        .any(|b| b.id == id || contains_block(&b.children, id))
}

fn take_block(
    blocks: &mut Vec<crate::content::StoredBlock>,
    id: Uuid,
) -> Option<crate::content::StoredBlock> {
    if let Some(i) = blocks.iter().position(|b| b.id == id) {
        return Some(blocks.remove(i));
    }
    blocks
        .iter_mut()
        .find_map(|b| take_block(&mut b.children, id))
}

/// `POST /v1/databases/{id}/query`: answered for Notion-Versions before 2025-09-03 only
/// (single-source databases), as Notion does.
pub async fn query(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<ListResponse<SearchResult>>> {
    if ctx.version.has_data_sources() {
        return Err(ApiError::invalid_request_url());
    }
    let id = path_id("database_id", &raw)?;
    let ds_id = {
        let store = state.lock();
        let db = visible_database(&store, &ctx, id)?;
        legacy_single(db)?
    };
    run_query(&state, &ctx, ds_id, query.as_deref(), &body).map(Json)
}

//! The blocks API: `GET/PATCH/DELETE /v1/blocks/{id}`, `GET/PATCH /v1/blocks/{id}/children`.

use axum::extract::{Path, RawQuery, State};
use axum::{Extension, Json};
use notion::{Block, ListResponse};
use notion_markdown::BlockKind;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{expect_object, path_id, Ctx, JsonBody};
use crate::app::AppState;
use crate::blockreq::{self, Container, Reader};
use crate::blocks::{self, Found, Loc, View};
use crate::content::Stamp;
use crate::errors::{ApiError, ApiResult};
use crate::events::kinds;
use crate::ids;
use crate::objects::Node;
use crate::paging;
use crate::state::{BotRecord, Store};

const ARCHIVED: &str =
    "Can't edit block that is archived. You must unarchive the block before editing.";

/// What `id` names, if the caller may see it; Notion's 404 otherwise.
pub(crate) fn visible(store: &Store, bot: &BotRecord, id: Uuid) -> ApiResult<Found> {
    let found = blocks::find(store, id);
    let page_of = |found: &Found| match found {
        Found::Page(p) => Node::Page(*p),
        Found::Database(d) => Node::Database(*d),
        Found::Block(loc) | Found::Row { table: loc, .. } => Node::Page(loc.page),
        Found::Trashed { root, .. } => Node::Page(
            store
                .objects
                .block_trash
                .get(root)
                .map(|t| t.page)
                .unwrap_or(*root),
        ),
    };
    match found {
        Some(f) if store.can_see_node(bot, page_of(&f)) => Ok(f),
        _ => Err(ApiError::not_found("block", id, &bot.name, bot.id)),
    }
}

/// Refuses edits to trashed blocks and to blocks of trashed pages.
fn check_editable(store: &Store, found: &Found) -> ApiResult<()> {
    let trashed = match found {
        Found::Trashed { .. } => true,
        Found::Page(p) => store.is_trashed_deep(*p),
        Found::Database(d) => store.node_trashed_deep(Node::Database(*d)),
        Found::Block(loc) | Found::Row { table: loc, .. } => store.is_trashed_deep(loc.page),
    };
    if trashed {
        Err(ApiError::validation(ARCHIVED))
    } else {
        Ok(())
    }
}

fn view<'a>(state: &'a AppState, store: &'a Store, ctx: &Ctx) -> View<'a> {
    View {
        store,
        clock: &state.clock,
        version: ctx.version,
    }
}

pub async fn retrieve(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Block>> {
    let id = path_id("block_id", &raw)?;
    let store = state.lock();
    let bot = ctx.bot(&store)?;
    let found = visible(&store, bot, id)?;
    let mut out = view(&state, &store, &ctx)
        .found(&found)
        .ok_or_else(|| ApiError::not_found("block", id, &bot.name, bot.id))?;
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

pub async fn list_children(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<ListResponse<Block>>> {
    let id = path_id("block_id", &raw)?;
    let pairs = paging::query_pairs(query.as_deref());
    let page_size = paging::page_size_param(paging::query_value(&pairs, "page_size"))?;
    let cursor = paging::query_value(&pairs, "start_cursor").filter(|c| !c.is_empty());
    let store = state.lock();
    let bot = ctx.bot(&store)?;
    let found = visible(&store, bot, id)?;
    let children = view(&state, &store, &ctx).children(&found);
    let (results, next) = paging::page(
        children,
        |b| ids::parse(&b.id).unwrap_or_default(),
        cursor,
        page_size,
    )?;
    let mut out = ListResponse::new("block", results, next);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// Where appended children go, read per Notion-Version.
fn parse_position(body: &Value, ctx: &Ctx) -> ApiResult<Option<Uuid>> {
    let uuid = |raw: Option<&Value>, path: &str| -> ApiResult<Uuid> {
        raw.and_then(Value::as_str)
            .and_then(ids::parse)
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: {path} should be a valid uuid."
                ))
            })
    };
    let after = body.get("after").filter(|v| !v.is_null());
    if let Some(after) = after {
        if ctx.version.uses_append_position() {
            return Err(ApiError::validation(
                "body failed validation: body.after is not supported in Notion-Version 2026-03-11; use body.position `{\"type\": \"after_block\", \"after_block\": {\"id\": …}}`.",
            ));
        }
        if body.get("position").is_some_and(|p| !p.is_null()) {
            return Err(ApiError::validation(
                "body failed validation: body.after and body.position cannot both be provided.",
            ));
        }
        return uuid(Some(after), "body.after").map(Some);
    }
    let Some(position) = body.get("position").filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    match position.get("type").and_then(Value::as_str) {
        Some("end") => Ok(None),
        // `Uuid::nil()` marks "at the start".
        Some("start") => Ok(Some(Uuid::nil())),
        Some("after_block") => uuid(
            position.get("after_block").and_then(|a| a.get("id")),
            "body.position.after_block.id",
        )
        .map(Some),
        other => Err(ApiError::validation(format!(
            "body failed validation: body.position.type should be one of `end`, `start`, `after_block`, instead was `{}`.",
            other.unwrap_or("undefined")
        ))),
    }
}

pub async fn append_children(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<ListResponse<Block>>> {
    let id = path_id("block_id", &raw)?;
    expect_object(&body, "body")?;
    blockreq::check_body_size(&body)?;
    let position = parse_position(&body, &ctx)?;
    let children = body.get("children").ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.children should be defined, instead was `undefined`.",
        )
    })?;

    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    let found = visible(&store, &bot, id)?;
    check_editable(&store, &found)?;
    let (page, path, container) = match &found {
        Found::Page(p) => (*p, Vec::new(), Container::Body),
        Found::Block(loc) => {
            let b = blocks::get(&store, loc).ok_or_else(|| ApiError::validation(ARCHIVED))?;
            if !blocks::accepts_children(&b.kind) {
                return Err(ApiError::validation(format!(
                    "Block type {} does not support children.",
                    b.to_block().api_type()
                )));
            }
            let container = match &b.kind {
                BlockKind::ColumnList => Container::ColumnList,
                BlockKind::Table { rows, .. } => Container::Table {
                    width: rows.iter().map(|r| r.cells.len()).max().unwrap_or(0),
                },
                _ => Container::Body,
            };
            (loc.page, loc.path.clone(), container)
        }
        Found::Database(_) => {
            return Err(ApiError::validation(
                "Databases do not have block children; create rows with POST /v1/pages.",
            ))
        }
        Found::Row { .. } => {
            return Err(ApiError::validation(
                "Block type table_row does not support children.",
            ))
        }
        Found::Trashed { .. } => return Err(ApiError::validation(ARCHIVED)),
    };
    let nodes = {
        let mut reader = Reader::new(&store, page);
        let nodes = reader.children(children, "body.children", 1, container)?;
        if container == Container::ColumnList && nodes.is_empty() {
            return Err(ApiError::validation("body.children should not be empty."));
        }
        nodes
    };
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    let new_ids: Vec<Uuid> = nodes.iter().map(|n| n.id).collect();
    let mut extras = Vec::new();
    let stored: Vec<_> = nodes
        .into_iter()
        .map(|n| n.materialize(stamp, &mut extras))
        .collect();

    let first_level: Vec<Block> = if let Container::Table { .. } = container {
        append_rows(
            &mut store,
            &Loc {
                page,
                path: path.clone(),
            },
            stored,
            position,
            stamp,
        )?;
        let table_loc = Loc { page, path };
        let v = view(&state, &store, &ctx);
        let table =
            blocks::get(&store, &table_loc).ok_or_else(|| ApiError::validation(ARCHIVED))?;
        let all = blocks::row_ids(&store, table);
        new_ids
            .iter()
            .filter_map(|id| all.iter().position(|r| r == id))
            .filter_map(|i| v.row(table, i))
            .collect()
    } else {
        let siblings = blocks::children_mut(&mut store, page, &path)
            .ok_or_else(|| ApiError::validation(ARCHIVED))?;
        let at = insertion_index(siblings, position)?;
        for (k, b) in stored.into_iter().enumerate() {
            siblings.insert(at + k, b);
        }
        blocks::record_extras(&mut store, extras);
        let v = view(&state, &store, &ctx);
        new_ids
            .iter()
            .filter_map(|id| match blocks::find(&store, *id) {
                Some(f) => v.found(&f),
                None => None,
            })
            .collect()
    };
    blocks::touch_page(&mut store, page, stamp);
    store.record_page_change(kinds::PAGE_CONTENT_UPDATED, page, stamp, new_ids);
    let mut out = ListResponse::new("block", first_level, None);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// The index new blocks go to among `siblings`.
fn insertion_index(
    siblings: &[crate::content::StoredBlock],
    position: Option<Uuid>,
) -> ApiResult<usize> {
    match position {
        None => Ok(siblings.len()),
        Some(id) if id.is_nil() => Ok(0),
        Some(after) => siblings
            .iter()
            .position(|b| b.id == after)
            .map(|i| i + 1)
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: block {} is not a child of the parent block.",
                    ids::dashed(after)
                ))
            }),
    }
}

/// Appends parsed `table_row`s (carried as one-row tables) to the table at `loc`.
fn append_rows(
    store: &mut Store,
    loc: &Loc,
    rows: Vec<crate::content::StoredBlock>,
    position: Option<Uuid>,
    stamp: Stamp,
) -> ApiResult<()> {
    let table = blocks::get(store, loc).ok_or_else(|| ApiError::validation(ARCHIVED))?;
    let mut row_ids = blocks::row_ids(store, table);
    let at = match position {
        None => row_ids.len(),
        Some(id) if id.is_nil() => 0,
        Some(after) => row_ids
            .iter()
            .position(|r| *r == after)
            .map(|i| i + 1)
            .ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: block {} is not a row of the table.",
                    ids::dashed(after)
                ))
            })?,
    };
    let table_id = table.id;
    let mut new_rows = Vec::new();
    for (k, r) in rows.into_iter().enumerate() {
        if let BlockKind::Table { rows, .. } = r.kind {
            for row in rows {
                new_rows.push(row);
                row_ids.insert(at + k, r.id);
            }
        }
    }
    let table = blocks::get_mut(store, loc).ok_or_else(|| ApiError::validation(ARCHIVED))?;
    if let BlockKind::Table { rows, .. } = &mut table.kind {
        for (k, row) in new_rows.into_iter().enumerate() {
            rows.insert(at + k, row);
        }
    }
    blocks::stamp_edit(table, stamp);
    store
        .objects
        .block_extras
        .entry(table_id)
        .or_default()
        .table_rows = row_ids;
    Ok(())
}

pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Block>> {
    let id = path_id("block_id", &raw)?;
    let body = expect_object(&body, "body")?.clone();
    let trash_flag = trash_flag(&body)?;
    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    let found = visible(&store, &bot, id)?;
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    let payload_keys: Vec<&String> = body
        .keys()
        .filter(|k| !matches!(k.as_str(), "in_trash" | "archived" | "type" | "object"))
        .collect();
    let found = match (&found, trash_flag) {
        (Found::Trashed { root, path }, Some(false)) if path.is_empty() => {
            let loc = blocks::restore(&mut store, *root, stamp)
                .ok_or_else(|| ApiError::validation(ARCHIVED))?;
            store.record_page_change(kinds::PAGE_CONTENT_UPDATED, loc.page, stamp, vec![*root]);
            Found::Block(loc)
        }
        (Found::Page(p), Some(flag)) => {
            super::page_update::set_page_trash(&mut store, *p, flag, stamp);
            found
        }
        (Found::Database(d), Some(flag)) => {
            super::databases::set_database_trash(&mut store, *d, flag, stamp);
            found
        }
        (Found::Block(loc), Some(true)) => {
            check_editable(&store, &found)?;
            let loc = loc.clone();
            blocks::trash(&mut store, &loc, stamp).ok_or_else(|| ApiError::validation(ARCHIVED))?;
            store.record_page_change(kinds::PAGE_CONTENT_UPDATED, loc.page, stamp, vec![id]);
            Found::Trashed {
                root: id,
                path: Vec::new(),
            }
        }
        _ => found,
    };
    if !payload_keys.is_empty() {
        check_editable(&store, &found)?;
        match &found {
            Found::Block(loc) => update_payload(&mut store, &ctx, &state, loc, &body, stamp)?,
            Found::Row { table, index } => update_row(&mut store, table, *index, &body, stamp)?,
            Found::Page(_) | Found::Database(_) => {
                return Err(ApiError::validation(
                    "Update pages and databases through their own endpoints (PATCH /v1/pages/{id}, PATCH /v1/databases/{id}).",
                ))
            }
            Found::Trashed { .. } => return Err(ApiError::validation(ARCHIVED)),
        }
    }
    let mut out = view(&state, &store, &ctx)
        .found(&found)
        .ok_or_else(|| ApiError::not_found("block", id, &bot.name, bot.id))?;
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

/// `in_trash` (or the older `archived`), if the body sets it.
fn trash_flag(body: &Map<String, Value>) -> ApiResult<Option<bool>> {
    for key in ["in_trash", "archived"] {
        match body.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Bool(b)) => return Ok(Some(*b)),
            Some(other) => {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.{key} should be a boolean, instead was `{other}`."
                )))
            }
        }
    }
    Ok(None)
}

/// Applies a partial payload of the block's own type: fields not given keep their value.
fn update_payload(
    store: &mut Store,
    ctx: &Ctx,
    state: &AppState,
    loc: &Loc,
    body: &Map<String, Value>,
    stamp: Stamp,
) -> ApiResult<()> {
    let block = blocks::get(store, loc)
        .ok_or_else(|| ApiError::validation(ARCHIVED))?
        .clone();
    let v = View {
        store,
        clock: &state.clock,
        version: ctx.version,
    };
    let current_type = v.content(&block).type_name().to_string();
    let given = blockreq::block_type(body, "body")?;
    if given != current_type {
        return Err(ApiError::validation(format!(
            "body failed validation: block type `{current_type}` cannot be updated to `{given}`; a block's type cannot change."
        )));
    }
    let mut merged = match blocks::payload_json(&v, &block) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    match body.get(given) {
        Some(Value::Object(p)) => {
            for (k, val) in p {
                if k == "children" {
                    return Err(ApiError::validation(
                        "body failed validation: children cannot be updated here; append them with PATCH /v1/blocks/{id}/children.",
                    ));
                }
                merged.insert(k.clone(), val.clone());
            }
        }
        Some(Value::Null) | None => {}
        Some(other) => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.{given} should be an object, instead was `{other}`."
            )))
        }
    }
    if let BlockKind::Table { rows, .. } = &block.kind {
        let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0) as u64;
        if merged.get("table_width").and_then(Value::as_u64) != Some(width) {
            return Err(ApiError::validation(
                "table_width cannot be changed after a table is created.",
            ));
        }
    }
    let original = store
        .objects
        .block_extras
        .get(&block.id)
        .cloned()
        .unwrap_or_default();
    let mut extra = original.clone();
    let kind = {
        let mut reader = Reader::new(store, loc.page);
        reader.kind(
            &current_type,
            &merged,
            &format!("body.{given}"),
            block.id,
            &mut extra,
            Container::Body,
        )?
    };
    let kind = match (kind, &block.kind) {
        // Only the header flags of a table change; its rows stay.
        (
            BlockKind::Table {
                has_column_header,
                has_row_header,
                ..
            },
            BlockKind::Table {
                fit_page_width,
                columns,
                rows,
                ..
            },
        ) => BlockKind::Table {
            has_column_header,
            has_row_header,
            fit_page_width: *fit_page_width,
            columns: columns.clone(),
            rows: rows.clone(),
        },
        (
            BlockKind::Heading {
                toggleable: false, ..
            },
            _,
        ) if !block.children.is_empty() => {
            return Err(ApiError::validation(
                "A heading with children must stay toggleable (is_toggleable: true).",
            ))
        }
        (kind, _) => kind,
    };
    // A table's row ids are not part of its payload.
    extra.table_rows = original.table_rows;
    let target = blocks::get_mut(store, loc).ok_or_else(|| ApiError::validation(ARCHIVED))?;
    target.kind = kind;
    blocks::stamp_edit(target, stamp);
    if extra == Default::default() {
        store.objects.block_extras.remove(&block.id);
    } else {
        store.objects.block_extras.insert(block.id, extra);
    }
    blocks::touch_page(store, loc.page, stamp);
    store.record_page_change(kinds::PAGE_CONTENT_UPDATED, loc.page, stamp, vec![block.id]);
    Ok(())
}

/// `{"table_row": {"cells": [...]}}` on a row.
fn update_row(
    store: &mut Store,
    table_loc: &Loc,
    index: usize,
    body: &Map<String, Value>,
    stamp: Stamp,
) -> ApiResult<()> {
    let given = blockreq::block_type(body, "body")?;
    if given != "table_row" {
        return Err(ApiError::validation(format!(
            "body failed validation: block type `table_row` cannot be updated to `{given}`; a block's type cannot change."
        )));
    }
    let payload = body
        .get("table_row")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ApiError::validation("body failed validation: body.table_row should be an object.")
        })?;
    let table = blocks::get(store, table_loc).ok_or_else(|| ApiError::validation(ARCHIVED))?;
    let width = match &table.kind {
        BlockKind::Table { rows, .. } => rows.iter().map(|r| r.cells.len()).max().unwrap_or(0),
        _ => 0,
    };
    let mut extra = Default::default();
    let kind = Reader::new(store, table_loc.page).kind(
        "table_row",
        payload,
        "body.table_row",
        Uuid::nil(),
        &mut extra,
        Container::Table { width },
    )?;
    let BlockKind::Table {
        rows: mut new_rows, ..
    } = kind
    else {
        return Err(ApiError::validation(
            "body failed validation: body.table_row.cells.",
        ));
    };
    let table_id = table.id;
    let table = blocks::get_mut(store, table_loc).ok_or_else(|| ApiError::validation(ARCHIVED))?;
    if let (BlockKind::Table { rows, .. }, Some(new_row)) = (&mut table.kind, new_rows.pop()) {
        if let Some(row) = rows.get_mut(index) {
            row.cells = new_row.cells;
            row.cell_colors.clear();
        }
    }
    blocks::stamp_edit(table, stamp);
    blocks::touch_page(store, table_loc.page, stamp);
    store.record_page_change(
        kinds::PAGE_CONTENT_UPDATED,
        table_loc.page,
        stamp,
        vec![table_id],
    );
    Ok(())
}

pub async fn delete(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
) -> ApiResult<Json<Block>> {
    let id = path_id("block_id", &raw)?;
    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    let found = visible(&store, &bot, id)?;
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    let found = match found {
        Found::Page(p) => {
            super::page_update::set_page_trash(&mut store, p, true, stamp);
            Found::Page(p)
        }
        Found::Database(d) => {
            super::databases::set_database_trash(&mut store, d, true, stamp);
            Found::Database(d)
        }
        Found::Block(loc) => {
            check_editable(&store, &Found::Block(loc.clone()))?;
            blocks::trash(&mut store, &loc, stamp).ok_or_else(|| ApiError::validation(ARCHIVED))?;
            store.record_page_change(kinds::PAGE_CONTENT_UPDATED, loc.page, stamp, vec![id]);
            Found::Trashed {
                root: id,
                path: Vec::new(),
            }
        }
        Found::Row { table, index } => {
            // Rows have no trash of their own: the row is removed and shown as trashed.
            let v = view(&state, &store, &ctx);
            let mut shown = blocks::get(&store, &table)
                .and_then(|t| v.row(t, index))
                .ok_or_else(|| ApiError::not_found("block", id, &bot.name, bot.id))?;
            remove_row(&mut store, &table, index, stamp);
            shown.in_trash = true;
            shown.archived = ctx.version.has_archived_key().then_some(true);
            shown.request_id = Some(ctx.request_id.clone());
            return Ok(Json(shown));
        }
        trashed @ Found::Trashed { .. } => trashed,
    };
    let mut out = view(&state, &store, &ctx)
        .found(&found)
        .ok_or_else(|| ApiError::not_found("block", id, &bot.name, bot.id))?;
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

fn remove_row(store: &mut Store, table_loc: &Loc, index: usize, stamp: Stamp) {
    let Some(table) = blocks::get(store, table_loc) else {
        return;
    };
    let mut row_ids = blocks::row_ids(store, table);
    let table_id = table.id;
    if index < row_ids.len() {
        row_ids.remove(index);
    }
    if let Some(table) = blocks::get_mut(store, table_loc) {
        if let BlockKind::Table { rows, .. } = &mut table.kind {
            if index < rows.len() {
                rows.remove(index);
            }
        }
        blocks::stamp_edit(table, stamp);
    }
    store
        .objects
        .block_extras
        .entry(table_id)
        .or_default()
        .table_rows = row_ids;
    blocks::touch_page(store, table_loc.page, stamp);
    store.record_page_change(
        kinds::PAGE_CONTENT_UPDATED,
        table_loc.page,
        stamp,
        vec![table_id],
    );
}

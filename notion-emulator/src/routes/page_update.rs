//! `PATCH /v1/pages/{id}`, `POST /v1/pages/{id}/move` and
//! `GET /v1/pages/{id}/properties/{property_id}`.

use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use notion::{FileObject, Icon, Page, PropertyItemResponse, PropertyValueKind};
use notion_markdown::BlockKind;
use serde_json::Value;
use uuid::Uuid;

use super::pages::visible_page;
use super::{expect_object, field, path_id, Ctx, JsonBody};
use crate::app::AppState;
use crate::content::{self, Stamp};
use crate::edit::{self, Position};
use crate::errors::{ApiError, ApiResult};
use crate::events::kinds;
use crate::ids;
use crate::objects::Node;
use crate::paging;
use crate::properties;
use crate::state::{PageParentRef, Store};
use crate::views;

const ARCHIVED: &str =
    "Can't edit block that is archived. You must unarchive the block before editing.";

/// Trashes or restores a page (also `DELETE /v1/blocks/{page id}`).
pub(crate) fn set_page_trash(store: &mut Store, id: Uuid, in_trash: bool, stamp: Stamp) {
    let Some(page) = store.pages.get_mut(&id) else {
        return;
    };
    if page.in_trash == in_trash {
        return;
    }
    page.in_trash = in_trash;
    page.last_edited_time = stamp.now;
    page.last_edited_by = stamp.actor;
    let parent = page.parent;
    if !in_trash {
        // A write to the parent while the page was in the trash dropped its block: put it
        // back (at the end).
        if let PageParentRef::Page(parent_id) = parent {
            let mut present = Vec::new();
            if let Some(p) = store.pages.get(&parent_id) {
                content::child_page_ids(&p.blocks, &mut present);
            }
            if !present.contains(&id) {
                edit::attach_child_page(store, parent_id, id, &Position::End, stamp);
            }
        }
    }
    let kind = if in_trash {
        kinds::PAGE_DELETED
    } else {
        kinds::PAGE_UNDELETED
    };
    store.record_page_event(kind, id, stamp);
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

/// `Some(None)` for an explicit `null` (clears), `None` when absent.
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

pub async fn update(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Page>> {
    let id = path_id("page_id", &raw)?;
    expect_object(&body, "body")?;
    let in_trash = match bool_field(&body, "in_trash")? {
        Some(v) => Some(v),
        None => bool_field(&body, "archived")?,
    };
    let is_locked = bool_field(&body, "is_locked")?;
    let is_archived = bool_field(&body, "is_archived")?;
    let erase = bool_field(&body, "erase_content")?.unwrap_or(false);
    let icon = clearable::<Icon>(&body, "icon")?;
    let cover = clearable::<FileObject>(&body, "cover")?;
    if body.get("parent").is_some() {
        return Err(ApiError::validation(
            "body failed validation: a page cannot be moved with PATCH; use POST /v1/pages/{id}/move.",
        ));
    }

    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    let page = visible_page(&store, &ctx, id)?;
    let data_source = match page.parent {
        PageParentRef::DataSource(ds) => store.objects.data_sources.get(&ds).cloned(),
        _ => None,
    };
    let writes = match field(&body, "properties") {
        Some(props) => Some(properties::parse_writes(
            data_source.as_ref(),
            props,
            "body.properties",
        )?),
        None => None,
    };
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    if in_trash == Some(false) {
        set_page_trash(&mut store, id, false, stamp);
    }
    let edits_content = writes.is_some() || icon.is_some() || cover.is_some() || erase;
    if edits_content && store.is_trashed_deep(id) {
        return Err(ApiError::validation(ARCHIVED));
    }
    if let Some(writes) = &writes {
        if let Some(page) = store.pages.get_mut(&id) {
            if let Some(title) = &writes.title {
                page.title = title.clone();
            }
            for (pid, value) in &writes.values {
                page.properties.insert(pid.clone(), value.clone());
            }
            page.last_edited_time = stamp.now;
            page.last_edited_by = stamp.actor;
        }
        if let Some(ds) = data_source
            .as_ref()
            .and_then(|d| store.objects.data_sources.get_mut(&d.id))
        {
            properties::add_options(ds, &writes.new_options);
        }
        let ids = writes.property_ids();
        record_properties_updated(&mut store, id, stamp, ids);
    }
    if let Some(page) = store.pages.get_mut(&id) {
        let mut touched = false;
        if let Some(icon) = icon {
            page.icon = icon;
            touched = true;
        }
        if let Some(cover) = cover {
            page.cover = cover;
            touched = true;
        }
        if let Some(v) = is_archived {
            touched |= page.is_archived != v;
            page.is_archived = v;
        }
        if touched {
            page.last_edited_time = stamp.now;
            page.last_edited_by = stamp.actor;
        }
    }
    if let Some(lock) = is_locked {
        let changed = store.pages.get(&id).is_some_and(|p| p.is_locked != lock);
        if let Some(page) = store.pages.get_mut(&id) {
            page.is_locked = lock;
        }
        if changed {
            let kind = if lock {
                kinds::PAGE_LOCKED
            } else {
                kinds::PAGE_UNLOCKED
            };
            store.record_page_event(kind, id, stamp);
        }
    }
    if erase {
        erase_content(&mut store, id, stamp);
    }
    if in_trash == Some(true) {
        set_page_trash(&mut store, id, true, stamp);
    }
    let page = visible_page(&store, &ctx, id)?;
    let mut out = views::page(&store, page, &state.clock, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

fn record_properties_updated(store: &mut Store, page: Uuid, stamp: Stamp, ids: Vec<String>) {
    let Some(record) = store.pages.get(&page) else {
        return;
    };
    let parent = store.page_parent_ref(record.parent);
    store.record_event(crate::events::ChangeEvent {
        kind: kinds::PAGE_PROPERTIES_UPDATED,
        entity: crate::events::EntityRef {
            id: page,
            kind: crate::events::EntityType::Page,
        },
        parent,
        actor: stamp.actor,
        at: stamp.now,
        updated_blocks: Vec::new(),
        updated_properties: ids.into_iter().map(serde_json::Value::from).collect(),
    });
}

/// `erase_content`: the body goes; child pages and databases in it go to the trash.
fn erase_content(store: &mut Store, id: Uuid, stamp: Stamp) {
    let Some(page) = store.pages.get_mut(&id) else {
        return;
    };
    let old = std::mem::take(&mut page.blocks);
    page.last_edited_time = stamp.now;
    page.last_edited_by = stamp.actor;
    let mut children = Vec::new();
    content::child_page_ids(&old, &mut children);
    for child in children {
        set_page_trash(store, child, true, stamp);
    }
    fn databases(blocks: &[content::StoredBlock], out: &mut Vec<Uuid>) {
        for b in blocks {
            if matches!(b.kind, BlockKind::ChildDatabase { .. }) {
                out.push(b.id);
            }
            databases(&b.children, out);
        }
    }
    let mut dbs = Vec::new();
    databases(&old, &mut dbs);
    for db in dbs {
        super::databases::set_database_trash(store, db, true, stamp);
    }
    let removed = crate::events::changed_blocks(&old, &[]);
    store.record_page_change(kinds::PAGE_CONTENT_UPDATED, id, stamp, removed);
}

pub async fn move_page(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path(raw): Path<String>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Page>> {
    let id = path_id("page_id", &raw)?;
    expect_object(&body, "body")?;
    let parent = body
        .get("parent")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ApiError::validation(
                "body failed validation: body.parent should be defined, instead was `undefined`.",
            )
        })?;
    let target_id = |key: &str| -> Option<ApiResult<Uuid>> {
        parent.get(key).map(|v| {
            v.as_str().and_then(ids::parse).ok_or_else(|| {
                ApiError::validation(format!(
                    "body failed validation: body.parent.{key} should be a valid uuid."
                ))
            })
        })
    };
    let mut store = state.lock();
    let bot = ctx.bot(&store)?.clone();
    visible_page(&store, &ctx, id)?;
    let new_parent = if let Some(p) = target_id("page_id") {
        let p = p?;
        let target = visible_page(&store, &ctx, p)?;
        if target.in_trash {
            return Err(ApiError::validation(ARCHIVED));
        }
        if store.node_is_ancestor_or_self(id, Node::Page(p)) {
            return Err(ApiError::validation(
                "A page cannot be moved under itself or one of its descendants.",
            ));
        }
        PageParentRef::Page(p)
    } else if let Some(d) = target_id("data_source_id") {
        let d = d?;
        let ds = super::data_sources::visible_data_source(&store, &ctx, d)?;
        if store.node_trashed_deep(Node::DataSource(ds.id)) {
            return Err(ApiError::validation(ARCHIVED));
        }
        if store.node_is_ancestor_or_self(id, Node::DataSource(d)) {
            return Err(ApiError::validation(
                "A page cannot be moved into a database it contains.",
            ));
        }
        PageParentRef::DataSource(d)
    } else {
        return Err(ApiError::validation(
            "body failed validation: body.parent should have `page_id` or `data_source_id`.",
        ));
    };
    let stamp = Stamp {
        now: state.clock.now(),
        actor: bot.id,
    };
    let old_parent = store.pages.get(&id).map(|p| p.parent);
    if old_parent != Some(new_parent) {
        if let Some(PageParentRef::Page(old)) = old_parent {
            if let Some(old_page) = store.pages.get_mut(&old) {
                if content::remove_child_page_block(&mut old_page.blocks, id) {
                    old_page.last_edited_time = stamp.now;
                    old_page.last_edited_by = stamp.actor;
                }
            }
        }
        if let Some(page) = store.pages.get_mut(&id) {
            page.parent = new_parent;
            page.last_edited_time = stamp.now;
            page.last_edited_by = stamp.actor;
            // Values of the old data source's schema mean nothing in the new one.
            page.properties.clear();
        }
        if let PageParentRef::Page(p) = new_parent {
            edit::attach_child_page(&mut store, p, id, &Position::End, stamp);
        }
        store.record_page_event(kinds::PAGE_MOVED, id, stamp);
    }
    let page = visible_page(&store, &ctx, id)?;
    let mut out = views::page(&store, page, &state.clock, ctx.version);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

pub async fn property(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    Path((raw, property_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Json<PropertyItemResponse>> {
    let id = path_id("page_id", &raw)?;
    let pairs = paging::query_pairs(query.as_deref());
    let page_size = paging::page_size_param(paging::query_value(&pairs, "page_size"))?;
    let cursor = paging::query_value(&pairs, "start_cursor").filter(|c| !c.is_empty());
    let store = state.lock();
    let page = visible_page(&store, &ctx, id)?;
    let (prop_id, value) = match page.parent {
        PageParentRef::DataSource(ds) => {
            let ds = store
                .objects
                .data_sources
                .get(&ds)
                .ok_or_else(|| unknown_property(&property_id))?;
            let prop = ds
                .property(&property_id)
                .ok_or_else(|| unknown_property(&property_id))?;
            (
                prop.id.clone(),
                properties::value_of(&store, page, ds, prop, &state.clock),
            )
        }
        _ if property_id == "title" => (
            "title".to_string(),
            PropertyValueKind::Title(page.title.clone()),
        ),
        _ => return Err(unknown_property(&property_id)),
    };
    let base = super::async_tasks::origin(&headers);
    let page_url = format!("{base}/v1/pages/{}/properties/{}", ids::dashed(id), prop_id);
    let mut out = properties::property_item(value, &prop_id, cursor, page_size, |c| {
        format!("{page_url}?start_cursor={c}")
    })?;
    match &mut out {
        PropertyItemResponse::Item(item) => item.request_id = Some(ctx.request_id.clone()),
        PropertyItemResponse::List(list) => list.request_id = Some(ctx.request_id.clone()),
    }
    Ok(Json(out))
}

fn unknown_property(id: &str) -> ApiError {
    ApiError::new(
        axum::http::StatusCode::NOT_FOUND,
        notion::codes::OBJECT_NOT_FOUND,
        format!("Could not find property with id: {id}."),
    )
}

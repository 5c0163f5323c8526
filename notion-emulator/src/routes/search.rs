//! `POST /v1/search`: title search over what the token can see.

use axum::extract::State;
use axum::{Extension, Json};
use notion::{SearchResponse, SearchResult};
use serde_json::Value;

use super::{expect_object, expect_str, field, Ctx, JsonBody};
use crate::app::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::objects::Node;
use crate::views;

enum HitKind {
    Page,
    DataSource,
    Database,
}

struct Hit {
    id: uuid::Uuid,
    edited: time::OffsetDateTime,
    seq: u64,
    kind: HitKind,
}

const DEFAULT_PAGE_SIZE: usize = 100;

pub async fn search(
    State(state): State<AppState>,
    Extension(ctx): Extension<Ctx>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<SearchResponse>> {
    expect_object(&body, "body")?;
    let query = match field(&body, "query") {
        None => String::new(),
        Some(q) => expect_str(Some(q), "body.query")?.trim().to_lowercase(),
    };
    let legacy = !ctx.version.has_data_sources();
    let container_value = if legacy { "database" } else { "data_source" };
    let (want_pages, want_containers) = match field(&body, "filter") {
        None => (true, true),
        Some(filter) => {
            let property = expect_str(filter.get("property"), "body.filter.property")?;
            let value = expect_str(filter.get("value"), "body.filter.value")?;
            if property != "object" {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.filter.property should be `object`, instead was `{property}`."
                )));
            }
            match value {
                "page" => (true, false),
                v if v == container_value => (false, true),
                other => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: body.filter.value should be one of `page`, `{container_value}`, instead was `{other}`."
                    )))
                }
            }
        }
    };
    let ascending = match field(&body, "sort") {
        None => false,
        Some(sort) => {
            let direction = expect_str(sort.get("direction"), "body.sort.direction")?;
            match direction {
                "ascending" => true,
                "descending" => false,
                other => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: body.sort.direction should be `ascending` or `descending`, instead was `{other}`."
                    )))
                }
            }
        }
    };
    let page_size = match field(&body, "page_size") {
        None => DEFAULT_PAGE_SIZE,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=100) => n as usize,
            _ => {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.page_size should be a number between 1 and 100, instead was `{v}`."
                )))
            }
        },
    };
    let start = match field(&body, "start_cursor") {
        None => None,
        Some(c) => Some(expect_str(Some(c), "body.start_cursor")?),
    };

    let store = state.lock();
    let bot = ctx.bot(&store)?;
    let matches = |title: String| query.is_empty() || title.to_lowercase().contains(&query);
    let mut hits: Vec<Hit> = Vec::new();
    if want_pages {
        hits.extend(
            store
                .pages
                .values()
                .filter(|p| store.can_see(bot, p.id) && !store.is_trashed_deep(p.id))
                .filter(|p| matches(p.title_text()))
                .map(|p| Hit {
                    id: p.id,
                    edited: p.last_edited_time,
                    seq: p.seq,
                    kind: HitKind::Page,
                }),
        );
    }
    if want_containers && legacy {
        hits.extend(
            store
                .objects
                .databases
                .values()
                .filter(|d| {
                    store.can_see_node(bot, Node::Database(d.id))
                        && !store.node_trashed_deep(Node::Database(d.id))
                        && d.data_sources.len() == 1
                })
                .filter(|d| matches(d.title_text()))
                .map(|d| Hit {
                    id: d.id,
                    edited: d.last_edited_time,
                    seq: d.seq,
                    kind: HitKind::Database,
                }),
        );
    } else if want_containers {
        hits.extend(
            store
                .objects
                .data_sources
                .values()
                .filter(|d| {
                    store.can_see_node(bot, Node::DataSource(d.id))
                        && !store.node_trashed_deep(Node::DataSource(d.id))
                })
                .filter(|d| matches(d.title_text()))
                .map(|d| Hit {
                    id: d.id,
                    edited: d.last_edited_time,
                    seq: d.seq,
                    kind: HitKind::DataSource,
                }),
        );
    }
    // Most recently edited first (Notion's default leans that way), creation order breaking ties.
    hits.sort_by(|a, b| b.edited.cmp(&a.edited).then(b.seq.cmp(&a.seq)));
    if ascending {
        hits.reverse();
    }
    let (page, next_cursor) = crate::paging::page(hits, |h| h.id, start, page_size)?;
    let results = page
        .into_iter()
        .filter_map(|h| match h.kind {
            HitKind::Page => store.pages.get(&h.id).map(|p| {
                SearchResult::Page(Box::new(views::page(&store, p, &state.clock, ctx.version)))
            }),
            HitKind::DataSource => store.objects.data_sources.get(&h.id).map(|d| {
                SearchResult::DataSource(Box::new(crate::databases::data_source(
                    &store,
                    d,
                    &state.clock,
                    ctx.version,
                )))
            }),
            HitKind::Database => store.objects.databases.get(&h.id).map(|d| {
                SearchResult::Database(Box::new(crate::databases::database(&store, d, ctx.version)))
            }),
        })
        .collect();
    let mut out = SearchResponse::new("page_or_data_source", results, next_cursor);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

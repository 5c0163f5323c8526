//! `POST /v1/search`: title search over what the token can see.

use axum::extract::State;
use axum::{Extension, Json};
use notion::{SearchResponse, SearchResult};
use serde_json::Value;

use super::{expect_object, expect_str, field, Ctx, JsonBody};
use crate::app::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::state::PageRecord;
use crate::views;

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
    let want_pages = match field(&body, "filter") {
        None => true,
        Some(filter) => {
            let property = expect_str(filter.get("property"), "body.filter.property")?;
            let value = expect_str(filter.get("value"), "body.filter.value")?;
            if property != "object" {
                return Err(ApiError::validation(format!(
                    "body failed validation: body.filter.property should be `object`, instead was `{property}`."
                )));
            }
            match value {
                "page" => true,
                // No data sources exist in the emulator yet, so this filter finds nothing.
                "data_source" => false,
                other => {
                    return Err(ApiError::validation(format!(
                        "body failed validation: body.filter.value should be one of `page`, `data_source`, instead was `{other}`."
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
    let mut hits: Vec<&PageRecord> = if want_pages {
        store
            .pages
            .values()
            .filter(|p| store.can_see(bot, p.id) && !store.is_trashed_deep(p.id))
            .filter(|p| query.is_empty() || p.title_text().to_lowercase().contains(&query))
            .collect()
    } else {
        Vec::new()
    };
    // Most recently edited first (Notion's default leans that way), creation order breaking ties.
    hits.sort_by(|a, b| {
        b.last_edited_time
            .cmp(&a.last_edited_time)
            .then(b.seq.cmp(&a.seq))
    });
    if ascending {
        hits.reverse();
    }
    // The cursor is the id of the first result of the next page, as Notion's cursors are.
    let offset = match start {
        None => 0,
        Some(cursor) => ids::parse(cursor)
            .and_then(|id| hits.iter().position(|p| p.id == id))
            .ok_or_else(|| {
                ApiError::validation(format!("start_cursor provided is invalid: {cursor}"))
            })?,
    };
    let end = (offset + page_size).min(hits.len());
    let next_cursor = hits.get(end).map(|p| ids::dashed(p.id));
    let results = hits[offset..end]
        .iter()
        .map(|p| SearchResult::Page(Box::new(views::page(p, &state.clock, ctx.version))))
        .collect();
    let mut out = SearchResponse::new("page_or_data_source", results, next_cursor);
    out.request_id = Some(ctx.request_id.clone());
    Ok(Json(out))
}

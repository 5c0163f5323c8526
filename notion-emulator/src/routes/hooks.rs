//! Test hooks under the reserved `/__emulator/` prefix (never part of Notion's API, never in
//! the ledger): request ledger, reset, state dump, token minting and a small HTML view.

use std::collections::BTreeSet;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use notion_markdown::Dialect;
use serde::{Deserialize, Serialize};

use super::JsonBody;
use crate::app::AppState;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::ledger::LedgerEntry;
use crate::state::{PageParentRef, Store};
use crate::views;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__emulator", get(index))
        .route("/__emulator/", get(index))
        .route("/__emulator/ledger", get(ledger).delete(clear_ledger))
        .route("/__emulator/reset", post(reset))
        .route("/__emulator/state", get(state_dump))
        .route("/__emulator/tokens", post(mint_token))
}

async fn ledger(State(state): State<AppState>) -> Json<Vec<LedgerEntry>> {
    Json(state.ledger.entries())
}

async fn clear_ledger(State(state): State<AppState>) -> StatusCode {
    state.ledger.clear();
    StatusCode::NO_CONTENT
}

async fn reset(State(state): State<AppState>) -> StatusCode {
    state.reset();
    StatusCode::NO_CONTENT
}

async fn state_dump(State(state): State<AppState>) -> Response {
    let store = state.lock();
    match serde_json::to_value(&*store) {
        Ok(value) => Json(value).into_response(),
        Err(err) => (StatusCode::INTERNAL_SERVER_ERROR, err.to_string()).into_response(),
    }
}

/// `POST /__emulator/tokens` body: both fields optional.
#[derive(Debug, Default, Deserialize)]
pub struct MintRequest {
    /// The integration's name (shown in `users/me` and 404 messages).
    pub name: Option<String>,
    /// Restrict the token to these pages and their descendants; omitted: sees everything.
    pub pages: Option<Vec<String>>,
}

/// An internal-integration token minted for tests.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MintedToken {
    pub token: String,
    pub bot_id: String,
    pub workspace_id: String,
    pub workspace_name: String,
}

async fn mint_token(
    State(state): State<AppState>,
    JsonBody(req): JsonBody<MintRequest>,
) -> ApiResult<Json<MintedToken>> {
    let pages = match req.pages {
        None => None,
        Some(raw) => Some(
            raw.iter()
                .map(|p| {
                    ids::parse(p)
                        .ok_or_else(|| ApiError::validation(format!("invalid page id `{p}`")))
                })
                .collect::<ApiResult<BTreeSet<_>>>()?,
        ),
    };
    Ok(Json(mint(
        &state,
        req.name.as_deref().unwrap_or("Test integration"),
        pages,
    )))
}

pub(crate) fn mint(
    state: &AppState,
    name: &str,
    pages: Option<BTreeSet<uuid::Uuid>>,
) -> MintedToken {
    let now = state.clock.now();
    let mut store = state.lock();
    let (bot_id, token) = store.mint_internal(name, pages, now);
    MintedToken {
        token,
        bot_id: ids::dashed(bot_id),
        workspace_id: ids::dashed(store.workspace.id),
        workspace_name: store.workspace.name.clone(),
    }
}

/// A readable view of the workspace for the offline demo: every page, nested under its
/// parent, with its Markdown.
async fn index(State(state): State<AppState>) -> Html<String> {
    let store = state.lock();
    let mut body = String::new();
    render_children(&store, PageParentRef::Workspace, 0, &mut body);
    if body.is_empty() {
        body.push_str("<p>No pages yet.</p>");
    }
    Html(format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{ws} · Notion emulator</title>
<style>
body{{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",sans-serif;color:#37352f;max-width:900px;margin:24px auto;padding:0 16px}}
section{{border:1px solid #e9e9e7;border-radius:6px;padding:12px 16px;margin:12px 0}}
h2{{font-size:17px;margin:0 0 6px}} .meta{{color:#787774;font-size:12px}}
pre{{white-space:pre-wrap;background:#f7f6f3;padding:10px;border-radius:4px;tab-size:4}}
</style></head><body>
<h1 id="workspace-name">{ws}</h1>
<p class="meta">Notion API emulator · pages as <code>GET /v1/pages/{{id}}/markdown</code> renders them</p>
{body}
</body></html>"#,
        ws = escape(&store.workspace.name),
    ))
}

fn render_children(store: &Store, parent: PageParentRef, depth: usize, out: &mut String) {
    let mut children: Vec<_> = store
        .pages
        .values()
        .filter(|p| p.parent == parent && !p.in_trash)
        .collect();
    children.sort_by_key(|p| p.seq);
    for page in children {
        let title = page.title_text();
        let markdown = views::page_markdown(store, page, Dialect::V1).markdown;
        out.push_str(&format!(
            "<section class=\"page\" data-page-id=\"{id}\" style=\"margin-left:{indent}px\"><h2>{title}</h2><div class=\"meta\">{id}</div><pre>{md}</pre></section>\n",
            id = ids::dashed(page.id),
            indent = depth * 24,
            title = escape(if title.is_empty() { "Untitled" } else { &title }),
            md = escape(&markdown),
        ));
        render_children(store, PageParentRef::Page(page.id), depth + 1, out);
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

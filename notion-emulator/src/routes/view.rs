//! The workspace as a person sees it, at `/__emulator/` (the offline demo's "Notion"):
//! the page tree, each page rendered from its Markdown, and an editor that saves through the
//! same write path as `PATCH /v1/pages/{id}/markdown` with `replace_content` — untouched blocks
//! keep their ids, `last_edited_time`/`last_edited_by` move (to the workspace owner), and
//! webhooks fire.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use notion_markdown::Dialect;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::app::AppState;
use crate::content::{self, Stamp};
use crate::html::{self, escape};
use crate::ids;
use crate::state::{Access, BotRecord, PageParentRef, PageRecord, Store};
use crate::{edit, nfm, views};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__emulator", get(index))
        .route("/__emulator/", get(index))
        .route("/__emulator/pages/{id}", get(show).post(save))
}

const STYLE: &str = r#"
:root{color-scheme:light dark;--fg:#37352f;--muted:#787774;--line:#e9e9e7;--soft:#f7f6f3;--accent:#2383e2}
@media (prefers-color-scheme:dark){:root{--fg:#e6e6e4;--muted:#9b9a97;--line:#373737;--soft:#252525}}
body{font:15px/1.55 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,sans-serif;color:var(--fg);max-width:860px;margin:28px auto;padding:0 18px}
a{color:var(--accent);text-decoration:none} a:hover{text-decoration:underline}
.meta{color:var(--muted);font-size:12px} nav{font-size:13px;margin-bottom:14px}
ul.tree{list-style:none;padding-left:18px} ul.tree.root{padding-left:0} ul.tree li{margin:3px 0}
h1{font-size:30px;margin:6px 0} h2{font-size:24px} h3{font-size:20px} h4,h5{font-size:17px}
blockquote{border-left:3px solid var(--fg);margin:6px 0;padding:0 12px}
.callout{display:flex;gap:10px;background:var(--soft);border-radius:4px;padding:12px}
pre.code{background:var(--soft);padding:10px;border-radius:4px;overflow:auto;tab-size:4}
table{border-collapse:collapse} td,th{border:1px solid var(--line);padding:4px 8px;text-align:left}
ul.todo{list-style:none;padding-left:4px} .children{padding-left:22px}
.placeholder{color:var(--muted);font-style:italic} .columns{display:flex;gap:18px} .column{flex:1}
textarea{width:100%;min-height:320px;font:13px/1.5 ui-monospace,Menlo,Consolas,monospace;tab-size:4;box-sizing:border-box;padding:10px;border:1px solid var(--line);border-radius:4px;background:var(--soft);color:var(--fg)}
button{background:var(--accent);color:#fff;border:0;border-radius:4px;padding:7px 16px;font-size:14px;cursor:pointer}
.error{border:1px solid #e03e3e;color:#e03e3e;border-radius:4px;padding:8px 12px}
.trash{color:#e03e3e} section.editor{margin-top:28px;border-top:1px solid var(--line);padding-top:12px}
"#;

/// Lets the Tab key type a tab in the editor (the v1 dialect nests with tabs).
const TAB_SCRIPT: &str = r#"document.querySelectorAll('textarea').forEach(function(t){t.addEventListener('keydown',function(e){if(e.key==='Tab'&&!e.shiftKey&&!e.ctrlKey&&!e.metaKey){e.preventDefault();var s=t.selectionStart;t.setRangeText('\t',s,t.selectionEnd,'end');}});});"#;

fn layout(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{title}</title><style>{STYLE}</style></head><body>\n{body}\n<script>{TAB_SCRIPT}</script></body></html>",
        title = escape(title)
    )
}

fn title_of(page: &PageRecord) -> String {
    let title = page.title_text();
    if title.is_empty() {
        "Untitled".into()
    } else {
        title
    }
}

/// The page tree.
async fn index(State(state): State<AppState>) -> Html<String> {
    let store = state.lock();
    let mut tree = String::new();
    tree_items(&store, PageParentRef::Workspace, &mut tree, 0);
    if tree.is_empty() {
        tree.push_str("<p class=\"meta\">No pages yet.</p>");
    }
    let ws = escape(&store.workspace.name);
    let body = format!(
        "<h1 id=\"workspace-name\">{ws}</h1>\n<p class=\"meta\">Notion API emulator · open a page to read or edit it; edits go through the same path as <code>PATCH /v1/pages/{{id}}/markdown</code></p>\n<ul class=\"tree root\">{tree}</ul>"
    );
    Html(layout(
        &format!("{} · Notion emulator", store.workspace.name),
        &body,
    ))
}

fn tree_items(store: &Store, parent: PageParentRef, out: &mut String, depth: usize) {
    if depth > 64 {
        return;
    }
    let mut children: Vec<&PageRecord> = store
        .pages
        .values()
        .filter(|p| p.parent == parent && !p.in_trash)
        .collect();
    children.sort_by_key(|p| p.seq);
    for page in children {
        let id = ids::dashed(page.id);
        out.push_str(&format!(
            "<li class=\"page\" data-page-id=\"{id}\">📄 <a href=\"/__emulator/pages/{id}\">{}</a>",
            escape(&title_of(page))
        ));
        let mut sub = String::new();
        tree_items(store, PageParentRef::Page(page.id), &mut sub, depth + 1);
        if !sub.is_empty() {
            out.push_str(&format!("<ul class=\"tree\">{sub}</ul>"));
        }
        out.push_str("</li>");
    }
}

fn digest(markdown: &str) -> String {
    hex::encode(Sha256::digest(markdown.as_bytes()))
}

/// What the editor shows besides the page: a message, and the text to put in the textarea
/// when it is not the page's own (a refused save keeps what the person typed).
#[derive(Default)]
struct Notice {
    error: Option<String>,
    draft: Option<String>,
}

fn page_html(store: &Store, page: &PageRecord, notice: Notice) -> String {
    let id = ids::dashed(page.id);
    let markdown = views::page_markdown(store, page, Dialect::V1).markdown;
    let visible = content::visible_tree(store, &page.blocks);
    let rendered = html::blocks(&content::to_blocks(&visible));
    let mut crumbs = Vec::new();
    let mut parent = page.parent;
    for _ in 0..64 {
        let PageParentRef::Page(pid) = parent else {
            break;
        };
        let Some(p) = store.pages.get(&pid) else {
            break;
        };
        crumbs.push(format!(
            "<a href=\"/__emulator/pages/{}\">{}</a>",
            ids::dashed(p.id),
            escape(&title_of(p))
        ));
        parent = p.parent;
    }
    crumbs.push(format!(
        "<a href=\"/__emulator/\">{}</a>",
        escape(&store.workspace.name)
    ));
    crumbs.reverse();
    let editor_id = page.last_edited_by;
    let editor = store
        .people
        .get(&editor_id)
        .map(|p| p.name.clone())
        .or_else(|| store.bots.get(&editor_id).map(|b| b.name.clone()))
        .unwrap_or_else(|| ids::dashed(editor_id));
    let error = notice
        .error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(&e)))
        .unwrap_or_default();
    let trash = if page.in_trash {
        " <span class=\"trash\">(in trash)</span>"
    } else {
        ""
    };
    let body = format!(
        "<nav>{crumbs}</nav>\n<h1>{title}{trash}</h1>\n<p class=\"meta\" data-page-id=\"{id}\">Last edited {edited} by {editor} · <code>{id}</code></p>\n<article class=\"content\">{rendered}</article>\n<section class=\"editor\"><h3>Edit as Notion Markdown</h3>{error}\n<form method=\"post\" action=\"/__emulator/pages/{id}\"><input type=\"hidden\" name=\"base\" value=\"{base}\"><textarea name=\"markdown\" spellcheck=\"false\">\n{text}</textarea>\n<p><label><input type=\"checkbox\" name=\"allow_deleting\" value=\"true\"> allow deleting sub-pages</label></p><button type=\"submit\" id=\"save\">Save</button></form></section>",
        crumbs = crumbs.join(" / "),
        title = escape(&title_of(page)),
        edited = escape(&edited_time(page.last_edited_time)),
        editor = escape(&editor),
        base = digest(&markdown),
        text = escape(notice.draft.as_deref().unwrap_or(&markdown)),
    );
    layout(&title_of(page), &body)
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(layout(
            "Not found",
            "<p>No such page. <a href=\"/__emulator/\">Back to the workspace</a></p>",
        )),
    )
        .into_response()
}

async fn show(State(state): State<AppState>, Path(raw): Path<String>) -> Response {
    let store = state.lock();
    match ids::parse(&raw).and_then(|id| store.pages.get(&id)) {
        Some(page) => Html(page_html(&store, page, Notice::default())).into_response(),
        None => not_found(),
    }
}

#[derive(Debug, Deserialize)]
struct SaveForm {
    markdown: String,
    /// SHA-256 of the Markdown the editor was opened with.
    #[serde(default)]
    base: String,
    #[serde(default)]
    allow_deleting: Option<String>,
}

async fn save(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SaveForm>,
) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin form posts are refused").into_response();
    }
    let Some(id) = ids::parse(&raw) else {
        return not_found();
    };
    // Browsers send textarea lines with CRLF.
    let markdown = form.markdown.replace("\r\n", "\n");
    let mut store = state.lock();
    let Some(page) = store.pages.get(&id) else {
        return not_found();
    };
    let current = views::page_markdown(&store, page, Dialect::V1).markdown;
    if !form.base.is_empty() && form.base != digest(&current) {
        let notice = Notice {
            error: Some(
                "The page changed since you opened it: your text is below; copy what you need, reload, and save again."
                    .into(),
            ),
            draft: Some(markdown),
        };
        return (StatusCode::CONFLICT, Html(page_html(&store, page, notice))).into_response();
    }
    let owner = store.workspace.owner;
    let person = person_actor(&store, owner);
    let stamp = Stamp {
        now: state.clock.now(),
        actor: owner,
    };
    let blocks = nfm::parse(&markdown, Dialect::V1);
    let allow = form.allow_deleting.as_deref() == Some("true");
    match edit::write_body(&mut store, id, &person, blocks, allow, stamp) {
        Ok(()) => Redirect::to(&format!("/__emulator/pages/{}", ids::dashed(id))).into_response(),
        Err(err) => {
            let Some(page) = store.pages.get(&id) else {
                return not_found();
            };
            let notice = Notice {
                error: Some(err.message),
                draft: Some(markdown),
            };
            (
                StatusCode::BAD_REQUEST,
                Html(page_html(&store, page, notice)),
            )
                .into_response()
        }
    }
}

/// The workspace owner acting in the UI: sees every page.
fn person_actor(store: &Store, owner: Uuid) -> BotRecord {
    BotRecord {
        id: owner,
        name: store
            .owner()
            .map(|p| p.name.clone())
            .unwrap_or_else(|| "Workspace owner".into()),
        client_id: None,
        owner: None,
        access: Access::All,
    }
}

/// A form post from another site (the emulator has no login) is refused; browsers send
/// `Origin` on POST.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get("origin").and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers.get("host").and_then(|v| v.to_str().ok());
    match (url::Url::parse(origin), host) {
        (Ok(url), Some(host)) => {
            let origin_host = match url.port() {
                Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                None => url.host_str().unwrap_or_default().to_string(),
            };
            origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

fn edited_time(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute()
    )
}

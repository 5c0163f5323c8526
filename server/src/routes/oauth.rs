//! The Notion OAuth popup: `GET /oauth/notion/start?ticket=` and `GET /oauth/notion/callback`.
//!
//! The popup cannot send headers, so it proves who it is with a single-use ticket. The `state`
//! sent to Notion is a random nonce, signed (so a forged one is refused without a database read)
//! and stored single-use for 10 minutes bound to the user, so a callback can only ever complete
//! the flow its own user started.

use crate::crypto::{fingerprint, random_token};
use crate::startup::AppState;
use crate::store::NewConnection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use protocol::api::paths;
use serde::Deserialize;

const STATE_TTL_SECS: i64 = 600;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::OAUTH_START, get(start))
        .route(paths::OAUTH_CALLBACK, get(callback))
}

#[derive(Deserialize)]
struct StartQuery {
    ticket: Option<String>,
}

async fn start(State(state): State<AppState>, Query(q): Query<StartQuery>) -> Response {
    let Some(oauth) = state.oauth.clone() else {
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Notion is not configured",
            "This relay has no Notion OAuth client (NOTION_CLIENT_ID / NOTION_CLIENT_SECRET). Ask its operator to configure one.",
        );
    };
    let now = crate::now();
    let Some(ticket) = q.ticket.filter(|t| !t.is_empty() && t.len() <= 128) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Missing ticket",
            "Open this window from the Notion Sync panel.",
        );
    };
    let user = match state.store.take_ticket(&fingerprint(&ticket), now).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return page(
                StatusCode::BAD_REQUEST,
                "This link has expired",
                "Links from the panel work once, for a minute. Click \"Connect Notion\" in the panel again.",
            )
        }
        Err(e) => return internal(e.into()),
    };
    let nonce = random_token();
    if let Err(e) = state
        .store
        .insert_oauth_state(&fingerprint(&nonce), user.0, &user.1, now + STATE_TTL_SECS)
        .await
    {
        return internal(e.into());
    }
    let signed = format!("{nonce}.{}", state.secrets.sign_state(nonce.as_bytes()));
    Redirect::to(oauth.authorize_url(&signed).as_str()).into_response()
}

#[derive(Deserialize)]
struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(State(state): State<AppState>, Query(q): Query<CallbackQuery>) -> Response {
    let Some(oauth) = state.oauth.clone() else {
        return page(
            StatusCode::SERVICE_UNAVAILABLE,
            "Notion is not configured",
            "This relay has no Notion OAuth client.",
        );
    };
    let forged = || {
        page(
            StatusCode::BAD_REQUEST,
            "Invalid sign-in state",
            "This sign-in did not start from your Notion Sync panel. Start again from the panel.",
        )
    };
    let Some((nonce, sig)) = q.state.as_deref().and_then(|s| s.split_once('.')) else {
        return forged();
    };
    if !state.secrets.verify_state(nonce.as_bytes(), sig) {
        tracing::warn!("oauth callback with a forged state");
        return forged();
    }
    let now = crate::now();
    let (user_id, installation_id) = match state.store.take_oauth_state(&fingerprint(nonce), now).await {
        Ok(Some(user)) => user,
        Ok(None) => {
            return page(
                StatusCode::BAD_REQUEST,
                "This sign-in has expired",
                "It was already used or is older than 10 minutes. Click \"Connect Notion\" in the panel again.",
            )
        }
        Err(e) => return internal(e.into()),
    };
    if let Some(error) = q.error {
        let detail = if error == "access_denied" {
            "You declined access in Notion."
        } else {
            "Notion reported an error."
        };
        return page(
            StatusCode::OK,
            "Notion was not connected",
            &format!("{detail} You can close this window and try again from the panel."),
        );
    }
    let Some(code) = q.code.filter(|c| !c.is_empty()) else {
        return page(
            StatusCode::BAD_REQUEST,
            "No authorization code",
            "Notion did not send a code. Try again from the panel.",
        );
    };
    let grant = match oauth.exchange(&code).await {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!(error = format!("{e:#}"), "notion code exchange failed");
            return page(
                StatusCode::BAD_GATEWAY,
                "Notion refused the sign-in",
                "The authorization could not be completed. Try again from the panel.",
            );
        }
    };
    let conn = NewConnection {
        user_id,
        installation_id,
        workspace_id: grant.workspace_id.clone(),
        workspace_name: grant.workspace_name.clone(),
        workspace_icon: grant.workspace_icon.clone(),
        bot_id: grant.bot_id.clone(),
        access_token_enc: state.secrets.seal(&grant.access_token),
        refresh_token_enc: grant
            .refresh_token
            .as_deref()
            .map(|t| state.secrets.seal(t)),
    };
    if let Err(e) = state.store.upsert_connection(&conn, now).await {
        return internal(e.into());
    }
    tracing::info!(user_id, "notion connected");
    done_page(&grant.workspace_name)
}

fn internal(e: anyhow::Error) -> Response {
    tracing::error!(error = format!("{e:#}"), "oauth flow failed");
    page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The relay hit an internal error. Try again from the panel.",
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <meta name=\"viewport\" content=\"width=device-width\"><style>{STYLE}</style></head>\
         <body><main><h1>{t}</h1><p>{b}</p></main></body></html>",
        t = escape(title),
        b = escape(body)
    );
    (status, Html(html)).into_response()
}

fn done_page(workspace: &str) -> Response {
    // The panel learns of the connection by polling; the message to the opener only speeds it up.
    // Its shape has no `id`, so the Replit client (which matches replies by id) ignores it.
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Notion connected</title>\
         <style>{STYLE}</style></head><body><main><h1 id=\"connected\">Connected to {w}</h1>\
         <p>You can close this window and return to the panel.</p></main>\
         <script>try{{window.opener&&window.opener.postMessage({{type:'notion-sync/oauth-done'}},'*')}}catch(e){{}}\
         setTimeout(function(){{window.close()}},800)</script></body></html>",
        w = escape(workspace)
    );
    (StatusCode::OK, Html(html)).into_response()
}

const STYLE: &str = "body{font:14px/1.5 'IBM Plex Sans',system-ui,sans-serif;background:#0E1525;color:#F5F9FC;\
display:grid;place-items:center;min-height:100vh;margin:0}main{max-width:28rem;padding:2rem;background:#1C2333;\
border-radius:8px}h1{font-size:18px;margin:0 0 .5rem}p{color:#C2C8CC;margin:0}";

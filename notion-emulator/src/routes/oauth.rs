//! OAuth for public integrations: the consent page, token (authorization_code and refresh with
//! rotation), introspect and revoke.
//!
//! The token endpoints authenticate the client with HTTP Basic and accept JSON (what Notion
//! documents) as well as `application/x-www-form-urlencoded` (what OAuth libraries such as the
//! `oauth2` crate send).

use std::collections::BTreeSet;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use base64::Engine;
use notion::{BotOwner, IntrospectResponse, RevokeResponse, TokenResponse};
use serde::Deserialize;
use uuid::Uuid;

use crate::app::AppState;
use crate::config::OAuthClientConfig;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::state::{random_secret, secret_hash, CodeRecord, ConsentRecord, GrantRecord, Store};
use crate::views;

/// Notion-paced lifetimes (compressed by `--time-scale`).
const CODE_LIFETIME: Duration = Duration::from_secs(10 * 60);
const CONSENT_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// What Notion reports as a public integration's capabilities in `introspect`.
const SCOPE: &str = "read_content update_content insert_content";

fn query_pairs(raw: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw).into_owned().collect()
}

fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn later(state: &AppState, lifetime: Duration) -> time::OffsetDateTime {
    state.clock.now() + state.clock.scaled(lifetime)
}

/// `GET /v1/oauth/authorize`: the page where the workspace owner picks pages to share.
pub async fn authorize_page(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let pairs = query_pairs(query.unwrap_or_default().as_bytes());
    let Some(client) = first(&pairs, "client_id").and_then(|id| state.client(id)) else {
        return html_error(StatusCode::BAD_REQUEST, "Unknown or missing client_id.");
    };
    let redirect_given = first(&pairs, "redirect_uri").map(str::to_string);
    let redirect_uri = match &redirect_given {
        Some(uri) if client.allows_redirect(uri) => uri.clone(),
        Some(_) => {
            return html_error(
                StatusCode::BAD_REQUEST,
                "redirect_uri is not registered for this integration.",
            )
        }
        None if client.redirect_uris.len() == 1 => client.redirect_uris[0].clone(),
        None => return html_error(StatusCode::BAD_REQUEST, "Missing redirect_uri."),
    };
    let oauth_state = first(&pairs, "state").map(str::to_string);
    if first(&pairs, "response_type") != Some("code") {
        return redirect_with(
            &redirect_uri,
            &[("error", "unsupported_response_type")],
            oauth_state.as_deref(),
        );
    }
    let consent_id = random_secret("", 32);
    let mut store = state.lock();
    store.consents.insert(
        consent_id.clone(),
        ConsentRecord {
            client_id: client.client_id.clone(),
            redirect_uri,
            redirect_uri_given: redirect_given.is_some(),
            state: oauth_state,
            expires_at: later(&state, CONSENT_LIFETIME),
        },
    );
    Html(consent_html(&store, client, &consent_id)).into_response()
}

fn consent_html(store: &Store, client: &OAuthClientConfig, consent_id: &str) -> String {
    let mut items = String::new();
    for page in store.top_level_pages() {
        let title = page.title_text();
        let title = if title.is_empty() {
            "Untitled".to_string()
        } else {
            title
        };
        items.push_str(&format!(
            "<li><label><input type=\"checkbox\" name=\"page\" value=\"{}\" checked> {}</label></li>\n",
            ids::dashed(page.id),
            escape(&title)
        ));
    }
    if items.is_empty() {
        items.push_str("<li class=\"empty\">This workspace has no pages yet.</li>\n");
    }
    let owner = store.owner().map(|p| p.name.as_str()).unwrap_or("you");
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Allow access · Notion (emulator)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",sans-serif;background:#f7f6f3;color:#37352f;margin:0}}
main{{max-width:440px;margin:48px auto;background:#fff;border-radius:8px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.12)}}
h1{{font-size:18px;margin:0 0 4px}} p{{color:#787774;font-size:14px}} ul{{list-style:none;padding:0}}
li{{padding:6px 0;border-bottom:1px solid #eee}} .buttons{{display:flex;gap:8px;justify-content:flex-end;margin-top:20px}}
button{{font-size:14px;padding:8px 14px;border-radius:6px;border:1px solid #ddd;background:#fff;cursor:pointer}}
#allow{{background:#2383e2;color:#fff;border-color:#2383e2}}
</style></head>
<body><main>
<h1><span id="integration-name">{client}</span> wants to access <span id="workspace-name">{workspace}</span></h1>
<p>Signed in as {owner}. Choose the pages this integration can see and edit.</p>
<form method="post" action="/v1/oauth/authorize">
<input type="hidden" name="consent" value="{consent}">
<ul id="pages">
{items}</ul>
<div class="buttons">
<button type="submit" id="cancel" name="action" value="cancel">Cancel</button>
<button type="submit" id="allow" name="action" value="allow">Allow access</button>
</div>
</form>
</main></body></html>
"#,
        client = escape(&client.name),
        workspace = escape(&store.workspace.name),
        owner = escape(owner),
        consent = escape(consent_id),
    )
}

/// `POST /v1/oauth/authorize`: the consent form's answer; redirects back to the client.
pub async fn authorize_submit(State(state): State<AppState>, body: Bytes) -> Response {
    let pairs = query_pairs(&body);
    let now = state.clock.now();
    let mut store = state.lock();
    let consent = first(&pairs, "consent").and_then(|id| store.consents.remove(id));
    let Some(consent) = consent.filter(|c| c.expires_at >= now) else {
        return html_error(
            StatusCode::BAD_REQUEST,
            "This authorization request has expired. Start again from the app.",
        );
    };
    if first(&pairs, "action") != Some("allow") {
        return redirect_with(
            &consent.redirect_uri,
            &[("error", "access_denied")],
            consent.state.as_deref(),
        );
    }
    let Some(client) = state.client(&consent.client_id) else {
        return html_error(StatusCode::BAD_REQUEST, "Unknown client.");
    };
    let top_level: BTreeSet<Uuid> = store.top_level_pages().iter().map(|p| p.id).collect();
    let chosen: BTreeSet<Uuid> = pairs
        .iter()
        .filter(|(k, _)| k == "page")
        .filter_map(|(_, v)| ids::parse(v))
        .filter(|id| top_level.contains(id))
        .collect();
    let bot_id = store.bot_for_client(&client.client_id, &client.name);
    for page in chosen {
        store.grant_created(bot_id, page);
    }
    let code = Uuid::new_v4().to_string();
    store.codes.insert(
        secret_hash(&code),
        CodeRecord {
            client_id: client.client_id.clone(),
            bot_id,
            redirect_uri: consent
                .redirect_uri_given
                .then(|| consent.redirect_uri.clone()),
            expires_at: later(&state, CODE_LIFETIME),
        },
    );
    redirect_with(
        &consent.redirect_uri,
        &[("code", &code)],
        consent.state.as_deref(),
    )
}

fn redirect_with(
    redirect_uri: &str,
    params: &[(&str, &str)],
    oauth_state: Option<&str>,
) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return html_error(StatusCode::BAD_REQUEST, "Invalid redirect_uri.");
    };
    {
        let mut query = url.query_pairs_mut();
        for (k, v) in params {
            query.append_pair(k, v);
        }
        if let Some(s) = oauth_state {
            query.append_pair("state", s);
        }
    }
    match HeaderValue::from_str(url.as_str()) {
        Ok(location) => (StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response(),
        Err(_) => html_error(StatusCode::BAD_REQUEST, "Invalid redirect_uri."),
    }
}

fn html_error(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Authorization error</title></head><body><main><h1>Can't authorize</h1><p id=\"error\">{}</p></main></body></html>",
        escape(message)
    );
    (status, Html(body)).into_response()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Parameters of the token, revoke and introspect endpoints (JSON or form).
#[derive(Debug, Default, Deserialize)]
struct TokenParams {
    grant_type: Option<String>,
    code: Option<String>,
    redirect_uri: Option<String>,
    refresh_token: Option<String>,
    token: Option<String>,
}

fn parse_params(headers: &HeaderMap, body: &[u8]) -> ApiResult<TokenParams> {
    let is_form = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if is_form {
        return serde_urlencoded::from_bytes(body).map_err(|e| {
            ApiError::validation(format!("body failed validation: {e}")).oauth("invalid_request")
        });
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(TokenParams::default());
    }
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid_json(e).oauth("invalid_request"))?;
    serde_json::from_value(value).map_err(|e| {
        ApiError::validation(format!("body failed validation: {e}")).oauth("invalid_request")
    })
}

/// Decodes `application/x-www-form-urlencoded` escapes, which OAuth clients apply to the
/// client id and secret before Basic-encoding them (RFC 6749 §2.3.1).
fn form_decode(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The client authenticated by HTTP Basic, or `invalid_client` (401).
fn basic_client<'a>(state: &'a AppState, headers: &HeaderMap) -> ApiResult<&'a OAuthClientConfig> {
    let value = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(ApiError::invalid_client)?;
    let (scheme, encoded) = value.split_once(' ').ok_or_else(ApiError::invalid_client)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(ApiError::invalid_client());
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(ApiError::invalid_client)?;
    let (id, secret) = decoded
        .split_once(':')
        .ok_or_else(ApiError::invalid_client)?;
    let client = state
        .client(&form_decode(id))
        .ok_or_else(ApiError::invalid_client)?;
    // Compare hashes so the comparison time does not depend on how much of the secret matches.
    if secret_hash(&form_decode(secret)) != secret_hash(&client.client_secret) {
        return Err(ApiError::invalid_client());
    }
    Ok(client)
}

fn no_store<T: IntoResponse>(body: T) -> Response {
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `POST /v1/oauth/token`.
pub async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let client = basic_client(&state, &headers)?;
    let params = parse_params(&headers, &body)?;
    let now = state.clock.now();
    let mut store = state.lock();
    let grant_type = params.grant_type.as_deref().ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.grant_type should be defined, instead was `undefined`.",
        )
        .oauth("invalid_request")
    })?;
    let (grant_id, refresh_token, access_token) = match grant_type {
        "authorization_code" => {
            let code = params.code.as_deref().ok_or_else(|| {
                ApiError::validation("body failed validation: body.code should be defined, instead was `undefined`.")
                    .oauth("invalid_request")
            })?;
            // Single use: the code is gone whatever happens next.
            let record = store.codes.remove(&secret_hash(code)).ok_or_else(|| ApiError::invalid_grant("Invalid code."))?;
            if record.client_id != client.client_id {
                return Err(ApiError::invalid_grant("Invalid code."));
            }
            if record.expires_at < now {
                return Err(ApiError::invalid_grant("Code has expired."));
            }
            if let Some(expected) = &record.redirect_uri {
                if params.redirect_uri.as_deref() != Some(expected.as_str()) {
                    return Err(ApiError::invalid_grant("redirect_uri does not match the authorization request."));
                }
            }
            let grant_id = Uuid::new_v4();
            let refresh = random_secret("nrt_", 46);
            let access = store.issue_token(record.bot_id, Some(grant_id), now);
            store.grants.insert(
                grant_id,
                GrantRecord {
                    id: grant_id,
                    client_id: client.client_id.clone(),
                    bot_id: record.bot_id,
                    refresh_hash: secret_hash(&refresh),
                    access_hashes: vec![secret_hash(&access)],
                },
            );
            (grant_id, refresh, access)
        }
        "refresh_token" => {
            let presented = params.refresh_token.as_deref().ok_or_else(|| {
                ApiError::validation("body failed validation: body.refresh_token should be defined, instead was `undefined`.")
                    .oauth("invalid_request")
            })?;
            let grant = store
                .grant_by_refresh(presented)
                .filter(|g| g.client_id == client.client_id)
                .map(|g| (g.id, g.bot_id))
                .ok_or_else(|| ApiError::invalid_grant("Invalid refresh token."))?;
            // Rotation: a new pair; the presented refresh token stops working.
            let refresh = random_secret("nrt_", 46);
            let access = store.issue_token(grant.1, Some(grant.0), now);
            if let Some(record) = store.grants.get_mut(&grant.0) {
                record.refresh_hash = secret_hash(&refresh);
                record.access_hashes.push(secret_hash(&access));
            }
            (grant.0, refresh, access)
        }
        other => {
            return Err(ApiError::validation(format!(
                "body failed validation: body.grant_type should be `authorization_code` or `refresh_token`, instead was `{other}`."
            ))
            .oauth("unsupported_grant_type"))
        }
    };
    let bot_id = store
        .grants
        .get(&grant_id)
        .map(|g| g.bot_id)
        .ok_or_else(|| ApiError::invalid_grant("Grant vanished."))?;
    let bot = store
        .bots
        .get(&bot_id)
        .ok_or_else(|| ApiError::invalid_grant("Integration vanished."))?;
    let owner = match views::bot_owner(&store, bot) {
        owner @ BotOwner::User { .. } => owner,
        _ => BotOwner::Workspace { workspace: true },
    };
    let response = TokenResponse {
        access_token,
        token_type: "bearer".into(),
        refresh_token: Some(refresh_token),
        bot_id: ids::dashed(bot_id),
        workspace_id: Some(ids::dashed(store.workspace.id)),
        workspace_name: Some(store.workspace.name.clone()),
        workspace_icon: store.workspace.icon.clone(),
        owner: Some(owner),
        duplicated_template_id: None,
        request_id: None,
    };
    Ok(no_store(Json(response)))
}

/// `POST /v1/oauth/revoke`: revokes the grant behind an access or refresh token. Unknown
/// tokens are answered with success too (RFC 7009), so revocation is idempotent.
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<RevokeResponse>> {
    let client = basic_client(&state, &headers)?;
    let params = parse_params(&headers, &body)?;
    let token = params.token.as_deref().ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.token should be defined, instead was `undefined`.",
        )
        .oauth("invalid_request")
    })?;
    let mut store = state.lock();
    if let Some(grant_id) = grant_of(&store, token, &client.client_id) {
        store.revoke_grant(grant_id);
    }
    Ok(Json(RevokeResponse::default()))
}

/// `POST /v1/oauth/introspect`.
pub async fn introspect(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<IntrospectResponse>> {
    let client = basic_client(&state, &headers)?;
    let params = parse_params(&headers, &body)?;
    let token = params.token.as_deref().ok_or_else(|| {
        ApiError::validation(
            "body failed validation: body.token should be defined, instead was `undefined`.",
        )
        .oauth("invalid_request")
    })?;
    let store = state.lock();
    let issued = grant_of(&store, token, &client.client_id).map(|_| {
        store
            .tokens
            .get(&secret_hash(token))
            .map(|t| t.issued_at.unix_timestamp())
    });
    Ok(Json(match issued {
        Some(iat) => IntrospectResponse {
            active: true,
            scope: Some(SCOPE.into()),
            iat,
            request_id: None,
        },
        None => IntrospectResponse {
            active: false,
            scope: None,
            iat: None,
            request_id: None,
        },
    }))
}

/// The grant (of this client) an access or refresh token belongs to.
fn grant_of(store: &Store, token: &str, client_id: &str) -> Option<Uuid> {
    let hash = secret_hash(token);
    let grant_id = match store.tokens.get(&hash).and_then(|t| t.grant_id) {
        Some(id) => Some(id),
        None => store
            .grants
            .values()
            .find(|g| g.refresh_hash == hash)
            .map(|g| g.id),
    }?;
    store
        .grants
        .get(&grant_id)
        .filter(|g| g.client_id == client_id)
        .map(|g| g.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding() {
        assert_eq!(form_decode("dev-secret"), "dev-secret");
        assert_eq!(form_decode("a%3Ab+c"), "a:b c");
        assert_eq!(form_decode("100%"), "100%");
        assert_eq!(form_decode("%zz"), "%zz");
    }
}

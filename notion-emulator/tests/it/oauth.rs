//! OAuth: consent page, code exchange (JSON and form), refresh rotation, introspect, revoke.

use notion::{AccessToken, SearchRequest, TokenGrant};
use notion_emulator::{OAuthClientConfig, Seed};
use reqwest::Method;

use crate::support::{assert_error, into_raw, start, Env, Raw};

const ID: &str = OAuthClientConfig::DEV_CLIENT_ID;
const SECRET: &str = OAuthClientConfig::DEV_CLIENT_SECRET;
const REDIRECT: &str = "http://127.0.0.1:9999/oauth/notion/callback";

fn authorize_path(redirect: &str, state: &str) -> String {
    let query: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", ID)
        .append_pair("response_type", "code")
        .append_pair("owner", "user")
        .append_pair("redirect_uri", redirect)
        .append_pair("state", state)
        .finish();
    format!("/v1/oauth/authorize?{query}")
}

fn attr_values(html: &str, marker: &str) -> Vec<String> {
    html.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &html[at + marker.len()..];
            let start = rest.find("value=\"")? + 7;
            let end = rest[start..].find('"')? + start;
            Some(rest[start..end].to_string())
        })
        .collect()
}

async fn consent(env: &Env, state: &str) -> (String, Vec<String>, String) {
    let page = env
        .raw(
            Method::GET,
            &authorize_path(REDIRECT, state),
            None,
            None,
            None,
        )
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    assert!(page.text.contains("id=\"allow\""));
    assert!(page.text.contains("Allow access"));
    assert!(page.text.contains("id=\"cancel\""));
    assert!(page.text.contains("Acme Docs"));
    let consent = attr_values(&page.text, "name=\"consent\"").remove(0);
    let pages = attr_values(&page.text, "name=\"page\"");
    (consent, pages, page.text)
}

async fn submit(env: &Env, consent: &str, pages: &[String], action: &str) -> Raw {
    let mut form: Vec<(&str, &str)> = vec![("consent", consent), ("action", action)];
    form.extend(pages.iter().map(|p| ("page", p.as_str())));
    into_raw(
        env.http
            .post(env.url("/v1/oauth/authorize"))
            .form(&form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn query_of(location: &str) -> Vec<(String, String)> {
    url::Url::parse(location)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn param(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// Runs the consent flow sharing `share` (page titles) and returns the code.
async fn code_for(env: &Env, share: &[&str]) -> String {
    let (consent_id, pages, html) = consent(env, "xyz").await;
    assert_eq!(
        pages.len(),
        3,
        "the demo workspace has three top-level pages, all listed"
    );
    assert_eq!(
        html.matches(" checked>").count(),
        3,
        "all checked by default"
    );
    let chosen: Vec<String> = share.iter().map(|t| env.seeded_page_id(t)).collect();
    let answer = submit(env, &consent_id, &chosen, "allow").await;
    assert_eq!(answer.status, 303);
    let location = answer.headers["location"].to_str().unwrap().to_string();
    assert!(location.starts_with(REDIRECT));
    let pairs = query_of(&location);
    assert_eq!(param(&pairs, "state").as_deref(), Some("xyz"));
    param(&pairs, "code").expect("code in redirect")
}

async fn form_token(env: &Env, id: &str, secret: &str, form: &[(&str, &str)]) -> Raw {
    into_raw(
        env.http
            .post(env.url("/v1/oauth/token"))
            .basic_auth(id, Some(secret))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn consent_then_json_exchange_gives_a_scoped_token() {
    let env = start(Seed::Demo).await;
    let code = code_for(&env, &["Roadmap"]).await;
    let grant = TokenGrant::AuthorizationCode {
        code: code.clone(),
        redirect_uri: Some(REDIRECT.into()),
    };
    let tokens = env.client.oauth_token(ID, SECRET, &grant).await.unwrap();
    assert_eq!(tokens.token_type, "bearer");
    assert_eq!(tokens.workspace_name.as_deref(), Some("Acme Docs"));
    assert!(tokens.refresh_token.is_some());
    assert!(tokens.request_id.is_some());
    assert!(matches!(tokens.owner, Some(notion::BotOwner::User { .. })));
    assert!(
        !format!("{tokens:?}").contains(&tokens.access_token),
        "Debug hides tokens"
    );

    let token = AccessToken::new(tokens.access_token.clone());
    let me = env.client.users_me(&token).await.unwrap();
    assert_eq!(me.id, tokens.bot_id);
    let found = env
        .client
        .search(&token, &SearchRequest::default())
        .await
        .unwrap();
    let titles: Vec<String> = found.results.iter().map(|r| r.title()).collect();
    assert_eq!(titles, vec!["Roadmap"]);
    let hidden = env.seeded_page_id("Meeting Notes");
    assert!(env
        .client
        .retrieve_page(&token, &hidden)
        .await
        .unwrap_err()
        .is_not_found());

    // Codes are single use.
    let again = env
        .client
        .oauth_token(ID, SECRET, &grant)
        .await
        .unwrap_err();
    assert!(again.is_invalid_grant(), "{again:?}");
}

#[tokio::test]
async fn form_exchange_and_refresh_rotation() {
    let env = start(Seed::Demo).await;
    let code = code_for(&env, &["Roadmap", "Meeting Notes"]).await;
    let first = form_token(
        &env,
        ID,
        SECRET,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.json["token_type"], "bearer");
    assert!(first.json["duplicated_template_id"].is_null());
    assert_eq!(first.json["owner"]["type"], "user");
    let refresh1 = first.json["refresh_token"].as_str().unwrap().to_string();

    let second = env
        .client
        .oauth_token(
            ID,
            SECRET,
            &TokenGrant::RefreshToken {
                refresh_token: refresh1.clone(),
            },
        )
        .await
        .unwrap();
    let refresh2 = second.refresh_token.clone().unwrap();
    assert_ne!(refresh2, refresh1);
    assert_ne!(
        second.access_token,
        first.json["access_token"].as_str().unwrap()
    );
    assert_eq!(second.bot_id, first.json["bot_id"].as_str().unwrap());
    env.client
        .users_me(&AccessToken::new(second.access_token.clone()))
        .await
        .unwrap();

    // The rotated-out refresh token is dead: invalid_grant, in Notion's and OAuth's vocabulary.
    let reused = form_token(
        &env,
        ID,
        SECRET,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh1),
        ],
    )
    .await;
    assert_error(&reused, 400, "invalid_grant");
    assert_eq!(reused.json["error"], "invalid_grant");
    let ok = form_token(
        &env,
        ID,
        SECRET,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &refresh2),
        ],
    )
    .await;
    assert_eq!(ok.status, 200);
}

#[tokio::test]
async fn cancel_redirects_with_access_denied() {
    let env = start(Seed::Demo).await;
    let (consent_id, _, _) = consent(&env, "s1").await;
    let answer = submit(&env, &consent_id, &[], "cancel").await;
    assert_eq!(answer.status, 303);
    let pairs = query_of(answer.headers["location"].to_str().unwrap());
    assert_eq!(param(&pairs, "error").as_deref(), Some("access_denied"));
    assert_eq!(param(&pairs, "state").as_deref(), Some("s1"));
    assert_eq!(param(&pairs, "code"), None);
    // A consent answer is single use.
    let replay = submit(&env, &consent_id, &[], "allow").await;
    assert_eq!(replay.status, 400);
}

#[tokio::test]
async fn client_and_redirect_are_validated() {
    let env = start(Seed::Demo).await;
    let unknown = env
        .raw(Method::GET, "/v1/oauth/authorize?client_id=nope&response_type=code&redirect_uri=http://127.0.0.1/cb", None, None, None)
        .await;
    assert_eq!(unknown.status, 400);
    let foreign = env
        .raw(
            Method::GET,
            &authorize_path("https://evil.example/cb", "s"),
            None,
            None,
            None,
        )
        .await;
    assert_eq!(foreign.status, 400);

    let code = code_for(&env, &["Roadmap"]).await;
    let wrong_secret = form_token(
        &env,
        ID,
        "wrong",
        &[("grant_type", "authorization_code"), ("code", &code)],
    )
    .await;
    assert_error(&wrong_secret, 401, "unauthorized");
    let no_auth = into_raw(
        env.http
            .post(env.url("/v1/oauth/token"))
            .json(&serde_json::json!({"grant_type":"authorization_code","code":code}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&no_auth, 401, "unauthorized");
    let mismatch = form_token(
        &env,
        ID,
        SECRET,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", "http://127.0.0.1:1/other"),
        ],
    )
    .await;
    assert_error(&mismatch, 400, "invalid_grant");
    let bad_grant = form_token(&env, ID, SECRET, &[("grant_type", "password")]).await;
    assert_error(&bad_grant, 400, "validation_error");
    assert_eq!(bad_grant.json["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn introspect_and_revoke() {
    let env = start(Seed::Demo).await;
    let code = code_for(&env, &["Roadmap"]).await;
    let tokens = env
        .client
        .oauth_token(
            ID,
            SECRET,
            &TokenGrant::AuthorizationCode {
                code,
                redirect_uri: Some(REDIRECT.into()),
            },
        )
        .await
        .unwrap();
    let token = AccessToken::new(tokens.access_token.clone());
    let info = env
        .client
        .introspect_token(ID, SECRET, &token)
        .await
        .unwrap();
    assert!(info.active);
    assert!(info.iat.is_some());

    env.client.revoke_token(ID, SECRET, &token).await.unwrap();
    assert!(env
        .client
        .users_me(&token)
        .await
        .unwrap_err()
        .is_unauthorized());
    assert!(
        !env.client
            .introspect_token(ID, SECRET, &token)
            .await
            .unwrap()
            .active
    );
    // The grant's refresh token died with it.
    let refresh = env
        .client
        .oauth_token(
            ID,
            SECRET,
            &TokenGrant::RefreshToken {
                refresh_token: tokens.refresh_token.unwrap(),
            },
        )
        .await
        .unwrap_err();
    assert!(refresh.is_invalid_grant());
    // Revoking again is harmless.
    env.client.revoke_token(ID, SECRET, &token).await.unwrap();
}

/// The relay uses the `oauth2` crate: form-encoded token requests, URL-encoded Basic
/// credentials, RFC 6749 error bodies. Run the same flow with it.
mod with_oauth2_crate {
    use oauth2::basic::{
        BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
        BasicTokenIntrospectionResponse, BasicTokenType,
    };
    use oauth2::{
        AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
        ExtraTokenFields, RedirectUrl, RequestTokenError, StandardRevocableToken,
        StandardTokenResponse, TokenResponse, TokenUrl,
    };
    use serde::{Deserialize, Serialize};

    use super::*;

    #[derive(Debug, Clone, Serialize, Deserialize)]
    struct NotionFields {
        bot_id: String,
        workspace_id: String,
        workspace_name: Option<String>,
    }

    impl ExtraTokenFields for NotionFields {}

    type Client = oauth2::Client<
        BasicErrorResponse,
        StandardTokenResponse<NotionFields, BasicTokenType>,
        BasicTokenIntrospectionResponse,
        StandardRevocableToken,
        BasicRevocationErrorResponse,
        EndpointSet,
        EndpointNotSet,
        EndpointNotSet,
        EndpointNotSet,
        EndpointSet,
    >;

    #[tokio::test]
    async fn authorization_code_and_refresh() {
        let env = start(Seed::Demo).await;
        let base = env.emu.base_url();
        // `new` lives on the all-endpoints-unset typestate; the setters reach `Client`.
        let client: Client = oauth2::Client::<
            BasicErrorResponse,
            StandardTokenResponse<NotionFields, BasicTokenType>,
            BasicTokenIntrospectionResponse,
            StandardRevocableToken,
            BasicRevocationErrorResponse,
        >::new(ClientId::new(ID.into()))
        .set_client_secret(ClientSecret::new(SECRET.into()))
        .set_auth_uri(AuthUrl::from_url(base.join("v1/oauth/authorize").unwrap()))
        .set_token_uri(TokenUrl::from_url(base.join("v1/oauth/token").unwrap()))
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap());
        let (authorize, csrf) = client
            .authorize_url(CsrfToken::new_random)
            .add_extra_param("owner", "user")
            .url();

        let html = env
            .http
            .get(authorize.clone())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let form = notion_emulator::testing::consent_form(&html, true).expect("consent form");
        let answer = env
            .http
            .post(authorize.join(&form.action).unwrap())
            .form(&form.fields)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 303);
        let pairs = query_of(answer.headers()["location"].to_str().unwrap());
        assert_eq!(
            param(&pairs, "state").as_deref(),
            Some(csrf.secret().as_str())
        );
        let code = param(&pairs, "code").unwrap();

        let http = oauth2::reqwest::ClientBuilder::new()
            .redirect(oauth2::reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let token = client
            .exchange_code(AuthorizationCode::new(code.clone()))
            .request_async(&http)
            .await
            .unwrap();
        assert_eq!(
            token.extra_fields().workspace_name.as_deref(),
            Some("Acme Docs")
        );
        let access = AccessToken::new(token.access_token().secret().clone());
        assert_eq!(
            env.client.users_me(&access).await.unwrap().id,
            token.extra_fields().bot_id
        );

        match client
            .exchange_code(AuthorizationCode::new(code))
            .request_async(&http)
            .await
        {
            Err(RequestTokenError::ServerResponse(err)) => {
                assert_eq!(*err.error(), BasicErrorResponseType::InvalidGrant)
            }
            other => panic!("a used code must be invalid_grant, got {other:?}"),
        }

        let refresh = token.refresh_token().expect("refresh token").clone();
        let rotated = client
            .exchange_refresh_token(&refresh)
            .request_async(&http)
            .await
            .unwrap();
        assert_ne!(
            rotated.access_token().secret(),
            token.access_token().secret()
        );
        match client
            .exchange_refresh_token(&refresh)
            .request_async(&http)
            .await
        {
            Err(RequestTokenError::ServerResponse(err)) => {
                assert_eq!(*err.error(), BasicErrorResponseType::InvalidGrant)
            }
            other => panic!("a rotated-out refresh token must be invalid_grant, got {other:?}"),
        }
    }
}

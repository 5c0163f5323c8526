//! Fault injection: every kind, scripted and seeded, and how the client copes with each.

use std::time::Duration;

use notion::{ClientConfig, CreatePageRequest, NotionClient, NotionError, RetryPolicy};
use notion_emulator::{EmulatorConfig, FaultPlan, RateLimit, Seed};
use reqwest::Method;
use serde_json::json;

use crate::support::{assert_error, assert_hook_error, start_with, Env, Raw};

async fn env_with(faults: &str) -> Env {
    start_with(EmulatorConfig {
        seed: Seed::Demo,
        time_scale: 60.0,
        rate_limit: RateLimit::Off,
        faults: faults.parse::<FaultPlan>().expect("valid fault spec"),
        ..EmulatorConfig::default()
    })
    .await
}

async fn me(env: &Env) -> Raw {
    env.api(Method::GET, "/v1/users/me", None).await
}

fn last_fault(env: &Env) -> Option<String> {
    env.emu
        .handle()
        .ledger()
        .last()
        .and_then(|e| e.fault.clone())
}

#[tokio::test]
async fn status_faults_answer_like_notion_and_cloudflare() {
    let env = env_with("429,next=1;500,next=1;502,next=1;503,next=1;529,next=1").await;
    let r429 = me(&env).await;
    assert_error(&r429, 429, "rate_limited");
    assert!(r429.headers.contains_key("retry-after"));
    assert!(r429.json["additional_data"]["rate_limit_reason"].is_string());
    assert_eq!(last_fault(&env).as_deref(), Some("429"));
    assert_error(&me(&env).await, 500, "internal_server_error");
    let r502 = me(&env).await;
    assert_eq!(r502.status, 502);
    assert!(r502.json.is_null(), "a 502 from the proxy is not JSON");
    assert!(r502.text.contains("cloudflare"), "{}", r502.text);
    assert!(r502.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_error(&me(&env).await, 503, "service_unavailable");
    let r529 = me(&env).await;
    assert_error(&r529, 529, "service_overload");
    let retry_after: f64 = r529.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        retry_after > 0.0 && retry_after < 1.0,
        "scaled: {retry_after}"
    );
    // Scripted faults are used up: the next request is served.
    assert_eq!(me(&env).await.status, 200);
    let ledger = env.emu.handle().ledger();
    let faults: Vec<_> = ledger.iter().filter_map(|e| e.fault.as_deref()).collect();
    assert_eq!(faults, ["429", "500", "502", "503", "529"]);
}

#[tokio::test]
async fn the_client_retries_what_is_safe_to_retry() {
    let env = env_with("").await;
    let client = NotionClient::new(ClientConfig::with_base_url(env.emu.base_url()))
        .without_pacing()
        .with_retry_policy(RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(50),
            max_retry_after: Duration::from_secs(5),
        });
    let set = |spec: &str| env.emu.handle().set_faults(spec.parse().unwrap()).unwrap();

    // 429/529: retried for every method, honouring Retry-After.
    set("529,next=1,method=POST;429,next=1,method=POST");
    let page = client
        .create_page(
            &env.token,
            &CreatePageRequest::markdown(None, "Retried", "Body"),
        )
        .await
        .expect("429 and 529 are retried for POST");
    assert_eq!(
        env.emu.handle().find_pages("Retried").len(),
        1,
        "created once"
    );

    // 5xx: retried for GET...
    set("503,next=1;502,next=1");
    client
        .retrieve_page(&env.token, &page.id)
        .await
        .expect("GET retried after 503 and 502");
    // ...but not for POST, which may have been applied.
    set("500,next=1,method=POST");
    let err = client
        .create_page(&env.token, &CreatePageRequest::markdown(None, "Once", ""))
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(500));
    set("502,next=1,method=POST");
    let err = client
        .create_page(&env.token, &CreatePageRequest::markdown(None, "Once", ""))
        .await
        .unwrap_err();
    assert!(
        matches!(err, NotionError::UnexpectedStatus { status: 502, .. }),
        "HTML 502: {err:?}"
    );
}

#[tokio::test]
async fn a_delay_outlasts_the_client_timeout() {
    let env = env_with("delay,ms=1500,next=1").await;
    let client = NotionClient::new(ClientConfig {
        timeout: Duration::from_millis(200),
        ..ClientConfig::with_base_url(env.emu.base_url())
    })
    .without_pacing()
    .with_retry_policy(RetryPolicy::none());
    let started = std::time::Instant::now();
    let err = client.users_me(&env.token).await.unwrap_err();
    assert!(matches!(err, NotionError::Timeout), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
    client
        .users_me(&env.token)
        .await
        .expect("next call is on time");
}

#[tokio::test]
async fn a_reset_drops_the_connection_and_applies_nothing() {
    let env = env_with("reset,next=1,method=POST,path=/v1/pages").await;
    let sent = env
        .http
        .post(env.url("/v1/pages"))
        .bearer_auth(env.token.expose())
        .header("Notion-Version", crate::support::VERSION)
        .json(&json!({"parent": {"workspace": true}, "properties": {"title": [{"text": {"content": "Reset page"}}]}}))
        .send()
        .await;
    assert!(sent.is_err(), "no answer: {sent:?}");
    assert!(env.emu.handle().find_pages("Reset page").is_empty());
    assert_eq!(last_fault(&env).as_deref(), Some("reset"));
    assert_eq!(me(&env).await.status, 200, "the server is fine afterwards");
}

#[tokio::test]
async fn applied_but_response_lost() {
    let env = env_with("lost,next=1,method=POST,path=/v1/pages").await;
    let client = crate::support::client_for(&env.emu).without_pacing();
    let err = client
        .create_page(
            &env.token,
            &CreatePageRequest::markdown(None, "Lost answer", "Hi"),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, NotionError::Http(_)), "{err:?}");
    let pages = env.emu.handle().find_pages("Lost answer");
    assert_eq!(pages.len(), 1, "the write was applied");
    let entry = env.emu.handle().ledger().last().cloned().unwrap();
    assert_eq!((entry.status, entry.fault.as_deref()), (200, Some("lost")));
}

#[tokio::test]
async fn seeded_random_faults_repeat_for_the_same_seed() {
    let env = env_with("").await;
    let mut runs = Vec::new();
    for seed in [42, 42, 7] {
        let set = env
            .raw(
                Method::POST,
                "/__emulator/faults",
                None,
                None,
                Some(json!({"spec": format!("seed={seed};500,p=0.4,method=GET")})),
            )
            .await;
        assert_eq!(set.status, 200, "{}", set.text);
        let mut pattern = Vec::new();
        for _ in 0..24 {
            pattern.push(me(&env).await.status);
        }
        runs.push(pattern);
    }
    assert_eq!(runs[0], runs[1], "same seed, same faults");
    assert_ne!(runs[0], runs[2], "another seed, other faults");
    assert!(
        runs[0].contains(&500) && runs[0].contains(&200),
        "{:?}",
        runs[0]
    );

    let status = env
        .raw(Method::GET, "/__emulator/faults", None, None, None)
        .await;
    assert_eq!(status.json["seed"], 7);
    assert_eq!(status.json["rules"][0]["kind"], "500");
    let structured = env
        .raw(
            Method::POST,
            "/__emulator/faults",
            None,
            None,
            Some(json!({"seed": 1, "rules": [{"kind": "503", "count": 1, "path": "/v1/users/*"}]})),
        )
        .await;
    assert_eq!(structured.status, 200, "{}", structured.text);
    assert_eq!(me(&env).await.status, 503);
    let bad = env
        .raw(
            Method::POST,
            "/__emulator/faults",
            None,
            None,
            Some(json!({"spec": "teapot,p=2"})),
        )
        .await;
    assert_hook_error(&bad);
    let cleared = env
        .raw(Method::DELETE, "/__emulator/faults", None, None, None)
        .await;
    assert_eq!(cleared.status, 204);
    assert_eq!(me(&env).await.status, 200);
}

//! The per-token rate limit (issue 4 acceptance: a burst sees 429 with Retry-After; the client
//! under the same load sees no failure and averages at most 3 requests/s, time-scaled here).

use std::time::{Duration, Instant};

use notion::{AccessToken, ClientConfig, NotionClient, Pacing};
use notion_emulator::{EmulatorConfig, LedgerEntry, RateLimit, Seed};
use reqwest::Method;

use crate::support::{assert_error, start_with, Env, VERSION};

fn config(rate_limit: RateLimit, time_scale: f64) -> EmulatorConfig {
    EmulatorConfig {
        seed: Seed::Empty,
        rate_limit,
        time_scale,
        ..EmulatorConfig::default()
    }
}

async fn users_me(env: &Env, token: &str) -> crate::support::Raw {
    env.raw(
        Method::GET,
        "/v1/users/me",
        Some(token),
        Some(VERSION),
        None,
    )
    .await
}

#[tokio::test]
async fn a_burst_gets_429_with_an_integer_retry_after_at_notion_pace() {
    let env = start_with(config(RateLimit::NOTION, 1.0)).await;
    let token = env.token.expose().to_string();
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..14 {
        let raw = users_me(&env, &token).await;
        statuses.push(raw.status);
        if raw.status == 429 && refused.is_none() {
            refused = Some(raw);
        }
    }
    assert_eq!(&statuses[..10], &[200; 10], "a burst of 10 passes");
    assert!(statuses[10..].contains(&429), "{statuses:?}");
    let refused = refused.expect("a 429");
    assert_error(&refused, 429, "rate_limited");
    assert_eq!(
        refused.json["additional_data"]["rate_limit_reason"],
        "public_api_request_rate_limit"
    );
    let retry_after: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .expect("Retry-After is an integer number of seconds");
    assert!(retry_after >= 1);

    // Another token has its own budget; a request without a token is not rate limited.
    let other = env.emu.handle().mint_token("other").token;
    assert_eq!(users_me(&env, &other).await.status, 200);
    let anonymous = env
        .raw(Method::GET, "/v1/users/me", None, Some(VERSION), None)
        .await;
    assert_eq!(anonymous.status, 401);

    let ledger = env.emu.handle().ledger();
    let limited = ledger.iter().filter(|e| e.status == 429).count();
    assert_eq!(
        limited,
        statuses.iter().filter(|s| **s == 429).count(),
        "the ledger records 429s"
    );
}

#[tokio::test]
async fn the_time_scale_compresses_refill_and_retry_after() {
    let env = start_with(config(RateLimit::NOTION, 60.0)).await;
    let token = env.token.expose().to_string();
    let mut refused = None;
    for _ in 0..40 {
        let raw = users_me(&env, &token).await;
        if raw.status == 429 {
            refused = Some(raw);
            break;
        }
    }
    let refused = refused.expect("hammering hits the limit even at 180 requests/s");
    let retry_after: f64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0.0 && retry_after < 1.0, "{retry_after}");
    tokio::time::sleep(Duration::from_secs_f64(retry_after)).await;
    assert_eq!(users_me(&env, &token).await.status, 200);
}

#[tokio::test]
async fn off_means_off() {
    let env = start_with(config(RateLimit::Off, 1.0)).await;
    let token = env.token.expose().to_string();
    for _ in 0..30 {
        assert_eq!(users_me(&env, &token).await.status, 200);
    }
}

/// Requests of one token as the emulator's ledger saw them.
fn arrivals<'a>(ledger: &'a [LedgerEntry], hint: &str) -> Vec<&'a LedgerEntry> {
    let mut mine: Vec<_> = ledger
        .iter()
        .filter(|e| e.token_hint.as_deref() == Some(hint))
        .collect();
    mine.sort_by(|a, b| a.received_at_ms.total_cmp(&b.received_at_ms));
    mine
}

fn hint_of(token: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))[..12].to_string()
}

#[tokio::test]
async fn hammering_sees_429_while_the_paced_client_sees_no_failure_and_keeps_the_average() {
    const SCALE: f64 = 10.0; // Notion's 3 requests/s become 30/s; bursts stay 10.
    const TASKS: usize = 8;
    const PER_TASK: usize = 20;
    let env = start_with(config(RateLimit::NOTION, SCALE)).await;

    // Raw HTTP, all at once: the limiter answers 429 with Retry-After.
    let raw_token = env.emu.handle().mint_token("hammer").token;
    let mut hammer = tokio::task::JoinSet::new();
    for _ in 0..TASKS * PER_TASK {
        let (http, url, token) = (env.http.clone(), env.url("/v1/users/me"), raw_token.clone());
        hammer.spawn(async move {
            let resp = http
                .get(url)
                .bearer_auth(token)
                .header("Notion-Version", VERSION)
                .send()
                .await
                .expect("sent");
            (
                resp.status().as_u16(),
                resp.headers().get("retry-after").cloned(),
            )
        });
    }
    let mut raw_429 = 0;
    while let Some(joined) = hammer.join_next().await {
        let (status, retry_after) = joined.unwrap();
        if status == 429 {
            raw_429 += 1;
            assert!(retry_after.is_some(), "429 carries Retry-After");
        }
    }
    assert!(raw_429 > 0, "the raw burst is rate limited");

    // The client, same load (8 concurrent tasks, 160 requests), paced at the scaled rate.
    let client_token = env.emu.handle().mint_token("paced").token;
    let client = NotionClient::new(ClientConfig::with_base_url(env.emu.base_url()))
        .with_pacing(Pacing::notion().scaled(SCALE));
    let burst = client.pacing().expect("paced").burst() as usize;
    let started = Instant::now();
    let mut load = tokio::task::JoinSet::new();
    for _ in 0..TASKS {
        let (client, token) = (client.clone(), AccessToken::new(client_token.clone()));
        load.spawn(async move {
            for _ in 0..PER_TASK {
                client.users_me(&token).await?;
            }
            Ok::<_, notion::NotionError>(())
        });
    }
    while let Some(joined) = load.join_next().await {
        joined.unwrap().expect("no client call fails");
    }
    let wall = started.elapsed();

    let ledger = env.emu.handle().ledger();
    let mine = arrivals(&ledger, &hint_of(&client_token));
    let n = mine.len();
    assert_eq!(
        n,
        TASKS * PER_TASK,
        "one request per call: no retries were needed"
    );
    assert!(
        mine.iter().all(|e| e.status == 200),
        "the emulator refused none"
    );
    let limit = 3.0 * SCALE;
    // Past the burst, requests are paced: measure from the first paced arrival to the last.
    let paced_s = (mine[n - 1].received_at_ms - mine[burst].received_at_ms) / 1000.0;
    let sustained = (n - burst - 1) as f64 / paced_s;
    // Including the burst, over the whole run.
    let span_s = (mine[n - 1].received_at_ms - mine[0].received_at_ms) / 1000.0;
    let overall = n as f64 / span_s;
    eprintln!(
        "rate test: raw burst {} requests → {raw_429} × 429; client {n} requests in {wall:?}: \
         sustained {sustained:.1}/s, overall {overall:.1}/s (limit {limit}/s = 3/s × {SCALE}), \
         = {:.2}/s and {:.2}/s at Notion's pace",
        TASKS * PER_TASK,
        sustained / SCALE,
        overall / SCALE
    );
    assert!(
        sustained <= limit * 1.05,
        "past the burst, the client averages at most 3 requests/s (scaled): {sustained:.1}/s"
    );
    // Every window of arrivals stays within the emulator's burst (10) + rate × window: the
    // client's own burst (5) leaves room for requests that leave in order but arrive bunched.
    for (i, first) in mine.iter().enumerate() {
        for (j, last) in mine.iter().enumerate().skip(i) {
            let window_s = (last.received_at_ms - first.received_at_ms) / 1000.0;
            let count = (j - i + 1) as f64;
            assert!(
                count <= 10.0 + limit * window_s + 1.0,
                "{count} requests within {window_s:.3}s"
            );
        }
    }
}

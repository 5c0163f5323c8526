//! Headers, retries and error mapping, against a scripted HTTP server on loopback.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use notion::{AccessToken, ClientConfig, NotionClient, NotionError, RetryPolicy, SearchRequest};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// One canned answer: status, extra headers, body. `None` never answers (for timeouts).
type Script = Vec<Option<(u16, Vec<(&'static str, String)>, String)>>;

/// Serves `script` one answer per connection and records each request's head.
async fn serve(script: Script) -> (url::Url, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = url::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        for answer in script {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = sock.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(end) = find(&buf, b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if buf.len() >= end + 4 + len {
                        break;
                    }
                }
            }
            log.lock()
                .unwrap()
                .push(String::from_utf8_lossy(&buf).to_string());
            let Some((status, headers, body)) = answer else {
                // Hold the connection open without answering.
                tokio::time::sleep(Duration::from_secs(30)).await;
                continue;
            };
            let mut resp = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                resp.push_str(&format!("{k}: {v}\r\n"));
            }
            resp.push_str("\r\n");
            resp.push_str(&body);
            let _ = sock.write_all(resp.as_bytes()).await;
            let _ = sock.shutdown().await;
        }
    });
    (base, seen)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn client(base: url::Url) -> NotionClient {
    NotionClient::new(ClientConfig {
        base_url: base,
        notion_version: "2026-03-11".into(),
        timeout: Duration::from_millis(500),
    })
    .with_retry_policy(RetryPolicy {
        max_retries: 2,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
        max_retry_after: Duration::from_secs(5),
    })
}

fn error_body(status: u16, code: &str) -> String {
    format!(
        r#"{{"object":"error","status":{status},"code":"{code}","message":"m","request_id":"rid-{status}"}}"#
    )
}

const EMPTY_LIST: &str = r#"{"object":"list","results":[],"next_cursor":null,"has_more":false,"type":"page_or_data_source","page_or_data_source":{},"request_id":"ok"}"#;
const ME: &str =
    r#"{"object":"user","id":"u","name":"bot","avatar_url":null,"type":"bot","bot":{}}"#;

fn token() -> AccessToken {
    AccessToken::new("ntn_test_secret".into())
}

#[tokio::test]
async fn sends_version_and_bearer_and_retries_429_for_posts() {
    let (base, seen) = serve(vec![
        Some((
            429,
            vec![("retry-after", "0".into())],
            error_body(429, "rate_limited"),
        )),
        Some((200, vec![], EMPTY_LIST.into())),
    ])
    .await;
    let res = client(base)
        .search(&token(), &SearchRequest::pages("x"))
        .await
        .unwrap();
    assert!(res.results.is_empty());
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    let head = seen[0].to_ascii_lowercase();
    assert!(head.starts_with("post /v1/search "), "{head}");
    assert!(head.contains("notion-version: 2026-03-11"));
    assert!(head.contains("authorization: bearer ntn_test_secret"));
    assert!(seen[0].contains(r#""filter":{"property":"object","value":"page"}"#));
}

#[tokio::test]
async fn retries_5xx_for_gets_only() {
    let (base, seen) = serve(vec![
        Some((503, vec![], error_body(503, "service_unavailable"))),
        Some((502, vec![], "<html>bad gateway</html>".into())),
        Some((200, vec![], ME.into())),
    ])
    .await;
    let me = client(base).users_me(&token()).await.unwrap();
    assert_eq!(me.id, "u");
    assert_eq!(seen.lock().unwrap().len(), 3);

    let (base, seen) = serve(vec![Some((502, vec![], error_body(502, "bad_gateway")))]).await;
    let err = client(base)
        .search(&token(), &SearchRequest::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(502));
    assert!(err.is_transient());
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "a POST that may have been applied is not retried"
    );
}

#[tokio::test]
async fn gives_up_after_the_retry_budget_and_on_long_retry_after() {
    let limited = || {
        Some((
            429,
            vec![("retry-after", "0".to_string())],
            error_body(429, "rate_limited"),
        ))
    };
    let (base, seen) = serve(vec![limited(), limited(), limited()]).await;
    let err = client(base).users_me(&token()).await.unwrap_err();
    assert!(matches!(err, NotionError::RateLimited { .. }), "{err:?}");
    assert_eq!(err.request_id(), Some("rid-429"));
    assert_eq!(seen.lock().unwrap().len(), 3);

    let (base, seen) = serve(vec![Some((
        429,
        vec![("retry-after", "120".into())],
        error_body(429, "rate_limited"),
    ))])
    .await;
    let err = client(base).users_me(&token()).await.unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(120)));
    assert_eq!(
        seen.lock().unwrap().len(),
        1,
        "too long to wait: returned to the caller"
    );
}

#[tokio::test]
async fn maps_error_objects_and_timeouts() {
    let (base, _) = serve(vec![Some((
        404,
        vec![],
        error_body(404, "object_not_found"),
    ))])
    .await;
    let err = client(base)
        .retrieve_page(&token(), "abc")
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert_eq!(err.request_id(), Some("rid-404"));
    match err {
        NotionError::Api {
            status,
            code,
            message,
            ..
        } => {
            assert_eq!(
                (status, code.as_str(), message.as_str()),
                (404, "object_not_found", "m")
            )
        }
        other => panic!("{other:?}"),
    }

    let (base, seen) = serve(vec![None]).await;
    let err = client(base)
        .search(&token(), &SearchRequest::default())
        .await
        .unwrap_err();
    assert!(matches!(err, NotionError::Timeout), "{err:?}");
    assert_eq!(seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn ids_are_path_segments_and_base_paths_are_kept() {
    let (base, seen) = serve(vec![Some((200, vec![], ME.into()))]).await;
    let prefixed = base.join("proxy/notion/").unwrap();
    let _ = client(prefixed).retrieve_page(&token(), "a/b?c").await;
    let head = seen.lock().unwrap()[0].clone();
    assert!(
        head.starts_with("GET /proxy/notion/v1/pages/a%2Fb%3Fc "),
        "{head}"
    );
}

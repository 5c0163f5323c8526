//! Shape fidelity: the emulator's answers have the same JSON shape (keys and value types,
//! recursively) as responses recorded from the real API. Ids, times and texts may differ.
//!
//! Deliberate differences are listed in `DELIBERATE_DIFFERENCES`, and nowhere else.

use std::path::{Path, PathBuf};

use notion_emulator::Seed;
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::{start, Env};

/// `(case, path, reason)` of every accepted shape difference.
const DELIBERATE_DIFFERENCES: &[(&str, &str, &str)] = &[(
    "page 2026-03-11",
    "public_url",
    "the recorded page was published to the web (a string); emulated pages are never published (null)",
)];

fn fixtures_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/notion");
    assert!(root.is_dir(), "fixtures not found at {}", root.display());
    root
}

/// The response body of interaction `index` of a VCR.py cassette.
fn cassette_body(name: &str, index: usize) -> Value {
    let path = fixtures_root().join("notion-sdk-py/cassettes").join(name);
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let body = doc["interactions"][index]["response"]["body"]["string"]
        .as_str()
        .unwrap();
    serde_json::from_str(body).unwrap()
}

fn go_interaction_body(index: usize) -> Value {
    let path = fixtures_root().join("go-api-libs-notion/api/interactions.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    doc[index]["response"]["body"].clone()
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Differences as `path: description`. Arrays compare their first elements when both have one.
fn shape_diff(recorded: &Value, ours: &Value, path: &str, out: &mut Vec<(String, String)>) {
    let join = |k: &str| {
        if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        }
    };
    match (recorded, ours) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(w) => shape_diff(v, w, &join(k), out),
                    None => out.push((join(k), "missing in emulator".into())),
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push((join(k), "extra in emulator".into()));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) = (a.first(), b.first()) {
                shape_diff(x, y, &format!("{path}[]"), out);
            }
        }
        (a, b) if type_name(a) != type_name(b) => out.push((
            path.to_string(),
            format!("recorded {} vs emulator {}", type_name(a), type_name(b)),
        )),
        _ => {}
    }
}

fn assert_same_shape(case: &str, recorded: &Value, ours: &Value) {
    let mut diffs = Vec::new();
    shape_diff(recorded, ours, "", &mut diffs);
    let unexpected: Vec<String> = diffs
        .into_iter()
        .filter(|(path, _)| {
            !DELIBERATE_DIFFERENCES
                .iter()
                .any(|(c, p, _)| *c == case && p == path)
        })
        .map(|(path, what)| format!("{path}: {what}"))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{case}: shape differs from the recording:\n{}\nemulator: {ours:#}",
        unexpected.join("\n")
    );
}

async fn get(env: &Env, path: &str, version: &str) -> Value {
    let raw = env
        .raw(
            Method::GET,
            path,
            Some(env.token.expose()),
            Some(version),
            None,
        )
        .await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    raw.json
}

/// A page under another page, like the recorded ones, optionally with icon and cover.
async fn sub_page(env: &Env, decorated: bool) -> String {
    let parent = env
        .api(Method::POST, "/v1/pages", Some(json!({"parent": {"workspace": true}, "properties": {"title": [{"text": {"content": "Parent"}}]}})))
        .await;
    let parent_id = parent.json["id"].as_str().unwrap().to_string();
    let mut body = json!({"parent": {"page_id": parent_id},
        "properties": {"title": [{"text": {"content": "Example Page"}}]}, "markdown": "Hello"});
    if decorated {
        body["icon"] = json!({"type": "emoji", "emoji": "🌄"});
        body["cover"] =
            json!({"type": "external", "external": {"url": "https://example.com/cover.jpg"}});
    }
    let page = env.api(Method::POST, "/v1/pages", Some(body)).await;
    assert_eq!(page.status, 200, "{}", page.text);
    page.json["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn page_matches_the_2026_03_11_recording() {
    let env = start(Seed::Empty).await;
    let id = sub_page(&env, true).await;
    let ours = get(&env, &format!("/v1/pages/{id}"), "2026-03-11").await;
    assert_same_shape("page 2026-03-11", &go_interaction_body(0), &ours);
}

#[tokio::test]
async fn page_matches_the_2025_09_03_recording() {
    let env = start(Seed::Empty).await;
    let id = sub_page(&env, false).await;
    let ours = get(&env, &format!("/v1/pages/{id}"), "2025-09-03").await;
    assert_same_shape(
        "page 2025-09-03",
        &cassette_body("test_pages_retrieve.yaml", 1),
        &ours,
    );
    // The create answer has the same shape as the recorded create.
    let created = env
        .raw(Method::POST, "/v1/pages", Some(env.token.expose()), Some("2025-09-03"),
            Some(json!({"parent": {"page_id": id}, "properties": {"title": [{"text": {"content": "Child"}}]}, "children": []})))
        .await;
    assert_same_shape(
        "page 2025-09-03",
        &cassette_body("test_pages_retrieve.yaml", 0),
        &created.json,
    );
}

#[tokio::test]
async fn page_markdown_matches_the_recording() {
    let env = start(Seed::Empty).await;
    let id = sub_page(&env, false).await;
    let ours = get(&env, &format!("/v1/pages/{id}/markdown"), "2025-09-03").await;
    assert_same_shape(
        "page_markdown",
        &cassette_body("test_pages_retrieve_markdown.yaml", 1),
        &ours,
    );
}

#[tokio::test]
async fn search_matches_the_recording() {
    let env = start(Seed::Demo).await;
    let raw = env
        .raw(
            Method::POST,
            "/v1/search",
            Some(env.token.expose()),
            Some("2025-09-03"),
            Some(json!({})),
        )
        .await;
    assert_eq!(raw.status, 200);
    let recorded = cassette_body("test_collect_paginated_api.yaml", 0);
    assert!(!recorded["results"].as_array().unwrap().is_empty());
    // Compare against a top-level page, like the recorded result.
    let mut ours = raw.json.clone();
    let top = raw.json["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["parent"]["type"] == "workspace")
        .cloned()
        .unwrap();
    ours["results"] = json!([top]);
    assert_same_shape("search", &recorded, &ours);
}

#[tokio::test]
async fn users_me_matches_the_recording() {
    let env = start(Seed::Empty).await;
    let ours = get(&env, "/v1/users/me", "2025-09-03").await;
    assert_same_shape("users/me", &cassette_body("test_users_me.yaml", 0), &ours);
}

#[tokio::test]
async fn errors_match_the_recordings() {
    let env = start(Seed::Empty).await;
    let missing = env
        .api(
            Method::GET,
            "/v1/pages/00000000-0000-4000-8000-000000000000",
            None,
        )
        .await;
    assert_same_shape(
        "404",
        &cassette_body("test_build_request_error_integration.yaml", 0),
        &missing.json,
    );
    let unauthorized = env
        .raw(
            Method::GET,
            "/v1/users/me",
            Some("ntn_bad"),
            Some("2025-09-03"),
            None,
        )
        .await;
    assert_same_shape(
        "401",
        &cassette_body("test_api_response_error.yaml", 0),
        &unauthorized.json,
    );
}

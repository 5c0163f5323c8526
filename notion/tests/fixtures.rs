//! Every Notion response recorded with Notion-Version 2022-06-28 or later must parse with the
//! client's models, and writing the model back must keep every key Notion sent, except the ones
//! listed in `UNMODELED` (so a dropped field is a decision, not an accident).
//!
//! Walked: `shared/fixtures/notion/notion-sdk-py/cassettes/*.yaml` (VCR.py, Notion-Version
//! 2025-09-03), `go-api-libs-notion/api/interactions.json` (2026-03-11) and
//! `go-api-libs-notion/pkg/notion/vcr/*.yaml` (go-vcr, 2022-06-28). The other fixture folders
//! are listed in `SKIPPED_SOURCES` with the reason; a fixture file in no listed folder fails
//! the test, so new recordings cannot be ignored silently.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use notion::{
    AsyncTask, Block, BlockContent, Comment, CustomEmoji, DataSource, Database, ErrorObject,
    FileUpload, ListResponse, Page, PageMarkdown, PageOrDataSource, PropertyItemResponse,
    SearchResponse, TemplateList, User, View, ViewQuery,
};
use serde_json::Value;

/// Keys present in recorded responses that the models deliberately do not keep, as
/// `model: dotted.path` (array indices written as `[]`). Each is either irrelevant to a sync
/// client or only shows up in objects we keep as raw JSON anyway.
///
/// Empty today: every recorded key is kept. Payloads whose inner shape we do not type are kept
/// verbatim as JSON (see `KEPT_AS_JSON`), so their keys survive too.
const UNMODELED: &[&str] = &[];

/// Parts of recorded responses that the models keep as raw JSON instead of typing them (their
/// keys survive a round trip; nothing in the sync reads them). Informational: printed by the
/// test next to the counts.
const KEPT_AS_JSON: &[&str] = &[
    "Block: meeting_notes / transcription / unsupported payloads",
    "Mention: link_mention, template_mention, custom_emoji payloads",
    "Icon: custom_emoji, icon payloads",
    "PropertyValue: formula, rollup, verification, button values",
    "AsyncTask: operation, result",
    "Comment: attachments; FileUpload: file_import_result, number_of_parts",
    "View: filter, sorts, quick_filters, configuration; ViewQuery: results",
];

/// Fixture folders that are not walked, and why. Each holds responses recorded before
/// Notion-Version 2022-06-28, hand-written unit-test samples with no recorded version, or
/// webhook payloads (not API responses).
const SKIPPED_SOURCES: &[(&str, &str)] = &[
    (
        "laravel-notion-api",
        "recorded with Notion-Version 2021-05-13 (pre-2022-06-28 shapes)",
    ),
    (
        "takassh-notion-client",
        "unit-test samples with no recorded Notion-Version; pre-2025 database shapes",
    ),
    (
        "jomei-notionapi",
        "unit-test samples with no recorded Notion-Version (2022-era, partly hand-edited)",
    ),
    (
        "jakeswenson-notion",
        "2021-era unit-test samples with no recorded Notion-Version",
    ),
    (
        "notion-sdk-net",
        "unit-test samples with no recorded Notion-Version",
    ),
    (
        "notionrs/notionrs_types",
        "hand-made block/page samples with no recorded Notion-Version",
    ),
    (
        "notionrs/notionrs_webhooks",
        "webhook event payloads, not API responses",
    ),
];

/// Files of the walked sources (relative to the fixtures root).
const WALKED: &[&str] = &[
    "notion-sdk-py/cassettes/",
    "go-api-libs-notion/api/interactions.json",
    "go-api-libs-notion/pkg/notion/vcr/",
];

#[test]
fn every_fixture_file_is_walked_or_listed_as_skipped() {
    let root = fixtures_root();
    let mut stack = vec![root.clone()];
    let mut unlisted = Vec::new();
    let mut skipped_files: BTreeMap<&str, usize> = BTreeMap::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .to_string();
            if rel == "README.md" || WALKED.iter().any(|w| rel.starts_with(w)) {
                continue;
            }
            match SKIPPED_SOURCES.iter().find(|(dir, _)| rel.starts_with(dir)) {
                Some((dir, _)) => *skipped_files.entry(dir).or_default() += 1,
                None => unlisted.push(rel),
            }
        }
    }
    for (dir, reason) in SKIPPED_SOURCES {
        eprintln!(
            "skipped {dir}: {} files — {reason}",
            skipped_files.get(dir).copied().unwrap_or(0)
        );
    }
    assert!(
        unlisted.is_empty(),
        "fixture files neither walked nor listed as skipped: {unlisted:?}"
    );
}

struct Recorded {
    source: String,
    method: String,
    path: String,
    status: u16,
    body: String,
}

fn fixtures_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/notion");
    assert!(root.is_dir(), "fixtures not found at {}", root.display());
    root
}

fn api_path(uri: &str) -> Option<String> {
    let after = uri.split("/v1/").nth(1)?;
    Some(after.split('?').next().unwrap_or(after).to_string())
}

fn load_vcr_py(root: &Path, out: &mut Vec<Recorded>) {
    let dir = root.join("notion-sdk-py/cassettes");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for (i, it) in doc["interactions"]
            .as_sequence()
            .unwrap()
            .iter()
            .enumerate()
        {
            let uri = it["request"]["uri"].as_str().unwrap_or_default();
            let Some(path) = api_path(uri) else { continue };
            out.push(Recorded {
                source: format!("notion-sdk-py/{name}#{i}"),
                method: it["request"]["method"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                path,
                status: it["response"]["status"]["code"].as_u64().unwrap() as u16,
                body: it["response"]["body"]["string"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            });
        }
    }
}

fn load_go_vcr(root: &Path, out: &mut Vec<Recorded>) {
    for name in ["2025-02-15.yaml", "2025-02-16.yaml"] {
        let file = root.join("go-api-libs-notion/pkg/notion/vcr").join(name);
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        for (i, it) in doc["interactions"]
            .as_sequence()
            .unwrap()
            .iter()
            .enumerate()
        {
            let uri = it["request"]["url"].as_str().unwrap_or_default();
            let Some(path) = api_path(uri) else { continue };
            out.push(Recorded {
                source: format!("go-api-libs-notion/vcr/{name}#{i}"),
                method: it["request"]["method"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                path,
                status: it["response"]["code"].as_u64().unwrap() as u16,
                body: it["response"]["body"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            });
        }
    }
}

fn load_go_interactions(root: &Path, out: &mut Vec<Recorded>) {
    let file = root.join("go-api-libs-notion/api/interactions.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    for (i, it) in doc.as_array().unwrap().iter().enumerate() {
        let uri = it["request"]["url"].as_str().unwrap_or_default();
        let Some(path) = api_path(uri) else { continue };
        out.push(Recorded {
            source: format!("go-api-libs-notion/interactions.json#{i}"),
            method: it["request"]["method"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            path,
            status: it["response"]["statusCode"].as_u64().unwrap() as u16,
            body: it["response"]["body"].to_string(),
        });
    }
}

/// Which model an endpoint's success answer decodes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Model {
    Page,
    PageMarkdown,
    Search,
    UserMe,
    UserList,
    AsyncTask,
    Block,
    BlockList,
    PropertyItem,
    Database,
    DataSource,
    Query,
    Templates,
    Comment,
    CommentList,
    FileUpload,
    FileUploadList,
    View,
    ViewList,
    ViewQuery,
    ViewQueryResults,
    CustomEmojiList,
    Error,
}

fn classify(r: &Recorded) -> Option<Model> {
    if r.status >= 400 {
        return Some(Model::Error);
    }
    let segs: Vec<&str> = r.path.split('/').collect();
    let m = r.method.as_str();
    match (m, segs.as_slice()) {
        ("GET", ["users", "me"]) => Some(Model::UserMe),
        ("POST", ["search"]) => Some(Model::Search),
        ("POST", ["pages"]) | ("GET" | "PATCH", ["pages", _]) | ("POST", ["pages", _, "move"]) => {
            Some(Model::Page)
        }
        (_, ["pages", _, "markdown"]) if r.status == 202 => Some(Model::AsyncTask),
        ("GET" | "PATCH", ["pages", _, "markdown"]) => Some(Model::PageMarkdown),
        ("GET", ["async_tasks", _]) => Some(Model::AsyncTask),
        ("GET" | "PATCH" | "DELETE", ["blocks", _]) => Some(Model::Block),
        ("GET" | "PATCH", ["blocks", _, "children"]) => Some(Model::BlockList),
        ("GET", ["users"]) => Some(Model::UserList),
        ("GET", ["users", _]) => Some(Model::UserMe),
        ("GET", ["pages", _, "properties", _]) => Some(Model::PropertyItem),
        ("POST", ["databases"]) | ("GET" | "PATCH", ["databases", _]) => Some(Model::Database),
        ("POST", ["data_sources"]) | ("GET" | "PATCH", ["data_sources", _]) => {
            Some(Model::DataSource)
        }
        ("POST", ["data_sources" | "databases", _, "query"]) => Some(Model::Query),
        ("GET", ["data_sources", _, "templates"]) => Some(Model::Templates),
        ("POST", ["comments"]) | (_, ["comments", _]) => Some(Model::Comment),
        ("GET", ["comments"]) => Some(Model::CommentList),
        ("GET", ["file_uploads"]) => Some(Model::FileUploadList),
        ("POST", ["file_uploads"]) | (_, ["file_uploads", ..]) => Some(Model::FileUpload),
        ("POST", ["views"]) | (_, ["views", _]) => Some(Model::View),
        ("GET", ["views"]) => Some(Model::ViewList),
        ("GET", ["views", _, "queries", _]) => Some(Model::ViewQueryResults),
        (_, ["views", _, "queries", ..]) => Some(Model::ViewQuery),
        ("GET", ["custom_emojis"]) => Some(Model::CustomEmojiList),
        _ => None,
    }
}

fn decode_and_reencode(model: Model, body: &str) -> Result<Value, String> {
    fn go<T: serde::de::DeserializeOwned + serde::Serialize>(body: &str) -> Result<Value, String> {
        let parsed: T = serde_json::from_str(body).map_err(|e| e.to_string())?;
        serde_json::to_value(&parsed).map_err(|e| e.to_string())
    }
    match model {
        Model::Page => go::<Page>(body),
        Model::PageMarkdown => go::<PageMarkdown>(body),
        Model::Search => go::<SearchResponse>(body),
        Model::UserMe => go::<User>(body),
        Model::AsyncTask => go::<AsyncTask>(body),
        Model::Block => go::<Block>(body),
        Model::BlockList => go::<ListResponse<Block>>(body),
        Model::UserList => go::<ListResponse<User>>(body),
        Model::PropertyItem => go::<PropertyItemResponse>(body),
        Model::Database => go::<Database>(body),
        Model::DataSource => go::<DataSource>(body),
        Model::Query | Model::ViewQueryResults => go::<ListResponse<PageOrDataSource>>(body),
        Model::Templates => go::<TemplateList>(body),
        Model::Comment => go::<Comment>(body),
        Model::CommentList => go::<ListResponse<Comment>>(body),
        Model::FileUpload => go::<FileUpload>(body),
        Model::FileUploadList => go::<ListResponse<FileUpload>>(body),
        Model::View => go::<View>(body),
        Model::ViewList => go::<ListResponse<View>>(body),
        Model::ViewQuery => go::<ViewQuery>(body),
        Model::CustomEmojiList => go::<ListResponse<CustomEmoji>>(body),
        Model::Error => go::<ErrorObject>(body),
    }
}

/// Dotted paths of keys in `original` that are missing from `written`.
fn dropped_keys(original: &Value, written: &Value, path: &str, out: &mut Vec<String>) {
    match (original, written) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match b.get(k) {
                    Some(w) => dropped_keys(v, w, &p, out),
                    None => out.push(p),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for (v, w) in a.iter().zip(b) {
                dropped_keys(v, w, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

/// A recorded block whose type has a typed variant must decode into it, not into `Other`
/// (which would mean our payload model is wrong).
fn assert_blocks_typed(source: &str, blocks: &[Block], failures: &mut Vec<String>) {
    for b in blocks {
        if let BlockContent::Other { type_name, .. } = &b.content {
            if BlockContent::TYPE_NAMES.contains(&type_name.as_str()) {
                failures.push(format!(
                    "{source}: block type {type_name} fell back to Other"
                ));
            }
        }
    }
}

#[test]
fn recorded_responses_parse_with_models() {
    let root = fixtures_root();
    let mut all = Vec::new();
    load_vcr_py(&root, &mut all);
    load_go_vcr(&root, &mut all);
    load_go_interactions(&root, &mut all);
    assert!(
        all.len() > 100,
        "expected many recorded interactions, got {}",
        all.len()
    );

    let mut parsed: BTreeMap<Model, usize> = BTreeMap::new();
    let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut dropped: BTreeMap<String, Vec<String>> = BTreeMap::new();

    for r in &all {
        let Some(model) = classify(r) else {
            let key = format!("{} {}", r.method, endpoint_shape(&r.path));
            *skipped.entry(key).or_default() += 1;
            continue;
        };
        let original: Value = match serde_json::from_str(&r.body) {
            Ok(v) => v,
            Err(_) if model == Model::Error => {
                *skipped
                    .entry(format!("non-JSON error body {}", r.status))
                    .or_default() += 1;
                continue;
            }
            Err(e) => {
                failures.push(format!("{}: body is not JSON: {e}", r.source));
                continue;
            }
        };
        if model == Model::Error && original.get("object") != Some(&Value::from("error")) {
            *skipped
                .entry(format!("non-Notion error body {}", r.status))
                .or_default() += 1;
            continue;
        }
        match decode_and_reencode(model, &r.body) {
            Ok(written) => {
                *parsed.entry(model).or_default() += 1;
                let mut missing = Vec::new();
                dropped_keys(&original, &written, "", &mut missing);
                for m in missing {
                    let key = format!("{model:?}: {m}");
                    if !UNMODELED.contains(&key.as_str()) {
                        dropped.entry(key).or_default().push(r.source.clone());
                    }
                }
                if model == Model::BlockList {
                    let list: ListResponse<Block> = serde_json::from_str(&r.body).unwrap();
                    assert_blocks_typed(&r.source, &list.results, &mut failures);
                }
                if model == Model::Block {
                    let b: Block = serde_json::from_str(&r.body).unwrap();
                    assert_blocks_typed(&r.source, std::slice::from_ref(&b), &mut failures);
                }
            }
            Err(e) => failures.push(format!("{} ({model:?}): {e}", r.source)),
        }
    }

    eprintln!(
        "parsed {} recorded responses: {parsed:?}",
        parsed.values().sum::<usize>()
    );
    eprintln!("kept as raw JSON: {KEPT_AS_JSON:#?}");
    assert!(
        skipped.is_empty(),
        "recorded responses no model covers: {skipped:#?}"
    );
    assert!(
        failures.is_empty(),
        "fixtures that failed to parse:\n{}",
        failures.join("\n")
    );
    let report: Vec<String> = dropped
        .iter()
        .map(|(k, v)| format!("{k}  (e.g. {})", v[0]))
        .collect();
    assert!(
        report.is_empty(),
        "keys dropped by the models:\n{}",
        report.join("\n")
    );
    for model in [
        Model::Page,
        Model::PageMarkdown,
        Model::Search,
        Model::UserMe,
        Model::Error,
        Model::BlockList,
    ] {
        assert!(
            parsed.get(&model).copied().unwrap_or(0) > 0,
            "no fixture exercised {model:?}"
        );
    }
}

/// `pages/393abc…/markdown` → `pages/{id}/markdown`, for the skipped-endpoint report.
fn endpoint_shape(path: &str) -> String {
    path.split('/')
        .map(|s| {
            if s.len() >= 32 && s.chars().any(|c| c.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

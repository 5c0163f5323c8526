//! Markdown extras: truncation and `unknown_block_ids`, async writes and their tasks, the
//! deprecated `insert_content` / `replace_content_range` forms, and version deltas.

use std::time::Duration;

use notion::{AsyncTask, ContentUpdate, CreatePageRequest, UpdatePageMarkdown};
use notion_emulator::Seed;
use reqwest::Method;
use serde_json::json;

use crate::build::{markdown, page, raw_v};
use crate::support::{assert_error, start};

#[tokio::test]
async fn a_render_cap_truncates_and_writing_back_keeps_the_hidden_blocks() {
    let env = start(Seed::Empty).await;
    let body = "p0\np1\n- item\n\tchild\np4\np5";
    let p = page(&env, "Long", body).await;
    let ids_before: Vec<String> = env
        .client
        .list_all_block_children(&env.token, &p)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    env.emu.handle().set_markdown_render_cap(4);
    let md = env.client.get_page_markdown(&env.token, &p).await.unwrap();
    assert!(md.truncated);
    assert_eq!(md.unknown_block_ids.len(), 2, "{md:?}");
    let lines: Vec<&str> = md.markdown.lines().collect();
    assert_eq!(&lines[..4], ["p0", "p1", "- item", "\tchild"]);
    assert!(lines[4].starts_with("<unknown url=") && lines[4].ends_with("alt=\"paragraph\"/>"));
    assert!(md.markdown.contains(&ids_before[3].replace('-', "")));

    // Writing the truncated Markdown back loses nothing.
    let written = env
        .client
        .update_page_markdown(
            &env.token,
            &p,
            &UpdatePageMarkdown::replace_content(&md.markdown),
        )
        .await
        .unwrap();
    assert!(written.truncated);
    env.emu.handle().set_markdown_render_cap(20_000);
    let full = env.client.get_page_markdown(&env.token, &p).await.unwrap();
    assert_eq!(full.markdown, body);
    assert!(!full.truncated && full.unknown_block_ids.is_empty());
    let ids_after: Vec<String> = env
        .client
        .list_all_block_children(&env.token, &p)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert_eq!(ids_after, ids_before);
}

#[tokio::test]
async fn unsupported_and_unseen_blocks_are_unknown() {
    let env = start(Seed::Demo).await;
    // Unsupported blocks (the demo's bookmark) are `<unknown>` without truncating.
    let roadmap = env.seeded_page_id("Roadmap");
    let md = env
        .client
        .get_page_markdown(&env.token, &roadmap)
        .await
        .unwrap();
    assert_eq!(md.unknown_block_ids.len(), 1);
    assert!(!md.truncated);
    assert!(md.markdown.contains("alt=\"bookmark\"/>"));

    // A synced copy whose original the token cannot see.
    let secret = page(&env, "Secret", "").await;
    let open = page(&env, "Open", "").await;
    let original = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{secret}/children"),
            Some(json!({"children": [{"synced_block": {"synced_from": null,
                "children": [{"paragraph": {"rich_text": [{"text": {"content": "hidden"}}]}}]}}]})),
        )
        .await;
    let original_id = original.json["results"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let copy = env
        .api(
            Method::PATCH,
            &format!("/v1/blocks/{open}/children"),
            Some(
                json!({"children": [{"synced_block": {"synced_from": {"block_id": original_id}}}]}),
            ),
        )
        .await;
    assert_eq!(copy.status, 200, "{}", copy.text);
    let limited = env
        .emu
        .handle()
        .mint_token_for_pages("Limited", &[&open])
        .unwrap();
    let raw = env
        .raw(
            Method::GET,
            &format!("/v1/pages/{open}/markdown"),
            Some(&limited.token),
            Some(crate::support::VERSION),
            None,
        )
        .await;
    assert_eq!(raw.status, 200, "{}", raw.text);
    assert_eq!(raw.json["truncated"], true);
    assert_eq!(
        raw.json["unknown_block_ids"].as_array().map(Vec::len),
        Some(1)
    );
    assert!(raw.json["markdown"]
        .as_str()
        .unwrap()
        .contains("alt=\"synced_block\"/>"));
    // The full token sees the copy.
    assert!(markdown(&env, &open)
        .await
        .contains("<synced_block_reference"));
}

async fn poll_until_done(env: &crate::support::Env, id: &str) -> AsyncTask {
    for _ in 0..200 {
        let task = env
            .client
            .retrieve_async_task(&env.token, id)
            .await
            .unwrap();
        if task.is_finished() {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("task {id} did not finish");
}

#[tokio::test]
async fn async_writes_queue_run_and_expire() {
    let env = start(Seed::Empty).await;
    env.emu
        .handle()
        .set_async_task_timing(Duration::from_millis(300), Duration::from_secs(600));
    let p = page(&env, "Async", "old text").await;
    let task = env
        .client
        .update_page_markdown_async(
            &env.token,
            &p,
            &UpdatePageMarkdown::replace_content("new text"),
        )
        .await
        .unwrap();
    assert_eq!(
        (task.object.as_str(), task.status.as_str()),
        ("async_task", "queued")
    );
    assert!(task.id.starts_with("task_"));
    assert!(task.poll_after_seconds.is_some());
    assert!(task
        .status_url
        .as_deref()
        .is_some_and(|u| u.ends_with(&task.id)));
    // Not applied yet.
    assert_eq!(markdown(&env, &p).await, "old text");
    let done = poll_until_done(&env, &task.id).await;
    assert_eq!(done.status, "succeeded");
    assert_eq!(done.result_markdown().unwrap().markdown, "new text");
    assert_eq!(markdown(&env, &p).await, "new text");

    // Matching errors surface in the task, not in the 202.
    let failing = env
        .client
        .update_page_markdown_async(
            &env.token,
            &p,
            &UpdatePageMarkdown::update_content(vec![ContentUpdate::new("absent", "x")]),
        )
        .await
        .unwrap();
    let failed = poll_until_done(&env, &failing.id).await;
    assert_eq!(failed.status, "failed");
    assert_eq!(
        failed.error.as_ref().map(|e| e.code.as_str()),
        Some("validation_error")
    );

    // Create with Markdown, asynchronously.
    let created = env
        .client
        .create_page_async(
            &env.token,
            &CreatePageRequest::markdown(Some(&p), "", "# Later\nBody"),
        )
        .await
        .unwrap();
    let done = poll_until_done(&env, &created.id).await;
    let later = done.result_page().expect("a page result");
    assert_eq!(later.title(), "Later");
    assert_eq!(markdown(&env, &later.id).await, "Body");

    // Without markdown, allow_async is refused; unknown tasks are 404.
    let bad = env
        .api(
            Method::POST,
            "/v1/pages",
            Some(json!({"parent": {"page_id": p}, "allow_async": true, "children": [{"paragraph": {"rich_text": []}}]})),
        )
        .await;
    assert_error(&bad, 400, "validation_error");
    let unknown = env
        .api(Method::GET, "/v1/async_tasks/task_nope", None)
        .await;
    assert_error(&unknown, 404, "object_not_found");

    // Finished tasks expire.
    env.emu
        .handle()
        .set_async_task_timing(Duration::from_millis(1), Duration::from_millis(100));
    let q = page(&env, "Short-lived", "before").await;
    let short = env
        .client
        .update_page_markdown_async(
            &env.token,
            &q,
            &UpdatePageMarkdown::replace_content("again"),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let gone = env
        .api(Method::GET, &format!("/v1/async_tasks/{}", short.id), None)
        .await;
    assert_error(&gone, 404, "object_not_found");
    assert_eq!(markdown(&env, &q).await, "again");
}

#[tokio::test]
async fn insert_content_and_replace_content_range() {
    let env = start(Seed::Empty).await;
    let p = page(&env, "Legacy edits", "").await;
    // As recorded: a blank line in the inserted Markdown is dropped.
    let out = env
        .client
        .update_page_markdown(
            &env.token,
            &p,
            &UpdatePageMarkdown::InsertContent {
                content: "## New Section\n\nHello from markdown.".into(),
                after: None,
                at_start: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(out.markdown, "## New Section\nHello from markdown.");
    let out = env
        .client
        .update_page_markdown(
            &env.token,
            &p,
            &UpdatePageMarkdown::InsertContent {
                content: "Between".into(),
                after: Some("## New...Section".into()),
                at_start: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        out.markdown,
        "## New Section\nBetween\nHello from markdown."
    );
    let out = env
        .client
        .update_page_markdown(
            &env.token,
            &p,
            &UpdatePageMarkdown::InsertContent {
                content: "First".into(),
                after: None,
                at_start: true,
            },
        )
        .await
        .unwrap();
    assert!(out.markdown.starts_with("First\n## New Section"));
    let out = env
        .client
        .update_page_markdown(
            &env.token,
            &p,
            &UpdatePageMarkdown::ReplaceContentRange {
                content: "Only".into(),
                content_range: "Between...markdown.".into(),
                allow_deleting_content: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(out.markdown, "First\n## New Section\nOnly");
    let miss = env
        .client
        .update_page_markdown(
            &env.token,
            &p,
            &UpdatePageMarkdown::ReplaceContentRange {
                content: "x".into(),
                content_range: "nothing...here".into(),
                allow_deleting_content: false,
            },
        )
        .await
        .unwrap_err();
    assert!(miss.is_validation_error());
    let both = env
        .api(
            Method::PATCH,
            &format!("/v1/pages/{p}/markdown"),
            Some(
                json!({"type": "insert_content", "insert_content": {"content": "x",
                "after": "First", "position": {"type": "start"}}}),
            ),
        )
        .await;
    assert_error(&both, 400, "validation_error");
}

#[tokio::test]
async fn the_archived_key_per_version() {
    let env = start(Seed::Empty).await;
    let p = page(&env, "V", "x").await;
    let db = env
        .api(
            Method::POST,
            "/v1/databases",
            Some(json!({"parent": {"page_id": p}, "title": [{"text": {"content": "D"}}]})),
        )
        .await;
    let db_id = db.json["id"].as_str().unwrap().to_string();
    let ds_id = db.json["data_sources"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let block = env
        .client
        .list_all_block_children(&env.token, &p)
        .await
        .unwrap()[0]
        .id
        .clone();
    for (version, has_archived) in [
        ("2026-03-11", false),
        ("2025-09-03", true),
        ("2022-06-28", true),
    ] {
        let mut paths = vec![
            format!("/v1/pages/{p}"),
            format!("/v1/blocks/{block}"),
            format!("/v1/databases/{db_id}"),
        ];
        if version != "2022-06-28" {
            paths.push(format!("/v1/data_sources/{ds_id}"));
        }
        for path in paths {
            let raw = raw_v(&env, version, Method::GET, &path, None).await;
            assert_eq!(raw.status, 200, "{version} {path}: {}", raw.text);
            assert_eq!(
                raw.json.get("archived").is_some(),
                has_archived,
                "{version} {path}"
            );
            assert_eq!(raw.json["in_trash"], false, "{version} {path}");
        }
    }
}

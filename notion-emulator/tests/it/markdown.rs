//! GET/PATCH /v1/pages/{id}/markdown, incl. id preservation.

use std::time::Duration;

use notion::{ContentUpdate, CreatePageRequest, MarkdownVersion, PageParent, UpdatePageMarkdown};
use notion_emulator::{EmulatorConfig, Seed};
use reqwest::Method;
use serde_json::json;

use crate::support::{assert_error, start, start_with, Env};

async fn page_with(env: &Env, title: &str, markdown: &str) -> String {
    env.client
        .create_page(
            &env.token,
            &CreatePageRequest {
                parent: PageParent::Workspace,
                title: Some(title.into()),
                markdown: Some(markdown.into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .id
}

fn update(old: &str, new: &str) -> ContentUpdate {
    ContentUpdate {
        old_str: old.into(),
        new_str: new.into(),
        replace_all_matches: false,
    }
}

fn edits(updates: Vec<ContentUpdate>) -> UpdatePageMarkdown {
    UpdatePageMarkdown::UpdateContent {
        content_updates: updates,
        allow_deleting_content: false,
    }
}

#[tokio::test]
async fn get_markdown_shape_and_versions() {
    let env = start(Seed::Empty).await;
    let id = page_with(&env, "Empty", "").await;
    let md = env.client.get_page_markdown(&env.token, &id).await.unwrap();
    assert_eq!(md.object, "page_markdown");
    assert_eq!(md.id, id);
    assert_eq!(md.markdown, "");
    assert!(!md.truncated);
    assert!(md.unknown_block_ids.is_empty());
    assert!(md.request_id.is_some());
    let v2 = env
        .client
        .get_page_markdown_with_version(&env.token, &id, Some(MarkdownVersion::V2))
        .await
        .unwrap();
    assert_eq!(v2.id, id);
    let bad = env
        .api(
            Method::GET,
            &format!("/v1/pages/{id}/markdown?markdown_version=v9"),
            None,
        )
        .await;
    assert_error(&bad, 400, "validation_error");
}

#[tokio::test]
async fn update_content_keeps_the_ids_of_untouched_blocks() {
    let env = start(Seed::Empty).await;
    let id = page_with(
        &env,
        "Ids",
        "# Plan\nFirst paragraph\nSecond paragraph\n- item one\n- item two\nClosing words",
    )
    .await;
    let before = env.block_ids(&id);
    assert_eq!(before.len(), 6);

    let md = env
        .client
        .update_page_markdown(
            &env.token,
            &id,
            &edits(vec![update("Second paragraph", "Second paragraph, edited")]),
        )
        .await
        .unwrap();
    assert_eq!(
        md.markdown,
        "# Plan\nFirst paragraph\nSecond paragraph, edited\n- item one\n- item two\nClosing words"
    );
    assert_eq!(
        env.block_ids(&id),
        before,
        "every block keeps its id; the edited one is edited in place"
    );

    // Insert a block: all existing ids stay, one new id appears.
    env.client
        .update_page_markdown(
            &env.token,
            &id,
            &edits(vec![update("- item two", "- item two\n- item three")]),
        )
        .await
        .unwrap();
    let after_insert = env.block_ids(&id);
    assert_eq!(after_insert.len(), 7);
    assert_eq!(&after_insert[..5], &before[..5]);
    assert_eq!(after_insert[6], before[5]);
    assert!(!before.contains(&after_insert[5]));

    // Delete a block: the others keep their ids.
    env.client
        .update_page_markdown(
            &env.token,
            &id,
            &edits(vec![update("First paragraph\n", "")]),
        )
        .await
        .unwrap();
    let after_delete = env.block_ids(&id);
    assert_eq!(after_delete.len(), 6);
    assert_eq!(after_delete[0], before[0]);
    assert_eq!(&after_delete[1..], &after_insert[2..]);

    // The PATCH answer is the same as a fresh GET.
    let got = env.client.get_page_markdown(&env.token, &id).await.unwrap();
    assert_eq!(
        got.markdown,
        "# Plan\nSecond paragraph, edited\n- item one\n- item two\n- item three\nClosing words"
    );
}

#[tokio::test]
async fn replace_content_keeps_ids_of_unchanged_blocks_too() {
    let env = start(Seed::Empty).await;
    let id = page_with(&env, "Replace", "Alpha\nBeta\nGamma").await;
    let before = env.block_ids(&id);
    let md = env
        .client
        .update_page_markdown(
            &env.token,
            &id,
            &UpdatePageMarkdown::ReplaceContent {
                new_str: "Alpha\nGamma\nDelta".into(),
                allow_deleting_content: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(md.markdown, "Alpha\nGamma\nDelta");
    let after = env.block_ids(&id);
    assert_eq!(after[0], before[0]);
    assert_eq!(after[1], before[2]);
    assert!(!before.contains(&after[2]));
}

#[tokio::test]
async fn update_content_match_rules() {
    let env = start(Seed::Empty).await;
    let id = page_with(&env, "Rules", "todo: one\ntodo: two\nunique line").await;
    let none = env
        .client
        .update_page_markdown(&env.token, &id, &edits(vec![update("absent", "x")]))
        .await
        .unwrap_err();
    assert!(none.is_validation_error(), "{none:?}");
    let many = env
        .client
        .update_page_markdown(&env.token, &id, &edits(vec![update("todo:", "done:")]))
        .await
        .unwrap_err();
    assert!(many.is_validation_error(), "{many:?}");
    // A failed request changes nothing, even when an earlier update in it matched.
    let partial = env
        .client
        .update_page_markdown(
            &env.token,
            &id,
            &edits(vec![update("unique", "UNIQUE"), update("absent", "x")]),
        )
        .await
        .unwrap_err();
    assert!(partial.is_validation_error());
    let all = ContentUpdate {
        old_str: "todo:".into(),
        new_str: "done:".into(),
        replace_all_matches: true,
    };
    let md = env
        .client
        .update_page_markdown(&env.token, &id, &edits(vec![all]))
        .await
        .unwrap();
    assert_eq!(md.markdown, "done: one\ndone: two\nunique line");

    let too_many: Vec<_> = (0..101)
        .map(|_| json!({"old_str": "unique", "new_str": "unique"}))
        .collect();
    let body = json!({"type": "update_content", "update_content": {"content_updates": too_many}});
    assert_error(
        &env.api(
            Method::PATCH,
            &format!("/v1/pages/{id}/markdown"),
            Some(body),
        )
        .await,
        400,
        "validation_error",
    );
    let body = json!({"type": "rewrite_everything"});
    assert_error(
        &env.api(
            Method::PATCH,
            &format!("/v1/pages/{id}/markdown"),
            Some(body),
        )
        .await,
        400,
        "validation_error",
    );
    let body = json!({"type": "replace_content"});
    assert_error(
        &env.api(
            Method::PATCH,
            &format!("/v1/pages/{id}/markdown"),
            Some(body),
        )
        .await,
        400,
        "validation_error",
    );
    assert_error(
        &env.api_bytes(Method::PATCH, &format!("/v1/pages/{id}/markdown"), "[1,")
            .await,
        400,
        "invalid_json",
    );
    let missing = "00000000-0000-4000-8000-000000000000";
    let body = json!({"type": "replace_content", "replace_content": {"new_str": "x"}});
    assert_error(
        &env.api(
            Method::PATCH,
            &format!("/v1/pages/{missing}/markdown"),
            Some(body),
        )
        .await,
        404,
        "object_not_found",
    );
}

#[tokio::test]
async fn deleting_a_child_page_needs_allow_deleting_content() {
    let env = start(Seed::Empty).await;
    let parent = page_with(&env, "Parent", "Intro").await;
    let child = env
        .client
        .create_page(
            &env.token,
            &CreatePageRequest {
                parent: PageParent::PageId(parent.clone()),
                title: Some("Child".into()),
                markdown: None,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let replace = |allow| UpdatePageMarkdown::ReplaceContent {
        new_str: "Intro only".into(),
        allow_deleting_content: allow,
    };
    let refused = env
        .client
        .update_page_markdown(&env.token, &parent, &replace(false))
        .await
        .unwrap_err();
    assert!(refused.is_validation_error(), "{refused:?}");
    assert!(
        !env.client
            .retrieve_page(&env.token, &child.id)
            .await
            .unwrap()
            .in_trash
    );

    // Editing around the <page> tag is fine.
    env.client
        .update_page_markdown(
            &env.token,
            &parent,
            &edits(vec![update("Intro", "Introduction")]),
        )
        .await
        .unwrap();
    assert!(
        !env.client
            .retrieve_page(&env.token, &child.id)
            .await
            .unwrap()
            .in_trash
    );

    env.client
        .update_page_markdown(&env.token, &parent, &replace(true))
        .await
        .unwrap();
    assert!(
        env.client
            .retrieve_page(&env.token, &child.id)
            .await
            .unwrap()
            .in_trash
    );
    let md = env
        .client
        .get_page_markdown(&env.token, &parent)
        .await
        .unwrap();
    assert_eq!(md.markdown, "Intro only");
}

#[tokio::test]
async fn a_page_tag_naming_another_page_moves_it_here() {
    let env = start(Seed::Empty).await;
    let parent = page_with(&env, "Parent", "Intro").await;
    let other = page_with(&env, "Elsewhere", "Body").await;
    let tag = format!(
        "<page url=\"https://www.notion.so/{}\">Elsewhere</page>",
        other.replace('-', "")
    );
    let md = env
        .client
        .update_page_markdown(
            &env.token,
            &parent,
            &edits(vec![update("Intro", &format!("Intro\n{tag}"))]),
        )
        .await
        .unwrap();
    assert_eq!(md.markdown, format!("Intro\n{tag}"));
    let moved = env.client.retrieve_page(&env.token, &other).await.unwrap();
    assert_eq!(moved.parent, Some(notion::Parent::PageId(parent.clone())));
    // Its block id is the page id.
    assert_eq!(env.block_ids(&parent)[1], other);

    // A tag naming a page that does not exist (or is not shared) is refused.
    let ghost = "<page url=\"https://www.notion.so/0000000000004000800000000000beef\">Ghost</page>";
    let err = env
        .client
        .update_page_markdown(
            &env.token,
            &parent,
            &edits(vec![update("Intro", &format!("Intro\n{ghost}"))]),
        )
        .await
        .unwrap_err();
    assert!(err.is_validation_error(), "{err:?}");
    // A page cannot be moved under itself.
    let own = format!(
        "<page url=\"https://www.notion.so/{}\">Parent</page>",
        parent.replace('-', "")
    );
    let err = env
        .client
        .update_page_markdown(
            &env.token,
            &parent,
            &edits(vec![update("Intro", &format!("Intro\n{own}"))]),
        )
        .await
        .unwrap_err();
    assert!(err.is_validation_error(), "{err:?}");
}

#[tokio::test]
async fn unknown_blocks_are_listed_and_survive_edits() {
    let env = start(Seed::Demo).await;
    let roadmap = env.seeded_page_id("Roadmap");
    let md = env
        .client
        .get_page_markdown(&env.token, &roadmap)
        .await
        .unwrap();
    assert_eq!(md.unknown_block_ids.len(), 1);
    let unknown_id = md.unknown_block_ids[0].clone();
    assert!(md.markdown.contains(&format!(
        "#{}\" alt=\"bookmark\"/>",
        unknown_id.replace('-', "")
    )));
    let edited = env
        .client
        .update_page_markdown(
            &env.token,
            &roadmap,
            &edits(vec![update("## Later", "## Someday")]),
        )
        .await
        .unwrap();
    assert_eq!(edited.unknown_block_ids, vec![unknown_id.clone()]);
    // Writing the whole body back unchanged keeps the block too.
    let again = env
        .client
        .update_page_markdown(
            &env.token,
            &roadmap,
            &UpdatePageMarkdown::ReplaceContent {
                new_str: edited.markdown.clone(),
                allow_deleting_content: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(again.markdown, edited.markdown);
    assert_eq!(again.unknown_block_ids, vec![unknown_id]);
}

#[tokio::test]
async fn edits_bump_last_edited_time_and_by() {
    // Time scale 600: timestamps are floored to 100 ms instead of a minute.
    let env = start_with(EmulatorConfig {
        seed: Seed::Demo,
        time_scale: 600.0,
        ..EmulatorConfig::default()
    })
    .await;
    let handbook = env.seeded_page_id("Team Handbook");
    let before = env
        .client
        .retrieve_page(&env.token, &handbook)
        .await
        .unwrap();
    assert_ne!(before.last_edited_by.as_ref().unwrap().id, env.bot_id);
    tokio::time::sleep(Duration::from_millis(150)).await;
    env.client
        .update_page_markdown(
            &env.token,
            &handbook,
            &edits(vec![update("Be kind, be direct", "Be kind and direct")]),
        )
        .await
        .unwrap();
    let after = env
        .client
        .retrieve_page(&env.token, &handbook)
        .await
        .unwrap();
    assert!(after.last_edited_time > before.last_edited_time);
    assert_eq!(after.last_edited_by.as_ref().unwrap().id, env.bot_id);
    assert_eq!(after.created_time, before.created_time);
}

#[tokio::test]
async fn markdown_bodies_over_500_kb_are_refused() {
    let env = start(Seed::Empty).await;
    let big = "word ".repeat(110_000); // 550 KB
    let err = env
        .client
        .create_page(
            &env.token,
            &CreatePageRequest {
                parent: PageParent::Workspace,
                title: Some("Big".into()),
                markdown: Some(big.clone()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(err.is_validation_error(), "{err:?}");
    let id = page_with(&env, "Small", "Small.").await;
    let err = env
        .client
        .update_page_markdown(&env.token, &id, &UpdatePageMarkdown::replace_content(&big))
        .await
        .unwrap_err();
    assert!(err.is_validation_error(), "{err:?}");
    // Just under the limit is fine.
    let fits = "word ".repeat(90_000);
    env.client
        .update_page_markdown(&env.token, &id, &UpdatePageMarkdown::replace_content(&fits))
        .await
        .unwrap();
}

//! The HTML view at `/__emulator/`: the page tree, pages rendered from Markdown, and editing
//! through the same write path as the API.

use notion::CreatePageRequest;
use notion_emulator::{EmulatorConfig, RateLimit, Seed};

use crate::support::{into_raw, start_with, Env, Raw};

async fn env() -> Env {
    start_with(EmulatorConfig {
        seed: Seed::Demo,
        rate_limit: RateLimit::Off,
        ..EmulatorConfig::default()
    })
    .await
}

async fn get(env: &Env, path: &str) -> Raw {
    into_raw(env.http.get(env.url(path)).send().await.unwrap()).await
}

/// The hidden `base` field of a page's editor form.
fn base_of(html: &str) -> String {
    let at = html.find("name=\"base\" value=\"").expect("base field") + 19;
    html[at..at + 64].to_string()
}

async fn save(env: &Env, page_id: &str, form: &[(&str, &str)]) -> Raw {
    into_raw(
        env.http
            .post(env.url(&format!("/__emulator/pages/{page_id}")))
            .form(form)
            .send()
            .await
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn index_lists_the_tree_and_pages_render_from_markdown() {
    let env = env().await;
    let index = get(&env, "/__emulator/").await;
    assert_eq!(index.status, 200);
    assert!(index.text.contains("id=\"workspace-name\">Acme Docs<"));
    let handbook = env.seeded_page_id("Team Handbook");
    let onboarding = env.seeded_page_id("Onboarding Checklist");
    // The sub-page is nested inside its parent's list item.
    let parent_at = index
        .text
        .find(&format!("data-page-id=\"{handbook}\""))
        .unwrap();
    let child_at = index
        .text
        .find(&format!("data-page-id=\"{onboarding}\""))
        .unwrap();
    assert!(child_at > parent_at);
    assert!(index.text[parent_at..child_at].contains("<ul class=\"tree\">"));
    assert!(index
        .text
        .contains(&format!("href=\"/__emulator/pages/{handbook}\"")));

    let page = get(&env, &format!("/__emulator/pages/{handbook}")).await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("<h3>Values</h3>"), "rendered heading");
    assert!(
        page.text.contains("<strong>how we work</strong>"),
        "rendered emphasis"
    );
    assert!(page.text.contains("<table>"), "rendered table");
    assert!(
        page.text.contains("## Values"),
        "the Markdown in the editor"
    );
    assert!(page.text.contains("<textarea name=\"markdown\""));
    assert_eq!(get(&env, "/__emulator/pages/not-an-id").await.status, 404);
}

#[tokio::test]
async fn content_is_escaped() {
    let env = env().await;
    let page = env
        .client
        .create_page(
            &env.token,
            &CreatePageRequest::markdown(
                None,
                "<script>alert(1)</script>",
                "<img src=x onerror=alert(2)> & [click](javascript:alert(3))",
            ),
        )
        .await
        .unwrap();
    let index = get(&env, "/__emulator/").await;
    assert!(!index.text.contains("<script>alert"), "{}", index.text);
    assert!(index.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let html = get(&env, &format!("/__emulator/pages/{}", page.id)).await;
    assert!(!html.text.contains("<script>alert"));
    assert!(!html.text.contains("<img src=x"));
    assert!(!html.text.contains("href=\"javascript:"));
}

#[tokio::test]
async fn a_person_edits_a_page_through_the_api_write_path() {
    let env = env().await;
    let roadmap = env.seeded_page_id("Roadmap");
    let before_ids = env.block_ids(&roadmap);
    let before = env.emu.handle().page_markdown(&roadmap).unwrap();
    let first_line = before.lines().next().unwrap().to_string();
    let page = get(&env, &format!("/__emulator/pages/{roadmap}")).await;
    let base = base_of(&page.text);

    // Browsers send CRLF; only the last line changes.
    let edited = format!("{}\nAdded by a person.", before.trim_end()).replace('\n', "\r\n");
    let saved = save(&env, &roadmap, &[("markdown", &edited), ("base", &base)]).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let after = env.emu.handle().page_markdown(&roadmap).unwrap();
    assert!(after.ends_with("Added by a person."), "{after}");
    assert!(after.starts_with(&first_line));
    let after_ids = env.block_ids(&roadmap);
    assert_eq!(
        &after_ids[..before_ids.len()],
        &before_ids[..],
        "untouched blocks keep their ids"
    );

    // last_edited_by is the workspace owner (a person), and a webhook event was recorded.
    let api_page = env
        .client
        .retrieve_page(&env.token, &roadmap)
        .await
        .unwrap();
    let state = env.emu.handle().state_json();
    let owner = state["workspace"]["owner"].as_str().unwrap();
    assert_eq!(
        api_page.last_edited_by.as_ref().map(|u| u.id.as_str()),
        Some(owner)
    );
    let event = env
        .emu
        .handle()
        .events()
        .into_iter()
        .find(|e| e.kind == "page.content_updated")
        .expect("an event");
    assert_eq!(event.actor.to_string(), owner);
    assert!(!event.updated_blocks.is_empty());

    // A stale editor is refused with the person's text kept.
    let stale = save(
        &env,
        &roadmap,
        &[("markdown", "Overwrite!"), ("base", &base)],
    )
    .await;
    assert_eq!(stale.status, 409);
    assert!(stale.text.contains("Overwrite!"));
    assert_eq!(env.emu.handle().page_markdown(&roadmap).unwrap(), after);

    // Cross-site form posts are refused.
    let forged = into_raw(
        env.http
            .post(env.url(&format!("/__emulator/pages/{roadmap}")))
            .header("Origin", "https://evil.example")
            .form(&[("markdown", "pwned")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(forged.status, 403);
}

#[tokio::test]
async fn deleting_a_sub_page_needs_the_checkbox() {
    let env = env().await;
    let handbook = env.seeded_page_id("Team Handbook");
    let page = get(&env, &format!("/__emulator/pages/{handbook}")).await;
    let base = base_of(&page.text);
    let md = env.emu.handle().page_markdown(&handbook).unwrap();
    let without_child: String = md
        .lines()
        .filter(|l| !l.contains("<page"))
        .collect::<Vec<_>>()
        .join("\n");
    let refused = save(
        &env,
        &handbook,
        &[("markdown", &without_child), ("base", &base)],
    )
    .await;
    assert_eq!(refused.status, 400);
    assert!(
        refused.text.contains("allow_deleting_content"),
        "{}",
        refused.text
    );
    assert!(!env.emu.handle().find_pages("Onboarding Checklist")[0].in_trash);
    let allowed = save(
        &env,
        &handbook,
        &[
            ("markdown", &without_child),
            ("base", &base),
            ("allow_deleting", "true"),
        ],
    )
    .await;
    assert_eq!(allowed.status, 303);
    assert!(env.emu.handle().find_pages("Onboarding Checklist")[0].in_trash);
}

//! The client's list streams against the emulator's cursor pagination.

use futures::{StreamExt as _, TryStreamExt as _};
use notion::SearchRequest;
use notion_emulator::Seed;

use crate::support::start;

#[tokio::test]
async fn search_stream_follows_cursors_one_page_at_a_time() {
    let env = start(Seed::Demo).await;
    let req = SearchRequest {
        page_size: Some(1),
        ..SearchRequest::pages("")
    };
    let titles: Vec<String> = env
        .client
        .search_stream(&env.token, &req)
        .map_ok(|r| match r {
            notion::SearchResult::Page(p) => p.title(),
            other => panic!("only pages: {other:?}"),
        })
        .try_collect()
        .await
        .unwrap();
    let mut sorted = titles.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "Meeting Notes",
            "Onboarding Checklist",
            "Roadmap",
            "Team Handbook"
        ]
    );
    let searches = env
        .emu
        .handle()
        .ledger()
        .iter()
        .filter(|e| e.path == "/v1/search")
        .count();
    assert_eq!(searches, 4, "one request per page of one");

    // Taking fewer items sends fewer requests.
    env.emu.handle().clear_ledger();
    let first: Vec<_> = env
        .client
        .search_stream(&env.token, &req)
        .take(2)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(env.emu.handle().ledger().len(), 2);
}

#[tokio::test]
async fn block_children_stream_matches_the_collected_list() {
    let env = start(Seed::Demo).await;
    let handbook = env.seeded_page_id("Team Handbook");
    let streamed: Vec<String> = env
        .client
        .block_children_stream(&env.token, &handbook)
        .map_ok(|b| b.id)
        .try_collect()
        .await
        .unwrap();
    let collected: Vec<String> = env
        .client
        .list_all_block_children(&env.token, &handbook)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.id)
        .collect();
    assert!(!streamed.is_empty());
    assert_eq!(streamed, collected);
}

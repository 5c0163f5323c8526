//! Helpers for the blocks, databases and data-source tests: pages to work in, clients pinned to
//! other Notion-Versions, short accessors.

use notion::{
    Block, BlockContent, ClientConfig, CreatePageRequest, NotionClient, PageParent, RetryPolicy,
};
use reqwest::Method;
use serde_json::Value;

use crate::support::{Env, Raw};

/// A top-level page with this Markdown body; its id.
pub async fn page(env: &Env, title: &str, markdown: &str) -> String {
    env.client
        .create_page(
            &env.token,
            &CreatePageRequest::markdown(None, title, markdown),
        )
        .await
        .expect("page created")
        .id
}

/// A sub-page of `parent`; its id.
pub async fn sub_page(env: &Env, parent: &str, title: &str) -> String {
    env.client
        .create_page(
            &env.token,
            &CreatePageRequest {
                parent: PageParent::PageId(parent.to_string()),
                title: Some(title.to_string()),
                ..Default::default()
            },
        )
        .await
        .expect("sub-page created")
        .id
}

/// A client speaking another Notion-Version (retries off).
pub fn client_v(env: &Env, version: &str) -> NotionClient {
    let mut config = ClientConfig::with_base_url(env.emu.base_url());
    config.notion_version = version.to_string();
    NotionClient::new(config).with_retry_policy(RetryPolicy::none())
}

/// A raw request with another Notion-Version.
pub async fn raw_v(
    env: &Env,
    version: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Raw {
    env.raw(method, path, Some(env.token.expose()), Some(version), body)
        .await
}

/// The plain text of a text-like block.
pub fn text(block: &Block) -> String {
    block
        .content
        .rich_text()
        .map(notion::plain_text)
        .unwrap_or_default()
}

/// The markdown of a page.
pub async fn markdown(env: &Env, page: &str) -> String {
    env.client
        .get_page_markdown(&env.token, page)
        .await
        .expect("markdown")
        .markdown
}

/// The type names of blocks, in order.
pub fn types(blocks: &[Block]) -> Vec<String> {
    blocks
        .iter()
        .map(|b| b.content.type_name().to_string())
        .collect()
}

/// `true` for a checked to-do.
pub fn checked(block: &Block) -> Option<bool> {
    match &block.content {
        BlockContent::ToDo(t) => Some(t.checked),
        _ => None,
    }
}

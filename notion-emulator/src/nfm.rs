//! The one door to Notion-flavored Markdown: every parse and render in the emulator goes
//! through here, so the dialect is defined once (by the `notion-markdown` crate) and the
//! emulator, the engine and the tests agree on it.

pub use notion_markdown::{Block, Dialect};

/// Parses Markdown into a block tree (never fails: unknown markup becomes text).
pub fn parse(src: &str, dialect: Dialect) -> Vec<Block> {
    notion_markdown::parse(src, dialect)
}

/// Renders a block tree the way `GET /v1/pages/{id}/markdown` returns it.
pub fn render(blocks: &[Block], dialect: Dialect) -> String {
    notion_markdown::render(blocks, dialect)
}

//! File Markdown (GFM) ↔ Notion-flavored Markdown, through `notion-markdown`'s block model.
//!
//! - [`to_notion_with`] reads GFM with pulldown-cmark and writes the page content Notion should
//!   hold (NFM, v1 by default, v2 by [`Options::dialect`]).
//! - [`from_notion_with`] reads a page's NFM and writes GFM, each block verified to read back
//!   as itself (see `from_notion`).
//! - [`chunks`] cuts a body into the pieces patch-based pull works on (see `segment`).
//!
//! Whole-document [`from_notion`] is what a first pull writes; later pulls patch the file
//! instead (`crate::document`), so untouched bytes stay as the user wrote them.

pub(crate) mod from_notion;
mod inline;
pub mod languages;
pub mod limits;
pub mod links;
mod segment;
mod to_notion;

use notion_markdown::Block;
pub use notion_markdown::Dialect;

pub use links::LinkMap;
pub use segment::{Chunk, ChunkKind, ListMarker, ISLAND_CLOSE, ISLAND_OPEN};

/// How to translate.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The Notion Markdown dialect of the page side (`markdown_version`).
    pub dialect: Dialect,
    /// Links between mapped files and their pages.
    pub links: LinkMap,
}

impl Options {
    pub fn v1() -> Options {
        Options::default()
    }

    pub fn v2() -> Options {
        Options {
            dialect: Dialect::V2,
            ..Options::default()
        }
    }
}

/// The page content to send for a file body (v1). Kept for the relay's current call sites.
pub fn to_notion(body: &str) -> String {
    to_notion_with(body, &Options::default())
}

/// The file body for a page's Notion Markdown (v1), rendered whole.
pub fn from_notion(markdown: &str) -> String {
    from_notion_with(markdown, &Options::default())
}

/// The page content for a file body.
pub fn to_notion_with(body: &str, opts: &Options) -> String {
    notion_markdown::render(&to_blocks(body, opts), opts.dialect)
}

/// The blocks a file body becomes.
pub fn to_blocks(body: &str, opts: &Options) -> Vec<Block> {
    let chunks = chunks(body, opts);
    // One vector sized up front, filled chunk by chunk: blocks are large values, and collecting
    // a `flat_map` (whose length is unknown) would grow and copy the vector over and over.
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.blocks.len()).sum());
    for mut c in chunks {
        out.append(&mut c.blocks);
    }
    out
}

/// A whole file body for a page's Notion Markdown.
pub fn from_notion_with(markdown: &str, opts: &Options) -> String {
    let blocks = notion_markdown::parse(markdown, opts.dialect);
    from_blocks(&blocks, opts)
}

/// A whole file body for blocks.
pub fn from_blocks(blocks: &[Block], opts: &Options) -> String {
    let mut out = from_notion::render_blocks(blocks, opts);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// The chunks of a file body (see [`segment`]).
pub fn chunks(body: &str, opts: &Options) -> Vec<Chunk> {
    segment::chunks(body, opts)
}

/// GFM for one top-level block; `number` is its place in a numbered run and `bullet` the
/// marker for a bulleted item. Used when a pull inserts blocks into an existing file.
pub fn render_block(block: &Block, number: usize, bullet: char, opts: &Options) -> String {
    from_notion::render_block_with(block, number, opts, bullet)
}

/// Whether two top-level blocks are written in one GFM list (no blank line between them).
pub fn same_list(a: &Block, b: &Block) -> bool {
    from_notion::same_list(a, b)
}

/// Notion-flavored Markdown of an island (Notion-only blocks written in the file).
pub(crate) fn island_blocks(nfm: &str) -> Vec<Block> {
    notion_markdown::parse(&to_lf(nfm), Dialect::V1)
}

pub(crate) fn to_lf(s: &str) -> String {
    crate::normalize::to_lf(s)
}

#[cfg(test)]
mod tests;

//! Notion-flavored Markdown: parse it into a Notion block tree and render a tree back.
//!
//! The central types are [`Block`] (one Notion block and its children) and [`RichText`]. [`parse`]
//! never fails: markup it does not understand becomes text, so nothing a user wrote is dropped.
//! [`render`] produces the canonical form Notion's `GET /v1/pages/{id}/markdown` returns for the
//! chosen [`Dialect`]. Both the Notion emulator and the sync engine use this crate, so there is
//! one definition of the dialect in the project.
//!
//! Architecture invariant: no I/O, no clocks, no randomness.

pub mod model;

mod attrs;
mod block;
mod escape;
mod inline;
mod lines;
mod table;
mod v1;
mod v2;
mod write;

/// The original renderer, the oracle of the current one's tests.
#[cfg(test)]
mod legacy;

pub use model::{
    Annotations, Block, BlockKind, Color, MediaKind, Mention, RichText, Span, SpanKind, TableRow,
};

/// Which Notion Markdown dialect (`markdown_version`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dialect {
    /// "Enhanced markdown": one line per block, TAB-indented children (Notion's default).
    #[default]
    V1,
    /// "Notion-flavored Markdown": blank-line separated blocks, tag containers.
    V2,
}

/// Parses a page body. Never fails: markup that is not understood stays as literal text, so
/// everything the writer typed survives a round trip.
pub fn parse(src: &str, dialect: Dialect) -> Vec<Block> {
    match dialect {
        Dialect::V1 => v1::parse(src),
        Dialect::V2 => v2::parse(src),
    }
}

/// Renders blocks in the canonical layout Notion's `GET /v1/pages/{id}/markdown` returns, so
/// texts can be compared without echoing Notion's rewrites back as edits.
pub fn render(blocks: &[Block], dialect: Dialect) -> String {
    match dialect {
        Dialect::V1 => v1::render(blocks),
        Dialect::V2 => v2::render(blocks),
    }
}

/// Parses inline Markdown (one block's text) into rich text.
pub fn parse_inline(src: &str, dialect: Dialect) -> RichText {
    inline::parse(src, dialect)
}

/// Renders rich text as inline Markdown. Line breaks become `<br>` (v1) or a trailing
/// backslash (v2), as inside a paragraph.
pub fn render_inline(rt: &RichText, dialect: Dialect) -> String {
    let brk = match dialect {
        Dialect::V1 => inline::Break::Br,
        Dialect::V2 => inline::Break::Backslash,
    };
    inline::render(rt, dialect, brk)
}

/// The canonical form of a Markdown text: what Notion would hand back after storing it.
/// Equal canonical forms mean equal content.
pub fn canonicalize(src: &str, dialect: Dialect) -> String {
    render(&parse(src, dialect), dialect)
}

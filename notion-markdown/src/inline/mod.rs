//! Rich text ↔ inline Markdown (both dialects).

mod emphasis;
pub(crate) mod normalize;
pub(crate) mod parse;
pub(crate) mod render;
mod syntax;

pub(crate) use render::Break;
#[cfg(test)]
pub(crate) use syntax::kind_from_url;

use crate::model::RichText;
use crate::Dialect;

/// Parses one block's inline text.
pub(crate) fn parse(src: &str, dialect: Dialect) -> RichText {
    RichText(parse::parse(src, dialect))
}

/// Renders rich text with the given line-break style.
pub(crate) fn render(rt: &RichText, dialect: Dialect, brk: Break) -> String {
    render::render(&rt.0, dialect, brk)
}

/// Renders rich text into `scratch` (cleared first) and returns it trimmed, as block text is
/// written: the renderers reuse one scratch buffer for every text of a page.
pub(crate) fn render_trimmed<'s>(
    scratch: &'s mut String,
    rt: &RichText,
    dialect: Dialect,
    brk: Break,
) -> &'s str {
    scratch.clear();
    render::render_into(scratch, &rt.0, dialect, brk);
    scratch.trim()
}

/// The line-break style for one-line contexts (headings, cells, captions, tag bodies).
pub(crate) fn one_line_break(dialect: Dialect) -> Break {
    match dialect {
        Dialect::V1 => Break::Br,
        Dialect::V2 => Break::BrSlash,
    }
}

/// An image line `![caption](url)…`: caption, url and what follows on the line.
pub(crate) fn image_line(t: &str, dialect: Dialect) -> Option<(RichText, String, &str)> {
    let rest = t.strip_prefix('!')?;
    let (spans, url, end) = parse::bracketed(rest, dialect)?;
    Some((RichText(spans), url, rest[end..].trim()))
}

pub(crate) use parse::Piece;

/// Parses block text with images split out (see [`parse::parse_pieces`]).
pub(crate) fn parse_pieces(src: &str, dialect: Dialect) -> Vec<Piece> {
    parse::parse_pieces(src, dialect)
}

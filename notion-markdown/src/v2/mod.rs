//! v2, "Notion-flavored Markdown": CommonMark/GFM plus Notion's tags; blocks separated by blank
//! lines, children in tag containers (TAB-indented only inside lists).

mod parse;
mod render;
mod tags;

pub(crate) use parse::parse;
pub(crate) use render::render;

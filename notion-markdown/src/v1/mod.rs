//! v1, "enhanced markdown": Notion's default dialect (deprecated but still what GET returns
//! unless `markdown_version=v2`).

mod parse;
mod render;

pub(crate) use parse::parse;
pub(crate) use render::render;

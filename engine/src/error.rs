//! Typed errors of the engine. Most of the engine cannot fail (translation never rejects input:
//! what it does not understand is kept verbatim); the errors below are about input the caller
//! must fix or report (malformed front matter, a property value of the wrong type).

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EngineError {
    /// The file starts with `---` but the front matter is not closed or not a mapping.
    #[error("malformed front matter: {0}")]
    FrontMatter(String),
    /// A front matter value cannot be converted to the property's Notion type.
    #[error("property `{name}`: {reason}")]
    Property { name: String, reason: String },
}

//! serde models of Notion's REST objects.
//!
//! Models are tolerant on read: unknown fields are ignored, optional fields are `Option`, and
//! unknown variants (block types, property types, icon types, …) are kept in an `Other` variant
//! instead of failing the whole response. They also serialize to Notion's exact shape, which lets
//! the emulator answer with these same types (one source of truth for the JSON shape).

pub(crate) mod tagged;

pub mod block;
pub mod error;
pub mod file;
pub mod list;
pub mod markdown;
pub mod oauth;
pub mod page;
pub mod parent;
pub mod property;
pub mod rich_text;
pub mod search;
pub mod timestamp;
pub mod user;

pub use block::*;
pub use error::{codes, ErrorObject};
pub use file::{ExternalFile, FileObject, FileUploadRef, HostedFile, Icon, NamedFile};
pub use list::ListResponse;
pub use markdown::{AsyncTask, ContentUpdate, MarkdownVersion, PageMarkdown, UpdatePageMarkdown};
pub use oauth::{IntrospectResponse, RevokeResponse, TokenGrant, TokenResponse};
pub use page::{CreatePageRequest, Page, PageParent};
pub use parent::Parent;
pub use property::{PropertyValue, PropertyValueKind, SelectOption, UniqueId};
pub use rich_text::{
    plain_text, Annotations, DateValue, EquationContent, IdRef, Link, Mention, RichTextContent,
    RichTextItem, TextContent, UrlRef,
};
pub use search::{DataSource, SearchFilter, SearchRequest, SearchResponse, SearchResult};
pub use timestamp::Timestamp;
pub use user::{Bot, BotOwner, PartialUser, Person, User, WorkspaceLimits};

//! serde models of Notion's REST objects.
//!
//! Models are tolerant on read: unknown fields are ignored, optional fields are `Option`, and
//! unknown variants (block types, property types, icon types, …) are kept in an `Other` variant
//! instead of failing the whole response. They also serialize to Notion's exact shape, which lets
//! the emulator answer with these same types (one source of truth for the JSON shape).

pub(crate) mod tagged;

pub mod block;
pub mod comment;
pub mod database;
pub mod error;
pub mod file;
pub mod file_upload;
pub mod list;
pub mod markdown;
pub mod oauth;
pub mod page;
pub mod parent;
pub mod property;
pub mod property_item;
pub mod query;
pub mod rich_text;
pub mod search;
pub mod timestamp;
pub mod user;
pub mod view;

pub use block::*;
pub use comment::{Comment, CommentDisplayName};
pub use database::{
    CreateDataSourceRequest, CreateDatabaseRequest, DataSource, DataSourceRef, Database,
    EmptyConfig, FormulaConfig, InitialDataSource, NumberConfig, PropertyConfig, PropertySchema,
    PropertySchemaRequest, RelationConfig, RollupConfig, SchemaChanges, SchemaOption, SelectConfig,
    StatusConfig, StatusGroup, Template, TemplateList, UniqueIdConfig, UpdateDataSourceRequest,
    UpdateDatabaseRequest,
};
pub use error::{codes, ErrorObject};
pub use file::{ExternalFile, FileObject, FileUploadRef, HostedFile, Icon, NamedFile};
pub use file_upload::FileUpload;
pub use list::{ListResponse, Pagination};
pub use markdown::{AsyncTask, ContentUpdate, MarkdownVersion, PageMarkdown, UpdatePageMarkdown};
pub use oauth::{IntrospectResponse, RevokeResponse, TokenGrant, TokenResponse};
pub use page::{CreatePageRequest, MovePageRequest, Page, PageParent, UpdatePageRequest};
pub use parent::Parent;
pub use property::{PropertyValue, PropertyValueKind, SelectOption, UniqueId};
pub use property_item::{
    PropertyItem, PropertyItemList, PropertyItemListInfo, PropertyItemResponse, PropertyItemValue,
};
pub use query::{
    CheckboxCondition, ContainsCondition, DateCondition, EmptinessCondition, Filter,
    NumberCondition, PropertyCondition, QueryRequest, SelectCondition, Sort, SortDirection,
    TextCondition, TimestampKind,
};
pub use rich_text::{
    plain_text, Annotations, DateValue, EquationContent, IdRef, Link, Mention, RichTextContent,
    RichTextItem, TextContent, UrlRef,
};
pub use search::{
    PageOrDataSource, SearchFilter, SearchRequest, SearchResponse, SearchResult, SearchSort,
};
pub use timestamp::Timestamp;
pub use user::{Bot, BotOwner, PartialUser, Person, User, WorkspaceLimits};
pub use view::{CustomEmoji, View, ViewQuery};

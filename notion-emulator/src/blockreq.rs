//! Blocks sent to the API (append children, create page with `children`, update a block) read
//! into the stored model: a `notion_markdown::BlockKind` plus what Markdown cannot say
//! ([`BlockExtra`]), with Notion's request limits.
//!
//! Limits: at most 100 blocks per children array, two levels of nesting per request (the
//! columns of a column list and the rows of a table do not count as a level: Notion creates
//! them with their container), at most 1000 block elements and 500 KB per request.

use notion_markdown::{BlockKind, Color, MediaKind, RichText, TableRow};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::content::{Stamp, StoredBlock};
use crate::convert;
use crate::errors::{ApiError, ApiResult};
use crate::ids;
use crate::objects::BlockExtra;
use crate::state::Store;

pub const MAX_CHILDREN: usize = 100;
pub const MAX_ELEMENTS: usize = 1000;
pub const MAX_BODY_BYTES: usize = 500 * 1024;
/// Levels of `children` one request may nest.
const MAX_LEVELS: usize = 2;

/// Block types that can be created through the API (`child_page`, `child_database`,
/// `link_preview`, `template`, `unsupported`, `meeting_notes` cannot).
pub const CREATABLE: &[&str] = &[
    "paragraph",
    "heading_1",
    "heading_2",
    "heading_3",
    "heading_4",
    "bulleted_list_item",
    "numbered_list_item",
    "to_do",
    "toggle",
    "quote",
    "callout",
    "code",
    "equation",
    "divider",
    "breadcrumb",
    "table_of_contents",
    "table",
    "table_row",
    "image",
    "video",
    "audio",
    "file",
    "pdf",
    "bookmark",
    "embed",
    "link_to_page",
    "column_list",
    "column",
    "synced_block",
];

/// Every block type name the API knows (for type inference).
const KNOWN: &[&str] = &[
    "child_page",
    "child_database",
    "link_preview",
    "template",
    "unsupported",
    "meeting_notes",
    "transcription",
    "tab",
];

/// A block read from a request, ids given out, not yet stored.
#[derive(Debug, Clone)]
pub struct NewNode {
    pub id: Uuid,
    pub kind: BlockKind,
    pub extra: BlockExtra,
    pub children: Vec<NewNode>,
}

impl NewNode {
    /// The stored tree and the extras to record.
    pub fn materialize(self, stamp: Stamp, extras: &mut Vec<(Uuid, BlockExtra)>) -> StoredBlock {
        if self.extra != BlockExtra::default() {
            extras.push((self.id, self.extra));
        }
        StoredBlock {
            id: self.id,
            kind: self.kind,
            children: self
                .children
                .into_iter()
                .map(|c| c.materialize(stamp, extras))
                .collect(),
            created_time: stamp.now,
            last_edited_time: stamp.now,
            created_by: stamp.actor,
            last_edited_by: stamp.actor,
        }
    }
}

/// Where the blocks go, which decides what may appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    /// A page body or an ordinary block.
    Body,
    ColumnList,
    Table {
        width: usize,
    },
}

/// Reads requests with the context they need (the page, for `<unknown>` URLs; the store, for
/// synced-block references) and counts elements across the whole request.
pub struct Reader<'a> {
    pub store: &'a Store,
    pub page: Uuid,
    elements: usize,
}

fn bad(path: &str, what: impl std::fmt::Display) -> ApiError {
    ApiError::validation(format!("body failed validation: {path} {what}"))
}

/// Checks the raw size of a request body (Notion: 500 KB).
pub fn check_body_size(body: &Value) -> ApiResult<()> {
    let size = serde_json::to_vec(body).map(|b| b.len()).unwrap_or(0);
    if size > MAX_BODY_BYTES {
        return Err(ApiError::validation(format!(
            "Request body too large: {size} bytes (the limit is {MAX_BODY_BYTES} bytes)."
        )));
    }
    Ok(())
}

/// The block type of a request block: its `type`, else its single payload key.
pub fn block_type<'v>(obj: &'v Map<String, Value>, path: &str) -> ApiResult<&'v str> {
    if let Some(t) = obj.get("type") {
        return t
            .as_str()
            .ok_or_else(|| bad(&format!("{path}.type"), "should be a string."));
    }
    let mut keys = obj
        .keys()
        .filter(|k| CREATABLE.contains(&k.as_str()) || KNOWN.contains(&k.as_str()));
    match (keys.next(), keys.next()) {
        (Some(k), None) => Ok(k),
        _ => Err(bad(
            path,
            "should have exactly one block type key (`paragraph`, `heading_1`, …).",
        )),
    }
}

fn color(payload: &Map<String, Value>, path: &str) -> ApiResult<Color> {
    match payload.get("color") {
        None | Some(Value::Null) => Ok(Color::Default),
        Some(Value::String(c)) => Color::from_api_name(c)
            .ok_or_else(|| bad(&format!("{path}.color"), format!("`{c}` is not a colour."))),
        Some(other) => Err(bad(
            &format!("{path}.color"),
            format!("should be a string, instead was `{other}`."),
        )),
    }
}

fn rich(
    payload: &Map<String, Value>,
    key: &str,
    path: &str,
    required: bool,
) -> ApiResult<RichText> {
    match payload.get(key) {
        None | Some(Value::Null) if !required => Ok(RichText::default()),
        None | Some(Value::Null) => Err(bad(
            &format!("{path}.{key}"),
            "should be defined, instead was `undefined`.",
        )),
        Some(v) => Ok(convert::rich_text_from_api(
            &convert::rich_text_from_request(v, &format!("{path}.{key}"))?,
        )),
    }
}

fn api_rich(
    payload: &Map<String, Value>,
    key: &str,
    path: &str,
) -> ApiResult<Vec<notion::RichTextItem>> {
    match payload.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => convert::rich_text_from_request(v, &format!("{path}.{key}")),
    }
}

fn flag(payload: &Map<String, Value>, key: &str, path: &str) -> ApiResult<bool> {
    match payload.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(bad(
            &format!("{path}.{key}"),
            format!("should be a boolean, instead was `{other}`."),
        )),
    }
}

/// `{type: external, external: {url}}` (or without `type`); hosted files cannot be created and
/// uploads are not emulated.
fn external_url(payload: &Map<String, Value>, path: &str) -> ApiResult<String> {
    let kind = payload
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("external");
    match kind {
        "external" => payload
            .get("external")
            .and_then(|e| e.get("url"))
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty() && u.chars().count() <= 2000)
            .map(str::to_string)
            .ok_or_else(|| {
                bad(
                    &format!("{path}.external.url"),
                    "should be a URL of at most 2000 characters.",
                )
            }),
        "file_upload" => Err(ApiError::validation(
            "File uploads are not supported by the emulator; use an external URL.",
        )),
        other => Err(bad(
            &format!("{path}.type"),
            format!("should be `external` or `file_upload`, instead was `{other}`."),
        )),
    }
}

impl<'a> Reader<'a> {
    pub fn new(store: &'a Store, page: Uuid) -> Self {
        Reader {
            store,
            page,
            elements: 0,
        }
    }

    /// Reads a `children` array at nesting `level` (1 = the request's own array).
    pub fn children(
        &mut self,
        value: &Value,
        path: &str,
        level: usize,
        container: Container,
    ) -> ApiResult<Vec<NewNode>> {
        let items = value
            .as_array()
            .ok_or_else(|| bad(path, format!("should be an array, instead was `{value}`.")))?;
        if items.len() > MAX_CHILDREN {
            return Err(bad(
                path,
                format!(
                    "length should be ≤ `{MAX_CHILDREN}`, instead was `{}`.",
                    items.len()
                ),
            ));
        }
        let nodes = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.block(item, &format!("{path}[{i}]"), level, container))
            .collect::<ApiResult<Vec<_>>>()?;
        if container == Container::ColumnList && nodes.len() < 2 {
            return Err(ApiError::validation(
                "A column list needs at least two columns, each with at least one child.",
            ));
        }
        Ok(nodes)
    }

    fn block(
        &mut self,
        value: &Value,
        path: &str,
        level: usize,
        container: Container,
    ) -> ApiResult<NewNode> {
        self.elements += 1;
        if self.elements > MAX_ELEMENTS {
            return Err(ApiError::validation(format!(
                "body failed validation: a request may hold at most {MAX_ELEMENTS} block elements."
            )));
        }
        let obj = value
            .as_object()
            .ok_or_else(|| bad(path, "should be an object."))?;
        let type_name = block_type(obj, path)?.to_string();
        match (container, type_name.as_str()) {
            (Container::ColumnList, "column") | (Container::Table { .. }, "table_row") => {}
            (Container::ColumnList, other) => {
                return Err(ApiError::validation(format!(
                    "A column list can only hold columns, not `{other}`."
                )))
            }
            (Container::Table { .. }, other) => {
                return Err(ApiError::validation(format!(
                    "A table can only hold table rows, not `{other}`."
                )))
            }
            (Container::Body, "column" | "table_row") => {
                return Err(ApiError::validation(format!(
                    "`{type_name}` blocks can only be created inside a {}.",
                    if type_name == "column" {
                        "column list"
                    } else {
                        "table"
                    }
                )))
            }
            _ => {}
        }
        if !CREATABLE.contains(&type_name.as_str()) {
            return Err(ApiError::validation(match type_name.as_str() {
                "child_page" => "child_page blocks cannot be created here; create a page with POST /v1/pages.".to_string(),
                "child_database" => "child_database blocks cannot be created here; create a database with POST /v1/databases.".to_string(),
                other => format!("Blocks of type `{other}` cannot be created through the API."),
            }));
        }
        let empty = Map::new();
        let payload = match obj.get(&type_name) {
            Some(Value::Object(p)) => p,
            None | Some(Value::Null) => &empty,
            Some(other) => {
                return Err(bad(
                    &format!("{path}.{type_name}"),
                    format!("should be an object, instead was `{other}`."),
                ))
            }
        };
        let at = format!("{path}.{type_name}");
        let id = ids::new_id();
        let mut extra = BlockExtra::default();
        let kind = self.kind(&type_name, payload, &at, id, &mut extra, container)?;

        let children_value = payload.get("children").or_else(|| obj.get("children"));
        let children = match children_value {
            None | Some(Value::Null) => Vec::new(),
            Some(c) => {
                // Columns and table rows are created with their container: same level.
                let next_level = match kind {
                    BlockKind::ColumnList | BlockKind::Table { .. } => level,
                    _ => level + 1,
                };
                if next_level > MAX_LEVELS {
                    return Err(ApiError::validation(format!(
                        "body failed validation: {path} nests children more than {MAX_LEVELS} levels deep; append deeper blocks in a separate request."
                    )));
                }
                if matches!(kind, BlockKind::SyncedBlockReference { .. }) {
                    return Err(ApiError::validation(
                        "A synced block copy (synced_from set) cannot have children: they come from the original.",
                    ));
                }
                let inner = match &kind {
                    BlockKind::ColumnList => Container::ColumnList,
                    // The declared width travels in `table_rows` until `finish`.
                    BlockKind::Table { .. } => Container::Table {
                        width: extra.table_rows.len(),
                    },
                    _ => Container::Body,
                };
                self.children(c, &format!("{at}.children"), next_level, inner)?
            }
        };
        if type_name == "table_row" {
            return Ok(NewNode {
                id,
                kind,
                extra,
                children: Vec::new(),
            });
        }
        self.finish(id, kind, extra, children, path)
    }

    /// Post-checks that need the children (tables take their rows, columns need content).
    fn finish(
        &mut self,
        id: Uuid,
        mut kind: BlockKind,
        mut extra: BlockExtra,
        children: Vec<NewNode>,
        path: &str,
    ) -> ApiResult<NewNode> {
        match &mut kind {
            BlockKind::Table { rows, .. } => {
                let width = extra.table_rows.len();
                extra.table_rows.clear();
                if children.is_empty() {
                    return Err(ApiError::validation(format!(
                        "body failed validation: {path}.table.children should hold at least one table_row."
                    )));
                }
                for child in children {
                    if let BlockKind::Table { rows: r, .. } = child.kind {
                        // A parsed table_row is carried as a one-row table.
                        for row in r {
                            if row.cells.len() != width {
                                return Err(ApiError::validation(format!(
                                    "Number of cells in table row ({}) does not match the table width ({width}).",
                                    row.cells.len()
                                )));
                            }
                            rows.push(row);
                            extra.table_rows.push(child.id);
                        }
                    }
                }
                Ok(NewNode {
                    id,
                    kind,
                    extra,
                    children: Vec::new(),
                })
            }
            BlockKind::Column { .. } if children.is_empty() => Err(ApiError::validation(
                "Each column of a column list needs at least one child block.",
            )),
            BlockKind::ColumnList if children.is_empty() => Err(ApiError::validation(
                "A column list needs at least two columns, each with at least one child.",
            )),
            _ => Ok(NewNode {
                id,
                kind,
                extra,
                children,
            }),
        }
    }

    /// The stored kind of one block payload.
    pub fn kind(
        &mut self,
        type_name: &str,
        p: &Map<String, Value>,
        at: &str,
        id: Uuid,
        extra: &mut BlockExtra,
        container: Container,
    ) -> ApiResult<BlockKind> {
        Ok(match type_name {
            "paragraph" => BlockKind::Paragraph {
                text: rich(p, "rich_text", at, true)?,
                color: color(p, at)?,
            },
            "heading_1" | "heading_2" | "heading_3" | "heading_4" => BlockKind::Heading {
                level: type_name.as_bytes()[8] - b'0',
                text: rich(p, "rich_text", at, true)?,
                color: color(p, at)?,
                toggleable: flag(p, "is_toggleable", at)?,
            },
            "bulleted_list_item" => BlockKind::BulletedListItem {
                text: rich(p, "rich_text", at, true)?,
                color: color(p, at)?,
            },
            "numbered_list_item" => BlockKind::NumberedListItem {
                text: rich(p, "rich_text", at, true)?,
                color: color(p, at)?,
            },
            "to_do" => BlockKind::ToDo {
                text: rich(p, "rich_text", at, true)?,
                checked: flag(p, "checked", at)?,
                color: color(p, at)?,
            },
            "toggle" => BlockKind::Toggle {
                text: rich(p, "rich_text", at, true)?,
                color: color(p, at)?,
            },
            "quote" => BlockKind::Quote {
                text: rich(p, "rich_text", at, true)?,
                color: color(p, at)?,
            },
            "callout" => BlockKind::Callout {
                text: rich(p, "rich_text", at, true)?,
                icon: callout_icon(p.get("icon"), at)?,
                color: color(p, at)?,
            },
            "code" => {
                let text = api_rich(p, "rich_text", at)?;
                extra.caption = api_rich(p, "caption", at)?;
                BlockKind::Code {
                    language: p
                        .get("language")
                        .and_then(Value::as_str)
                        .unwrap_or("plain text")
                        .to_string(),
                    text: notion::plain_text(&text),
                }
            }
            "equation" => {
                let expression = p
                    .get("expression")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(&format!("{at}.expression"), "should be a string."))?;
                if expression.chars().count() > 1000 {
                    return Err(bad(
                        &format!("{at}.expression"),
                        "length should be ≤ `1000`.",
                    ));
                }
                BlockKind::Equation {
                    expression: expression.to_string(),
                }
            }
            "divider" => BlockKind::Divider,
            "table_of_contents" => BlockKind::TableOfContents {
                color: color(p, at)?,
            },
            "table" => {
                let width = p
                    .get("table_width")
                    .and_then(Value::as_u64)
                    .filter(|w| (1..=100).contains(w))
                    .ok_or_else(|| {
                        bad(
                            &format!("{at}.table_width"),
                            "should be a number between 1 and 100.",
                        )
                    })?;
                // Carried in `table_rows` until `finish` fills the rows.
                extra.table_rows = vec![Uuid::nil(); width as usize];
                BlockKind::Table {
                    has_column_header: flag(p, "has_column_header", at)?,
                    has_row_header: flag(p, "has_row_header", at)?,
                    fit_page_width: false,
                    columns: Vec::new(),
                    rows: Vec::new(),
                }
            }
            "table_row" => {
                let cells = p.get("cells").and_then(Value::as_array).ok_or_else(|| {
                    bad(
                        &format!("{at}.cells"),
                        "should be an array of rich text arrays.",
                    )
                })?;
                if let Container::Table { width } = container {
                    if width != 0 && cells.len() != width {
                        return Err(ApiError::validation(format!(
                            "Number of cells in table row ({}) does not match the table width ({width}).",
                            cells.len()
                        )));
                    }
                }
                let cells = cells
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        convert::rich_text_from_request(c, &format!("{at}.cells[{i}]"))
                            .map(|items| convert::rich_text_from_api(&items))
                    })
                    .collect::<ApiResult<Vec<_>>>()?;
                BlockKind::Table {
                    has_column_header: false,
                    has_row_header: false,
                    fit_page_width: false,
                    columns: Vec::new(),
                    rows: vec![TableRow::new(cells)],
                }
            }
            "image" => BlockKind::Image {
                url: external_url(p, at)?,
                caption: rich(p, "caption", at, false)?,
                color: Color::Default,
            },
            "video" | "audio" | "file" | "pdf" => {
                if type_name == "file" {
                    extra.file_name = p.get("name").and_then(Value::as_str).map(str::to_string);
                }
                BlockKind::Media {
                    kind: match type_name {
                        "video" => MediaKind::Video,
                        "audio" => MediaKind::Audio,
                        "pdf" => MediaKind::Pdf,
                        _ => MediaKind::File,
                    },
                    url: external_url(p, at)?,
                    caption: rich(p, "caption", at, false)?,
                    color: Color::Default,
                }
            }
            "bookmark" | "embed" => {
                let url = p
                    .get("url")
                    .and_then(Value::as_str)
                    .filter(|u| !u.is_empty())
                    .ok_or_else(|| bad(&format!("{at}.url"), "should be a URL."))?;
                let caption = api_rich(p, "caption", at)?;
                self.unknown(
                    id,
                    type_name,
                    serde_json::json!({"caption": caption, "url": url}),
                    extra,
                )
            }
            "breadcrumb" => self.unknown(id, type_name, serde_json::json!({}), extra),
            "link_to_page" => {
                let kind = p.get("type").and_then(Value::as_str).unwrap_or_else(|| {
                    if p.contains_key("database_id") {
                        "database_id"
                    } else {
                        "page_id"
                    }
                });
                let target = p
                    .get(kind)
                    .and_then(Value::as_str)
                    .and_then(ids::parse)
                    .ok_or_else(|| bad(&format!("{at}.{kind}"), "should be a valid uuid."))?;
                self.unknown(
                    id,
                    type_name,
                    serde_json::json!({"type": kind, kind: ids::dashed(target)}),
                    extra,
                )
            }
            "column_list" => BlockKind::ColumnList,
            "column" => BlockKind::Column {
                ratio: match p.get("width_ratio") {
                    None | Some(Value::Null) => None,
                    Some(Value::Number(n)) if n.as_f64().is_some_and(|r| r > 0.0 && r <= 1.0) => {
                        Some(n.to_string())
                    }
                    Some(other) => {
                        return Err(bad(
                            &format!("{at}.width_ratio"),
                            format!("should be a number between 0 and 1, instead was `{other}`."),
                        ))
                    }
                },
            },
            "synced_block" => match p.get("synced_from") {
                None | Some(Value::Null) => BlockKind::SyncedBlock {
                    url: Some(ids::markdown_block_url(self.page, id)),
                },
                Some(from) => {
                    let original = from
                        .get("block_id")
                        .and_then(Value::as_str)
                        .and_then(ids::parse)
                        .ok_or_else(|| {
                            bad(
                                &format!("{at}.synced_from.block_id"),
                                "should be a valid uuid.",
                            )
                        })?;
                    let page = crate::blocks::page_of_synced_original(self.store, original)
                        .ok_or_else(|| {
                            ApiError::validation(format!(
                                "Could not find an original synced block with ID: {}.",
                                ids::dashed(original)
                            ))
                        })?;
                    BlockKind::SyncedBlockReference {
                        url: ids::markdown_block_url(page, original),
                    }
                }
            },
            other => {
                return Err(ApiError::validation(format!(
                    "Blocks of type `{other}` cannot be created through the API."
                )))
            }
        })
    }

    /// A block Markdown renders as `<unknown>`: the API payload is kept beside it.
    fn unknown(
        &self,
        id: Uuid,
        type_name: &str,
        payload: Value,
        extra: &mut BlockExtra,
    ) -> BlockKind {
        extra.api = Some((type_name.to_string(), payload));
        BlockKind::Unknown {
            url: ids::markdown_block_url(self.page, id),
            alt: Some(type_name.to_string()),
        }
    }
}

/// A callout icon: an emoji, or an external image (kept by URL).
fn callout_icon(value: Option<&Value>, at: &str) -> ApiResult<Option<String>> {
    let Some(value) = value.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let icon: notion::Icon =
        serde_json::from_value(value.clone()).map_err(|e| bad(&format!("{at}.icon"), e))?;
    match icon {
        notion::Icon::Emoji(e) => Ok(Some(e)),
        notion::Icon::External(f) => Ok(Some(f.url)),
        other => Err(ApiError::validation(format!(
            "Callout icons of type `{}` are not supported by the emulator.",
            other.type_name()
        ))),
    }
}

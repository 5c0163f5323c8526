//! The Notion side of a folder mapping: the database (created, or linked and resolved to its one
//! data source), its schema, the rows as the engine sees them, and the change query.

use super::{SYNC_ID_PROPERTY, TITLE_PROPERTY};
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::FolderRow;
use engine::frontmatter::{self, Properties, PropertyType, PropertyValue, Schema};
use futures::StreamExt;
use notion::{
    AccessToken, DataSource, Database, Filter, NotionError, Page, PropertyConfig,
    PropertyValueKind, QueryRequest, SearchResult, Timestamp,
};
use std::collections::BTreeMap;

/// Property name → Notion type name (`title`, `rich_text`, …): the data source's schema as the
/// relay keeps it.
pub(crate) type NotionSchema = BTreeMap<String, String>;

/// Notion's times are rounded down to the minute: a query asks for rows edited since a minute
/// before the latest time seen, and de-duplicates by id.
pub(crate) const OVERLAP_MS: i64 = 60_000;

pub(crate) fn ms(t: &Timestamp) -> i64 {
    (t.as_offset_date_time().unix_timestamp_nanos() / 1_000_000) as i64
}

pub(crate) fn iso(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => Timestamp::new(t).to_string(),
        Err(_) => "1970-01-01T00:00:00.000Z".to_string(),
    }
}

/// The engine's view of a schema: what front matter keys map to (the `Sync ID` is ours alone).
pub(crate) fn engine_schema(schema: &NotionSchema) -> Schema {
    schema
        .iter()
        .filter(|(name, _)| name.as_str() != SYNC_ID_PROPERTY)
        .map(|(name, ty)| (name.clone(), PropertyType::from_api(ty)))
        .collect()
}

pub(crate) fn title_property(schema: &NotionSchema) -> String {
    schema
        .iter()
        .find(|(_, ty)| ty.as_str() == "title")
        .map(|(name, _)| name.clone())
        .unwrap_or_else(|| TITLE_PROPERTY.to_string())
}

pub(crate) fn schema_of_data_source(ds: &DataSource) -> NotionSchema {
    ds.properties
        .iter()
        .map(|(name, p)| (name.clone(), p.config.type_name().to_string()))
        .collect()
}

/// A row's schema, as the row object lists every property of its data source.
pub(crate) fn schema_of_page(page: &Page) -> NotionSchema {
    page.properties
        .iter()
        .map(|(name, v)| (name.clone(), v.value.type_name().to_string()))
        .collect()
}

fn plain(items: &[notion::RichTextItem]) -> String {
    items.iter().map(|i| i.plain_text.as_str()).collect()
}

/// A row as the relay keeps it: title, engine property values (title and `Sync ID` left out),
/// our sync id, who and when.
pub(crate) fn row_of(page: &Page) -> FolderRow {
    let mut props = Properties::new();
    let mut sync_id = None;
    for (name, v) in &page.properties {
        if name == SYNC_ID_PROPERTY {
            if let PropertyValueKind::RichText(items) = &v.value {
                sync_id = Some(plain(items)).filter(|s| !s.is_empty());
            }
            continue;
        }
        if matches!(v.value, PropertyValueKind::Title(_)) {
            continue;
        }
        let Ok(json) = serde_json::to_value(v) else {
            continue;
        };
        if let Some(value) = PropertyValue::from_notion_json(&json) {
            props.insert(name.clone(), value);
        }
    }
    FolderRow {
        page_id: page.id.clone(),
        title: page.title(),
        properties: serde_json::to_string(&props).unwrap_or_else(|_| "{}".into()),
        sync_id,
        last_edited_ms: page.last_edited_time.as_ref().map(ms),
        last_edited_by: page.last_edited_by.as_ref().map(|u| u.id.clone()),
        created_by: page.created_by.as_ref().map(|u| u.id.clone()),
        in_trash: page.is_trashed(),
    }
}

pub(crate) fn properties_of(row: &FolderRow) -> Properties {
    serde_json::from_str(&row.properties).unwrap_or_default()
}

/// A property value for a request body, exactly as the engine writes it (`{"select": {…}}`).
pub(crate) fn request_value(value: &PropertyValue) -> Option<PropertyValueKind> {
    let json = value.to_notion_json();
    let (ty, payload) = json.as_object()?.iter().next()?;
    Some(PropertyValueKind::Other {
        type_name: ty.clone(),
        payload: payload.clone(),
    })
}

/// The property map of a create or an update: the title (if given), our sync id (if given) and
/// the engine's values (title-typed ones are the title's business).
pub(crate) fn request_properties(
    schema: &NotionSchema,
    title: Option<&str>,
    sync_id: Option<&str>,
    props: &Properties,
) -> BTreeMap<String, PropertyValueKind> {
    let mut out = BTreeMap::new();
    if let Some(t) = title {
        if let Some(v) = request_value(&PropertyValue::Title(t.to_string())) {
            out.insert(title_property(schema), v);
        }
    }
    if let Some(id) = sync_id {
        if let Some(v) = request_value(&PropertyValue::RichText(id.to_string())) {
            out.insert(SYNC_ID_PROPERTY.to_string(), v);
        }
    }
    for (name, value) in props {
        if matches!(value, PropertyValue::Title(_)) || name == SYNC_ID_PROPERTY {
            continue;
        }
        if let Some(v) = request_value(value) {
            out.insert(name.clone(), v);
        }
    }
    out
}

/// The Notion type a front matter value suggests, for a database the relay created: the
/// round trip must give back the same value, so anything ambiguous is text.
fn suggested_type(v: &frontmatter::Value) -> Option<&'static str> {
    use frontmatter::Value;
    match v {
        Value::Null => None,
        Value::Bool(_) => Some("checkbox"),
        Value::Number(_) => Some("number"),
        Value::List(items)
            if items
                .iter()
                .all(|i| matches!(i, Value::String(s) if !s.contains(','))) =>
        {
            Some("multi_select")
        }
        Value::List(_) => None,
        Value::String(s) if looks_like_date(s) => Some("date"),
        Value::String(_) => Some("rich_text"),
    }
}

fn looks_like_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

fn combine(a: &'static str, b: &'static str) -> &'static str {
    match (a, b) {
        (x, y) if x == y => x,
        ("multi_select", "rich_text") | ("rich_text", "multi_select") => "multi_select",
        _ => "rich_text",
    }
}

/// Properties for the front matter keys of `texts` that `schema` lacks (title, `Sync ID` and
/// keys of unsupported shape left out), typed from their values.
pub(crate) fn new_properties<'a>(
    schema: &NotionSchema,
    texts: impl Iterator<Item = &'a str>,
) -> NotionSchema {
    let mut found: BTreeMap<String, &'static str> = BTreeMap::new();
    let taken_lower: Vec<String> = schema.keys().map(|k| k.to_lowercase()).collect();
    for text in texts {
        let parts = engine::document::FileParts::split(text);
        let Some(raw) = parts.front_matter else {
            continue;
        };
        let fm = frontmatter::FrontMatter::parse(raw);
        for e in &fm.entries {
            let key = e.key.trim();
            if key.is_empty()
                || key.eq_ignore_ascii_case("title")
                || key.eq_ignore_ascii_case(SYNC_ID_PROPERTY)
                || taken_lower.contains(&key.to_lowercase())
                || key.len() > 100
            {
                continue;
            }
            let Some(ty) = e.value.as_ref().and_then(suggested_type) else {
                continue;
            };
            found
                .entry(key.to_string())
                .and_modify(|t| *t = combine(t, ty))
                .or_insert(ty);
        }
    }
    found.into_iter().map(|(k, v)| (k, v.to_string())).collect()
}

fn config_for(ty: &str) -> Option<PropertyConfig> {
    let empty = notion::EmptyConfig::default();
    Some(match ty {
        "title" => PropertyConfig::Title(empty),
        "rich_text" => PropertyConfig::RichText(empty),
        "number" => PropertyConfig::Number(notion::NumberConfig::default()),
        "checkbox" => PropertyConfig::Checkbox(empty),
        "multi_select" => PropertyConfig::MultiSelect(notion::SelectConfig::default()),
        "date" => PropertyConfig::Date(empty),
        "url" => PropertyConfig::Url(empty),
        "select" => PropertyConfig::Select(notion::SelectConfig::default()),
        _ => return None,
    })
}

pub(crate) fn schema_request(schema: &NotionSchema) -> notion::SchemaChanges {
    schema
        .iter()
        .filter_map(|(name, ty)| {
            config_for(ty).map(|c| (name.clone(), Some(notion::PropertySchemaRequest::new(c))))
        })
        .collect()
}

/// Creates the mapping's database: `Name` (title), our hidden `Sync ID`, and the properties
/// `extra` names. The description carries `sync_id`, so a create whose answer was lost can be
/// found again.
pub(crate) async fn create_database(
    state: &AppState,
    token: &AccessToken,
    parent_page_id: Option<&str>,
    title: &str,
    sync_id: &str,
    folder: &str,
    extra: &NotionSchema,
) -> Result<(Database, NotionSchema), NotionError> {
    let mut schema = extra.clone();
    schema.insert(TITLE_PROPERTY.to_string(), "title".to_string());
    schema.insert(SYNC_ID_PROPERTY.to_string(), "rich_text".to_string());
    let mut req = notion::CreateDatabaseRequest::under_page(
        parent_page_id.unwrap_or_default(),
        title,
        schema_request(&schema),
    );
    if parent_page_id.is_none() {
        req.parent = notion::Parent::Workspace;
    }
    req.description = vec![notion::RichTextItem::text(database_description(
        folder, sync_id,
    ))];
    let db = state.notion.create_database(token, &req).await?;
    Ok((db, schema))
}

pub(crate) fn database_description(folder: &str, sync_id: &str) -> String {
    let shown = if folder.is_empty() { "/" } else { folder };
    format!("Kept in sync with the Repl folder “{shown}” by Notion Sync for Replit (sync id {sync_id}).")
}

/// After a database create with an unknown outcome: the database that carries `sync_id`, if
/// it was created after all.
pub(crate) async fn find_database(
    state: &AppState,
    token: &AccessToken,
    title: &str,
    sync_id: &str,
) -> ApiResult<Result<Option<Database>, NotionError>> {
    let req = notion::SearchRequest {
        query: Some(title.to_string()),
        filter: Some(notion::SearchFilter::DataSource),
        ..Default::default()
    };
    state.pace(token).await?;
    let found = match state.notion.search(token, &req).await {
        Ok(f) => f,
        Err(e) => return Ok(Err(e)),
    };
    for r in found.results {
        let SearchResult::DataSource(ds) = r else {
            continue;
        };
        let Some(notion::Parent::DatabaseId(db_id)) = ds.parent.clone() else {
            continue;
        };
        state.pace(token).await?;
        let db = match state.notion.retrieve_database(token, &db_id).await {
            Ok(db) => db,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Ok(Err(e)),
        };
        if plain(&db.description).contains(sync_id) && !db.in_trash {
            return Ok(Ok(Some(db)));
        }
    }
    Ok(Ok(None))
}

/// A linked database (or data source) id resolved to its one data source: several are refused
/// rather than guessed between.
pub(crate) async fn resolve_data_source(
    state: &AppState,
    token: &AccessToken,
    id: &str,
) -> ApiResult<(Database, DataSource)> {
    state.pace(token).await?;
    let db = match state.notion.retrieve_database(token, id).await {
        Ok(db) => db,
        Err(e) if e.is_not_found() => {
            // Perhaps the id of a data source.
            state.pace(token).await?;
            let ds = state
                .notion
                .retrieve_data_source(token, id)
                .await
                .map_err(|_| ApiError::notion(e))?;
            let db_id = match &ds.parent {
                Some(notion::Parent::DatabaseId(d)) => d.clone(),
                _ => {
                    return Err(ApiError::bad_request(
                        "not_a_database",
                        "that id is not a database this connection can see",
                    ))
                }
            };
            state.pace(token).await?;
            let db = state
                .notion
                .retrieve_database(token, &db_id)
                .await
                .map_err(ApiError::notion)?;
            return Ok((db, ds));
        }
        Err(e) => return Err(ApiError::notion(e)),
    };
    let sources = db.data_sources.clone().unwrap_or_default();
    let only = match sources.as_slice() {
        [only] => only.clone(),
        [] => {
            return Err(ApiError::bad_request(
                "no_data_source",
                "that database has no data source to sync with",
            ))
        }
        many => {
            return Err(ApiError::bad_request(
                "several_data_sources",
                format!(
                    "that database has {} data sources; link the one to sync with by its id",
                    many.len()
                ),
            ))
        }
    };
    state.pace(token).await?;
    let ds = state
        .notion
        .retrieve_data_source(token, &only.id)
        .await
        .map_err(ApiError::notion)?;
    Ok((db, ds))
}

/// Every row matching `filter` (live rows, or the trash), page by page through the client's
/// pagination stream, each page's request paced like any other call.
pub(crate) async fn query(
    state: &AppState,
    token: &AccessToken,
    data_source_id: &str,
    filter: Option<Filter>,
    in_trash: bool,
) -> ApiResult<Result<Vec<Page>, NotionError>> {
    let req = QueryRequest {
        filter,
        page_size: Some(100),
        in_trash: in_trash.then_some(true),
        ..QueryRequest::default()
    };
    let client = state.notion.clone();
    let (tok, id) = (token.clone(), data_source_id.to_string());
    let pages = notion::paginate::pages(move |cursor| {
        let (client, tok, id) = (client.clone(), tok.clone(), id.clone());
        let mut req = req.clone();
        req.start_cursor = cursor;
        async move { client.query_data_source(&tok, &id, &req, &[]).await }
    });
    futures::pin_mut!(pages);
    let mut out = Vec::new();
    let mut more = true;
    while more {
        // The shared (all replicas) pacing, before each page's request.
        state.pace(token).await?;
        let page = match pages.next().await {
            None => break,
            Some(Err(e)) => return Ok(Err(e)),
            Some(Ok(page)) => page,
        };
        more = page.has_more && page.next_cursor.is_some();
        for r in page.results {
            if let SearchResult::Page(p) = r {
                out.push(*p);
            }
        }
    }
    Ok(Ok(out))
}

/// The live rows carrying `sync_id` that the relay created (a row someone duplicated in Notion
/// carries the id too, but not our bot as its creator).
pub(crate) async fn find_rows(
    state: &AppState,
    token: &AccessToken,
    data_source_id: &str,
    sync_id: &str,
    bot_id: &str,
) -> ApiResult<Result<Vec<Page>, NotionError>> {
    let filter = Filter::property(
        SYNC_ID_PROPERTY,
        notion::PropertyCondition::RichText(notion::TextCondition::Equals(sync_id.to_string())),
    );
    Ok(query(state, token, data_source_id, Some(filter), false)
        .await?
        .map(|rows| {
            rows.into_iter()
                .filter(|p| created_by_us(p.created_by.as_ref().map(|u| u.id.as_str()), bot_id))
                .collect()
        }))
}

pub(crate) fn created_by_us(created_by: Option<&str>, bot_id: &str) -> bool {
    match created_by {
        Some(id) => id == bot_id,
        // A connection that does not know its bot cannot tell; the sync id alone decides.
        None => true,
    }
}

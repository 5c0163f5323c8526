//! One `repl_project_row` mapping: the Repl itself as one row of a "Projects" database,
//! written from the Repl to Notion only.
//!
//! The panel sends the Repl's details with the manifest ([`ReplProject`]); the relay upserts the
//! row. The database is the mapping's target: linked at mapping creation (its data source
//! resolved, our properties added where missing), or created on the first sync under the
//! mapping's parent page, with properties typed by [`engine::project_row::SCHEMA`]. Its
//! description carries the mapping id, and the intent to create is recorded in the mapping's
//! rules before the call, so a create whose answer was lost is found by search, not repeated.
//!
//! The row is found by its `Repl ID` property, never by title, and is looked up before every
//! create: a create whose answer was lost is adopted by the next sync instead of being
//! duplicated. Only values that differ from the row's are written (nothing at all when nothing
//! changed), and the values a write replaces go to history first.

use super::folder::notion_side::{self, NotionSchema};
use super::{now_ms, outcome, to_json};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::{ItemBase, MappingRecord, NewRevision};
use engine::frontmatter::{Properties, PropertyValue};
use engine::project_row::{self, REPL_ID};
use notion::{AccessToken, Filter, Page, PropertyCondition, TextCondition};
use protocol::session::{ItemAction, ItemOutcome, ReplProject};
use protocol::ContentHash;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `sync_mappings.kind` of a project-row mapping.
pub const KIND: &str = "repl_project_row";
/// The title of a Projects database the relay creates.
const DATABASE_TITLE: &str = "Projects";

/// What a project-row mapping keeps (`sync_mappings.rules`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Rules {
    #[serde(default)]
    pub data_source_id: Option<String>,
    /// The data source's properties (name → Notion type), as last seen.
    #[serde(default)]
    pub schema: NotionSchema,
    /// A database create was sent and not confirmed: look for it before sending another.
    #[serde(default)]
    pub creating_database: bool,
}

pub fn rules(m: &MappingRecord) -> Rules {
    serde_json::from_str(&m.rules).unwrap_or_default()
}

/// The stored path of a project-row mapping. It starts with `/`, which no file path can, so it
/// never collides with a file mapping, and it names the Repl, so each Repl has its own.
pub fn path_for(repl_id: &str) -> String {
    format!("/project/{repl_id}")
}

/// Whether a stored path is a project row's (see [`path_for`]).
pub fn is_project_path(path: &str) -> bool {
    path.starts_with("/project/")
}

/// Who syncs which mapping, and whether anything may be written.
pub(super) struct Context<'a> {
    pub user: &'a AuthUser,
    pub token: &'a AccessToken,
    pub mapping: &'a MappingRecord,
    pub dry_run: bool,
}

fn our_schema() -> NotionSchema {
    project_row::SCHEMA
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

/// Links an existing database to a new project-row mapping: its one data source, with our
/// properties added where it lacks them (its own title property stays the title).
pub async fn link(
    state: &AppState,
    token: &AccessToken,
    mapping: &MappingRecord,
    id: &str,
) -> ApiResult<MappingRecord> {
    let (db, ds) = notion_side::resolve_data_source(state, token, id).await?;
    let mut schema = notion_side::schema_of_data_source(&ds);
    match schema.get(REPL_ID).map(String::as_str) {
        None | Some("rich_text") => {}
        Some(other) => {
            return Err(ApiError::bad_request(
                "repl_id_property",
                format!("the database's “{REPL_ID}” property is of type {other}; it must be text, so the Repl's row can be found by it"),
            ))
        }
    }
    let missing: NotionSchema = our_schema()
        .into_iter()
        .filter(|(name, ty)| ty != "title" && !schema.contains_key(name))
        .collect();
    if !missing.is_empty() {
        let req = notion::UpdateDataSourceRequest {
            properties: notion_side::schema_request(&missing),
            ..Default::default()
        };
        state.pace(token).await?;
        let updated = state
            .notion
            .update_data_source(token, &ds.id, &req)
            .await
            .map_err(ApiError::notion)?;
        schema = notion_side::schema_of_data_source(&updated);
    }
    let rules = Rules {
        data_source_id: Some(ds.id.clone()),
        schema,
        creating_database: false,
    };
    let json = to_json(&rules)?;
    state
        .store
        .set_mapping_rules(&mapping.id, &json, crate::now())
        .await?;
    let title = db.title();
    state
        .store
        .set_mapping_page(&mapping.id, &db.id, Some(&db.url), &title, crate::now())
        .await?;
    let mut m = mapping.clone();
    m.rules = json;
    m.notion_page_id = Some(db.id.clone());
    m.notion_url = Some(db.url.clone());
    m.title = Some(title);
    Ok(m)
}

/// Upserts the Repl's row; answers the item's outcome.
pub(super) async fn sync(
    state: &AppState,
    cx: Context<'_>,
    project: &ReplProject,
) -> ApiResult<ItemOutcome> {
    let path = cx.mapping.path.as_str();
    let mut rules = rules(cx.mapping);
    let values = project_row::values(project);
    let data_source = match rules.data_source_id.clone() {
        Some(id) => id,
        None if cx.dry_run => {
            return Ok(outcome(
                path,
                ItemAction::Created,
                Some("a Projects database will be created, with a row for this Repl".into()),
            ))
        }
        None => match ensure_database(state, &cx, &mut rules).await? {
            Ok(id) => id,
            Err(message) => return Ok(outcome(path, ItemAction::Failed, Some(message))),
        },
    };
    let base = state.store.item(&cx.mapping.id, path).await?;
    let row = match find_row(state, &cx, base.as_ref(), &data_source, &project.repl_id).await? {
        Ok(row) => row,
        Err(step) => return Ok(step),
    };
    let last_sync = notion_side::iso(now_ms());
    let Some(row) = row else {
        let desired = project_row::fit(&values, &rules.schema);
        if cx.dry_run {
            return Ok(outcome(
                path,
                ItemAction::Created,
                Some("a row for this Repl will be created".into()),
            ));
        }
        let props = project_row::changes(&desired, &Properties::new(), &rules.schema, &last_sync);
        let req = notion::CreatePageRequest::row(&data_source, request(&props));
        state.pace(cx.token).await?;
        return match state.notion.create_page(cx.token, &req).await {
            Ok(page) => {
                save_base(state, &cx, &page.id, project, &desired).await?;
                Ok(outcome(path, ItemAction::Created, None))
            }
            // The create may have landed anyway: the next sync looks the row up by its Repl ID
            // before creating again.
            Err(e) => Ok(failed(path, &e)),
        };
    };
    let schema = notion_side::schema_of_page(&row);
    let desired = project_row::fit(&values, &schema);
    let current = current_values(&row);
    let changes = project_row::changes(&desired, &current, &schema, &last_sync);
    if changes.is_empty() {
        if !cx.dry_run && base.as_ref().is_none_or(|b| b.notion_page_id != row.id) {
            save_base(state, &cx, &row.id, project, &desired).await?;
        }
        return Ok(outcome(path, ItemAction::Unchanged, None));
    }
    let names: Vec<&str> = changes
        .keys()
        .map(String::as_str)
        .filter(|n| *n != project_row::LAST_SYNC)
        .collect();
    let message = format!("updated in Notion: {}", names.join(", "));
    if cx.dry_run {
        return Ok(outcome(path, ItemAction::Pushed, Some(message)));
    }
    // What the write replaces goes to history first.
    let replaced: String = changes
        .keys()
        .filter_map(|n| current.get(n).map(|v| format!("{n}: {}\n", shown(v))))
        .collect();
    if !replaced.is_empty() {
        state
            .store
            .record_revision(
                &NewRevision {
                    user_id: cx.user.user_id,
                    mapping_id: Some(&cx.mapping.id),
                    path,
                    side: "notion",
                    reason: "push",
                    content: &replaced,
                },
                crate::now(),
            )
            .await?;
    }
    let req = notion::UpdatePageRequest {
        properties: request(&changes),
        ..Default::default()
    };
    state.pace(cx.token).await?;
    match state.notion.update_page(cx.token, &row.id, &req).await {
        Ok(_) => {
            save_base(state, &cx, &row.id, project, &desired).await?;
            Ok(outcome(path, ItemAction::Pushed, Some(message)))
        }
        Err(e) => Ok(failed(path, &e)),
    }
}

/// The data source of a database the relay creates on the first sync (or finds, when an
/// earlier create's answer was lost).
async fn ensure_database(
    state: &AppState,
    cx: &Context<'_>,
    rules: &mut Rules,
) -> ApiResult<Result<String, String>> {
    let sync_id = cx.mapping.id.as_str();
    if rules.creating_database {
        match notion_side::find_database(state, cx.token, DATABASE_TITLE, sync_id).await? {
            Ok(Some(db)) => return adopt(state, cx, rules, &db).await,
            Ok(None) => {}
            Err(e) => return Ok(Err(super::file_page::notion_message(&e))),
        }
    }
    // Recorded before the call: from here on, the outcome is looked for before a retry.
    rules.creating_database = true;
    save_rules(state, cx.mapping, rules).await?;
    let schema = our_schema();
    let parent = cx.mapping.notion_parent_page_id.as_deref();
    let mut req = notion::CreateDatabaseRequest::under_page(
        parent.unwrap_or_default(),
        DATABASE_TITLE,
        notion_side::schema_request(&schema),
    );
    if parent.is_none() {
        req.parent = notion::Parent::Workspace;
    }
    req.description = vec![notion::RichTextItem::text(format!(
        "Replit projects, kept up to date by Notion Sync for Replit (sync id {sync_id})."
    ))];
    state.pace(cx.token).await?;
    match state.notion.create_database(cx.token, &req).await {
        Ok(db) => adopt(state, cx, rules, &db).await,
        Err(e) => Ok(Err(format!(
            "the Projects database could not be created: {}",
            super::file_page::notion_message(&e)
        ))),
    }
}

async fn adopt(
    state: &AppState,
    cx: &Context<'_>,
    rules: &mut Rules,
    db: &notion::Database,
) -> ApiResult<Result<String, String>> {
    let Some(ds) = db.data_sources.as_ref().and_then(|d| d.first()).cloned() else {
        return Ok(Err(
            "Notion created the database without a data source".into()
        ));
    };
    state.pace(cx.token).await?;
    let schema = match state.notion.retrieve_data_source(cx.token, &ds.id).await {
        Ok(d) => notion_side::schema_of_data_source(&d),
        Err(e) => return Ok(Err(super::file_page::notion_message(&e))),
    };
    rules.data_source_id = Some(ds.id.clone());
    rules.schema = schema;
    rules.creating_database = false;
    save_rules(state, cx.mapping, rules).await?;
    state
        .store
        .set_mapping_page(
            &cx.mapping.id,
            &db.id,
            Some(&db.url),
            &db.title(),
            crate::now(),
        )
        .await?;
    Ok(Ok(ds.id))
}

async fn save_rules(state: &AppState, mapping: &MappingRecord, rules: &Rules) -> ApiResult<()> {
    state
        .store
        .set_mapping_rules(&mapping.id, &to_json(rules)?, crate::now())
        .await?;
    Ok(())
}

/// The Repl's row: the one the base names, else the one carrying the Repl's id. `Ok(None)`:
/// there is none (to create); `Err`: the item's outcome (nothing can be decided now).
async fn find_row(
    state: &AppState,
    cx: &Context<'_>,
    base: Option<&ItemBase>,
    data_source: &str,
    repl_id: &str,
) -> ApiResult<Result<Option<Page>, ItemOutcome>> {
    let path = cx.mapping.path.as_str();
    if let Some(b) = base.filter(|b| !b.notion_page_id.is_empty()) {
        state.pace(cx.token).await?;
        match state.notion.retrieve_page(cx.token, &b.notion_page_id).await {
            Ok(p) if p.is_trashed() => {
                return Ok(Err(outcome(
                    path,
                    ItemAction::Skipped,
                    Some("the Repl's row is in Notion's trash; restore it there, or unmap the project to stop syncing it".into()),
                )))
            }
            Ok(p) => return Ok(Ok(Some(p))),
            // Gone or unshared: looked for by its Repl ID below, like a first sync.
            Err(e) if e.is_not_found() => {}
            Err(e) => return Ok(Err(failed(path, &e))),
        }
    }
    let filter = Filter::property(
        REPL_ID,
        PropertyCondition::RichText(TextCondition::Equals(repl_id.to_string())),
    );
    match notion_side::query(state, cx.token, data_source, Some(filter), false).await? {
        // The oldest, should a person have duplicated the row.
        Ok(mut rows) => {
            rows.sort_by_key(|r| r.created_time);
            Ok(Ok(rows.into_iter().next()))
        }
        Err(e) => Ok(Err(failed(path, &e))),
    }
}

fn current_values(page: &Page) -> Properties {
    page.properties
        .iter()
        .filter_map(|(name, v)| {
            let json = serde_json::to_value(v).ok()?;
            Some((name.clone(), PropertyValue::from_notion_json(&json)?))
        })
        .collect()
}

fn request(props: &Properties) -> BTreeMap<String, notion::PropertyValueKind> {
    props
        .iter()
        .filter_map(|(name, v)| Some((name.clone(), notion_side::request_value(v)?)))
        .collect()
}

/// A value as a line of history.
fn shown(v: &PropertyValue) -> String {
    match v {
        PropertyValue::Title(s) | PropertyValue::RichText(s) => s.clone(),
        PropertyValue::Url(s) | PropertyValue::Select(s) => s.clone().unwrap_or_default(),
        PropertyValue::MultiSelect(l) => l.join(", "),
        PropertyValue::Number(n) => n.map(|n| n.to_string()).unwrap_or_default(),
        PropertyValue::Date(d) => d.as_ref().map(|(s, _)| s.clone()).unwrap_or_default(),
        other => other.to_notion_json().to_string(),
    }
}

async fn save_base(
    state: &AppState,
    cx: &Context<'_>,
    row_id: &str,
    project: &ReplProject,
    desired: &Properties,
) -> ApiResult<()> {
    let json = to_json(desired)?;
    state
        .store
        .put_item(
            &ItemBase {
                mapping_id: cx.mapping.id.clone(),
                path: cx.mapping.path.clone(),
                notion_page_id: row_id.to_string(),
                local_hash: ContentHash::of(&json).to_string(),
                remote_hash: String::new(),
                base_text: json.clone(),
                remote_markdown: String::new(),
                title: project.title.clone(),
                title_from_h1: false,
                properties: json,
            },
            crate::now(),
        )
        .await?;
    Ok(())
}

fn failed(path: &str, err: &notion::NotionError) -> ItemOutcome {
    tracing::warn!(error = %err, "notion call failed during a project-row sync");
    outcome(
        path,
        ItemAction::Failed,
        Some(super::file_page::notion_message(err)),
    )
}

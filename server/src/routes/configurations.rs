//! `GET|POST /api/sync/configurations`, `DELETE /api/sync/configurations/{id}`: the user's
//! connection and mappings.

use super::connection::connection_status;
use crate::auth::AuthUser;
use crate::domain::{NotionId, ReplPath};
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::{MappingRecord, MappingUpdate, NewMapping};
use crate::sync::{enum_name, notion_token, parse_enum};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use protocol::api::{
    paths, Configurations, CreateMapping, Direction, Mapping, MappingKind, MappingStatus,
    NotionTarget, UpdateMapping, DEFAULT_SYNC_INTERVAL_SECS, MIN_SYNC_INTERVAL_SECS,
};

/// A user with more mappings than this is far outside what one panel can show.
const MAX_MAPPINGS: usize = 500;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::CONFIGURATIONS, get(list).post(create))
        .route(
            &format!("{}/{{id}}", paths::CONFIGURATIONS),
            delete(remove).patch(update),
        )
}

pub(crate) fn to_api(m: MappingRecord) -> Mapping {
    let recursive = m.kind == crate::sync::folder::KIND && crate::sync::folder::rules(&m).recursive;
    Mapping {
        recursive,
        kind: parse_enum(&m.kind).unwrap_or(MappingKind::FilePage),
        direction: parse_enum(&m.direction).unwrap_or_default(),
        strategy: parse_enum(&m.strategy).unwrap_or_default(),
        status: parse_enum(&m.status).unwrap_or(MappingStatus::NeverSynced),
        id: m.id,
        path: m.path,
        notion_page_id: m.notion_page_id,
        notion_url: m.notion_url,
        title: m.title,
        last_synced_at: m.last_synced_at,
        auto_sync: m.auto_sync,
        sync_interval_secs: u32::try_from(m.sync_interval_secs)
            .unwrap_or(DEFAULT_SYNC_INTERVAL_SECS),
    }
}

async fn list(State(state): State<AppState>, user: AuthUser) -> ApiResult<Json<Configurations>> {
    let connection = connection_status(&state, user.user_id).await?;
    let mappings = state
        .store
        .mappings(user.user_id)
        .await?
        .into_iter()
        .map(to_api)
        .collect();
    Ok(Json(Configurations {
        connection,
        mappings,
    }))
}

async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<CreateMapping>,
) -> ApiResult<(StatusCode, Json<Mapping>)> {
    let folder = req.kind == MappingKind::FolderDatabase;
    let project = req.kind == MappingKind::ReplProjectRow;
    let path = if project {
        if req.direction != Direction::ReplitToNotion {
            return Err(ApiError::bad_request(
                "direction_not_supported",
                "a project row is written from the Repl to Notion only: create it with the direction replit_to_notion",
            ));
        }
        let repl_id: String = req
            .repl_id
            .as_deref()
            .unwrap_or_default()
            .trim()
            .chars()
            .take(200)
            .collect();
        if repl_id.is_empty() || repl_id.chars().any(char::is_control) {
            return Err(ApiError::bad_request(
                "repl_id_required",
                "a project-row mapping needs the Repl's id (repl_id)",
            ));
        }
        crate::sync::project_row::path_for(&repl_id)
    } else if folder && req.path.trim_matches('/').is_empty() {
        // The Repl root.
        String::new()
    } else {
        let raw = if folder {
            req.path.trim_end_matches('/')
        } else {
            req.path.as_str()
        };
        let path = ReplPath::parse(raw)
            .map_err(|e| ApiError::bad_request("invalid_path", format!("{}: {e}", req.path)))?;
        if req.kind == MappingKind::FilePage && !path.is_markdown() {
            return Err(ApiError::bad_request(
                "not_markdown",
                "a file ↔ page mapping needs a Markdown file (.md)",
            ));
        }
        if req.kind == MappingKind::FileCodePage && path.is_binary_by_name() {
            return Err(ApiError::bad_request(
                "not_text",
                "a code page holds a text file; this file's name says it is binary",
            ));
        }
        path.as_str().to_string()
    };
    let wants_database = folder || project;
    let target_fits = match &req.target {
        NotionTarget::NewPage { .. } | NotionTarget::ExistingPage { .. } => !wants_database,
        NotionTarget::NewDatabase { .. } | NotionTarget::ExistingDatabase { .. } => wants_database,
    };
    if !target_fits {
        return Err(ApiError::bad_request(
            "target_mismatch",
            if project {
                "a project row lives in a database: a new Projects database or an existing one"
            } else if folder {
                "a folder ↔ database mapping needs a database: a new one or an existing one"
            } else {
                "a file ↔ page mapping needs a page: a new one or an existing one"
            },
        ));
    }
    let (conn, token) = notion_token(&state, user.user_id).await?;
    let existing = state.store.mappings(user.user_id).await?;
    if existing.iter().any(|m| m.path == path) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "already_mapped",
            format!("{path} is already mapped"),
        ));
    }
    if existing.len() >= MAX_MAPPINGS {
        return Err(ApiError::bad_request(
            "too_many_mappings",
            format!("at most {MAX_MAPPINGS} mappings per user"),
        ));
    }
    let (page_id, parent_id, database_id) = match &req.target {
        NotionTarget::NewPage { parent_page_id } | NotionTarget::NewDatabase { parent_page_id } => {
            let parent = match parent_page_id {
                Some(p) => Some(parse_id(p)?),
                None => None,
            };
            (None, parent, None)
        }
        NotionTarget::ExistingPage { page_id } => (Some(parse_id(page_id)?), None, None),
        NotionTarget::ExistingDatabase { database_id } => {
            (None, None, Some(parse_id(database_id)?))
        }
    };
    let mut record = state
        .store
        .insert_mapping(
            &NewMapping {
                user_id: user.user_id,
                configuration_id: conn.id,
                kind: enum_name(&req.kind),
                repl_id: req.repl_id.map(|r| r.chars().take(200).collect()),
                path: path.clone(),
                notion_page_id: None,
                notion_parent_page_id: parent_id.map(|p| p.as_str().to_string()),
                direction: enum_name(&req.direction),
                strategy: enum_name(&req.strategy),
            },
            crate::now(),
        )
        .await?;
    if folder {
        let rules = crate::sync::folder::Rules {
            recursive: req.recursive,
        };
        let rules = serde_json::to_string(&rules).unwrap_or_else(|_| "{}".into());
        state
            .store
            .set_mapping_rules(&record.id, &rules, crate::now())
            .await?;
        record.rules = rules;
    }
    if let Some(database_id) = database_id {
        // Linking an existing database: resolved to its one data source now, so a wrong id or a
        // database with several data sources fails here rather than at the first sync.
        let linked = if project {
            crate::sync::project_row::link(&state, &token, &record, database_id.as_str()).await
        } else {
            crate::sync::folder::link_database(&state, &token, &record, database_id.as_str()).await
        };
        match linked {
            Ok(linked) => record = linked,
            Err(e) => {
                state.store.delete_mapping(user.user_id, &record.id).await?;
                return Err(e);
            }
        }
    }
    if let Some(page_id) = page_id {
        // Linking an existing page: check now that it exists and is shared, so a typo fails
        // here rather than at the first sync.
        state.pace(&token).await?;
        let page = match state.notion.retrieve_page(&token, page_id.as_str()).await {
            Ok(p) => p,
            Err(e) => {
                state.store.delete_mapping(user.user_id, &record.id).await?;
                return Err(ApiError::notion(e));
            }
        };
        let title = page.title();
        state
            .store
            .set_mapping_page(&record.id, &page.id, Some(&page.url), &title, crate::now())
            .await?;
        record.notion_page_id = Some(page.id.clone());
        record.notion_url = Some(page.url.clone());
        record.title = Some(title);
    }
    Ok((StatusCode::CREATED, Json(to_api(record))))
}

fn parse_id(s: &str) -> ApiResult<NotionId> {
    NotionId::parse(s)
        .ok_or_else(|| ApiError::bad_request("invalid_notion_id", "not a Notion page id"))
}

async fn remove(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    // Unmapping leaves both sides as they are: only our bookkeeping goes.
    if state.store.delete_mapping(user.user_id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found("no such mapping"))
    }
}

async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<UpdateMapping>,
) -> ApiResult<Json<Mapping>> {
    if let Some(secs) = req.sync_interval_secs {
        if !(MIN_SYNC_INTERVAL_SECS..=7 * 24 * 3600).contains(&secs) {
            return Err(ApiError::bad_request(
                "invalid_interval",
                format!(
                    "the auto-sync interval must be between {MIN_SYNC_INTERVAL_SECS} s and 7 days"
                ),
            ));
        }
    }
    if req
        .direction
        .is_some_and(|d| d != Direction::ReplitToNotion)
    {
        let kind = state
            .store
            .mapping(user.user_id, &id)
            .await?
            .map(|m| m.kind);
        if kind.as_deref() == Some(crate::sync::project_row::KIND) {
            return Err(ApiError::bad_request(
                "direction_not_supported",
                "a project row is written from the Repl to Notion only (replit_to_notion)",
            ));
        }
    }
    let update = MappingUpdate {
        direction: req.direction.as_ref().map(enum_name),
        strategy: req.strategy.as_ref().map(enum_name),
        auto_sync: req.auto_sync,
        sync_interval_secs: req.sync_interval_secs.map(i64::from),
    };
    if !state
        .store
        .update_mapping(user.user_id, &id, &update, crate::now())
        .await?
    {
        return Err(ApiError::not_found("no such mapping"));
    }
    let mapping = state
        .store
        .mapping(user.user_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such mapping"))?;
    Ok(Json(to_api(mapping)))
}

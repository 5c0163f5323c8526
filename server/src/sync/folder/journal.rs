//! The write-ahead journal of Notion writes (G5).
//!
//! Every Notion write of a folder sync is journaled before the call and settled after it:
//! `done` (Notion answered), `failed` (Notion refused: nothing was applied) or, when the outcome
//! is unknown (a timeout, a lost answer, a relay that died mid-call), left `pending`. The next
//! session looks for the result before writing again:
//!
//! - a row create: the row carrying the entry's sync id (the `Sync ID` property every row the
//!   relay creates carries) is found and adopted as the item, or the entry is `abandoned` and the
//!   file is created again — with the same sync id, so a create that lands late anyway is
//!   recognized as a duplicate of ours and goes to the trash;
//! - a row update: the row's body is read and compared with what the write would have left;
//! - a trash: the page is retrieved to see whether it is in the trash;
//! - a database create: the database whose description carries the sync id is looked for.

use super::Cx;
use crate::error::ApiResult;
use crate::store::{FolderItem, JournalEntry};
use engine::frontmatter::Properties;
use notion::NotionError;
use serde::{Deserialize, Serialize};

pub(super) const CREATE_ROW: &str = "create_row";
pub(super) const UPDATE_ROW: &str = "update_row";
pub(super) const TRASH_ROW: &str = "trash_row";
pub(super) const CREATE_DATABASE: &str = "create_database";

/// What a row create leaves behind: the item as it will be stored (its page id still unknown).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct CreatePayload {
    pub item: FolderItem,
}

/// What a row update leaves behind, to recognize it on the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct UpdatePayload {
    pub item: FolderItem,
    /// The page's Markdown after the write, canonical (`None`: the body was not written).
    pub expected_markdown: Option<String>,
    pub expected_title: String,
    pub expected_properties: Properties,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct DatabasePayload {
    pub title: String,
}

/// Whether a failed write may have been applied anyway: no answer (timeout, reset, a relay
/// that died), an answer we could not read, or a server error after the request arrived.
pub(super) fn outcome_unknown(e: &NotionError) -> bool {
    match e {
        NotionError::Timeout | NotionError::Http(_) | NotionError::Decode(_) => true,
        NotionError::Api { status, .. } | NotionError::UnexpectedStatus { status, .. } => {
            *status >= 500
        }
        NotionError::RateLimited { .. } | NotionError::InvalidRequest(_) => false,
    }
}

/// Journals an intended write; returns the entry's id.
pub(super) async fn begin<T: Serialize>(
    cx: &Cx<'_>,
    op: &str,
    page_id: Option<&str>,
    path: &str,
    sync_id: Option<&str>,
    payload: &T,
) -> ApiResult<String> {
    let id = uuid::Uuid::new_v4().to_string();
    cx.state
        .store
        .journal_begin(&JournalEntry {
            id: id.clone(),
            user_id: cx.user.user_id,
            mapping_id: cx.mapping.id.clone(),
            op: op.to_string(),
            page_id: page_id.map(str::to_string),
            path: path.to_string(),
            sync_id: sync_id.map(str::to_string),
            payload: super::to_json(payload)?,
            status: "pending".into(),
            created_at: crate::now(),
        })
        .await?;
    Ok(id)
}

pub(super) async fn done(cx: &Cx<'_>, id: &str, page_id: Option<&str>) -> ApiResult<()> {
    settle(cx, id, "done", page_id).await
}

pub(super) async fn settle(
    cx: &Cx<'_>,
    id: &str,
    status: &str,
    page_id: Option<&str>,
) -> ApiResult<()> {
    cx.state
        .store
        .journal_settle(id, status, page_id, crate::now())
        .await?;
    Ok(())
}

/// After a failed call: a refusal settles the entry (nothing was applied); an unknown outcome
/// leaves it pending for the next session to look for.
pub(super) async fn failed(cx: &Cx<'_>, id: &str, e: &NotionError) -> ApiResult<()> {
    if !outcome_unknown(e) {
        settle(cx, id, "failed", None).await?;
    }
    Ok(())
}

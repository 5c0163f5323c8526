//! One `file_page` mapping: a Markdown file ↔ one Notion page.
//!
//! Reads the page's Markdown (one call), lets [`engine::decide`] compare both sides with the base,
//! then: creates the page (`POST /v1/pages` with markdown), replaces its content
//! (`PATCH /v1/pages/{id}/markdown`), or plans a file write. Notion's answer to our own write is
//! stored as the remote base, so our writes never come back as edits (G9).

use super::{outcome, PendingWrite, Progress};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::{ConflictRecord, ItemBase, MappingRecord, NewRevision};
use engine::{decide, title, translate, Base, Decision, SideState};
use protocol::api::{Direction, ProgressStage};
use protocol::session::{FileWrite, ItemAction, ItemOutcome, ManifestEntry};
use protocol::ContentHash;

pub(super) struct Step {
    pub outcome: ItemOutcome,
    pub pending: Option<PendingWrite>,
}

impl Step {
    fn only(path: &str, action: ItemAction, message: Option<String>) -> Step {
        Step {
            outcome: outcome(path, action, message),
            pending: None,
        }
    }
}

pub(super) async fn sync(
    state: &AppState,
    user: &AuthUser,
    token: &notion::AccessToken,
    mapping: &MappingRecord,
    local: Option<&ManifestEntry>,
    text: Option<String>,
    progress: &Progress<'_>,
) -> ApiResult<Step> {
    let path = mapping.path.as_str();
    if let Some(entry) = local {
        if entry.size > super::MAX_FILE_BYTES {
            let msg = format!(
                "the file is larger than {} MB; it was left alone",
                super::MAX_FILE_BYTES / (1024 * 1024)
            );
            return Ok(Step::only(path, ItemAction::Skipped, Some(msg)));
        }
    }
    let base = state.store.item(&mapping.id, path).await?;
    progress.stage(ProgressStage::ReadingNotion);
    let remote = match &mapping.notion_page_id {
        Some(id) => match state.notion.get_page_markdown(token, id).await {
            Ok(pm) => Some(pm.markdown),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Ok(failed(path, &e)),
        },
        None => None,
    };
    let local_state = match local {
        Some(e) => SideState::Present(e.hash.clone()),
        None => SideState::Missing,
    };
    let remote_state = match &remote {
        // An existing page with no content is an empty target on a first link, not a conflict.
        Some(md) if base.is_none() && md.trim().is_empty() => SideState::Missing,
        Some(md) => SideState::Present(ContentHash::of(md)),
        None => SideState::Missing,
    };
    let engine_base = base.as_ref().and_then(|b| {
        Some(Base {
            local: ContentHash::parse(&b.local_hash).ok()?,
            remote: ContentHash::parse(&b.remote_hash).ok()?,
        })
    });
    let direction: Direction = super::parse_enum(&mapping.direction).unwrap_or_default();
    let decision = decide(engine_base.as_ref(), &local_state, &remote_state);
    let needs_text = matches!(decision, Decision::CreateRemote | Decision::PushLocal);
    if needs_text {
        progress.stage(ProgressStage::WritingNotion);
    }
    let text = match (needs_text, text) {
        (true, None) => {
            return Err(ApiError::bad_request(
                "missing_content",
                format!("the contents of {path} are needed"),
            ))
        }
        (_, t) => t,
    };
    match decision {
        Decision::Unchanged => Ok(Step::only(path, ItemAction::Unchanged, None)),
        Decision::LocalMissing => Ok(Step::only(
            path,
            ItemAction::Skipped,
            Some("the file is missing in the Repl; the Notion page was left as it is".into()),
        )),
        Decision::CreateRemote | Decision::PushLocal if direction == Direction::NotionToReplit => {
            Ok(Step::only(
                path,
                ItemAction::Skipped,
                Some("the file changed, but this mapping only syncs Notion → Repl".into()),
            ))
        }
        Decision::PullRemote if direction == Direction::ReplitToNotion => Ok(Step::only(
            path,
            ItemAction::Skipped,
            Some("the page changed in Notion, but this mapping only syncs Repl → Notion".into()),
        )),
        Decision::CreateRemote => {
            let text = text.unwrap_or_default();
            push(state, user, token, mapping, local, &text, None).await
        }
        Decision::PushLocal => {
            let text = text.unwrap_or_default();
            push(state, user, token, mapping, local, &text, remote.as_deref()).await
        }
        Decision::PullRemote => {
            let (Some(base), Some(md), Some(entry)) = (base, remote, local) else {
                return Ok(Step::only(path, ItemAction::Unchanged, None));
            };
            let content = title::join(
                &base.title,
                base.title_from_h1,
                &translate::from_notion(&md),
            );
            let new_hash = ContentHash::of(&content);
            let pending = PendingWrite {
                write: FileWrite {
                    path: path.to_string(),
                    expected_hash: Some(entry.hash.clone()),
                    content,
                    new_hash,
                },
                page_id: base.notion_page_id.clone(),
                remote_hash: ContentHash::of(&md).to_string(),
                remote_markdown: md,
                title: base.title.clone(),
                title_from_h1: base.title_from_h1,
                replaced: base.base_text.clone(),
            };
            Ok(Step {
                outcome: outcome(path, ItemAction::Pulled, None),
                pending: Some(pending),
            })
        }
        Decision::Conflict => {
            let message = match (&base, &remote) {
                (Some(_), None) => "the Notion page is gone or no longer shared with the integration; nothing was changed",
                (None, _) => "both the file and the page already have content; nothing was overwritten — choose which to keep",
                _ => "changed in both the Repl and Notion since the last sync; nothing was overwritten",
            };
            let remote_text = remote
                .as_deref()
                .map(translate::from_notion)
                .unwrap_or_default();
            state
                .store
                .insert_conflict(
                    &ConflictRecord {
                        user_id: user.user_id,
                        mapping_id: mapping.id.clone(),
                        path: path.to_string(),
                        base_text: base
                            .as_ref()
                            .map(|b| b.base_text.clone())
                            .unwrap_or_default(),
                        local_text: text,
                        remote_text,
                    },
                    crate::now(),
                )
                .await?;
            Ok(Step::only(path, ItemAction::Conflict, Some(message.into())))
        }
    }
}

/// Writes the file to Notion (creating the page on the first push) and records the new base.
/// `replaced` is the page's Markdown being overwritten; it goes to history first.
async fn push(
    state: &AppState,
    user: &AuthUser,
    token: &notion::AccessToken,
    mapping: &MappingRecord,
    local: Option<&ManifestEntry>,
    text: &str,
    replaced: Option<&str>,
) -> ApiResult<Step> {
    let create = replaced.is_none();
    let path = mapping.path.as_str();
    let Some(entry) = local else {
        return Ok(Step::only(path, ItemAction::Skipped, None));
    };
    let titled = title::split(path, text);
    let body = translate::to_notion(&titled.body);
    let now = crate::now();
    let (page_id, markdown, action) = match (&mapping.notion_page_id, create) {
        (None, _) => {
            let req = notion::CreatePageRequest::markdown(
                mapping.notion_parent_page_id.as_deref(),
                &titled.title,
                &body,
            );
            let page = match state.notion.create_page(token, &req).await {
                Ok(p) => p,
                Err(e) => return Ok(failed(path, &e)),
            };
            state
                .store
                .set_mapping_page(&mapping.id, &page.id, Some(&page.url), &titled.title, now)
                .await?;
            // The create answer is a page object; the content base is what Notion made of ours.
            let md = match state.notion.get_page_markdown(token, &page.id).await {
                Ok(pm) => pm.markdown,
                Err(e) => return Ok(failed(path, &e)),
            };
            (page.id, md, ItemAction::Created)
        }
        (Some(id), _) => {
            if let Some(old) = replaced.filter(|old| !old.trim().is_empty()) {
                state
                    .store
                    .record_revision(
                        &NewRevision {
                            user_id: user.user_id,
                            mapping_id: Some(&mapping.id),
                            path,
                            side: "notion",
                            reason: "push",
                            content: old,
                        },
                        now,
                    )
                    .await?;
            }
            let req = notion::UpdatePageMarkdown::replace_content(&body);
            let md = match state.notion.update_page_markdown(token, id, &req).await {
                Ok(pm) => pm.markdown,
                Err(e) => return Ok(failed(path, &e)),
            };
            (
                id.clone(),
                md,
                if create {
                    ItemAction::Created
                } else {
                    ItemAction::Pushed
                },
            )
        }
    };
    state
        .store
        .put_item(
            &ItemBase {
                mapping_id: mapping.id.clone(),
                path: path.to_string(),
                notion_page_id: page_id,
                local_hash: entry.hash.to_string(),
                remote_hash: ContentHash::of(&markdown).to_string(),
                base_text: text.to_string(),
                remote_markdown: markdown,
                title: titled.title,
                title_from_h1: titled.from_h1,
            },
            now,
        )
        .await?;
    Ok(Step::only(path, action, None))
}

fn failed(path: &str, err: &notion::NotionError) -> Step {
    let message = if err.is_unauthorized() {
        "Notion refused the connection's token: reconnect Notion".to_string()
    } else if err.is_not_found() {
        "the Notion page was not found or is no longer shared with the integration".to_string()
    } else {
        format!("Notion request failed: {err}")
    };
    tracing::warn!(error = %err, "notion call failed during sync");
    Step::only(path, ItemAction::Failed, Some(message))
}

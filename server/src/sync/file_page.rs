//! One `file_page` mapping: a Markdown file ↔ one Notion page.
//!
//! Reads the page's Markdown (one call), lets [`engine::decide`] compare both sides with the base,
//! then: creates the page (`POST /v1/pages` with markdown), replaces its content
//! (`PATCH /v1/pages/{id}/markdown`), plans a file write, or records a conflict. A conflict the
//! user has settled is applied here too, but only to the very versions the user chose between.
//! Notion's answer to our own write is stored as the remote base, so our writes never come back
//! as edits (G9); whatever a write replaces goes to history first (G16).

use super::{outcome, PendingWrite, Progress};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::{ConflictRecord, ItemBase, MappingRecord, NewRevision, StoredConflict};
use engine::title::Titled;
use engine::{decide, title, translate, Base, Decision, SideState};
use protocol::api::{Direction, ProgressStage};
use protocol::session::{FileWrite, ItemAction, ItemOutcome, ManifestEntry};
use protocol::ContentHash;

pub(super) struct Step {
    pub outcome: ItemOutcome,
    pub pending: Option<PendingWrite>,
    /// A conflict resolution was applied (for the log's `conflicts_resolved`).
    pub resolved: bool,
}

impl Step {
    fn only(path: &str, action: ItemAction, message: Option<String>) -> Step {
        Step {
            outcome: outcome(path, action, message),
            pending: None,
            resolved: false,
        }
    }
}

/// Everything known about the item during one session.
struct Item<'a> {
    state: &'a AppState,
    user: &'a AuthUser,
    token: &'a notion::AccessToken,
    mapping: &'a MappingRecord,
    local: Option<&'a ManifestEntry>,
    /// The file's content, when the panel uploaded it.
    text: Option<String>,
    base: Option<ItemBase>,
    /// The page's Markdown now; `None` when there is no page or it cannot be seen.
    remote: Option<String>,
}

/// Who is syncing what, and how.
pub(super) struct Context<'a> {
    pub user: &'a AuthUser,
    pub token: &'a notion::AccessToken,
    pub mapping: &'a MappingRecord,
    pub progress: &'a Progress<'a>,
    /// Preview: decide and report, write nothing.
    pub dry_run: bool,
}

pub(super) async fn sync(
    state: &AppState,
    cx: Context<'_>,
    local: Option<&ManifestEntry>,
    text: Option<String>,
) -> ApiResult<Step> {
    let Context {
        user,
        token,
        mapping,
        progress,
        dry_run,
    } = cx;
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
    if mapping.notion_page_id.is_some() {
        state.pace(token).await?;
    }
    let remote = match &mapping.notion_page_id {
        Some(id) => match state.notion.get_page_markdown(token, id).await {
            Ok(pm) => Some(pm.markdown),
            Err(e) if e.is_not_found() => None,
            Err(e) => return Ok(failed(path, &e)),
        },
        None => None,
    };
    let item = Item {
        state,
        user,
        token,
        mapping,
        local,
        text,
        base,
        remote,
    };

    let unsettled = state.store.unsettled_conflict(&mapping.id, path).await?;
    if let Some(conflict) = &unsettled {
        if conflict.status == "resolved" && item.matches(conflict) {
            if dry_run {
                return Ok(Step::only(
                    path,
                    ItemAction::Pushed,
                    Some("your conflict resolution will be applied".into()),
                ));
            }
            progress.stage(ProgressStage::WritingNotion);
            return item.apply_resolution(conflict).await;
        }
    }

    let decision = item.decide();
    if dry_run {
        return Ok(item.preview(decision));
    }
    if matches!(decision, Decision::CreateRemote | Decision::PushLocal) {
        progress.stage(ProgressStage::WritingNotion);
    }
    let step = item.act(decision).await?;
    if let (Some(conflict), false) = (&unsettled, decision == Decision::Conflict) {
        // The sides no longer conflict (one was put back, or both now agree): nothing to choose.
        state
            .store
            .mark_conflict_applied(&conflict.id, crate::now())
            .await?;
    }
    Ok(step)
}

impl Item<'_> {
    fn path(&self) -> &str {
        &self.mapping.path
    }

    fn local_hash(&self) -> Option<String> {
        self.local.map(|e| e.hash.to_string())
    }

    fn remote_hash(&self) -> Option<String> {
        self.remote
            .as_deref()
            .map(|md| ContentHash::of(md).to_string())
    }

    /// Whether both sides are still the versions a conflict was about.
    fn matches(&self, c: &StoredConflict) -> bool {
        self.local_hash() == c.local_hash && self.remote_hash() == c.remote_hash
    }

    fn decide(&self) -> Decision {
        let local = match self.local {
            Some(e) => SideState::Present(e.hash.clone()),
            None => SideState::Missing,
        };
        let remote = match &self.remote {
            // An existing page with no content is an empty target on a first link, not a conflict.
            Some(md) if self.base.is_none() && md.trim().is_empty() => SideState::Missing,
            Some(md) => SideState::Present(ContentHash::of(md)),
            None => SideState::Missing,
        };
        let base = self.base.as_ref().and_then(|b| {
            Some(Base {
                local: ContentHash::parse(&b.local_hash).ok()?,
                remote: ContentHash::parse(&b.remote_hash).ok()?,
            })
        });
        decide(base.as_ref(), &local, &remote)
    }

    /// What [`Item::act`] would do, without doing it.
    fn preview(&self, decision: Decision) -> Step {
        let path = self.path();
        let direction: Direction = super::parse_enum(&self.mapping.direction).unwrap_or_default();
        let (action, message) = match decision {
            Decision::Unchanged => (ItemAction::Unchanged, None),
            Decision::LocalMissing => {
                (ItemAction::Skipped, Some("the file is missing in the Repl"))
            }
            Decision::CreateRemote | Decision::PushLocal
                if direction == Direction::NotionToReplit =>
            {
                (
                    ItemAction::Skipped,
                    Some("this mapping only syncs Notion → Repl"),
                )
            }
            Decision::PullRemote if direction == Direction::ReplitToNotion => (
                ItemAction::Skipped,
                Some("this mapping only syncs Repl → Notion"),
            ),
            Decision::CreateRemote => (
                ItemAction::Created,
                Some("a new Notion page will be created"),
            ),
            Decision::PushLocal => (
                ItemAction::Pushed,
                Some("the file's changes will be written to Notion"),
            ),
            Decision::PullRemote => (
                ItemAction::Pulled,
                Some("Notion's changes will be written to the file"),
            ),
            Decision::Conflict => (
                ItemAction::Conflict,
                Some("both sides changed; you will choose which to keep"),
            ),
        };
        Step::only(path, action, message.map(str::to_string))
    }

    fn text(&self) -> ApiResult<&str> {
        self.text.as_deref().ok_or_else(|| {
            ApiError::bad_request(
                "missing_content",
                format!("the contents of {} are needed", self.path()),
            )
        })
    }

    async fn act(&self, decision: Decision) -> ApiResult<Step> {
        let path = self.path();
        let direction: Direction = super::parse_enum(&self.mapping.direction).unwrap_or_default();
        let skipped = |why: &str| Ok(Step::only(path, ItemAction::Skipped, Some(why.into())));
        match decision {
            Decision::Unchanged => Ok(Step::only(path, ItemAction::Unchanged, None)),
            Decision::LocalMissing => {
                skipped("the file is missing in the Repl; the Notion page was left as it is")
            }
            Decision::CreateRemote | Decision::PushLocal
                if direction == Direction::NotionToReplit =>
            {
                skipped("the file changed, but this mapping only syncs Notion → Repl")
            }
            Decision::PullRemote if direction == Direction::ReplitToNotion => {
                skipped("the page changed in Notion, but this mapping only syncs Repl → Notion")
            }
            Decision::CreateRemote | Decision::PushLocal => {
                let text = self.text()?.to_string();
                let replaced = self
                    .remote
                    .as_deref()
                    .filter(|_| decision == Decision::PushLocal);
                let pushed = match self.push(&text, replaced, "push").await? {
                    Ok(p) => p,
                    Err(step) => return Ok(step),
                };
                self.save_base(&pushed, self.local_hash().unwrap_or_default(), &text)
                    .await?;
                let action = if pushed.created {
                    ItemAction::Created
                } else {
                    ItemAction::Pushed
                };
                Ok(Step::only(path, action, None))
            }
            Decision::PullRemote => {
                let Some(md) = self.remote.clone() else {
                    return Ok(Step::only(path, ItemAction::Unchanged, None));
                };
                let pending = self.pull(md, None);
                Ok(Step {
                    outcome: outcome(path, ItemAction::Pulled, None),
                    pending: Some(pending),
                    resolved: false,
                })
            }
            Decision::Conflict => self.conflict().await,
        }
    }

    /// Records (or brings up to date) the item's conflict; writes nothing on either side.
    async fn conflict(&self) -> ApiResult<Step> {
        let message = match (&self.base, &self.remote) {
            (Some(_), None) => {
                "the Notion page is gone or no longer shared with the integration; nothing was changed"
            }
            (None, _) => {
                "both the file and the page already have content; nothing was overwritten — choose which to keep"
            }
            _ => "changed in both the Repl and Notion since the last sync; nothing was overwritten",
        };
        let remote_text = match &self.remote {
            Some(md) => {
                let (title, from_h1) = self.title();
                title::join(&title, from_h1, &translate::from_notion(md))
            }
            None => String::new(),
        };
        self.state
            .store
            .upsert_conflict(
                &ConflictRecord {
                    user_id: self.user.user_id,
                    mapping_id: self.mapping.id.clone(),
                    path: self.path().to_string(),
                    base_text: self
                        .base
                        .as_ref()
                        .map(|b| b.base_text.clone())
                        .unwrap_or_default(),
                    local_text: self.text.clone(),
                    remote_text,
                    local_hash: self.local_hash(),
                    remote_hash: self.remote_hash().unwrap_or_default(),
                },
                crate::now(),
            )
            .await?;
        Ok(Step::only(
            self.path(),
            ItemAction::Conflict,
            Some(message.into()),
        ))
    }

    /// Applies the user's choice for a conflict whose versions are still the ones shown.
    async fn apply_resolution(&self, c: &StoredConflict) -> ApiResult<Step> {
        let path = self.path();
        let now = crate::now();
        match c.resolution.as_deref() {
            Some("keep_repl") => {
                let text = self.text()?.to_string();
                let pushed = match self.push(&text, self.remote.as_deref(), "resolve").await? {
                    Ok(p) => p,
                    Err(step) => return Ok(step),
                };
                self.save_base(&pushed, self.local_hash().unwrap_or_default(), &text)
                    .await?;
                self.state.store.mark_conflict_applied(&c.id, now).await?;
                let msg = "conflict resolved: the Repl's version is now in Notion".to_string();
                Ok(Step {
                    outcome: outcome(path, ItemAction::Pushed, Some(msg)),
                    pending: None,
                    resolved: true,
                })
            }
            Some("keep_notion") => {
                let Some(md) = self.remote.clone() else {
                    return Ok(Step::only(
                        path,
                        ItemAction::Conflict,
                        Some("the Notion page is gone; nothing to keep".into()),
                    ));
                };
                let pending = self.pull(md, Some(c.id.clone()));
                let msg = "conflict resolved: Notion's version goes into the file".to_string();
                Ok(Step {
                    outcome: outcome(path, ItemAction::Pulled, Some(msg)),
                    pending: Some(pending),
                    resolved: true,
                })
            }
            Some("merged") => {
                let merged = c.resolved_text.clone().unwrap_or_default();
                let pushed = match self
                    .push(&merged, self.remote.as_deref(), "resolve")
                    .await?
                {
                    Ok(p) => p,
                    Err(step) => return Ok(step),
                };
                let remote_hash = ContentHash::of(&pushed.markdown).to_string();
                // If the file write does not happen now, the next sync still recognizes the page.
                self.state
                    .store
                    .set_conflict_remote_hash(&c.id, &remote_hash)
                    .await?;
                let pending = PendingWrite {
                    write: FileWrite {
                        path: path.to_string(),
                        expected_hash: self.local.map(|e| e.hash.clone()),
                        new_hash: ContentHash::of(&merged),
                        content: merged,
                    },
                    page_id: pushed.page_id,
                    remote_hash,
                    remote_markdown: pushed.markdown,
                    title: pushed.titled.title,
                    title_from_h1: pushed.titled.from_h1,
                    replaced: self.text.clone().unwrap_or_default(),
                    resolves: Some(c.id.clone()),
                };
                let msg = "conflict resolved: your merged text is in Notion and goes into the file"
                    .to_string();
                Ok(Step {
                    outcome: outcome(path, ItemAction::Pushed, Some(msg)),
                    pending: Some(pending),
                    resolved: true,
                })
            }
            _ => Ok(Step::only(
                path,
                ItemAction::Conflict,
                Some("unknown resolution; choose again".into()),
            )),
        }
    }

    /// The page's title and whether it came from the file's H1, as last agreed.
    fn title(&self) -> (String, bool) {
        match &self.base {
            Some(b) => (b.title.clone(), b.title_from_h1),
            None => (
                self.mapping
                    .title
                    .clone()
                    .unwrap_or_else(|| title::file_stem(self.path()).to_string()),
                false,
            ),
        }
    }

    /// A file write bringing Notion's version into the file, guarded by the file's current hash.
    fn pull(&self, md: String, resolves: Option<String>) -> PendingWrite {
        let (title, from_h1) = self.title();
        let content = title::join(&title, from_h1, &translate::from_notion(&md));
        PendingWrite {
            write: FileWrite {
                path: self.path().to_string(),
                expected_hash: self.local.map(|e| e.hash.clone()),
                new_hash: ContentHash::of(&content),
                content,
            },
            page_id: self.page_id().unwrap_or_default(),
            remote_hash: ContentHash::of(&md).to_string(),
            remote_markdown: md,
            title,
            title_from_h1: from_h1,
            // What the write replaces: the file as uploaded, else as last agreed (it is unchanged).
            replaced: self
                .text
                .clone()
                .or_else(|| self.base.as_ref().map(|b| b.base_text.clone()))
                .unwrap_or_default(),
            resolves,
        }
    }

    fn page_id(&self) -> Option<String> {
        self.base
            .as_ref()
            .map(|b| b.notion_page_id.clone())
            .or_else(|| self.mapping.notion_page_id.clone())
    }

    /// Writes `text` to Notion: creates the page on the first push, else replaces its content.
    /// `replaced` (the page's Markdown being overwritten) goes to history first.
    async fn push(
        &self,
        text: &str,
        replaced: Option<&str>,
        reason: &str,
    ) -> ApiResult<Result<Pushed, Step>> {
        let path = self.path();
        let titled = title::split(path, text);
        let body = translate::to_notion(&titled.body);
        let now = crate::now();
        let Some(page_id) = self.mapping.notion_page_id.clone() else {
            let req = notion::CreatePageRequest::markdown(
                self.mapping.notion_parent_page_id.as_deref(),
                &titled.title,
                &body,
            );
            self.state.pace(self.token).await?;
            let page = match self.state.notion.create_page(self.token, &req).await {
                Ok(p) => p,
                Err(e) => return Ok(Err(failed(path, &e))),
            };
            self.state
                .store
                .set_mapping_page(
                    &self.mapping.id,
                    &page.id,
                    Some(&page.url),
                    &titled.title,
                    now,
                )
                .await?;
            // The create answer is a page object; the content base is what Notion made of ours.
            self.state.pace(self.token).await?;
            let markdown = match self
                .state
                .notion
                .get_page_markdown(self.token, &page.id)
                .await
            {
                Ok(pm) => pm.markdown,
                Err(e) => return Ok(Err(failed(path, &e))),
            };
            return Ok(Ok(Pushed {
                page_id: page.id,
                markdown,
                titled,
                created: true,
            }));
        };
        if let Some(old) = replaced.filter(|old| !old.trim().is_empty()) {
            self.state
                .store
                .record_revision(
                    &NewRevision {
                        user_id: self.user.user_id,
                        mapping_id: Some(&self.mapping.id),
                        path,
                        side: "notion",
                        reason,
                        content: old,
                    },
                    now,
                )
                .await?;
        }
        let req = notion::UpdatePageMarkdown::replace_content(&body);
        self.state.pace(self.token).await?;
        let markdown = match self
            .state
            .notion
            .update_page_markdown(self.token, &page_id, &req)
            .await
        {
            Ok(pm) => pm.markdown,
            Err(e) => return Ok(Err(failed(path, &e))),
        };
        // Linking an empty existing page counts as its creation from the file.
        let created = self.base.is_none();
        Ok(Ok(Pushed {
            page_id,
            markdown,
            titled,
            created,
        }))
    }

    /// Advances the base after a push Notion confirmed.
    async fn save_base(&self, pushed: &Pushed, local_hash: String, text: &str) -> ApiResult<()> {
        self.state
            .store
            .put_item(
                &ItemBase {
                    mapping_id: self.mapping.id.clone(),
                    path: self.path().to_string(),
                    notion_page_id: pushed.page_id.clone(),
                    local_hash,
                    remote_hash: ContentHash::of(&pushed.markdown).to_string(),
                    base_text: text.to_string(),
                    remote_markdown: pushed.markdown.clone(),
                    title: pushed.titled.title.clone(),
                    title_from_h1: pushed.titled.from_h1,
                },
                crate::now(),
            )
            .await?;
        Ok(())
    }
}

/// What Notion confirmed of a push.
struct Pushed {
    page_id: String,
    markdown: String,
    titled: Titled,
    created: bool,
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

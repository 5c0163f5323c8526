//! One `file_page` mapping: a Markdown file ↔ one Notion page, executed from the engine's plan.
//!
//! The relay reads the page's Markdown (one call), builds the engine's view of both sides and
//! their base, and runs [`engine::file_page::plan`]. It then does what the plan says, in an order
//! that never loses anything: history first, then the Notion write (the fewest `update_content`
//! edits the engine could find), then the file write handed to the panel with the hash the file
//! must still have. Notion's answer to our own write becomes the remote base, so our writes never
//! come back as edits (G9); a base that depends on a file write advances only when the panel
//! confirms it.
//!
//! `file_code_page` mappings (any text file as a page of code blocks) run through the same
//! executor: only the planner differs ([`engine::code_page::plan`]).
//!
//! A conflict the user settled is applied here too, and only to the very versions the user chose
//! between: the engine plans it against a base made from the side the user kept.

use super::{outcome, PendingWrite, Progress};
use crate::auth::AuthUser;
use crate::error::{ApiError, ApiResult};
use crate::startup::AppState;
use crate::store::{ConflictRecord, ItemBase, MappingRecord, NewRevision, StoredConflict};
use engine::file_page::{
    self, Action, FileOp, HistoryReason, Input, LocalSide, PageBase, Plan, RemoteOp, RemotePage,
    RemoteSide, Settings, SideName,
};
use engine::frontmatter::Properties;
use engine::normalize;
use engine::strategy::{Clocks, Strategy};
use notion_markdown::Dialect;
use protocol::api::ProgressStage;
use protocol::session::{FileWrite, ItemAction, ItemOutcome, ManifestEntry};
use protocol::ContentHash;

/// The page dialect the relay reads and writes.
const DIALECT: Dialect = Dialect::V1;

/// Notion refuses request bodies over 500 KB. Markdown goes in pieces whose JSON form stays
/// under this, leaving room for the rest of the body.
const MAX_REQUEST_MARKDOWN: usize = 400 * 1024;
/// Notion applies at most 100 `content_updates` per request.
const MAX_EDITS: usize = 100;

/// The size of `s` in a JSON body (quotes and escapes included).
fn json_len(s: &str) -> usize {
    serde_json::to_string(s).map_or(s.len(), |j| j.len())
}

/// `markdown` cut between top-level blocks into pieces that each fit in one request (one
/// piece, the text itself, when it fits already). A single block larger than a request stays
/// whole: Notion's own block limits keep it far below (a code block holds 200,000 characters).
fn markdown_pieces(markdown: &str) -> Vec<String> {
    if json_len(markdown) <= MAX_REQUEST_MARKDOWN {
        return vec![markdown.to_string()];
    }
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut used = 0;
    for block in notion_markdown::parse(markdown, DIALECT) {
        let text = notion_markdown::render(std::slice::from_ref(&block), DIALECT);
        let n = json_len(&text) + 1;
        if !cur.is_empty() && used + n > MAX_REQUEST_MARKDOWN {
            out.push(std::mem::take(&mut cur));
            used = 0;
        }
        if !cur.is_empty() {
            cur.push('\n');
        }
        cur.push_str(&text);
        used += n;
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

/// `sync_mappings.kind` of a text file held as code blocks; executed here like a Markdown page.
pub const CODE_KIND: &str = "file_code_page";

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

/// Who is syncing what, and how.
pub(super) struct Context<'a> {
    pub user: &'a AuthUser,
    pub token: &'a notion::AccessToken,
    pub mapping: &'a MappingRecord,
    pub progress: &'a Progress<'a>,
    /// Preview: decide and report, write nothing.
    pub dry_run: bool,
}

/// The page as this session read it.
enum Remote {
    NotCreated,
    Unknown(String),
    Trashed,
    Present { markdown: String, truncated: bool },
}

/// Everything known about the item during one session.
struct Item<'a> {
    state: &'a AppState,
    cx: Context<'a>,
    local: Option<&'a ManifestEntry>,
    /// The file's content: uploaded, or the base's when the file is unchanged.
    text: Option<String>,
    page_base: Option<PageBase>,
    remote: Remote,
    /// A page create was started at this time (Unix ms) and not finished (see [`FileRules`]).
    creating: Option<i64>,
}

/// What a file mapping keeps between sessions (`sync_mappings.rules`).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct FileRules {
    /// Set before a page create and cleared once the page holds the whole file: a create whose
    /// answer was lost is looked for (G5), and a page whose content did not all arrive is filled,
    /// instead of a second page being created or our own half page taken for the user's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    creating_page_since_ms: Option<i64>,
}

pub(super) async fn sync(
    state: &AppState,
    cx: Context<'_>,
    local: Option<&ManifestEntry>,
    uploaded: Option<String>,
) -> ApiResult<Step> {
    let path = cx.mapping.path.as_str();
    if let Some(entry) = local {
        if entry.size > super::MAX_FILE_BYTES {
            let msg = format!(
                "the file is larger than {} MB; it was left alone",
                super::MAX_FILE_BYTES / (1024 * 1024)
            );
            return Ok(Step::only(path, ItemAction::Skipped, Some(msg)));
        }
    }
    if uploaded.as_deref().is_some_and(looks_binary) {
        // Text from a binary file is already lossy (the workspace decoded it as UTF-8): syncing
        // it would carry the damage to Notion and back into the file (SPEC §12).
        let msg = "the file looks binary (it contains NUL bytes); it was left alone".to_string();
        return Ok(Step::only(path, ItemAction::Skipped, Some(msg)));
    }
    let base = state.store.item(&cx.mapping.id, path).await?;
    let page_base = base.as_ref().map(page_base);
    // The file unchanged since the base is the base's text: it was not uploaded.
    let text = match (local, uploaded) {
        (_, Some(t)) => Some(t),
        (Some(e), None) => match &base {
            Some(b) if b.local_hash == e.hash.as_str() => Some(b.base_text.clone()),
            _ => {
                return Err(ApiError::bad_request(
                    "missing_content",
                    format!("the contents of {path} are needed"),
                ))
            }
        },
        (None, None) => None,
    };
    cx.progress.stage(ProgressStage::ReadingNotion);
    let remote = read_remote(state, &cx).await?;
    let creating = serde_json::from_str::<FileRules>(&cx.mapping.rules)
        .unwrap_or_default()
        .creating_page_since_ms;
    let item = Item {
        state,
        cx,
        local,
        text,
        page_base,
        remote,
        creating,
    };
    item.run().await
}

/// Git's test: a NUL byte means binary (text files never hold one).
pub(super) fn looks_binary(text: &str) -> bool {
    text.contains('\0')
}

/// One markdown read; a page that cannot be read is checked for the trash (evidence of deletion)
/// before it is taken as unknown (never as deleted, G7).
async fn read_remote(state: &AppState, cx: &Context<'_>) -> ApiResult<Remote> {
    let Some(page_id) = &cx.mapping.notion_page_id else {
        return Ok(Remote::NotCreated);
    };
    state.pace(cx.token).await?;
    match state.notion.get_page_markdown(cx.token, page_id).await {
        Ok(pm) => Ok(Remote::Present {
            markdown: pm.markdown,
            truncated: pm.truncated,
        }),
        Err(e) if e.is_not_found() => {
            state.pace(cx.token).await?;
            match state.notion.retrieve_page(cx.token, page_id).await {
                Ok(page) if page.in_trash => Ok(Remote::Trashed),
                _ => Ok(Remote::Unknown(notion_message(&e))),
            }
        }
        Err(e) => Ok(Remote::Unknown(notion_message(&e))),
    }
}

fn page_base(b: &ItemBase) -> PageBase {
    PageBase {
        file_text: b.base_text.clone(),
        remote_markdown: b.remote_markdown.clone(),
        title: b.title.clone(),
        properties: serde_json::from_str(&b.properties).unwrap_or_default(),
    }
}

impl<'a> Item<'a> {
    fn path(&self) -> &str {
        &self.cx.mapping.path
    }

    fn remote_markdown(&self) -> Option<&str> {
        match &self.remote {
            Remote::Present { markdown, .. } => Some(markdown),
            _ => None,
        }
    }

    /// The engine's plan for this item: a Markdown page, or a page of code blocks
    /// (`file_code_page`), which the same executor carries out.
    fn plan(&self, input: &Input<'_>) -> Plan {
        if self.cx.mapping.kind == CODE_KIND {
            engine::code_page::plan(input, &self.settings())
        } else {
            file_page::plan(input, &self.settings())
        }
    }

    fn settings(&self) -> Settings {
        Settings {
            strategy: self.cx.mapping.strategy.parse().unwrap_or(Strategy::Merge),
            direction: super::parse_enum(&self.cx.mapping.direction).unwrap_or_default(),
            ..Settings::default()
        }
    }

    /// The page title as far as the relay knows it. Reading the page object on every sync would
    /// cost a call per item; titles are set from the file and change with it.
    fn title(&self) -> String {
        match &self.page_base {
            Some(b) => b.title.clone(),
            None => self.cx.mapping.title.clone().unwrap_or_else(|| {
                if self.cx.mapping.kind == CODE_KIND {
                    engine::code_page::title_for(self.path())
                } else {
                    engine::title::file_stem(self.path()).to_string()
                }
            }),
        }
    }

    async fn run(self) -> ApiResult<Step> {
        let unsettled = self
            .state
            .store
            .unsettled_conflict(&self.cx.mapping.id, self.path())
            .await?;
        if let Some(conflict) = unsettled.as_ref().filter(|c| c.status == "resolved") {
            if self.matches(conflict) {
                if self.cx.dry_run {
                    return Ok(Step::only(
                        self.path(),
                        ItemAction::Pushed,
                        Some("your conflict resolution will be applied".into()),
                    ));
                }
                return self.apply_resolution(conflict).await;
            }
        }
        let title = self.title();
        let empty = Properties::new();
        let plan = {
            let input = self.input(
                self.page_base.as_ref(),
                self.text.as_deref(),
                &title,
                &empty,
            );
            self.plan(&input)
        };
        if self.cx.dry_run {
            return Ok(preview(self.path(), &plan));
        }
        let step = self.execute(plan, None).await?;
        if let Some(conflict) = &unsettled {
            if step.outcome.action != ItemAction::Conflict {
                // The sides no longer conflict (one was put back, or both now agree).
                self.state
                    .store
                    .mark_conflict_applied(&conflict.id, crate::now())
                    .await?;
            }
        }
        Ok(step)
    }

    fn input<'b>(
        &'b self,
        base: Option<&'b PageBase>,
        text: Option<&'b str>,
        title: &'b str,
        properties: &'b Properties,
    ) -> Input<'b> {
        let local = match (self.local, text) {
            (Some(_), Some(t)) => LocalSide::Present(t),
            (Some(_), None) => LocalSide::Unknown,
            // The panel lists a file as absent only when the folder listing proves it.
            (None, _) => LocalSide::Deleted,
        };
        let remote = match &self.remote {
            Remote::NotCreated => RemoteSide::NotCreated,
            Remote::Unknown(_) => RemoteSide::Unknown,
            Remote::Trashed => RemoteSide::Trashed,
            Remote::Present {
                markdown,
                truncated,
            } => {
                // An existing empty page on a first link is a target to fill, not a side to merge.
                // So is our own page whose create did not finish.
                if base.is_none()
                    && (markdown.trim().is_empty() || self.creating.is_some())
                    && self.cx.mapping.notion_page_id.is_some()
                {
                    RemoteSide::NotCreated
                } else {
                    RemoteSide::Present(RemotePage {
                        markdown,
                        truncated: *truncated,
                        title,
                        properties,
                    })
                }
            }
        };
        Input {
            path: self.path(),
            base,
            local,
            remote,
            clocks: Clocks::default(),
        }
    }

    /// Whether both sides are still the versions a conflict was about.
    fn matches(&self, c: &StoredConflict) -> bool {
        let local = self.local.map(|e| e.hash.to_string());
        let remote = self
            .remote_markdown()
            .map(|md| normalize::remote_hash(md, DIALECT).to_string());
        local == c.local_hash && remote == c.remote_hash
    }

    /// Applies the user's choice by planning against a base made from the side they kept.
    async fn apply_resolution(self, c: &StoredConflict) -> ApiResult<Step> {
        let path = self.path().to_string();
        let title = self.title();
        let empty = Properties::new();
        let current_text = self.text.clone().unwrap_or_default();
        let remote_md = self.remote_markdown().unwrap_or_default().to_string();
        let base = self.page_base.clone().unwrap_or_else(|| PageBase {
            title: title.clone(),
            ..PageBase::default()
        });
        let now = crate::now();
        let (plan, extra_write, message) = match c.resolution.as_deref() {
            // Notion's version is what both agreed on; the file is the only change: a push.
            Some("keep_repl") => {
                self.record(SideName::Remote, "resolve", &remote_md).await?;
                let b = PageBase {
                    remote_markdown: remote_md.clone(),
                    ..base
                };
                let input = self.input(Some(&b), Some(&current_text), &title, &empty);
                (
                    self.plan(&input),
                    None,
                    "conflict resolved: the Repl's version is now in Notion",
                )
            }
            // The file is what both agreed on; Notion's change is the only one: a pull.
            Some("keep_notion") => {
                let b = PageBase {
                    file_text: current_text.clone(),
                    ..base
                };
                let input = self.input(Some(&b), Some(&current_text), &title, &empty);
                (
                    self.plan(&input),
                    None,
                    "conflict resolved: Notion's version goes into the file",
                )
            }
            // The merged text replaces both: pushed like a local edit, then written to the file.
            Some("merged") => {
                let merged = c.resolved_text.clone().unwrap_or_default();
                self.record(SideName::Remote, "resolve", &remote_md).await?;
                self.record(SideName::Local, "resolve", &current_text)
                    .await?;
                let b = PageBase {
                    file_text: current_text.clone(),
                    remote_markdown: remote_md.clone(),
                    ..base
                };
                let input = self.input(Some(&b), Some(&merged), &title, &empty);
                let plan = self.plan(&input);
                let write = (merged != current_text).then(|| FileWrite {
                    path: path.clone(),
                    expected_hash: self.local.map(|e| e.hash.clone()),
                    new_hash: ContentHash::of(&merged),
                    content: merged,
                    op: Default::default(),
                });
                (
                    plan,
                    write,
                    "conflict resolved: your merged text is in Notion and goes into the file",
                )
            }
            _ => {
                return Ok(Step::only(
                    &path,
                    ItemAction::Conflict,
                    Some("unknown resolution; choose again".into()),
                ))
            }
        };
        if plan.action == Action::Conflict {
            return Ok(Step::only(
                &path,
                ItemAction::Conflict,
                plan.message.clone(),
            ));
        }
        let mut step = self.execute(plan, extra_write).await?;
        if step.outcome.action == ItemAction::Failed {
            return Ok(step);
        }
        match &mut step.pending {
            Some(p) => p.resolves = Some(c.id.clone()),
            None => self.state.store.mark_conflict_applied(&c.id, now).await?,
        }
        step.resolved = true;
        step.outcome.message = Some(message.to_string());
        Ok(step)
    }

    async fn record(&self, side: SideName, reason: &str, content: &str) -> ApiResult<()> {
        if content.trim().is_empty() {
            return Ok(());
        }
        self.state
            .store
            .record_revision(
                &NewRevision {
                    user_id: self.cx.user.user_id,
                    mapping_id: Some(&self.cx.mapping.id),
                    path: self.path(),
                    side: match side {
                        SideName::Local => "repl",
                        SideName::Remote => "notion",
                    },
                    reason,
                    content,
                },
                crate::now(),
            )
            .await?;
        Ok(())
    }

    /// Does what the plan says: history, Notion, then the file write for the panel.
    /// `extra_write` replaces the plan's file write (a merged resolution writes the file itself).
    async fn execute(&self, plan: Plan, extra_write: Option<FileWrite>) -> ApiResult<Step> {
        let path = self.path().to_string();
        match plan.action {
            Action::Unchanged => return Ok(Step::only(&path, ItemAction::Unchanged, None)),
            Action::Skip => {
                let message = match &self.remote {
                    Remote::Unknown(why) => {
                        format!("{why}; nothing was changed (retried next sync)")
                    }
                    _ => plan
                        .message
                        .clone()
                        .unwrap_or_else(|| "nothing to do".into()),
                };
                let action = if matches!(self.remote, Remote::Unknown(_)) {
                    ItemAction::Failed
                } else {
                    ItemAction::Skipped
                };
                return Ok(Step::only(&path, action, Some(message)));
            }
            Action::Conflict => return self.conflict(&plan).await,
            _ => {}
        }
        for h in &plan.history {
            let reason = match h.reason {
                HistoryReason::Overwritten => match h.side {
                    SideName::Local => "pull",
                    SideName::Remote => "push",
                },
                HistoryReason::ConflictLoser => "conflict",
                HistoryReason::Deleted => "delete",
                HistoryReason::DeletionOverridden => "restore",
            };
            self.record(h.side, reason, &h.content).await?;
        }
        if plan.remote.is_some() {
            self.cx.progress.stage(ProgressStage::WritingNotion);
        }
        let (page_id, markdown) = match self.write_remote(&plan).await? {
            Ok(done) => done,
            Err(step) => return Ok(step),
        };
        let file = extra_write.or_else(|| match &plan.file {
            Some(FileOp::Write {
                content,
                expected_hash,
                new_hash,
            }) => Some(FileWrite {
                path: path.clone(),
                expected_hash: expected_hash.clone(),
                content: content.clone(),
                new_hash: new_hash.clone(),
                op: Default::default(),
            }),
            _ => None,
        });
        if let Some(FileOp::Delete { .. }) = &plan.file {
            // The panel cannot delete files yet: the trashed page is reported, the file stays.
            return Ok(Step::only(
                &path,
                ItemAction::Skipped,
                Some("the page is in Notion's trash; restore it there, or delete the file and unmap it".into()),
            ));
        }
        if plan.action == Action::Forget {
            self.state
                .store
                .delete_item(&self.cx.mapping.id, &path)
                .await?;
            return Ok(Step::only(&path, ItemAction::Skipped, plan.message.clone()));
        }
        let base_after = plan.base_after.clone().map(|mut b| {
            if let Some(md) = &markdown {
                b.remote_markdown = md.clone();
            }
            if let Some(w) = &file {
                b.file_text = w.content.clone();
            }
            b
        });
        let action = match plan.action {
            Action::Create => ItemAction::Created,
            Action::Pull => ItemAction::Pulled,
            Action::DeleteRemote => ItemAction::Pushed,
            _ if plan.remote.is_some() => ItemAction::Pushed,
            _ if file.is_some() => ItemAction::Pulled,
            _ => ItemAction::Unchanged,
        };
        let message = match plan.action {
            Action::Merge => {
                Some("both sides changed in different places; the changes were merged".to_string())
            }
            Action::DeleteRemote => Some(
                "the file was deleted, so the page went to Notion's trash (kept in history)".into(),
            ),
            Action::Restore => plan.message.clone(),
            _ => plan
                .message
                .clone()
                .filter(|_| plan.action != Action::Push && plan.action != Action::Pull),
        };
        let Some(base_after) = base_after else {
            return Ok(Step::only(&path, action, message));
        };
        match file {
            Some(write) => Ok(Step {
                outcome: outcome(&path, action, message),
                pending: Some(PendingWrite {
                    write,
                    page_id,
                    base_after,
                    resolves: None,
                }),
                resolved: false,
            }),
            None => {
                self.save_base(&page_id, &base_after).await?;
                Ok(Step::only(&path, action, message))
            }
        }
    }

    /// The Notion half of a plan. Returns the page id and Notion's Markdown after the write
    /// (None: the page's content was not touched), or the failed step.
    async fn write_remote(&self, plan: &Plan) -> ApiResult<Result<(String, Option<String>), Step>> {
        let path = self.path();
        let state = self.state;
        let token = self.cx.token;
        let current_page = self.cx.mapping.notion_page_id.clone().unwrap_or_default();
        let Some(op) = &plan.remote else {
            return Ok(Ok((current_page, None)));
        };
        match op {
            RemoteOp::Create {
                title, markdown, ..
            } => {
                let (page_id, md) = match &self.cx.mapping.notion_page_id {
                    // Linking an existing, empty page: fill it.
                    Some(id) => match self.replace_in_pieces(id, markdown).await? {
                        Ok(pm) => (id.clone(), pm.markdown),
                        Err(e) => return Ok(Err(failed(path, &e))),
                    },
                    None => {
                        if let Some(since) = self.creating {
                            // The last create's answer was lost: if the page exists, it is
                            // filled rather than created again.
                            match self.find_lost_create(title, since).await? {
                                Ok(Some(page)) => {
                                    state
                                        .store
                                        .set_mapping_page(
                                            &self.cx.mapping.id,
                                            &page.id,
                                            Some(&page.url),
                                            title,
                                            crate::now(),
                                        )
                                        .await?;
                                    let md =
                                        match self.replace_in_pieces(&page.id, markdown).await? {
                                            Ok(pm) => pm.markdown,
                                            Err(e) => return Ok(Err(failed(path, &e))),
                                        };
                                    self.set_creating(None).await?;
                                    self.verify(plan, &md);
                                    return Ok(Ok((page.id, Some(md))));
                                }
                                Ok(None) => {}
                                Err(e) => return Ok(Err(failed(path, &e))),
                            }
                        }
                        self.set_creating(Some(super::now_ms())).await?;
                        // A body larger than one request goes in pieces: the first with the
                        // create, the rest appended once the page exists.
                        let mut pieces = markdown_pieces(markdown).into_iter();
                        let first = pieces.next().unwrap_or_default();
                        let req = notion::CreatePageRequest::markdown(
                            self.cx.mapping.notion_parent_page_id.as_deref(),
                            title,
                            &first,
                        );
                        state.pace(token).await?;
                        let page = match state.notion.create_page(token, &req).await {
                            Ok(p) => p,
                            Err(e) => return Ok(Err(failed(path, &e))),
                        };
                        state
                            .store
                            .set_mapping_page(
                                &self.cx.mapping.id,
                                &page.id,
                                Some(&page.url),
                                title,
                                crate::now(),
                            )
                            .await?;
                        for piece in pieces {
                            if let Err(e) = self.append(&page.id, piece).await? {
                                return Ok(Err(failed(path, &e)));
                            }
                        }
                        // The create answer is a page object; the base is what Notion made of ours.
                        state.pace(token).await?;
                        match state.notion.get_page_markdown(token, &page.id).await {
                            Ok(pm) => (page.id, pm.markdown),
                            Err(e) => return Ok(Err(failed(path, &e))),
                        }
                    }
                };
                if self.creating.is_some() || self.cx.mapping.notion_page_id.is_none() {
                    self.set_creating(None).await?;
                }
                self.verify(plan, &md);
                Ok(Ok((page_id, Some(md))))
            }
            RemoteOp::Update { edit, title, .. } => {
                let mut md = None;
                if let Some(edit) = edit {
                    match self.send_edit(&current_page, edit).await? {
                        Ok(pm) => {
                            self.verify(plan, &pm.markdown);
                            md = Some(pm.markdown);
                        }
                        Err(e) if e.is_validation_error() => {
                            // An `old_str` no longer matches: the page changed since we read it.
                            return Ok(Err(Step::only(
                                path,
                                ItemAction::Skipped,
                                Some("the page changed in Notion while syncing; nothing was lost — sync again".into()),
                            )));
                        }
                        Err(e) => return Ok(Err(failed(path, &e))),
                    }
                }
                if let Some(title) = title {
                    state.pace(token).await?;
                    let req = notion::UpdatePageRequest::title(title);
                    if let Err(e) = state.notion.update_page(token, &current_page, &req).await {
                        return Ok(Err(failed(path, &e)));
                    }
                    state
                        .store
                        .set_mapping_page(
                            &self.cx.mapping.id,
                            &current_page,
                            self.cx.mapping.notion_url.as_deref(),
                            title,
                            crate::now(),
                        )
                        .await?;
                }
                Ok(Ok((current_page, md)))
            }
            RemoteOp::Trash => {
                state.pace(token).await?;
                let req = notion::UpdatePageRequest {
                    in_trash: Some(true),
                    ..Default::default()
                };
                if let Err(e) = state.notion.update_page(token, &current_page, &req).await {
                    return Ok(Err(failed(path, &e)));
                }
                Ok(Ok((current_page, None)))
            }
        }
    }

    /// Records (or clears) an unfinished page create in the mapping's rules.
    async fn set_creating(&self, since_ms: Option<i64>) -> ApiResult<()> {
        let rules = FileRules {
            creating_page_since_ms: since_ms,
        };
        self.state
            .store
            .set_mapping_rules(&self.cx.mapping.id, &super::to_json(&rules)?, crate::now())
            .await?;
        Ok(())
    }

    /// The page a create started at `since_ms` made, if it landed although its answer was
    /// lost: titled `title`, under the mapping's parent, created by our integration no earlier
    /// than a minute before (Notion's times are minute-rounded), not in the trash.
    async fn find_lost_create(
        &self,
        title: &str,
        since_ms: i64,
    ) -> ApiResult<Result<Option<notion::Page>, notion::NotionError>> {
        let bot_id = self
            .state
            .store
            .connection(self.cx.user.user_id)
            .await?
            .map(|c| c.bot_id)
            .unwrap_or_default();
        let req = notion::SearchRequest {
            query: Some(title.to_string()),
            filter: Some(notion::SearchFilter::Page),
            ..Default::default()
        };
        self.state.pace(self.cx.token).await?;
        let found = match self.state.notion.search(self.cx.token, &req).await {
            Ok(f) => f,
            Err(e) => return Ok(Err(e)),
        };
        let parent = self.cx.mapping.notion_parent_page_id.as_deref();
        let since = since_ms - engine::strategy::NOTION_TIME_GRANULARITY_MS;
        Ok(Ok(found.results.into_iter().find_map(|r| {
            let notion::SearchResult::Page(p) = r else {
                return None;
            };
            let parent_ok = match (&p.parent, parent) {
                (Some(notion::Parent::PageId(id)), Some(want)) => {
                    id.replace('-', "") == want.replace('-', "")
                }
                (Some(notion::Parent::Workspace), None) => true,
                _ => false,
            };
            let created_ms = p
                .created_time
                .as_ref()
                .map(super::folder::notion_side::ms)
                .unwrap_or(0);
            let ours = bot_id.is_empty() || p.created_by.as_ref().is_none_or(|u| u.id == bot_id);
            (parent_ok && ours && created_ms >= since && !p.is_trashed() && p.title() == title)
                .then_some(*p)
        })))
    }

    /// One `PATCH /v1/pages/{id}/markdown`, paced.
    async fn patch_markdown(
        &self,
        page_id: &str,
        req: &notion::UpdatePageMarkdown,
    ) -> ApiResult<Result<notion::PageMarkdown, notion::NotionError>> {
        self.state.pace(self.cx.token).await?;
        Ok(self
            .state
            .notion
            .update_page_markdown(self.cx.token, page_id, req)
            .await)
    }

    /// Appends Markdown at the end of the page.
    async fn append(
        &self,
        page_id: &str,
        markdown: String,
    ) -> ApiResult<Result<notion::PageMarkdown, notion::NotionError>> {
        let req = notion::UpdatePageMarkdown::InsertContent {
            content: markdown,
            after: None,
            at_start: false,
        };
        self.patch_markdown(page_id, &req).await
    }

    /// `replace_content` with `markdown`, in request-sized pieces (the rest appended).
    async fn replace_in_pieces(
        &self,
        page_id: &str,
        markdown: &str,
    ) -> ApiResult<Result<notion::PageMarkdown, notion::NotionError>> {
        let mut pieces = markdown_pieces(markdown).into_iter();
        let first = pieces.next().unwrap_or_default();
        let req = notion::UpdatePageMarkdown::replace_content(&first);
        let mut last = match self.patch_markdown(page_id, &req).await? {
            Ok(pm) => pm,
            Err(e) => return Ok(Err(e)),
        };
        for piece in pieces {
            last = match self.append(page_id, piece).await? {
                Ok(pm) => pm,
                Err(e) => return Ok(Err(e)),
            };
        }
        Ok(Ok(last))
    }

    /// The engine's edit, in as many requests as Notion's size limit needs. Edits apply in
    /// order, so consecutive groups of them are the same edit; one edit too large for any
    /// request becomes the replaced page, in pieces. Returns the page after the last request.
    async fn send_edit(
        &self,
        page_id: &str,
        edit: &engine::edits::RemoteEdit,
    ) -> ApiResult<Result<notion::PageMarkdown, notion::NotionError>> {
        let edits = match edit {
            engine::edits::RemoteEdit::Replace { markdown } => {
                return self.replace_in_pieces(page_id, markdown).await
            }
            engine::edits::RemoteEdit::Update { edits } => edits,
        };
        let size = |e: &engine::edits::ContentEdit| json_len(&e.old_str) + json_len(&e.new_str);
        if edits.iter().any(|e| size(e) > MAX_REQUEST_MARKDOWN) {
            let current = self.remote_markdown().unwrap_or_default();
            if let Some(desired) = engine::edits::apply(current, edits) {
                return self.replace_in_pieces(page_id, &desired).await;
            }
        }
        let mut groups: Vec<Vec<&engine::edits::ContentEdit>> = Vec::new();
        let mut used = 0;
        for e in edits {
            match groups.last_mut() {
                Some(g) if used + size(e) <= MAX_REQUEST_MARKDOWN && g.len() < MAX_EDITS => {
                    used += size(e);
                    g.push(e);
                }
                _ => {
                    used = size(e);
                    groups.push(vec![e]);
                }
            }
        }
        let mut last = None;
        for g in groups {
            let req = notion::UpdatePageMarkdown::UpdateContent {
                content_updates: g
                    .iter()
                    .map(|e| notion::ContentUpdate::new(&e.old_str, &e.new_str))
                    .collect(),
                allow_deleting_content: false,
            };
            match self.patch_markdown(page_id, &req).await? {
                Ok(pm) => last = Some(pm),
                Err(e) => return Ok(Err(e)),
            }
        }
        match last {
            Some(pm) => Ok(Ok(pm)),
            // No edit at all: the page as it is.
            None => {
                self.state.pace(self.cx.token).await?;
                Ok(self
                    .state
                    .notion
                    .get_page_markdown(self.cx.token, page_id)
                    .await)
            }
        }
    }

    /// Notion's answer should be what the engine predicted; when it is not, its answer still
    /// becomes the base (so nothing echoes), and the difference is logged for us to fix.
    fn verify(&self, plan: &Plan, markdown: &str) {
        if let Some(expected) = &plan.expected_markdown {
            if normalize::canonical_markdown(markdown, DIALECT) != *expected {
                self.state.metrics.sync_item("unexpected_remote");
                tracing::warn!(
                    "Notion's Markdown after our write differs from the engine's prediction"
                );
            }
        }
    }

    /// Records (or brings up to date) the item's conflict; writes nothing on either side.
    async fn conflict(&self, plan: &Plan) -> ApiResult<Step> {
        let message = plan
            .message
            .clone()
            .unwrap_or_else(|| "both sides changed; nothing was overwritten".into());
        let (base, local, remote) = match &plan.conflict {
            Some(c) => (c.base.clone(), Some(c.local.clone()), c.remote.clone()),
            None => (
                self.page_base
                    .as_ref()
                    .map(|b| b.file_text.clone())
                    .unwrap_or_default(),
                self.text.clone(),
                String::new(),
            ),
        };
        self.state
            .store
            .upsert_conflict(
                &ConflictRecord {
                    user_id: self.cx.user.user_id,
                    mapping_id: self.cx.mapping.id.clone(),
                    path: self.path().to_string(),
                    base_text: base,
                    local_text: local,
                    remote_text: remote,
                    local_hash: self.local.map(|e| e.hash.to_string()),
                    remote_hash: self
                        .remote_markdown()
                        .map(|md| normalize::remote_hash(md, DIALECT).to_string())
                        .unwrap_or_default(),
                },
                crate::now(),
            )
            .await?;
        Ok(Step::only(self.path(), ItemAction::Conflict, Some(message)))
    }

    async fn save_base(&self, page_id: &str, b: &PageBase) -> ApiResult<()> {
        save_base(self.state, &self.cx.mapping.id, self.path(), page_id, b).await
    }
}

/// Stores a confirmed base.
pub(super) async fn save_base(
    state: &AppState,
    mapping_id: &str,
    path: &str,
    page_id: &str,
    b: &PageBase,
) -> ApiResult<()> {
    state
        .store
        .put_item(
            &ItemBase {
                mapping_id: mapping_id.to_string(),
                path: path.to_string(),
                notion_page_id: page_id.to_string(),
                local_hash: ContentHash::of(&b.file_text).to_string(),
                remote_hash: normalize::remote_hash(&b.remote_markdown, DIALECT).to_string(),
                base_text: b.file_text.clone(),
                remote_markdown: b.remote_markdown.clone(),
                title: b.title.clone(),
                title_from_h1: false,
                properties: serde_json::to_string(&b.properties).unwrap_or_else(|_| "{}".into()),
            },
            crate::now(),
        )
        .await?;
    Ok(())
}

/// What [`Item::execute`] would do, without doing it.
fn preview(path: &str, plan: &Plan) -> Step {
    let (action, default) = match plan.action {
        Action::Unchanged => (ItemAction::Unchanged, None),
        Action::Create => (
            ItemAction::Created,
            Some("a new Notion page will be created"),
        ),
        Action::Push => (
            ItemAction::Pushed,
            Some("the file's changes will be written to Notion"),
        ),
        Action::Pull => (
            ItemAction::Pulled,
            Some("Notion's changes will be written to the file"),
        ),
        Action::Merge => (
            ItemAction::Pushed,
            Some("both sides changed in different places; they will be merged"),
        ),
        Action::Conflict => (
            ItemAction::Conflict,
            Some("both sides changed at the same place; you will choose"),
        ),
        Action::DeleteRemote => (
            ItemAction::Pushed,
            Some("the file was deleted; the page will go to Notion's trash"),
        ),
        Action::DeleteLocal | Action::Restore | Action::Forget | Action::Skip => {
            (ItemAction::Skipped, None)
        }
    };
    let message = plan.message.clone().or(default.map(str::to_string));
    Step::only(path, action, message)
}

pub(super) fn notion_message(err: &notion::NotionError) -> String {
    if err.is_unauthorized() {
        "Notion refused the connection's token: reconnect Notion".to_string()
    } else if err.is_not_found() {
        "the Notion page was not found or is no longer shared with the integration".to_string()
    } else {
        format!("Notion request failed: {err}")
    }
}

fn failed(path: &str, err: &notion::NotionError) -> Step {
    tracing::warn!(error = %err, "notion call failed during sync");
    Step::only(path, ItemAction::Failed, Some(notion_message(err)))
}

//! Executes one item of a folder plan, in the order file_page uses: history first, then the
//! Notion write (journaled), then the file write, move or delete handed to the panel with the
//! hash the file must still have. A base that depends on the panel advances on its
//! acknowledgement; one that depends on Notion alone advances when Notion answered.

use super::journal::{self, CreatePayload, UpdatePayload};
use super::notion_side::{self, row_of};
use super::{After, Cx, Freshness, Pending, DIALECT};
use crate::error::ApiResult;
use crate::store::{ConflictRecord, FolderItem, FolderRow, NewRevision};
use engine::file_page::{Action, FileOp, HistoryReason, PageBase, Plan, RemoteOp, SideName};
use engine::frontmatter::Properties;
use engine::normalize;
use engine::planner::{ItemPlan, PageBody, RenameKind};
use protocol::api::ProgressStage;
use protocol::session::{FileWrite, FileWriteOp, ItemAction, ItemOutcome, ManifestEntry};
use protocol::ContentHash;

/// What one item's execution produced.
pub(super) struct Done {
    pub outcome: ItemOutcome,
    pub pending: Option<Pending>,
    /// The row as our write left it (for the relay's copy of the rows).
    pub seen: Option<FolderRow>,
}

impl Done {
    fn only(path: &str, action: ItemAction, message: Option<String>) -> Done {
        Done {
            outcome: ItemOutcome {
                path: path.to_string(),
                action,
                message,
            },
            pending: None,
            seen: None,
        }
    }
}

/// What is known about the item during this session.
pub(super) struct ItemCx<'a> {
    pub tracked: Option<&'a FolderItem>,
    pub row: Option<&'a FolderRow>,
    /// The file where it is now.
    pub local: Option<&'a ManifestEntry>,
    /// The file's current text (uploaded, or the base's when unchanged).
    pub text: Option<&'a str>,
    /// The page's body, when this session read it.
    pub body: Option<&'a PageBody>,
}

/// Where the file is now: a local move already put it at the new path; a Notion rename has not
/// moved it yet.
pub(super) fn file_path(ip: &ItemPlan) -> &str {
    match &ip.rename {
        Some(r) if r.kind == RenameKind::Remote => &r.from,
        _ => &ip.path,
    }
}

pub(super) fn item_of(
    page_id: &str,
    path: &str,
    b: &PageBase,
    fresh: &Freshness,
    sync_id: Option<String>,
) -> FolderItem {
    FolderItem {
        page_id: page_id.to_string(),
        path: path.to_string(),
        local_hash: ContentHash::of(&b.file_text).to_string(),
        remote_hash: normalize::remote_hash(&b.remote_markdown, DIALECT).to_string(),
        base_text: b.file_text.clone(),
        remote_markdown: b.remote_markdown.clone(),
        title: b.title.clone(),
        properties: serde_json::to_string(&b.properties).unwrap_or_else(|_| "{}".into()),
        remote_edited_at_ms: fresh.at,
        remote_edited_by: fresh.by.clone(),
        synced_at_ms: fresh.synced,
        sync_id,
    }
}

/// Whether Notion's answer holds what we wrote: the title, and every property value we know
/// (Notion adds the schema's other properties, empty).
fn answer_matches(row: &FolderRow, title: &str, props: &Properties) -> bool {
    let got = notion_side::properties_of(row);
    row.title == title && props.iter().all(|(k, v)| got.get(k) == Some(v))
}

pub(super) async fn run(cx: &Cx<'_>, ip: &ItemPlan, icx: &ItemCx<'_>) -> ApiResult<Done> {
    let here = file_path(ip).to_string();
    let plan = &ip.plan;
    let progress = cx.progress(&here);
    match plan.action {
        Action::Skip => {
            return Ok(Done::only(&here, ItemAction::Skipped, plan.message.clone()));
        }
        Action::Conflict => {
            if cx.dry_run {
                return Ok(Done::only(
                    &here,
                    ItemAction::Conflict,
                    Some("both sides changed at the same place; you will choose".into()),
                ));
            }
            return conflict(cx, &here, plan, icx).await;
        }
        Action::Forget => {
            if !cx.dry_run {
                if let Some(page) = &ip.page_id {
                    cx.state
                        .store
                        .delete_folder_item(&cx.mapping.id, page)
                        .await?;
                    cx.state
                        .store
                        .delete_folder_row(&cx.mapping.id, page)
                        .await?;
                }
            }
            return Ok(Done::only(&here, ItemAction::Skipped, plan.message.clone()));
        }
        _ => {}
    }
    let remote_rename = ip.rename.as_ref().filter(|r| r.kind == RenameKind::Remote);
    let deletes_file = matches!(plan.file, Some(FileOp::Delete { .. }));
    if (remote_rename.is_some() || deletes_file) && !cx.accepts_file_ops {
        let msg = if deletes_file {
            "the row is in Notion's trash; this panel cannot delete files yet — delete the file, or restore the row in Notion"
        } else {
            "the row was renamed in Notion; this panel cannot move files yet — rename the file to match"
        };
        return Ok(Done::only(&here, ItemAction::Skipped, Some(msg.into())));
    }
    if cx.dry_run {
        return Ok(preview(ip, &here));
    }
    if plan.is_noop() && plan.base_after.is_none() && ip.rename.is_none() {
        // Nothing changed: remember that the base was confirmed now, so the next sync does not
        // read the page again (G2).
        if let (Some(t), Some(_), Some(row)) = (icx.tracked, icx.body, icx.row) {
            cx.state
                .store
                .touch_folder_item(
                    &cx.mapping.id,
                    &t.page_id,
                    row.last_edited_ms,
                    row.last_edited_by.as_deref(),
                    cx.started_ms,
                )
                .await?;
        }
        return Ok(Done::only(&here, ItemAction::Unchanged, None));
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
        record(cx, &here, h.side, reason, &h.content).await?;
    }

    // The freshness the item keeps when Notion is not written: what this session saw.
    let observed = match (icx.body, icx.row, icx.tracked) {
        (Some(_), Some(row), _) => Freshness {
            at: row.last_edited_ms,
            by: row.last_edited_by.clone(),
            synced: Some(cx.started_ms),
        },
        (_, _, Some(t)) => Freshness {
            at: t.remote_edited_at_ms,
            by: t.remote_edited_by.clone(),
            synced: t.synced_at_ms,
        },
        _ => Freshness::default(),
    };
    let sync_id = icx.tracked.and_then(|t| t.sync_id.clone());
    if plan.remote.is_some() {
        progress.stage(ProgressStage::WritingNotion);
    }
    let written = match &plan.remote {
        None => Written {
            page_id: ip.page_id.clone().unwrap_or_default(),
            base: plan.base_after.clone(),
            fresh: observed,
            sync_id,
            seen: None,
        },
        Some(RemoteOp::Create {
            title,
            markdown,
            properties,
        }) => match create(cx, ip, &here, title, markdown, properties).await? {
            Ok(w) => w,
            Err(done) => return Ok(done),
        },
        Some(RemoteOp::Update {
            edit,
            title,
            properties,
        }) => {
            let page_id = ip.page_id.clone().unwrap_or_default();
            match update(
                cx,
                ip,
                &here,
                &page_id,
                edit.as_ref(),
                title.as_deref(),
                properties,
                sync_id,
            )
            .await?
            {
                Ok(w) => w,
                Err(done) => return Ok(done),
            }
        }
        Some(RemoteOp::Trash) => {
            let page_id = ip.page_id.clone().unwrap_or_default();
            return trash(cx, &here, &page_id, icx).await;
        }
    };

    let action = match plan.action {
        Action::Create => ItemAction::Created,
        Action::Pull | Action::DeleteLocal => ItemAction::Pulled,
        Action::Restore if plan.remote.is_some() => ItemAction::Created,
        Action::Restore => ItemAction::Pulled,
        _ if plan.remote.is_some() => ItemAction::Pushed,
        _ if plan.file.is_some() || remote_rename.is_some() => ItemAction::Pulled,
        _ => ItemAction::Unchanged,
    };
    let mut message = match plan.action {
        Action::Merge => {
            Some("both sides changed in different places; the changes were merged".to_string())
        }
        Action::DeleteLocal => {
            Some("the row went to Notion's trash, so the file is deleted (kept in history)".into())
        }
        Action::Restore => plan.message.clone(),
        _ => None,
    };
    if let Some(r) = &ip.rename {
        let note = match r.kind {
            RenameKind::Remote => format!("renamed in Notion: moved to {}", r.to),
            RenameKind::Local => format!("moved from {}", r.from),
        };
        message = Some(match message {
            Some(m) => format!("{m}; {note}"),
            None => note,
        });
    }
    let outcome = ItemOutcome {
        path: here.clone(),
        action,
        message,
    };

    // The file side.
    let text = icx.text.unwrap_or_default();
    let write = match (&plan.file, remote_rename) {
        (Some(FileOp::Delete { expected_hash }), _) => Some(FileWrite {
            path: here.clone(),
            expected_hash: Some(expected_hash.clone()),
            new_hash: ContentHash::of(""),
            content: String::new(),
            op: FileWriteOp::Delete,
        }),
        (
            Some(FileOp::Write {
                content, new_hash, ..
            }),
            Some(r),
        ) => Some(FileWrite {
            path: r.from.clone(),
            expected_hash: icx.local.map(|e| e.hash.clone()),
            content: content.clone(),
            new_hash: new_hash.clone(),
            op: FileWriteOp::Move { to: r.to.clone() },
        }),
        (None, Some(r)) => Some(FileWrite {
            path: r.from.clone(),
            expected_hash: icx.local.map(|e| e.hash.clone()),
            content: text.to_string(),
            new_hash: ContentHash::of(text),
            op: FileWriteOp::Move { to: r.to.clone() },
        }),
        (
            Some(FileOp::Write {
                content,
                expected_hash,
                new_hash,
            }),
            None,
        ) => Some(FileWrite {
            path: ip.path.clone(),
            expected_hash: expected_hash.clone(),
            content: content.clone(),
            new_hash: new_hash.clone(),
            op: FileWriteOp::Write,
        }),
        (None, None) => None,
    };
    // A move recorded locally (or in Notion) with nothing else to write keeps the base.
    let base = written
        .base
        .clone()
        .or_else(|| ip.rename.as_ref().and(icx.tracked).map(super::page_base));
    let after = if deletes_file {
        Some(After::Forget {
            page_id: written.page_id.clone(),
        })
    } else {
        base.as_ref().map(|b| {
            let mut b = b.clone();
            if let Some(w) = &write {
                if !matches!(w.op, FileWriteOp::Delete) {
                    b.file_text = w.content.clone();
                }
            }
            After::Save {
                item: item_of(
                    &written.page_id,
                    &ip.path,
                    &b,
                    &written.fresh,
                    written.sync_id.clone(),
                ),
            }
        })
    };
    match (write, after) {
        (Some(write), Some(after)) => Ok(Done {
            outcome,
            pending: Some(Pending {
                write,
                after,
                resolves: None,
            }),
            seen: written.seen,
        }),
        (None, Some(After::Save { item })) => {
            cx.state
                .store
                .put_folder_item(&cx.mapping.id, &item, crate::now())
                .await?;
            Ok(Done {
                outcome,
                pending: None,
                seen: written.seen,
            })
        }
        _ => Ok(Done {
            outcome,
            pending: None,
            seen: written.seen,
        }),
    }
}

/// The Notion half's result: the item's page, its base after the write, how fresh it is.
struct Written {
    page_id: String,
    base: Option<PageBase>,
    fresh: Freshness,
    sync_id: Option<String>,
    seen: Option<FolderRow>,
}

async fn create(
    cx: &Cx<'_>,
    ip: &ItemPlan,
    here: &str,
    title: &str,
    markdown: &str,
    properties: &Properties,
) -> ApiResult<Result<Written, Done>> {
    let Some(ds) = cx.data_source_id.as_deref() else {
        return Ok(Err(Done::only(
            here,
            ItemAction::Failed,
            Some("the database does not exist yet; sync again".into()),
        )));
    };
    let base = ip.plan.base_after.clone().unwrap_or_else(|| PageBase {
        file_text: String::new(),
        remote_markdown: markdown.to_string(),
        title: title.to_string(),
        properties: properties.clone(),
    });
    // A retry of a create that was looked for and not found keeps its sync id: if the first
    // one lands after all, it is recognized as ours.
    let sync_id = match cx
        .state
        .store
        .journal_abandoned_sync_id(&cx.mapping.id, journal::CREATE_ROW, &ip.path)
        .await?
    {
        Some(id) => id,
        None => uuid::Uuid::new_v4().simple().to_string(),
    };
    let unknown = Freshness::default();
    let payload = CreatePayload {
        item: item_of("", &ip.path, &base, &unknown, Some(sync_id.clone())),
    };
    let entry = journal::begin(
        cx,
        journal::CREATE_ROW,
        None,
        &ip.path,
        Some(&sync_id),
        &payload,
    )
    .await?;
    let req = notion::CreatePageRequest {
        parent: notion::PageParent::DataSourceId(ds.to_string()),
        properties: notion_side::request_properties(
            &cx.schema,
            Some(title),
            Some(&sync_id),
            properties,
        ),
        markdown: Some(markdown.to_string()),
        ..notion::CreatePageRequest::default()
    };
    cx.state.pace(cx.token).await?;
    let page = match cx.state.notion.create_page(cx.token, &req).await {
        Ok(p) => p,
        Err(e) => {
            journal::failed(cx, &entry, &e).await?;
            return Ok(Err(failed(here, &e)));
        }
    };
    journal::done(cx, &entry, Some(&page.id)).await?;
    let row = row_of(&page);
    let mut base = base;
    let fresh = if answer_matches(&row, &base.title, &base.properties) {
        base.properties = notion_side::properties_of(&row);
        Freshness {
            at: row.last_edited_ms,
            by: row.last_edited_by.clone(),
            synced: Some(cx.started_ms),
        }
    } else {
        Freshness::default()
    };
    Ok(Ok(Written {
        page_id: page.id.clone(),
        base: Some(base),
        fresh,
        sync_id: Some(sync_id),
        seen: Some(row),
    }))
}

#[allow(clippy::too_many_arguments)]
async fn update(
    cx: &Cx<'_>,
    ip: &ItemPlan,
    here: &str,
    page_id: &str,
    edit: Option<&engine::edits::RemoteEdit>,
    title: Option<&str>,
    properties: &Properties,
    sync_id: Option<String>,
) -> ApiResult<Result<Written, Done>> {
    let plan = &ip.plan;
    let Some(base_after) = plan.base_after.clone() else {
        return Ok(Err(Done::only(
            here,
            ItemAction::Skipped,
            Some("nothing to write".into()),
        )));
    };
    let unknown = Freshness::default();
    let payload = UpdatePayload {
        item: item_of(page_id, &ip.path, &base_after, &unknown, sync_id.clone()),
        expected_markdown: edit.and(plan.expected_markdown.clone()),
        expected_title: base_after.title.clone(),
        expected_properties: base_after.properties.clone(),
    };
    let entry = journal::begin(
        cx,
        journal::UPDATE_ROW,
        Some(page_id),
        here,
        sync_id.as_deref(),
        &payload,
    )
    .await?;
    let mut base = base_after;
    let mut trusted = true;
    if let Some(edit) = edit {
        let req = match edit {
            engine::edits::RemoteEdit::Update { edits } => {
                notion::UpdatePageMarkdown::UpdateContent {
                    content_updates: edits
                        .iter()
                        .map(|e| notion::ContentUpdate::new(&e.old_str, &e.new_str))
                        .collect(),
                    allow_deleting_content: false,
                }
            }
            engine::edits::RemoteEdit::Replace { markdown } => {
                notion::UpdatePageMarkdown::replace_content(markdown)
            }
        };
        cx.state.pace(cx.token).await?;
        match cx
            .state
            .notion
            .update_page_markdown(cx.token, page_id, &req)
            .await
        {
            Ok(pm) => {
                let expected = plan.expected_markdown.as_deref();
                if expected
                    .is_none_or(|x| normalize::canonical_markdown(&pm.markdown, DIALECT) == x)
                {
                    base.remote_markdown = pm.markdown;
                } else {
                    // Someone else's edit may be in Notion's answer: keep what we wrote as the
                    // base, so the next sync reads the page and brings their edit to the file.
                    cx.state.metrics.sync_item("unexpected_remote");
                    tracing::warn!(
                        "Notion's Markdown after our write differs from the engine's prediction"
                    );
                    trusted = false;
                }
            }
            Err(e) if e.is_validation_error() => {
                journal::settle(cx, &entry, "failed", None).await?;
                return Ok(Err(Done::only(
                    here,
                    ItemAction::Skipped,
                    Some(
                        "the row changed in Notion while syncing; nothing was lost — sync again"
                            .into(),
                    ),
                )));
            }
            Err(e) => {
                journal::failed(cx, &entry, &e).await?;
                return Ok(Err(failed(here, &e)));
            }
        }
    }
    let mut fresh = Freshness::default();
    if title.is_some() || !properties.is_empty() {
        let req = notion::UpdatePageRequest {
            properties: notion_side::request_properties(&cx.schema, title, None, properties),
            ..notion::UpdatePageRequest::default()
        };
        cx.state.pace(cx.token).await?;
        match cx.state.notion.update_page(cx.token, page_id, &req).await {
            Ok(page) => {
                let row = row_of(&page);
                if answer_matches(&row, &base.title, &base.properties) {
                    base.properties = notion_side::properties_of(&row);
                    if trusted {
                        fresh = Freshness {
                            at: row.last_edited_ms,
                            by: row.last_edited_by.clone(),
                            synced: Some(cx.started_ms),
                        };
                    }
                }
                journal::done(cx, &entry, None).await?;
                return Ok(Ok(Written {
                    page_id: page_id.to_string(),
                    base: Some(base),
                    fresh,
                    sync_id,
                    seen: Some(row),
                }));
            }
            Err(e) => {
                journal::failed(cx, &entry, &e).await?;
                return Ok(Err(failed(here, &e)));
            }
        }
    }
    journal::done(cx, &entry, None).await?;
    // A body write answers Markdown, not the row: its time is unknown, so the next sync reads
    // the page once to confirm.
    Ok(Ok(Written {
        page_id: page_id.to_string(),
        base: Some(base),
        fresh,
        sync_id,
        seen: None,
    }))
}

async fn trash(cx: &Cx<'_>, here: &str, page_id: &str, icx: &ItemCx<'_>) -> ApiResult<Done> {
    let entry = journal::begin(
        cx,
        journal::TRASH_ROW,
        Some(page_id),
        here,
        icx.tracked.and_then(|t| t.sync_id.as_deref()),
        &serde_json::json!({}),
    )
    .await?;
    cx.state.pace(cx.token).await?;
    match cx
        .state
        .notion
        .update_page(cx.token, page_id, &notion::UpdatePageRequest::trash(true))
        .await
    {
        // Refused as already in the trash: what we wanted.
        Ok(_) => {}
        Err(e) if e.is_validation_error() => {}
        Err(e) => {
            journal::failed(cx, &entry, &e).await?;
            return Ok(failed(here, &e));
        }
    }
    journal::done(cx, &entry, None).await?;
    cx.state
        .store
        .delete_folder_item(&cx.mapping.id, page_id)
        .await?;
    cx.state
        .store
        .delete_folder_row(&cx.mapping.id, page_id)
        .await?;
    Ok(Done::only(
        here,
        ItemAction::Pushed,
        Some("the file was deleted, so its row went to Notion's trash (kept in history)".into()),
    ))
}

/// Records (or brings up to date) the item's conflict; writes nothing on either side.
async fn conflict(cx: &Cx<'_>, here: &str, plan: &Plan, icx: &ItemCx<'_>) -> ApiResult<Done> {
    let message = plan
        .message
        .clone()
        .unwrap_or_else(|| "both sides changed; nothing was overwritten".into());
    let (base, local, remote) = match &plan.conflict {
        Some(c) => (c.base.clone(), Some(c.local.clone()), c.remote.clone()),
        None => (
            icx.tracked.map(|t| t.base_text.clone()).unwrap_or_default(),
            icx.text.map(str::to_string),
            String::new(),
        ),
    };
    cx.state
        .store
        .upsert_conflict(
            &ConflictRecord {
                user_id: cx.user.user_id,
                mapping_id: cx.mapping.id.clone(),
                path: here.to_string(),
                base_text: base,
                local_text: local,
                remote_text: remote,
                local_hash: icx.local.map(|e| e.hash.to_string()),
                remote_hash: icx
                    .body
                    .map(|b| normalize::remote_hash(&b.markdown, DIALECT).to_string())
                    .unwrap_or_default(),
            },
            crate::now(),
        )
        .await?;
    Ok(Done::only(here, ItemAction::Conflict, Some(message)))
}

pub(super) async fn record(
    cx: &Cx<'_>,
    path: &str,
    side: SideName,
    reason: &str,
    content: &str,
) -> ApiResult<()> {
    if content.trim().is_empty() {
        return Ok(());
    }
    cx.state
        .store
        .record_revision(
            &NewRevision {
                user_id: cx.user.user_id,
                mapping_id: Some(&cx.mapping.id),
                path,
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

/// What [`run`] would do, without doing it.
fn preview(ip: &ItemPlan, here: &str) -> Done {
    let plan = &ip.plan;
    let (action, default) = match plan.action {
        Action::Unchanged if ip.rename.is_some() => (ItemAction::Pulled, None),
        Action::Unchanged => (ItemAction::Unchanged, None),
        Action::Create => (ItemAction::Created, Some("a new row will be created")),
        Action::Push => (
            ItemAction::Pushed,
            Some("the file's changes will be written to its row"),
        ),
        Action::Pull
            if ip.page_id.is_some()
                && ip.plan.file.as_ref().is_some_and(|f| {
                    matches!(
                        f,
                        FileOp::Write {
                            expected_hash: None,
                            ..
                        }
                    )
                }) =>
        {
            (
                ItemAction::Pulled,
                Some("a new file will be created from the row"),
            )
        }
        Action::Pull => (
            ItemAction::Pulled,
            Some("the row's changes will be written to the file"),
        ),
        Action::Merge => (
            ItemAction::Pushed,
            Some("both sides changed in different places; they will be merged"),
        ),
        Action::DeleteRemote => (
            ItemAction::Pushed,
            Some("the file was deleted; its row will go to Notion's trash"),
        ),
        Action::DeleteLocal => (
            ItemAction::Pulled,
            Some("the row is in Notion's trash; the file will be deleted"),
        ),
        Action::Restore => (ItemAction::Pulled, None),
        Action::Conflict | Action::Forget | Action::Skip => (ItemAction::Skipped, None),
    };
    let mut message = plan.message.clone().or(default.map(str::to_string));
    if let Some(r) = ip.rename.as_ref().filter(|r| r.kind == RenameKind::Remote) {
        let note = format!("renamed in Notion: will move to {}", r.to);
        message = Some(match message {
            Some(m) => format!("{m}; {note}"),
            None => note,
        });
    }
    Done::only(here, action, message)
}

pub(super) fn notion_message(err: &notion::NotionError) -> String {
    if err.is_unauthorized() {
        "Notion refused the connection's token: reconnect Notion".to_string()
    } else if err.is_not_found() {
        "the Notion row was not found or is no longer shared with the integration".to_string()
    } else if journal::outcome_unknown(err) {
        format!("Notion did not answer ({err}); the next sync checks what happened before writing again")
    } else {
        format!("Notion request failed: {err}")
    }
}

fn failed(path: &str, err: &notion::NotionError) -> Done {
    tracing::warn!(error = %err, "notion call failed during a folder sync");
    Done::only(path, ItemAction::Failed, Some(notion_message(err)))
}

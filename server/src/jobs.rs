//! Background work: a pool of workers claiming jobs from the durable queue, and a scheduler that
//! queues auto-sync checks when a mapping's interval has passed.
//!
//! A job only ever reads Notion (the relay never touches Repl files, and pushing needs the
//! panel's files): `check_remote` looks whether a page changed since the last sync and tells the
//! user's open panels, which then sync. Any replica may run any job; leases make a crashed
//! worker's job claimable again, and the shared pacer keeps replicas within Notion's rate.

use crate::startup::AppState;
use crate::sync::notion_token;
use protocol::api::SyncEvent;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub const CHECK_REMOTE: &str = "check_remote";
/// A worker that has not finished a job in this time is presumed dead.
const LEASE_MS: i64 = 60_000;
/// Give up on a job after this many attempts.
const MAX_ATTEMPTS: i64 = 5;

/// Starts the workers and the scheduler; they stop when `shutdown` turns true.
pub fn spawn(state: &AppState, shutdown: watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    let config = &state.settings.config;
    let mut handles: Vec<JoinHandle<()>> = (0..config.sync_worker_concurrency)
        .map(|n| {
            let worker = format!("{}-{n}", state.replica_id);
            tokio::spawn(worker_loop(state.clone(), worker, shutdown.clone()))
        })
        .collect();
    if config.scheduler_interval_secs > 0 {
        handles.push(tokio::spawn(scheduler_loop(state.clone(), shutdown)));
    }
    handles
}

async fn worker_loop(state: AppState, worker: String, mut shutdown: watch::Receiver<bool>) {
    let idle = Duration::from_millis(state.settings.config.job_poll_interval_ms.max(10));
    loop {
        if *shutdown.borrow() {
            return;
        }
        let claimed = state
            .store
            .claim_job(&worker, crate::pacing::now_ms(), LEASE_MS)
            .await;
        match claimed {
            Ok(Some(job)) => {
                let outcome = run(&state, &job).await;
                let now = crate::now();
                let recorded = match outcome {
                    Ok(()) => state
                        .store
                        .finish_job(&job.id, &worker, now)
                        .await
                        .map(|_| ()),
                    Err(e) => {
                        let retry = (job.attempts < MAX_ATTEMPTS && e.transient)
                            .then(|| crate::pacing::now_ms() + backoff_ms(job.attempts));
                        tracing::warn!(kind = %job.kind, attempts = job.attempts, error = %e.message, "job failed");
                        state
                            .store
                            .fail_job(&job.id, &worker, &e.message, retry, now)
                            .await
                    }
                };
                if let Err(e) = recorded {
                    tracing::error!(error = %e, "recording a job's outcome failed");
                }
            }
            Ok(None) => {
                tokio::select! {
                    _ = tokio::time::sleep(idle) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "claiming a job failed");
                tokio::select! {
                    _ = tokio::time::sleep(idle * 5) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
    }
}

fn backoff_ms(attempts: i64) -> i64 {
    1000 * (1i64 << attempts.clamp(0, 6))
}

async fn scheduler_loop(state: AppState, mut shutdown: watch::Receiver<bool>) {
    let every = Duration::from_secs(state.settings.config.scheduler_interval_secs);
    loop {
        if let Err(e) = schedule_due(&state).await {
            tracing::error!(error = %e, "scheduling auto-sync checks failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
        if *shutdown.borrow() {
            return;
        }
    }
}

/// Queues a remote check for every auto-sync mapping whose interval has passed.
pub async fn schedule_due(state: &AppState) -> sqlx::Result<usize> {
    let now = crate::now();
    let due = state.store.due_auto_sync(now, 500).await?;
    let mut queued = 0;
    for (user_id, mapping_id) in due {
        // Marked now, so the next tick does not queue it again before the job ran.
        state.store.set_mapping_checked(&mapping_id, now).await?;
        if state
            .store
            .enqueue_job(
                user_id,
                &mapping_id,
                CHECK_REMOTE,
                crate::pacing::now_ms(),
                now,
            )
            .await?
            .is_some()
        {
            queued += 1;
        }
    }
    Ok(queued)
}

pub struct JobError {
    pub message: String,
    /// Worth retrying later (Notion busy, network), as opposed to a permanent refusal.
    pub transient: bool,
}

impl From<sqlx::Error> for JobError {
    fn from(e: sqlx::Error) -> JobError {
        JobError {
            message: format!("database: {e}"),
            transient: true,
        }
    }
}

async fn run(state: &AppState, job: &crate::store::JobRecord) -> Result<(), JobError> {
    match job.kind.as_str() {
        CHECK_REMOTE => check_remote(state, job).await,
        other => Err(JobError {
            message: format!("unknown job kind {other}"),
            transient: false,
        }),
    }
}

/// Looks whether the mapping's page changed since the last sync; if so, tells the user's panels.
async fn check_remote(state: &AppState, job: &crate::store::JobRecord) -> Result<(), JobError> {
    // A mapping removed or never synced since the job was queued has nothing to check.
    let Some(mapping) = state.store.mapping(job.user_id, &job.mapping_id).await? else {
        return Ok(());
    };
    // A project row is written from the Repl only: there is nothing to check in Notion.
    if mapping.kind == crate::sync::project_row::KIND {
        return Ok(());
    }
    let Some(page_id) = mapping.notion_page_id.clone() else {
        return Ok(());
    };
    let Some(base) = state.store.item(&mapping.id, &mapping.path).await? else {
        return Ok(());
    };
    let Ok((_, token)) = notion_token(state, job.user_id).await else {
        return Ok(());
    };
    state.pacer.wait(&token).await?;
    let markdown = match state.notion.get_page_markdown(&token, &page_id).await {
        Ok(pm) => pm.markdown,
        // Absence is never deletion (G7): a page we cannot see is reported by the next sync.
        Err(e) if e.is_not_found() || e.is_unauthorized() => return Ok(()),
        Err(e) => {
            return Err(JobError {
                message: format!("Notion: {e}"),
                transient: e.is_transient(),
            })
        }
    };
    state
        .store
        .set_mapping_checked(&mapping.id, crate::now())
        .await?;
    let remote_hash = engine::normalize::remote_hash(&markdown, notion_markdown::Dialect::V1);
    if remote_hash.as_str() != base.remote_hash {
        state.events.publish(
            job.user_id,
            SyncEvent::RemoteChanged {
                mapping_id: mapping.id,
            },
        );
    }
    Ok(())
}

//! Async writes (`allow_async: true` on `POST /v1/pages` with Markdown and on
//! `PATCH /v1/pages/{id}/markdown`): the request is answered `202` with a task, runs after a
//! short delay (checks such as `old_str` matching happen then), and can be polled at
//! `GET /v1/async_tasks/{id}` until it expires.
//!
//! Tasks run when their time comes, on a background timer or on the first poll after it,
//! whichever is first; either way under the store lock, so they run exactly once.

use std::time::Duration;

use notion::{AsyncTask, ErrorObject, Timestamp};
use serde_json::Value;
use uuid::Uuid;

use crate::app::AppState;
use crate::errors::ApiError;
use crate::objects::{AsyncTaskRecord, TaskOutcome};
use crate::routes::Ctx;
use crate::state::Store;
use crate::version::ApiVersion;

/// What a task does.
#[derive(Debug, Clone, Copy)]
pub enum Operation {
    /// `PATCH /v1/pages/{id}/markdown`.
    UpdateMarkdown(Uuid),
    /// `POST /v1/pages` with Markdown.
    CreatePage,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::UpdateMarkdown(_) => "PATCH /v1/pages/:page_id/markdown",
            Operation::CreatePage => "POST /v1/pages",
        }
    }
}

fn delay(state: &AppState, store: &Store) -> Duration {
    state.clock.scaled(Duration::from_millis(
        store.objects.tuning.async_task_delay_ms,
    ))
}

fn ttl(state: &AppState, store: &Store) -> Duration {
    state.clock.scaled(Duration::from_millis(
        store.objects.tuning.async_task_ttl_ms,
    ))
}

/// Records a task and schedules it. `base` is the origin the caller used, for `status_url`.
pub fn enqueue(state: &AppState, ctx: &Ctx, op: Operation, body: Value, base: &str) -> AsyncTask {
    let now = state.clock.now();
    let id = format!("task_{}", Uuid::new_v4().simple());
    let (record, wait) = {
        let mut store = state.lock();
        let wait = delay(state, &store);
        let record = AsyncTaskRecord {
            id: id.clone(),
            operation: op.name().to_string(),
            bot_id: ctx.bot_id,
            version: ctx.version.as_str().to_string(),
            request: body,
            page: match op {
                Operation::UpdateMarkdown(p) => Some(p),
                Operation::CreatePage => None,
            },
            created_time: now,
            run_at: now + wait,
            outcome: None,
        };
        store.objects.async_tasks.insert(id.clone(), record.clone());
        (record, wait)
    };
    let timer = state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(wait).await;
        run_due(&timer);
    });
    view(&record, base, wait)
}

/// Runs every task whose time has come and drops expired ones.
pub fn run_due(state: &AppState) {
    let now = state.clock.now();
    let mut store = state.lock();
    let ttl = ttl(state, &store);
    store.objects.async_tasks.retain(|_, t| match &t.outcome {
        Some(o) => now < o.finished_at + ttl,
        None => true,
    });
    let due: Vec<String> = store
        .objects
        .async_tasks
        .values()
        .filter(|t| t.outcome.is_none() && t.run_at <= now)
        .map(|t| t.id.clone())
        .collect();
    for id in due {
        let Some(task) = store.objects.async_tasks.get(&id).cloned() else {
            continue;
        };
        let result = execute(state, &mut store, &task);
        if let Some(t) = store.objects.async_tasks.get_mut(&id) {
            t.outcome = Some(TaskOutcome {
                finished_at: state.clock.now(),
                result,
            });
        }
    }
}

fn execute(state: &AppState, store: &mut Store, task: &AsyncTaskRecord) -> Result<Value, Value> {
    let ctx = Ctx {
        request_id: task.id.clone(),
        version: ApiVersion::parse(&task.version).unwrap_or(ApiVersion::CURRENT),
        bot_id: task.bot_id,
    };
    let outcome: Result<Value, ApiError> = match task.page {
        Some(page) => crate::routes::markdown::parse_edit(&task.request)
            .and_then(|req| {
                crate::routes::markdown::apply_edit(store, &state.clock, &ctx, page, &req)
            })
            .and_then(|md| {
                serde_json::to_value(md).map_err(|e| ApiError::validation(e.to_string()))
            }),
        None => crate::routes::pages::create_page(store, &state.clock, &ctx, &task.request)
            .and_then(|p| serde_json::to_value(p).map_err(|e| ApiError::validation(e.to_string()))),
    };
    outcome.map_err(|e| e.body())
}

/// The task as the API shows it (`poll_after_seconds` while it waits).
pub fn view(task: &AsyncTaskRecord, base: &str, wait: Duration) -> AsyncTask {
    let (status, result, error) = match &task.outcome {
        None => ("queued", None, None),
        Some(TaskOutcome {
            result: Ok(value), ..
        }) => ("succeeded", Some(value.clone()), None),
        Some(TaskOutcome {
            result: Err(value), ..
        }) => (
            "failed",
            None,
            serde_json::from_value::<ErrorObject>(value.clone()).ok(),
        ),
    };
    AsyncTask {
        object: "async_task".into(),
        id: task.id.clone(),
        status: status.into(),
        status_url: Some(format!(
            "{}/v1/async_tasks/{}",
            base.trim_end_matches('/'),
            task.id
        )),
        created_time: Some(Timestamp::new(task.created_time)),
        poll_after_seconds: task.outcome.is_none().then(|| wait.as_secs().max(1)),
        operation: Some(serde_json::json!({"surface": "rest", "name": task.operation})),
        result,
        error,
        request_id: None,
    }
}

/// The polling answer for `id` (after running it if due); `None` if unknown or expired.
pub fn poll(state: &AppState, id: &str, bot_id: Uuid, base: &str) -> Option<AsyncTask> {
    run_due(state);
    let store = state.lock();
    let wait = delay(state, &store);
    let task = store
        .objects
        .async_tasks
        .get(id)
        .filter(|t| t.bot_id == bot_id)?;
    Some(view(task, base, wait))
}

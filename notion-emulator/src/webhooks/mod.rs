//! Integration webhooks, as Notion sends them (reference/notion-api.md §15).
//!
//! - Subscribing (`--webhook-url`, `POST /__emulator/webhooks`) creates a verification token
//!   and POSTs `{"verification_token": "secret_…"}` to the URL, once (retried until it answers
//!   2xx). Events wait until then.
//! - Every later delivery is signed: `X-Notion-Signature: sha256=<hex HMAC-SHA256(key =
//!   verification token, message = raw body)>`.
//! - Events come from the emulator's own mutations ([`crate::events`]), only for what the
//!   subscribing integration can see. `*.content_updated`, `*.properties_updated` and
//!   `*.schema_updated` events for one entity are merged within an aggregation window; every
//!   event is delivered a delay after its window closes. Both are Notion-paced and divided by
//!   the time scale.
//! - A delivery that fails (non-2xx, no answer) is retried with `attempt_number` + 1 after an
//!   exponential back-off, up to `max_attempts`.
//! - `out_of_order: true` gathers everything recorded within one window into one batch and
//!   delivers it newest first, so receivers can be tested against reordering.

mod config;
mod payload;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{json, Value};
use time::OffsetDateTime;
use tokio::sync::{watch, Notify};
use tokio::time::Instant;
use uuid::Uuid;

pub use config::{DeliveryRecord, Subscribed, WebhookConfig, WebhookStatus};
pub use payload::sign;

use crate::events::{kinds, ChangeEvent, EntityRef, EntityType};
use crate::ids;
use crate::objects::Node;
use crate::state::{random_secret, Access, BotRecord, Store};
use crate::time::Clock;
use payload::payload;

/// How many recorded events and delivery attempts the hooks keep for inspection.
const LOG_LIMIT: usize = 1000;
/// Longest wait for a receiver's answer.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// An event waiting for delivery, with what its payload needs from the workspace.
#[derive(Debug, Clone)]
struct Queued {
    seq: u64,
    event_id: Uuid,
    kind: &'static str,
    entity: EntityRef,
    parent: EntityRef,
    authors: Vec<(Uuid, &'static str)>,
    at: OffsetDateTime,
    updated_blocks: Vec<Uuid>,
    updated_properties: Vec<Value>,
    window_end: Instant,
    due: Instant,
    attempt: u32,
    context: Arc<Context>,
}

/// What a payload says about the workspace and the subscriber, taken when the event is queued.
#[derive(Debug)]
struct Context {
    workspace_id: Uuid,
    workspace_name: String,
    subscription_id: Uuid,
    integration_id: Uuid,
    /// Only for public integrations: the person who authorized it and its bot.
    accessible_by: Option<Vec<(Uuid, &'static str)>>,
}

struct Subscription {
    id: Uuid,
    generation: u64,
    url: url::Url,
    config: WebhookConfig,
    token: String,
    verified: bool,
    handshake_attempt: u32,
    handshake_due: Instant,
}

#[derive(Default)]
struct Hub {
    sub: Option<Subscription>,
    generation: u64,
    queue: Vec<Queued>,
    batch_end: Option<Instant>,
    next_seq: u64,
    deliveries: VecDeque<DeliveryRecord>,
    recent: VecDeque<ChangeEvent>,
}

/// The webhook emitter (one subscription at a time, as one integration's Webhooks tab).
pub struct Webhooks {
    hub: Mutex<Hub>,
    wake: Notify,
    clock: Clock,
    http: reqwest::Client,
    stop: watch::Receiver<bool>,
    worker: AtomicBool,
}

enum Job {
    Handshake {
        generation: u64,
        url: url::Url,
        token: String,
    },
    Deliver {
        generation: u64,
        url: url::Url,
        token: String,
        body: Vec<u8>,
        item: Box<Queued>,
    },
    Wait(Option<Instant>),
}

impl Webhooks {
    pub fn new(clock: Clock, stop: watch::Receiver<bool>) -> Self {
        let http = reqwest::Client::builder()
            .timeout(DELIVERY_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Notion-Webhooks (notion-emulator)")
            .build()
            .unwrap_or_default();
        Webhooks {
            hub: Mutex::new(Hub::default()),
            wake: Notify::new(),
            clock,
            http,
            stop,
            worker: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Hub> {
        self.hub.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Subscribes `config.url` (replacing any subscription): a new verification token, a new
    /// handshake, and an empty queue.
    pub fn subscribe(self: &Arc<Self>, config: WebhookConfig) -> Result<Subscribed, String> {
        let url = config.validate()?;
        let token = random_secret("secret_", 43);
        let id = ids::new_id();
        {
            let mut hub = self.lock();
            hub.generation += 1;
            let generation = hub.generation;
            hub.queue.clear();
            hub.batch_end = None;
            hub.sub = Some(Subscription {
                id,
                generation,
                url,
                config,
                token: token.clone(),
                verified: false,
                handshake_attempt: 0,
                handshake_due: Instant::now(),
            });
        }
        self.start_worker();
        self.wake.notify_one();
        Ok(Subscribed {
            subscription_id: ids::dashed(id),
            verification_token: token,
        })
    }

    pub fn unsubscribe(&self) {
        let mut hub = self.lock();
        hub.generation += 1;
        hub.sub = None;
        hub.queue.clear();
        hub.batch_end = None;
    }

    pub fn status(&self) -> WebhookStatus {
        let hub = self.lock();
        WebhookStatus {
            subscription: hub.sub.as_ref().map(|s| {
                let mut v = serde_json::to_value(&s.config).unwrap_or(Value::Null);
                if let Value::Object(map) = &mut v {
                    map.insert("subscription_id".into(), ids::dashed(s.id).into());
                }
                v
            }),
            verified: hub.sub.as_ref().is_some_and(|s| s.verified),
            pending: hub.queue.len(),
            deliveries: hub.deliveries.iter().cloned().collect(),
        }
    }

    /// Recent change events, oldest first (whether or not anyone subscribes).
    pub fn recent_events(&self) -> Vec<ChangeEvent> {
        self.lock().recent.iter().cloned().collect()
    }

    /// Takes the store's recorded events, logs them and queues those the subscriber may see.
    pub fn collect(&self, store: &mut Store) {
        let events = store.take_events();
        if events.is_empty() {
            return;
        }
        let now = Instant::now();
        let mut hub = self.lock();
        for event in &events {
            if hub.recent.len() >= LOG_LIMIT {
                hub.recent.pop_front();
            }
            hub.recent.push_back(event.clone());
        }
        let Some(sub) = hub.sub.as_ref() else {
            return;
        };
        let subscriber = match (&sub.config.client_id, &sub.config.bot_id) {
            (Some(client), _) => match store
                .bots
                .values()
                .find(|b| b.client_id.as_deref() == Some(client.as_str()))
            {
                Some(bot) => Some(bot),
                // Not authorized yet: nothing is shared with it.
                None => return,
            },
            (None, Some(bot)) => match ids::parse(bot).and_then(|id| store.bots.get(&id)) {
                Some(bot) => Some(bot),
                None => return,
            },
            (None, None) => None,
        };
        let types = sub.config.event_types.clone();
        let window = self
            .clock
            .scaled(Duration::from_millis(sub.config.aggregation_window_ms));
        let delay = self
            .clock
            .scaled(Duration::from_millis(sub.config.delivery_delay_ms));
        let out_of_order = sub.config.out_of_order;
        let context = Arc::new(Context {
            workspace_id: store.workspace.id,
            workspace_name: store.workspace.name.clone(),
            subscription_id: sub.id,
            integration_id: subscriber.map_or(sub.id, |b| b.id),
            accessible_by: subscriber.filter(|b| b.client_id.is_some()).map(|b| {
                let mut who: Vec<(Uuid, &'static str)> =
                    b.owner.map(|o| (o, "person")).into_iter().collect();
                who.push((b.id, "bot"));
                who
            }),
        });
        let mut queued = Vec::new();
        for event in events {
            if types
                .as_ref()
                .is_some_and(|t| !t.iter().any(|t| t == event.kind))
            {
                continue;
            }
            if let Some(bot) = subscriber {
                if !visible(store, bot, &event) {
                    continue;
                }
            }
            queued.push(event);
        }
        for event in queued {
            let author_type = if store.bots.contains_key(&event.actor) {
                "bot"
            } else {
                "person"
            };
            let aggregated = kinds::is_aggregated(event.kind);
            let window_end = if out_of_order {
                match hub.batch_end {
                    Some(end) if end > now => end,
                    _ => {
                        hub.batch_end = Some(now + window);
                        now + window
                    }
                }
            } else if aggregated {
                now + window
            } else {
                now
            };
            if aggregated {
                if let Some(open) = hub.queue.iter_mut().find(|q| {
                    q.attempt == 1
                        && q.kind == event.kind
                        && q.entity == event.entity
                        && q.window_end > now
                }) {
                    merge(open, &event, author_type);
                    continue;
                }
            }
            hub.next_seq += 1;
            let seq = hub.next_seq;
            hub.queue.push(Queued {
                seq,
                event_id: ids::new_id(),
                kind: event.kind,
                entity: event.entity,
                parent: event.parent,
                authors: vec![(event.actor, author_type)],
                at: event.at,
                updated_blocks: event.updated_blocks,
                updated_properties: event.updated_properties,
                window_end,
                due: window_end + delay,
                attempt: 1,
                context: Arc::clone(&context),
            });
        }
        drop(hub);
        self.wake.notify_one();
    }

    fn start_worker(self: &Arc<Self>) {
        if self.worker.swap(true, Ordering::SeqCst) {
            return;
        }
        let hub = Arc::clone(self);
        tokio::spawn(async move { hub.run().await });
    }

    async fn run(self: Arc<Self>) {
        let mut stop = self.stop.clone();
        loop {
            if *stop.borrow() {
                return;
            }
            match self.next_job(Instant::now()) {
                Job::Handshake {
                    generation,
                    url,
                    token,
                } => {
                    let body = json!({ "verification_token": token }).to_string();
                    let answer = self.post(url, body.into_bytes(), None).await;
                    self.handshake_done(generation, answer);
                }
                Job::Deliver {
                    generation,
                    url,
                    token,
                    body,
                    item,
                } => {
                    let signature = sign(&token, &body);
                    let answer = self.post(url, body, Some(signature)).await;
                    self.delivered(generation, *item, answer);
                }
                Job::Wait(until) => {
                    let sleep = async {
                        match until {
                            Some(at) => tokio::time::sleep_until(at).await,
                            None => std::future::pending().await,
                        }
                    };
                    tokio::select! {
                        _ = self.wake.notified() => {}
                        _ = sleep => {}
                        _ = stop.changed() => {}
                    }
                }
            }
        }
    }

    /// The next thing to do: the handshake, the next due event, or wait.
    fn next_job(&self, now: Instant) -> Job {
        let mut hub = self.lock();
        let Some(sub) = hub.sub.as_ref() else {
            return Job::Wait(None);
        };
        if !sub.verified {
            if sub.handshake_due > now {
                return Job::Wait(Some(sub.handshake_due));
            }
            return Job::Handshake {
                generation: sub.generation,
                url: sub.url.clone(),
                token: sub.token.clone(),
            };
        }
        let (generation, url, token) = (sub.generation, sub.url.clone(), sub.token.clone());
        let newest_first = sub.config.out_of_order;
        let due = hub.queue.iter().enumerate().filter(|(_, q)| q.due <= now);
        let pick = if newest_first {
            due.max_by_key(|(_, q)| (q.at, q.seq)).map(|(i, _)| i)
        } else {
            due.min_by_key(|(_, q)| (q.due, q.seq)).map(|(i, _)| i)
        };
        let Some(index) = pick else {
            return Job::Wait(hub.queue.iter().map(|q| q.due).min());
        };
        let item = hub.queue.swap_remove(index);
        let body = payload(&item);
        Job::Deliver {
            generation,
            url,
            token,
            body,
            item: Box::new(item),
        }
    }

    async fn post(
        &self,
        url: url::Url,
        body: Vec<u8>,
        signature: Option<String>,
    ) -> Result<u16, String> {
        let mut req = self
            .http
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body);
        if let Some(sig) = signature {
            req = req.header("X-Notion-Signature", sig);
        }
        match req.send().await {
            Ok(resp) => Ok(resp.status().as_u16()),
            Err(err) if err.is_timeout() => Err("timed out".into()),
            Err(err) if err.is_connect() => Err("connection failed".into()),
            Err(_) => Err("request failed".into()),
        }
    }

    fn handshake_done(&self, generation: u64, answer: Result<u16, String>) {
        let mut hub = self.lock();
        let base = {
            let Some(sub) = hub.sub.as_mut().filter(|s| s.generation == generation) else {
                return;
            };
            sub.handshake_attempt += 1;
            let attempt = sub.handshake_attempt;
            let ok = matches!(answer, Ok(s) if (200..300).contains(&s));
            if ok {
                sub.verified = true;
            } else {
                let wait = backoff(&self.clock, sub.config.retry_base_ms, attempt);
                sub.handshake_due = Instant::now() + wait;
            }
            attempt
        };
        log(
            &mut hub,
            DeliveryRecord {
                kind: "verification".into(),
                event_id: None,
                entity_id: None,
                attempt_number: base,
                status: answer.as_ref().ok().copied(),
                error: answer.err(),
            },
        );
    }

    fn delivered(&self, generation: u64, mut item: Queued, answer: Result<u16, String>) {
        let mut hub = self.lock();
        let Some(sub) = hub.sub.as_ref().filter(|s| s.generation == generation) else {
            return;
        };
        let ok = matches!(answer, Ok(s) if (200..300).contains(&s));
        let (max_attempts, retry_base) = (sub.config.max_attempts, sub.config.retry_base_ms);
        let record = DeliveryRecord {
            kind: item.kind.to_string(),
            event_id: Some(ids::dashed(item.event_id)),
            entity_id: Some(ids::dashed(item.entity.id)),
            attempt_number: item.attempt,
            status: answer.as_ref().ok().copied(),
            error: answer.err(),
        };
        log(&mut hub, record);
        if !ok && item.attempt < max_attempts {
            item.due = Instant::now() + backoff(&self.clock, retry_base, item.attempt);
            item.attempt += 1;
            hub.queue.push(item);
        }
    }
}

fn log(hub: &mut Hub, record: DeliveryRecord) {
    if hub.deliveries.len() >= LOG_LIMIT {
        hub.deliveries.pop_front();
    }
    hub.deliveries.push_back(record);
}

/// `retry_base · 2^(attempt-1)`, scaled, capped at a day (Notion pace).
fn backoff(clock: &Clock, retry_base_ms: u64, attempt: u32) -> Duration {
    let factor = 2u64.saturating_pow(attempt.saturating_sub(1).min(20));
    let ms = retry_base_ms.saturating_mul(factor).min(86_400_000);
    clock.scaled(Duration::from_millis(ms))
}

/// Whether the subscribing bot can see what the event is about.
fn visible(store: &Store, bot: &BotRecord, event: &ChangeEvent) -> bool {
    if matches!(bot.access, Access::All) {
        return true;
    }
    let node = |entity: EntityRef| match entity.kind {
        EntityType::Page => Some(Node::Page(entity.id)),
        EntityType::Database => Some(Node::Database(entity.id)),
        EntityType::DataSource => Some(Node::DataSource(entity.id)),
        EntityType::Block | EntityType::Space => None,
    };
    match node(event.entity).or_else(|| node(event.parent)) {
        Some(node) => store.can_see_node(bot, node),
        None => false,
    }
}

fn merge(open: &mut Queued, event: &ChangeEvent, author_type: &'static str) {
    for id in &event.updated_blocks {
        if !open.updated_blocks.contains(id) {
            open.updated_blocks.push(*id);
        }
    }
    for p in &event.updated_properties {
        if !open.updated_properties.contains(p) {
            open.updated_properties.push(p.clone());
        }
    }
    if !open.authors.iter().any(|(id, _)| *id == event.actor) {
        open.authors.push((event.actor, author_type));
    }
    open.at = open.at.max(event.at);
    open.parent = event.parent;
}

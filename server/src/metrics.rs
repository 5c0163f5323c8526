//! Prometheus metrics at `GET /metrics`: requests by route and status, their latency, and sync
//! outcomes. Labels are route templates and small enums — never ids, paths or tokens.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::{text::encode, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    pub route: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    pub route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ItemLabels {
    /// created, pushed, pulled, unchanged, conflict, skipped, failed
    pub action: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NotionLabels {
    pub route: String,
    /// The HTTP status, or `none` when no response arrived.
    pub status: String,
}

#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<RouteLabels, Histogram>,
    sync_items: Family<ItemLabels, Counter>,
    notion_requests: Family<NotionLabels, Counter>,
    notion_duration: Family<RouteLabels, Histogram>,
    jobs_pending: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("relay");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            http_requests.clone(),
        );
        let http_duration = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 14))
        });
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency",
            http_duration.clone(),
        );
        let sync_items = Family::<ItemLabels, Counter>::default();
        registry.register("sync_items", "Synced items by outcome", sync_items.clone());
        let notion_requests = Family::<NotionLabels, Counter>::default();
        registry.register(
            "notion_requests",
            "Notion API attempts by route and status",
            notion_requests.clone(),
        );
        let notion_duration = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.005, 2.0, 14))
        });
        registry.register(
            "notion_request_duration_seconds",
            "Notion API latency",
            notion_duration.clone(),
        );
        let jobs_pending = Gauge::default();
        registry.register(
            "jobs_pending",
            "Queued or running background jobs",
            jobs_pending.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            http_requests,
            http_duration,
            sync_items,
            notion_requests,
            notion_duration,
            jobs_pending,
        }
    }

    /// Counts and times every Notion attempt the client makes.
    pub fn notion_observer(&self) -> notion::Observer {
        let requests = self.notion_requests.clone();
        let duration = self.notion_duration.clone();
        Arc::new(move |call: &notion::CallRecord<'_>| {
            let status = call
                .status
                .map_or_else(|| "none".to_string(), |s| s.to_string());
            let route = call.route.to_string();
            requests
                .get_or_create(&NotionLabels {
                    route: route.clone(),
                    status,
                })
                .inc();
            duration
                .get_or_create(&RouteLabels { route })
                .observe(call.duration.as_secs_f64());
        })
    }

    pub fn set_jobs_pending(&self, n: i64) {
        self.jobs_pending.set(n);
    }

    pub fn sync_item(&self, action: &str) {
        self.sync_items
            .get_or_create(&ItemLabels {
                action: action.to_string(),
            })
            .inc();
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        // Encoding into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

/// Counts and times every request under its route template.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "other".into());
    let method = req.method().to_string();
    let started = Instant::now();
    let resp = next.run(req).await;
    metrics
        .http_duration
        .get_or_create(&RouteLabels {
            route: route.clone(),
        })
        .observe(started.elapsed().as_secs_f64());
    metrics
        .http_requests
        .get_or_create(&HttpLabels {
            method,
            route,
            status: resp.status().as_u16(),
        })
        .inc();
    resp
}

pub async fn endpoint(State(state): State<crate::startup::AppState>) -> impl IntoResponse {
    if let Ok(n) = state.store.pending_jobs().await {
        state.metrics.set_jobs_pending(n);
    }
    let metrics = &state.metrics;
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
}

//! Prometheus metrics, served at `/metrics` in the text exposition format.

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    pub method: String,
    /// The route pattern (`/api/v1/workspaces/{id}`), never the raw path, to bound cardinality.
    pub route: String,
    pub status: u16,
}

pub struct Metrics {
    registry: Registry,
    pub http_requests: Family<HttpLabels, Counter>,
    pub http_duration: Histogram,
}

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("herald");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered",
            http_requests.clone(),
        );
        let http_duration = Histogram::new([0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0]);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            http_duration.clone(),
        );
        let up = Gauge::<i64>::default();
        up.set(1);
        registry.register("up", "1 while this process serves", up);
        Self {
            registry,
            http_requests,
            http_duration,
        }
    }

    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Middleware counting every request by method, route and status.
pub async fn track(
    State(metrics): State<std::sync::Arc<Metrics>>,
    req: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = req.method().to_string();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let res = next.run(req).await;
    metrics
        .http_requests
        .get_or_create(&HttpLabels {
            method,
            route,
            status: res.status().as_u16(),
        })
        .inc();
    metrics
        .http_duration
        .observe(started.elapsed().as_secs_f64());
    res
}

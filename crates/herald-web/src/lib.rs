//! Herald's HTTP surface: the REST API under `/api/v1` (with its OpenAPI document), the
//! server-rendered UI, authentication, sessions and CSRF, and the operational endpoints.
//!
//! [`app`] builds the whole router from an [`AppState`]; the binary binds it to a socket with
//! [`serve`]. Tests do the same on port 0.

pub mod api;
pub mod auth;
pub mod calendar;
pub mod error;
pub mod export;
pub mod i18n;
pub mod import;
pub mod invites;
pub mod json;
pub mod metrics;
pub mod notify;
pub mod ops;
pub mod plan;
pub mod publishing;
pub mod state;
pub mod strategy;
pub mod tasks;
pub mod ui;
pub mod workflow;

pub use state::{AppState, WebConfig};

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest request body accepted anywhere (media uploads will get their own route).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Builds the whole application.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api::router();
    let doc = Arc::new(doc);
    let api = api
        .route(
            "/api/v1/openapi.json",
            get(api::openapi_json).with_state(doc),
        )
        .fallback(api_not_found);
    Router::new()
        .merge(api)
        .merge(ops::routes())
        .merge(export::feed::routes())
        .merge(ui::routes())
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .with_state(state)
}

async fn api_not_found() -> error::ApiError {
    error::ApiError::not_found()
}

/// Serves the application on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

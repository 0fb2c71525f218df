//! Static assets compiled into the binary: the stylesheets (the shell, the publishing pages,
//! the strategy page and brief, the calendar) and the small scripts (app.js everywhere,
//! strategy.js and calendar.js on their pages), served with an hour's cache lifetime.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const CSS: &str = include_str!("../../assets/app.css");
const PUBLISHING_CSS: &str = include_str!("../../assets/publishing.css");
const JS: &str = include_str!("../../assets/app.js");
const STRATEGY_CSS: &str = include_str!("../../assets/strategy.css");
const STRATEGY_JS: &str = include_str!("../../assets/strategy.js");
const CALENDAR_CSS: &str = include_str!("../../assets/calendar.css");
const CALENDAR_JS: &str = include_str!("../../assets/calendar.js");

pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new()
        .route("/assets/app.css", get(css))
        .route("/assets/publishing.css", get(publishing_css))
        .route("/assets/app.js", get(js))
        .route(
            "/assets/strategy.css",
            get(|| async { asset("text/css; charset=utf-8", STRATEGY_CSS) }),
        )
        .route(
            "/assets/strategy.js",
            get(|| async { asset("text/javascript; charset=utf-8", STRATEGY_JS) }),
        )
        .route("/assets/calendar.css", get(calendar_css))
        .route("/assets/calendar.js", get(calendar_js))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
}

async fn publishing_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        PUBLISHING_CSS,
    )
}

async fn js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        JS,
    )
}

/// A compiled-in asset with its type and the hour's cache lifetime.
fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        body,
    )
}

async fn calendar_css() -> impl IntoResponse {
    asset("text/css; charset=utf-8", CALENDAR_CSS)
}

async fn calendar_js() -> impl IntoResponse {
    asset("text/javascript; charset=utf-8", CALENDAR_JS)
}

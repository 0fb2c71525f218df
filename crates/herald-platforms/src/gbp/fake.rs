//! A fake Google Business Profile reviews API for one location, written from Google's
//! documentation (`accounts.locations.reviews` list and `updateReply`): an axum app on
//! 127.0.0.1:0 keeping reviews in memory, for this connector's tests and (with the `fakes`
//! feature) other crates' tests.
//!
//! It answers Google's shapes and refuses what Google refuses: a missing or wrong bearer (401
//! `UNAUTHENTICATED`), another account or location (404 `NOT_FOUND`), `pageSize` over 50, an
//! unknown `orderBy` or `pageToken`, a reply without `comment` or longer than 4,096 bytes (400
//! `INVALID_ARGUMENT`), an unknown review (404), and, when queued with
//! [`GbpFake::rate_limit_next`], 429 `RESOURCE_EXHAUSTED` with `Retry-After`. Lists are
//! newest update first; a PUT reply creates or replaces the one reply.

use crate::connector::ChannelCtx;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use herald_domain::Secret;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::net::TcpListener;

pub const TOKEN: &str = "ya29.fake-gbp-token";
pub const ACCOUNT: &str = "1234567890";
pub const LOCATION: &str = "9876543210";
const MAX_PAGE: usize = 50;
const MAX_REPLY_BYTES: usize = 4096;

/// A review as the fake keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeReview {
    pub id: String,
    pub reviewer: String,
    /// 1–5; 0 is `STAR_RATING_UNSPECIFIED`.
    pub stars: u8,
    pub comment: String,
    pub create_ms: i64,
    pub update_ms: i64,
    pub reply: Option<String>,
}

#[derive(Default)]
struct FakeState {
    reviews: Vec<FakeReview>,
    clock: i64,
    rate_limits: Vec<u64>,
    reply_puts: u64,
}

type Shared = Arc<Mutex<FakeState>>;

fn lock(shared: &Shared) -> MutexGuard<'_, FakeState> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running fake; stops when dropped.
pub struct GbpFake {
    shared: Shared,
    base_url: String,
    _server: crate::fake_server::ServerGuard,
}

impl std::fmt::Debug for GbpFake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GbpFake")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl GbpFake {
    /// Starts the fake on a free loopback port.
    ///
    /// # Panics
    /// If no port can be bound.
    pub async fn start() -> GbpFake {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("the fake GBP cannot listen on 127.0.0.1: {e}"),
        };
        let base_url = match listener.local_addr() {
            Ok(addr) => format!("http://{addr}"),
            Err(e) => panic!("the fake GBP has no address: {e}"),
        };
        let shared: Shared = Arc::new(Mutex::new(FakeState {
            clock: chrono::Utc::now().timestamp_millis(),
            ..FakeState::default()
        }));
        let router = Router::new()
            .route("/accounts/{a}/locations/{l}/reviews", get(list))
            .route("/accounts/{a}/locations/{l}/reviews/{r}/reply", put(reply))
            .with_state(shared.clone());
        let server = crate::fake_server::serve(listener, router);
        GbpFake {
            shared,
            base_url,
            _server: server,
        }
    }

    /// A channel connected to this fake.
    pub fn channel(&self) -> ChannelCtx {
        ChannelCtx {
            channel_id: 1,
            workspace_id: 1,
            settings: json!({"account_id": ACCOUNT, "location_id": LOCATION, "api_base": self.base_url}),
            credentials: Secret::new(json!({"access_token": TOKEN})),
        }
    }

    /// A new review; answers its id.
    pub fn add_review(&self, reviewer: &str, stars: u8, comment: &str) -> String {
        let mut state = lock(&self.shared);
        state.clock += 1_000;
        let id = format!("AbFvOq{:04}", state.reviews.len() + 1);
        let at = state.clock;
        state.reviews.push(FakeReview {
            id: id.clone(),
            reviewer: reviewer.to_string(),
            stars,
            comment: comment.to_string(),
            create_ms: at,
            update_ms: at,
            reply: None,
        });
        id
    }

    /// The reviewer edits their review: new text, new update time.
    pub fn edit_review(&self, id: &str, comment: &str) {
        let mut state = lock(&self.shared);
        state.clock += 1_000;
        let at = state.clock;
        if let Some(r) = state.reviews.iter_mut().find(|r| r.id == id) {
            r.comment = comment.to_string();
            r.update_ms = at;
        }
    }

    pub fn reviews(&self) -> Vec<FakeReview> {
        lock(&self.shared).reviews.clone()
    }

    /// How many reply PUTs were received.
    pub fn reply_puts(&self) -> u64 {
        lock(&self.shared).reply_puts
    }

    /// The next request answers 429 with `Retry-After: secs`.
    pub fn rate_limit_next(&self, secs: u64) {
        lock(&self.shared).rate_limits.push(secs);
    }
}

fn error(status: StatusCode, reason: &str, message: &str) -> Response {
    let body = json!({"error": {"code": status.as_u16(), "message": message, "status": reason}});
    (status, Json(body)).into_response()
}

/// The refusal every request may get before its own checks, if any.
fn gate(shared: &Shared, headers: &HeaderMap, account: &str, location: &str) -> Option<Response> {
    if let Some(secs) = lock(shared).rate_limits.pop() {
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded",
        );
        r.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Some(r);
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if bearer != Some(TOKEN) {
        return Some(error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Request had invalid authentication credentials.",
        ));
    }
    if account != ACCOUNT || location != LOCATION {
        return Some(error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "Requested entity was not found.",
        ));
    }
    None
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

fn review_json(r: &FakeReview) -> Value {
    const STARS: [&str; 6] = [
        "STAR_RATING_UNSPECIFIED",
        "ONE",
        "TWO",
        "THREE",
        "FOUR",
        "FIVE",
    ];
    let mut v = json!({
        "name": format!("accounts/{ACCOUNT}/locations/{LOCATION}/reviews/{}", r.id),
        "reviewId": r.id,
        "reviewer": {"displayName": r.reviewer, "isAnonymous": r.reviewer.is_empty()},
        "starRating": STARS[usize::from(r.stars.min(5))],
        "comment": r.comment,
        "createTime": rfc3339(r.create_ms),
        "updateTime": rfc3339(r.update_ms),
    });
    if let Some(reply) = &r.reply {
        v["reviewReply"] = json!({"comment": reply, "updateTime": rfc3339(r.update_ms)});
    }
    v
}

async fn list(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path((account, location)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = gate(&shared, &headers, &account, &location) {
        return refused;
    }
    let bad = |m: &str| error(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", m);
    let size = match query.get("pageSize").map(|s| s.parse::<usize>()) {
        None => MAX_PAGE,
        Some(Ok(n)) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => return bad("pageSize must be between 1 and 50"),
    };
    if !matches!(
        query.get("orderBy").map(String::as_str),
        None | Some("updateTime desc")
    ) {
        return bad("orderBy: this fake sorts by updateTime desc only");
    }
    let offset = match query
        .get("pageToken")
        .map(|t| t.strip_prefix("p").map(str::parse::<usize>))
    {
        None => 0,
        Some(Some(Ok(n))) => n,
        Some(_) => return bad("Invalid pageToken"),
    };
    let state = lock(&shared);
    let mut sorted: Vec<&FakeReview> = state.reviews.iter().collect();
    sorted.sort_by(|a, b| (b.update_ms, &b.id).cmp(&(a.update_ms, &a.id)));
    let page: Vec<Value> = sorted
        .iter()
        .skip(offset)
        .take(size)
        .map(|r| review_json(r))
        .collect();
    let mut body = json!({"reviews": page, "totalReviewCount": sorted.len()});
    if offset + size < sorted.len() {
        body["nextPageToken"] = json!(format!("p{}", offset + size));
    }
    Json(body).into_response()
}

async fn reply(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path((account, location, review)): Path<(String, String, String)>,
    body: Option<Json<Value>>,
) -> Response {
    if let Some(refused) = gate(&shared, &headers, &account, &location) {
        return refused;
    }
    let comment = body
        .as_ref()
        .and_then(|b| b.get("comment"))
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or("");
    if comment.is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "comment is required",
        );
    }
    if comment.len() > MAX_REPLY_BYTES {
        return error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            "comment is too long",
        );
    }
    let mut state = lock(&shared);
    state.reply_puts += 1;
    let Some(r) = state.reviews.iter_mut().find(|r| r.id == review) else {
        return error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "Requested entity was not found.",
        );
    };
    r.reply = Some(comment.to_string());
    Json(json!({"comment": comment, "updateTime": rfc3339(r.update_ms)})).into_response()
}

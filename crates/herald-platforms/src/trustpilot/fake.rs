//! A fake Trustpilot Business API for one business unit, written from Trustpilot's
//! documentation (private business-unit reviews and the review reply): an axum app on
//! 127.0.0.1:0 keeping reviews in memory, for this connector's tests and (with the `fakes`
//! feature) other crates' tests.
//!
//! It refuses what Trustpilot refuses: a missing or wrong bearer (401), another business unit
//! (404), `perPage` outside 1–100, an `orderBy` other than `createdat.asc`/`createdat.desc`,
//! an unreadable `startDateTime` (400), a reply without `message` or
//! `authorBusinessUserId`, or longer than 2,048 characters (400), an unknown review (404),
//! and, when queued with [`TrustpilotFake::rate_limit_next`], 429 with `Retry-After`.
//! `startDateTime` keeps reviews created at or after it. A reply creates or replaces the
//! company reply and answers 201.

use crate::connector::ChannelCtx;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use herald_domain::Secret;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::net::TcpListener;

pub const TOKEN: &str = "fake-trustpilot-token";
pub const BUSINESS_UNIT: &str = "5c3f1d2e9a0b7c0001a2b3c4";
pub const BUSINESS_USER: &str = "5c3f1d2e9a0b7c0001bbbbbb";
const MAX_MESSAGE_CHARS: usize = 2048;

/// A review as the fake keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeReview {
    pub id: String,
    pub consumer: String,
    pub stars: u8,
    pub title: String,
    pub text: String,
    pub created_ms: i64,
    /// The company reply and who wrote it.
    pub reply: Option<(String, String)>,
}

#[derive(Default)]
struct Book {
    reviews: Vec<FakeReview>,
    clock: i64,
    limited: Vec<u64>,
    replies: u64,
}

type Shared = Arc<Mutex<Book>>;

fn book(shared: &Shared) -> MutexGuard<'_, Book> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running fake; stops when dropped.
pub struct TrustpilotFake {
    shared: Shared,
    base_url: String,
    _server: crate::fake_server::ServerGuard,
}

impl std::fmt::Debug for TrustpilotFake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustpilotFake")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl TrustpilotFake {
    /// Starts the fake on a free loopback port.
    ///
    /// # Panics
    /// If no port can be bound.
    pub async fn start() -> TrustpilotFake {
        let bound = TcpListener::bind("127.0.0.1:0").await;
        let Ok(listener) = bound else {
            panic!("the fake Trustpilot cannot listen on 127.0.0.1");
        };
        let base_url = listener
            .local_addr()
            .map(|a| format!("http://{a}"))
            .unwrap_or_default();
        let shared: Shared = Arc::new(Mutex::new(Book {
            clock: chrono::Utc::now().timestamp_millis() - 86_400_000,
            ..Book::default()
        }));
        let router = Router::new()
            .route("/v1/private/business-units/{unit}/reviews", get(reviews))
            .route("/v1/private/reviews/{id}/reply", post(reply))
            .with_state(shared.clone());
        let server = crate::fake_server::serve(listener, router);
        TrustpilotFake {
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
            settings: json!({
                "business_unit_id": BUSINESS_UNIT,
                "business_user_id": BUSINESS_USER,
                "api_base": self.base_url,
            }),
            credentials: Secret::new(json!({ "access_token": TOKEN })),
        }
    }

    /// A new review `after_ms` after the previous one (0: at the same instant); its id.
    pub fn add_review(&self, consumer: &str, stars: u8, title: &str, after_ms: i64) -> String {
        let mut b = book(&self.shared);
        b.clock += after_ms;
        let id = format!("65a0{:020x}", b.reviews.len() + 1);
        let created_ms = b.clock;
        b.reviews.push(FakeReview {
            id: id.clone(),
            consumer: consumer.to_string(),
            stars,
            title: title.to_string(),
            text: format!("{title}, in more words"),
            created_ms,
            reply: None,
        });
        id
    }

    pub fn reviews(&self) -> Vec<FakeReview> {
        book(&self.shared).reviews.clone()
    }

    /// How many reply requests were accepted.
    pub fn replies(&self) -> u64 {
        book(&self.shared).replies
    }

    /// The next request answers 429 with `Retry-After: secs`.
    pub fn rate_limit_next(&self, secs: u64) {
        book(&self.shared).limited.push(secs);
    }
}

fn fail(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"message": message, "errorCode": status.as_u16()})),
    )
        .into_response()
}

fn check(shared: &Shared, headers: &HeaderMap) -> Option<Response> {
    if let Some(secs) = book(shared).limited.pop() {
        let mut r = fail(StatusCode::TOO_MANY_REQUESTS, "Too many requests");
        r.headers_mut().insert(header::RETRY_AFTER, secs.into());
        return Some(r);
    }
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    (auth != Some(&format!("Bearer {TOKEN}"))).then(|| {
        fail(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: invalid or expired token",
        )
    })
}

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn reviews(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(unit): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = check(&shared, &headers) {
        return refused;
    }
    if unit != BUSINESS_UNIT {
        return fail(StatusCode::NOT_FOUND, "Business unit not found");
    }
    let per_page = match query.get("perPage").map(|p| p.parse::<usize>()) {
        None => 20,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return fail(StatusCode::BAD_REQUEST, "perPage must be between 1 and 100"),
    };
    let descending = match query.get("orderBy").map(String::as_str) {
        None | Some("createdat.desc") => true,
        Some("createdat.asc") => false,
        Some(_) => return fail(StatusCode::BAD_REQUEST, "orderBy is invalid"),
    };
    let since = match query.get("startDateTime") {
        None => i64::MIN,
        Some(raw) => match chrono::DateTime::parse_from_rfc3339(raw) {
            Ok(t) => t.timestamp_millis(),
            Err(_) => return fail(StatusCode::BAD_REQUEST, "startDateTime is invalid"),
        },
    };
    let b = book(&shared);
    let mut kept: Vec<&FakeReview> = b.reviews.iter().filter(|r| r.created_ms >= since).collect();
    kept.sort_by_key(|r| r.created_ms);
    if descending {
        kept.reverse();
    }
    let list: Vec<Value> = kept
        .iter()
        .take(per_page)
        .map(|r| {
            json!({
                "id": r.id,
                "consumer": {"id": format!("c{}", r.id), "displayName": r.consumer},
                "stars": r.stars,
                "title": r.title,
                "text": r.text,
                "createdAt": when(r.created_ms),
                "companyReply": r.reply.as_ref().map(|(text, _)| json!({"text": text})),
            })
        })
        .collect();
    Json(json!({ "reviews": list })).into_response()
}

async fn reply(
    State(shared): State<Shared>,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Option<Json<Value>>,
) -> Response {
    if let Some(refused) = check(&shared, &headers) {
        return refused;
    }
    let field = |key: &str| {
        body.as_ref()
            .and_then(|b| b.get(key))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let Some(message) = field("message") else {
        return fail(StatusCode::BAD_REQUEST, "message is required");
    };
    let Some(author) = field("authorBusinessUserId") else {
        return fail(StatusCode::BAD_REQUEST, "authorBusinessUserId is required");
    };
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return fail(StatusCode::BAD_REQUEST, "message is too long");
    }
    let mut b = book(&shared);
    let Some(review) = b.reviews.iter_mut().find(|r| r.id == id) else {
        return fail(StatusCode::NOT_FOUND, "Review not found");
    };
    review.reply = Some((message, author));
    b.replies += 1;
    StatusCode::CREATED.into_response()
}

//! The test platform's fake server: an axum app on 127.0.0.1:0 that stores posts in memory
//! and misbehaves on request, for this crate's tests and (with the `fakes` feature) the
//! engine's exactly-once harness, fault tests and benchmarks.
//!
//! It refuses what a real API refuses (missing or stale bearer → 401, empty or over-long
//! text → 422 `{"error": …}`), honours `Idempotency-Key` only when told to, rotates tokens
//! on refresh, and applies queued [`Fault`]s to the next `POST /posts` requests in order.
//! Being test support, [`TestPlatform::start`] panics if it cannot bind a port.

use crate::connector::ChannelCtx;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use herald_domain::text::grapheme_count;
use herald_domain::Secret;
use serde::Deserialize;
use serde_json::json;
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct TestPlatformOptions {
    /// A repeated `Idempotency-Key` answers the original post (200, same id) instead of
    /// storing a second one.
    pub honour_idempotency_key: bool,
    /// Added before every request is handled.
    pub latency: Duration,
    /// The longest text accepted, in graphemes (Mastodon's 500).
    pub max_graphemes: usize,
    /// The most media a post may announce (Mastodon's 4).
    pub max_media: u64,
    /// What `GET /me` reports.
    pub followers: u64,
}

impl Default for TestPlatformOptions {
    fn default() -> Self {
        Self {
            honour_idempotency_key: false,
            latency: Duration::ZERO,
            max_graphemes: 500,
            max_media: 4,
            followers: 1_234,
        }
    }
}

/// A misbehaviour applied to one `POST /posts` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After: <secs>`; nothing stored.
    RateLimit { retry_after_secs: u64 },
    /// 500; nothing stored.
    ServerError,
    /// Sleeps, then answers 504 without storing: the client times out, nothing was posted.
    Hang(Duration),
    /// Stores the post, then sleeps before answering: the client times out, the post IS there.
    StoreThenHang(Duration),
    /// 401, whatever the token.
    Unauthorized,
}

/// A post as the fake stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePost {
    pub id: String,
    pub text: String,
    pub idempotency_key: Option<String>,
    pub created_at_ms: i64,
}

struct Shared {
    options: TestPlatformOptions,
    base_url: String,
    requests: AtomicU64,
    publish_requests: AtomicU64,
    state: Mutex<FakeState>,
}

struct FakeState {
    posts: Vec<FakePost>,
    by_key: HashMap<String, usize>,
    faults: VecDeque<Fault>,
    access_token: String,
    refresh_token: String,
    token_generation: u64,
    refresh_fails: bool,
    next_id: u64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn post_url(&self, id: &str) -> String {
        format!("{}/@test/{id}", self.base_url)
    }
}

/// A running fake test platform; stops (gracefully) when dropped.
pub struct TestPlatform {
    shared: Arc<Shared>,
    _server: crate::fake_server::ServerGuard,
}

impl fmt::Debug for TestPlatform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestPlatform")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl TestPlatform {
    /// Starts the fake on a free loopback port, on the current tokio runtime.
    ///
    /// # Panics
    /// If no port can be bound: a test cannot go on without its platform.
    pub async fn start(options: TestPlatformOptions) -> TestPlatform {
        match Self::try_start(options).await {
            Ok(platform) => platform,
            Err(e) => panic!("the fake test platform cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Like [`TestPlatform::start`], answering an error instead of panicking.
    pub async fn try_start(options: TestPlatformOptions) -> std::io::Result<TestPlatform> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            options,
            base_url: format!("http://{addr}"),
            requests: AtomicU64::new(0),
            publish_requests: AtomicU64::new(0),
            state: Mutex::new(FakeState {
                posts: Vec::new(),
                by_key: HashMap::new(),
                faults: VecDeque::new(),
                access_token: token("access", 1),
                refresh_token: token("refresh", 1),
                token_generation: 1,
                refresh_fails: false,
                next_id: 1,
            }),
        });
        let router = Router::new()
            .route("/posts", post(create_post).get(list_posts))
            .route("/posts/{id}", delete(delete_post))
            .route("/oauth/token", post(oauth_token))
            .route("/me", get(me))
            .layer(middleware::from_fn_with_state(
                shared.clone(),
                count_and_delay,
            ))
            .with_state(shared.clone());
        let server = crate::fake_server::serve(listener, router);
        Ok(TestPlatform {
            shared,
            _server: server,
        })
    }

    /// `http://127.0.0.1:<port>`, the channel's `settings.base_url`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Every stored post, oldest first.
    pub fn posts(&self) -> Vec<FakePost> {
        self.shared.lock().posts.clone()
    }

    /// How many stored posts have exactly this text.
    pub fn count_by_text(&self, text: &str) -> usize {
        self.shared
            .lock()
            .posts
            .iter()
            .filter(|p| p.text == text)
            .count()
    }

    /// Every request received, on any route.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The `POST /posts` requests received.
    pub fn publish_requests(&self) -> u64 {
        self.shared.publish_requests.load(Ordering::SeqCst)
    }

    /// Queues a fault for the next `POST /posts` request not yet given one.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Faults queued and not yet applied.
    pub fn pending_faults(&self) -> usize {
        self.shared.lock().faults.len()
    }

    /// Rotates the access token: the old one gets 401 until the client refreshes.
    pub fn expire_token(&self) {
        let mut state = self.shared.lock();
        state.token_generation += 1;
        state.access_token = token("access", state.token_generation);
    }

    /// Makes `POST /oauth/token` answer 400 `invalid_grant` (or work again).
    pub fn set_refresh_fails(&self, fails: bool) {
        self.shared.lock().refresh_fails = fails;
    }

    /// The access token the fake accepts now.
    pub fn access_token(&self) -> String {
        self.shared.lock().access_token.clone()
    }

    /// The refresh token the fake accepts now.
    pub fn refresh_token(&self) -> String {
        self.shared.lock().refresh_token.clone()
    }

    /// `{"access_token", "refresh_token"}` as the fake accepts them now.
    pub fn credentials(&self) -> serde_json::Value {
        let state = self.shared.lock();
        json!({"access_token": state.access_token, "refresh_token": state.refresh_token})
    }

    /// `{"base_url", "idempotent"}`, `idempotent` matching `honour_idempotency_key`.
    pub fn settings(&self) -> serde_json::Value {
        json!({
            "base_url": self.shared.base_url,
            "idempotent": self.shared.options.honour_idempotency_key,
        })
    }

    /// A channel connected to this fake with its current tokens (channel 1 of workspace 1).
    pub fn channel(&self) -> ChannelCtx {
        ChannelCtx {
            channel_id: 1,
            workspace_id: 1,
            settings: self.settings(),
            credentials: Secret::new(self.credentials()),
        }
    }
}

fn token(kind: &str, generation: u64) -> String {
    format!("tp-{kind}-{generation}-{:x}", now_ms())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

fn unauthorized() -> Response {
    let mut response = error(StatusCode::UNAUTHORIZED, "invalid_token");
    if let Ok(value) = header::HeaderValue::from_str("Bearer error=\"invalid_token\"") {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn bearer_ok(headers: &HeaderMap, state: &FakeState) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == state.access_token)
}

async fn count_and_delay(
    State(shared): State<Arc<Shared>>,
    request: Request,
    next: Next,
) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    if !shared.options.latency.is_zero() {
        tokio::time::sleep(shared.options.latency).await;
    }
    next.run(request).await
}

#[derive(Deserialize)]
struct NewPost {
    text: String,
    #[serde(default)]
    media_count: u64,
}

async fn create_post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.publish_requests.fetch_add(1, Ordering::SeqCst);
    let fault = shared.lock().faults.pop_front();
    match fault {
        None => store(&shared, &headers, &body),
        Some(Fault::RateLimit { retry_after_secs }) => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "rate limit exceeded");
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, retry_after_secs.into());
            response
        }
        Some(Fault::ServerError) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        Some(Fault::Unauthorized) => unauthorized(),
        Some(Fault::Hang(pause)) => {
            tokio::time::sleep(pause).await;
            error(StatusCode::GATEWAY_TIMEOUT, "upstream timed out")
        }
        Some(Fault::StoreThenHang(pause)) => {
            let response = store(&shared, &headers, &body);
            tokio::time::sleep(pause).await;
            response
        }
    }
}

/// The real work of `POST /posts`, under one lock so a repeated key is never stored twice.
fn store(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let mut state = shared.lock();
    if !bearer_ok(headers, &state) {
        return unauthorized();
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if shared.options.honour_idempotency_key {
        if let Some(original) = key.as_ref().and_then(|k| state.by_key.get(k)) {
            if let Some(post) = state.posts.get(*original) {
                let id = post.id.clone();
                let body = json!({"id": id, "url": shared.post_url(&id)});
                return (StatusCode::OK, Json(body)).into_response();
            }
        }
    }
    let Ok(new) = serde_json::from_slice::<NewPost>(body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "the body must be {\"text\", \"media_count\"}",
        );
    };
    if new.text.trim().is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Text can't be blank",
        );
    }
    let max = shared.options.max_graphemes;
    if grapheme_count(&new.text) > max {
        let message = format!("Validation failed: Text character limit of {max} exceeded");
        return error(StatusCode::UNPROCESSABLE_ENTITY, &message);
    }
    if new.media_count > shared.options.max_media {
        let message = format!(
            "Validation failed: at most {} media",
            shared.options.max_media
        );
        return error(StatusCode::UNPROCESSABLE_ENTITY, &message);
    }
    let id = state.next_id.to_string();
    state.next_id += 1;
    if let Some(k) = &key {
        let at = state.posts.len();
        state.by_key.entry(k.clone()).or_insert(at);
    }
    state.posts.push(FakePost {
        id: id.clone(),
        text: new.text,
        idempotency_key: key,
        created_at_ms: now_ms(),
    });
    let body = json!({"id": id, "url": shared.post_url(&id)});
    (StatusCode::CREATED, Json(body)).into_response()
}

#[derive(Deserialize)]
struct ListQuery {
    limit: Option<usize>,
}

async fn list_posts(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let state = shared.lock();
    if !bearer_ok(&headers, &state) {
        return unauthorized();
    }
    let limit = query.limit.unwrap_or(20).clamp(1, 1_000);
    let listed: Vec<serde_json::Value> = state
        .posts
        .iter()
        .rev()
        .take(limit)
        .map(|p| {
            json!({
                "id": p.id,
                "text": p.text,
                "created_at_ms": p.created_at_ms,
                "idempotency_key": null,
                "url": shared.post_url(&p.id),
            })
        })
        .collect();
    Json(listed).into_response()
}

async fn delete_post(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let mut state = shared.lock();
    if !bearer_ok(&headers, &state) {
        return unauthorized();
    }
    let Some(at) = state.posts.iter().position(|p| p.id == id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    state.posts.remove(at);
    // Positions after `at` moved down by one; a deleted post's key is forgotten.
    state.by_key.retain(|_, i| *i != at);
    for i in state.by_key.values_mut() {
        if *i > at {
            *i -= 1;
        }
    }
    (StatusCode::OK, Json(json!({ "id": id }))).into_response()
}

#[derive(Deserialize)]
struct TokenRequest {
    grant_type: String,
    refresh_token: String,
}

async fn oauth_token(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let mut state = shared.lock();
    let valid = serde_json::from_slice::<TokenRequest>(&body)
        .is_ok_and(|r| r.grant_type == "refresh_token" && r.refresh_token == state.refresh_token);
    if state.refresh_fails || !valid {
        let body = json!({
            "error": "invalid_grant",
            "error_description": "The refresh token is invalid, expired or revoked.",
        });
        return (StatusCode::BAD_REQUEST, Json(body)).into_response();
    }
    state.token_generation += 1;
    state.access_token = token("access", state.token_generation);
    state.refresh_token = token("refresh", state.token_generation);
    Json(json!({
        "access_token": state.access_token,
        "refresh_token": state.refresh_token,
        "token_type": "Bearer",
        "expires_in": 7_200,
    }))
    .into_response()
}

async fn me(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let state = shared.lock();
    if !bearer_ok(&headers, &state) {
        return unauthorized();
    }
    Json(json!({
        "id": "testplat-account-1",
        "name": "Test Platform Account",
        "followers": shared.options.followers,
    }))
    .into_response()
}

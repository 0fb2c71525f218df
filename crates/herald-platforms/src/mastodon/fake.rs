//! A fake Mastodon instance, written from Mastodon's API documentation: an axum app on
//! 127.0.0.1:0 keeping one account's statuses and media in memory, for this connector's tests
//! and (with the `fakes` feature) other crates' tests.
//!
//! It refuses what Mastodon refuses: a missing or wrong bearer (401 `{"error"}`), a blank
//! status without media, text over the limit its `/api/v2/instance` announces (graphemes,
//! every URL counted as `characters_reserved_per_url`, `@user@domain` as `@user`), more
//! attachments than announced, unknown or unprocessed media ids (422 `{"error"}`). A repeated
//! `Idempotency-Key` answers the first status (200, same id) without storing another.
//! Uploads answer 202 with `url: null` and `GET /api/v1/media/:id` answers 206 until the
//! configured number of polls has passed. Queued [`Fault`]s apply to the next
//! `POST /api/v1/statuses` requests in order. [`MastodonFake::start`] panics if it cannot bind.

use crate::connector::ChannelCtx;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Form, Json, Router};
use herald_domain::text::mastodon_length;
use herald_domain::Secret;
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use tokio::net::TcpListener;

mod inbox;
mod media;

/// The token the fake accepts.
pub const TOKEN: &str = "fake-mastodon-token";
/// The fake account's id.
pub const ACCOUNT_ID: &str = "109000000000000001";

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct MastodonFakeOptions {
    pub max_characters: usize,
    pub characters_reserved_per_url: usize,
    pub max_media_attachments: usize,
    /// How many `GET /api/v1/media/:id` answer 206 before the media is ready; 0 makes
    /// uploads answer 200 with a url at once.
    pub media_processing_polls: u32,
    /// Whether `GET /api/v1/statuses/:id/source` exists (Mastodon 3.5+).
    pub source_endpoint: bool,
    pub followers: u64,
    pub following: u64,
    /// What `/api/v2/instance` announces as `max_characters`, when it differs from what is
    /// enforced (an instance whose announcement is out of date).
    pub announced_max_characters: Option<usize>,
}

impl Default for MastodonFakeOptions {
    fn default() -> Self {
        Self {
            max_characters: 500,
            characters_reserved_per_url: 23,
            max_media_attachments: 4,
            media_processing_polls: 2,
            source_endpoint: true,
            followers: 321,
            following: 45,
            announced_max_characters: None,
        }
    }
}

/// A misbehaviour applied to one `POST /api/v1/statuses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 with `Retry-After` and/or `X-RateLimit-Reset` (that many seconds ahead).
    RateLimit {
        retry_after_secs: Option<u64>,
        reset_in_secs: Option<u64>,
    },
    /// 500 without storing.
    ServerError,
    /// Stores the status, then sleeps before answering: the answer is lost, the status is there.
    StoreThenHang(Duration),
}

/// A status as the fake keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeStatus {
    pub id: String,
    /// [`ACCOUNT_ID`] for the channel's own statuses.
    pub account_id: String,
    pub in_reply_to_id: Option<String>,
    pub in_reply_to_account_id: Option<String>,
    pub text: String,
    pub media_ids: Vec<String>,
    pub visibility: String,
    pub idempotency_key: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub replies: u64,
    pub reblogs: u64,
    pub favourites: u64,
}

/// An uploaded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMedia {
    pub id: String,
    pub description: String,
    pub file_name: String,
    pub bytes: usize,
    pub polls_left: u32,
}

struct Shared {
    options: MastodonFakeOptions,
    base_url: String,
    status_posts: AtomicU64,
    state: Mutex<FakeState>,
}

#[derive(Default)]
struct FakeState {
    statuses: Vec<FakeStatus>,
    media: Vec<FakeMedia>,
    by_key: HashMap<String, String>,
    faults: VecDeque<Fault>,
    next_id: u64,
    notifications: Vec<inbox::FakeNotification>,
    next_notification: u64,
    keys_seen: Vec<Option<String>>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake instance; stops when dropped.
pub struct MastodonFake {
    shared: Arc<Shared>,
    _server: crate::fake_server::ServerGuard,
}

impl fmt::Debug for MastodonFake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MastodonFake")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl MastodonFake {
    /// Starts the fake on a free loopback port, on the current tokio runtime.
    ///
    /// # Panics
    /// If no port can be bound.
    pub async fn start(options: MastodonFakeOptions) -> MastodonFake {
        match Self::try_start(options).await {
            Ok(fake) => fake,
            Err(e) => panic!("the fake Mastodon cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Like [`MastodonFake::start`], answering an error instead of panicking.
    pub async fn try_start(options: MastodonFakeOptions) -> std::io::Result<MastodonFake> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            options,
            base_url: format!("http://{addr}"),
            status_posts: AtomicU64::new(0),
            state: Mutex::new(FakeState {
                next_id: 110_000_000_000_000_001,
                next_notification: 1,
                ..FakeState::default()
            }),
        });
        let router = Router::new()
            .route("/api/v2/instance", get(instance))
            .route(
                "/api/v1/accounts/verify_credentials",
                get(verify_credentials),
            )
            .route("/api/v1/accounts/{id}/statuses", get(account_statuses))
            .route("/api/v1/statuses", post(create_status))
            .route(
                "/api/v1/statuses/{id}",
                get(get_status).delete(delete_status),
            )
            .route("/api/v1/statuses/{id}/source", get(status_source))
            .route("/api/v1/statuses/{id}/context", get(inbox::context))
            .route("/api/v1/notifications", get(inbox::notifications))
            .route("/api/v2/media", post(media::upload))
            .route("/api/v1/media/{id}", get(media::get))
            .with_state(shared.clone());
        let server = crate::fake_server::serve(listener, router);
        Ok(MastodonFake {
            shared,
            _server: server,
        })
    }

    /// `http://127.0.0.1:<port>`, the channel's `settings.instance`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// A channel connected to this fake with the right token.
    pub fn channel(&self) -> ChannelCtx {
        ChannelCtx {
            channel_id: 1,
            workspace_id: 1,
            settings: json!({ "instance": self.shared.base_url }),
            credentials: Secret::new(json!({ "access_token": TOKEN })),
        }
    }

    /// Every stored status, oldest first.
    pub fn statuses(&self) -> Vec<FakeStatus> {
        self.shared.lock().statuses.clone()
    }

    /// Every uploaded file, oldest first.
    pub fn media(&self) -> Vec<FakeMedia> {
        self.shared.lock().media.clone()
    }

    /// The `Idempotency-Key` of every `POST /api/v1/statuses` received, in order.
    pub fn idempotency_keys_seen(&self) -> Vec<Option<String>> {
        self.shared.lock().keys_seen.clone()
    }

    /// How many `POST /api/v1/statuses` requests arrived.
    pub fn status_posts(&self) -> u64 {
        self.shared.status_posts.load(Ordering::SeqCst)
    }

    /// Queues a fault for the next `POST /api/v1/statuses` not yet given one.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Sets a status's counters, as if people had answered, boosted and favourited it.
    pub fn set_counts(&self, id: &str, replies: u64, reblogs: u64, favourites: u64) {
        let mut state = self.shared.lock();
        if let Some(s) = state.statuses.iter_mut().find(|s| s.id == id) {
            (s.replies, s.reblogs, s.favourites) = (replies, reblogs, favourites);
        }
    }

    /// Stores a status directly, `age` in the past, as if posted from elsewhere.
    pub fn insert_status(&self, text: &str, age: Duration) -> String {
        let mut state = self.shared.lock();
        let id = next_id(&mut state);
        let created_at = chrono::Utc::now()
            - chrono::Duration::from_std(age).unwrap_or_else(|_| chrono::Duration::zero());
        state.statuses.push(FakeStatus {
            id: id.clone(),
            account_id: ACCOUNT_ID.to_string(),
            in_reply_to_id: None,
            in_reply_to_account_id: None,
            text: text.to_string(),
            media_ids: Vec::new(),
            visibility: "public".into(),
            idempotency_key: None,
            created_at,
            replies: 0,
            reblogs: 0,
            favourites: 0,
        });
        state.statuses.sort_by_key(|s| s.created_at);
        id
    }
}

fn next_id(state: &mut FakeState) -> String {
    let id = state.next_id.to_string();
    state.next_id += 1;
    id
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

/// The 401 for a missing or wrong bearer, or `None` when it is right.
fn unauthorised(headers: &HeaderMap) -> Option<Response> {
    let ok = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == TOKEN);
    (!ok).then(|| error(StatusCode::UNAUTHORIZED, "The access token is invalid"))
}

/// Mastodon's rendering of plain text: escaped, `<p>` paragraphs, `<br />` line breaks.
fn render(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    escaped
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", p.replace('\n', "<br />")))
        .collect()
}

fn status_json(shared: &Shared, s: &FakeStatus) -> Value {
    let account = if s.account_id == ACCOUNT_ID {
        json!({"id": ACCOUNT_ID, "acct": "fake", "username": "fake",
               "display_name": "Fake Account", "url": format!("{}/@fake", shared.base_url)})
    } else {
        inbox::other_account(shared, &s.account_id)
    };
    json!({
        "in_reply_to_id": s.in_reply_to_id,
        "in_reply_to_account_id": s.in_reply_to_account_id,
        "id": s.id,
        "created_at": s.created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "visibility": s.visibility,
        "url": format!("{}/@fake/{}", shared.base_url, s.id),
        "content": render(&s.text),
        "reblog": null,
        "replies_count": s.replies,
        "reblogs_count": s.reblogs,
        "favourites_count": s.favourites,
        "media_attachments": s.media_ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
        "account": account,
    })
}

async fn instance(State(shared): State<Arc<Shared>>) -> Response {
    let o = &shared.options;
    Json(json!({
        "domain": "fake.example",
        "version": "4.3.0",
        "configuration": {
            "statuses": {
                "max_characters": o.announced_max_characters.unwrap_or(o.max_characters),
                "max_media_attachments": o.max_media_attachments,
                "characters_reserved_per_url": o.characters_reserved_per_url,
            }
        }
    }))
    .into_response()
}

async fn verify_credentials(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let count = shared.lock().statuses.len();
    Json(json!({
        "id": ACCOUNT_ID,
        "username": "fake",
        "acct": "fake",
        "display_name": "Fake Account",
        "followers_count": shared.options.followers,
        "following_count": shared.options.following,
        "statuses_count": count,
    }))
    .into_response()
}

async fn create_status(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    shared.status_posts.fetch_add(1, Ordering::SeqCst);
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let fault = {
        let mut state = shared.lock();
        state.keys_seen.push(key.clone());
        state.faults.pop_front()
    };
    match fault {
        None => store(&shared, key, &form),
        Some(Fault::RateLimit {
            retry_after_secs,
            reset_in_secs,
        }) => {
            let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Too many requests");
            let h = response.headers_mut();
            if let Some(secs) = retry_after_secs {
                h.insert(header::RETRY_AFTER, secs.into());
            }
            if let Some(secs) = reset_in_secs {
                let at = chrono::Utc::now() + chrono::Duration::seconds(secs as i64);
                let at = at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
                if let Ok(value) = HeaderValue::from_str(&at) {
                    h.insert("x-ratelimit-reset", value);
                }
            }
            response
        }
        Some(Fault::ServerError) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
        Some(Fault::StoreThenHang(pause)) => {
            let response = store(&shared, key, &form);
            tokio::time::sleep(pause).await;
            response
        }
    }
}

/// The real work of `POST /api/v1/statuses`, under one lock so a key is never stored twice.
fn store(shared: &Shared, key: Option<String>, form: &[(String, String)]) -> Response {
    let mut state = shared.lock();
    if let Some(existing) = key.as_ref().and_then(|k| state.by_key.get(k)) {
        if let Some(s) = state.statuses.iter().find(|s| &s.id == existing) {
            return Json(status_json(shared, s)).into_response();
        }
    }
    let field = |name: &str| form.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let text = field("status").unwrap_or_default();
    let visibility = field("visibility").unwrap_or_else(|| "public".into());
    let media_ids: Vec<String> = form
        .iter()
        .filter(|(k, _)| k == "media_ids[]")
        .map(|(_, v)| v.clone())
        .collect();
    let o = &shared.options;
    if text.trim().is_empty() && media_ids.is_empty() {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Text can't be blank",
        );
    }
    if mastodon_length(&text, "", o.characters_reserved_per_url) > o.max_characters {
        let message = format!(
            "Validation failed: Text character limit of {} exceeded",
            o.max_characters
        );
        return error(StatusCode::UNPROCESSABLE_ENTITY, &message);
    }
    if media_ids.len() > o.max_media_attachments {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Media attachments limit exceeded",
        );
    }
    for id in &media_ids {
        match state.media.iter().find(|m| &m.id == id) {
            None => return error(StatusCode::UNPROCESSABLE_ENTITY, "Media not found"),
            Some(m) if m.polls_left > 0 => {
                return error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Cannot attach files that have not finished processing. Try again in a moment!",
                )
            }
            Some(_) => {}
        }
    }
    let in_reply_to = field("in_reply_to_id").filter(|r| !r.trim().is_empty());
    if let Some(r) = &in_reply_to {
        if !state.statuses.iter().any(|s| &s.id == r) {
            return error(StatusCode::NOT_FOUND, "Record not found");
        }
    }
    let id = next_id(&mut state);
    if let Some(k) = &key {
        state.by_key.insert(k.clone(), id.clone());
    }
    let status = FakeStatus {
        id,
        account_id: ACCOUNT_ID.to_string(),
        in_reply_to_account_id: in_reply_to
            .as_ref()
            .and_then(|r| state.statuses.iter().find(|s| &s.id == r))
            .map(|s| s.account_id.clone()),
        in_reply_to_id: in_reply_to,
        text,
        media_ids,
        visibility,
        idempotency_key: key,
        created_at: chrono::Utc::now(),
        replies: 0,
        reblogs: 0,
        favourites: 0,
    };
    let body = status_json(shared, &status);
    state.statuses.push(status);
    Json(body).into_response()
}

async fn account_statuses(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    if id != ACCOUNT_ID {
        return error(StatusCode::NOT_FOUND, "Record not found");
    }
    let limit = query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(20)
        .clamp(1, 40);
    let state = shared.lock();
    let listed: Vec<Value> = state
        .statuses
        .iter()
        .filter(|s| s.account_id == ACCOUNT_ID)
        .rev()
        .take(limit)
        .map(|s| status_json(&shared, s))
        .collect();
    Json(listed).into_response()
}

async fn get_status(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let state = shared.lock();
    match state.statuses.iter().find(|s| s.id == id) {
        Some(s) => Json(status_json(&shared, s)).into_response(),
        None => error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

async fn status_source(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if !shared.options.source_endpoint {
        return error(StatusCode::NOT_FOUND, "Not found");
    }
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let state = shared.lock();
    match state.statuses.iter().find(|s| s.id == id) {
        Some(s) => Json(json!({"id": s.id, "text": s.text, "spoiler_text": ""})).into_response(),
        None => error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

async fn delete_status(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(refused) = unauthorised(&headers) {
        return refused;
    }
    let mut state = shared.lock();
    let Some(at) = state.statuses.iter().position(|s| s.id == id) else {
        return error(StatusCode::NOT_FOUND, "Record not found");
    };
    let removed = state.statuses.remove(at);
    state.by_key.retain(|_, v| *v != id);
    Json(json!({"id": removed.id, "text": removed.text})).into_response()
}

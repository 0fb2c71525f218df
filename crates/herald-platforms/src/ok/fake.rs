//! A fake of OK's REST API for one group: `POST /fb.do` (form-encoded, signed) and the photo
//! upload URL it hands out (`POST /upload`), on 127.0.0.1:0, for tests and benchmarks.
//!
//! Like OK it answers errors with HTTP 200 and `{"error_code","error_msg","error_data"}`, and it
//! checks, in OK's order: the application key (101), the signature, recomputed from the sent
//! parameters with the app's real secret (104), then the session (102 expired, 103 unknown).
//! `mediatopic.post` refuses a wrong `type` or `gid` (100/160), a malformed attachment (100),
//! photo tokens that its own upload URL did not issue (100), and text over OK's limit (601).
//! Queued [`Fault`]s apply to the next `mediatopic.post` calls in order; a rate limit is OK's
//! FLOOD_BLOCKED (8). Being test support, [`FakeOk::start`] panics if it cannot bind a port.

use super::api::{self, code};
use crate::connector::ChannelCtx;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use herald_domain::text::{text_rules, utf16_len, TextContext};
use herald_domain::{Platform, Secret};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

mod discussions;
mod uploads;

pub use discussions::FakeComment;

/// The app's public key the fake accepts.
pub const APPLICATION_KEY: &str = "CBAFAKEAPPKEY";
/// The app's secret key the fake signs with.
pub const APPLICATION_SECRET_KEY: &str = "FAKE0SECRET0KEY0123456789";
/// The group the fake hosts.
pub const GID: &str = "70000000000001";

/// A misbehaviour applied to one `mediatopic.post` call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Error 8 FLOOD_BLOCKED with HTTP 200; nothing stored.
    RateLimit,
    /// HTTP 500; nothing stored.
    ServerError,
    /// Error 102 PARAM_SESSION_EXPIRED; nothing stored.
    SessionExpired,
    /// Sleeps, then answers 504 without storing: the client times out, nothing was posted.
    Hang(Duration),
    /// Stores the topic, then sleeps before answering: the answer is lost, the topic IS there.
    StoreThenHang(Duration),
}

/// A topic as the fake stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeTopic {
    pub id: String,
    /// The text blocks, joined by newlines.
    pub text: String,
    pub links: Vec<String>,
    pub photo_tokens: Vec<String>,
    pub created_ms: i64,
    pub likes: u64,
    pub reshares: u64,
    pub comments: u64,
    /// The attachment's `onBehalfOfGroup` was "true".
    pub on_behalf_of_group: bool,
    media: Value,
}

struct Shared {
    base_url: String,
    group_name: String,
    members: u64,
    max_text_utf16: usize,
    post_calls: AtomicU64,
    omit_has_more: std::sync::atomic::AtomicBool,
    state: Mutex<FakeState>,
}

struct FakeState {
    topics: Vec<FakeTopic>,
    faults: VecDeque<Fault>,
    access_token: String,
    expired_tokens: Vec<String>,
    /// Upload URL token → the photo ids it was issued for.
    uploads: HashMap<String, Vec<String>>,
    /// Photo tokens this fake's upload URL handed out.
    photo_tokens: HashSet<String>,
    next_id: u64,
    comments: Vec<FakeComment>,
    comment_clock: i64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake OK; stops (gracefully) when dropped.
pub struct FakeOk {
    shared: Arc<Shared>,
    _server: crate::fake_server::ServerGuard,
}

impl fmt::Debug for FakeOk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeOk")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl FakeOk {
    /// Starts the fake on a free loopback port, on the current tokio runtime.
    ///
    /// # Panics
    /// If no port can be bound: a test cannot go on without its platform.
    pub async fn start() -> FakeOk {
        match Self::try_start().await {
            Ok(fake) => fake,
            Err(e) => panic!("the fake OK cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Like [`FakeOk::start`], answering an error instead of panicking.
    pub async fn try_start() -> std::io::Result<FakeOk> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            base_url: format!("http://{addr}"),
            group_name: "Herald test group".to_string(),
            members: 4_321,
            max_text_utf16: text_rules(Platform::Ok, &TextContext::default()).limit,
            post_calls: AtomicU64::new(0),
            omit_has_more: std::sync::atomic::AtomicBool::new(false),
            state: Mutex::new(FakeState {
                topics: Vec::new(),
                faults: VecDeque::new(),
                access_token: "tkn1fake-access-1".to_string(),
                expired_tokens: Vec::new(),
                uploads: HashMap::new(),
                photo_tokens: HashSet::new(),
                next_id: 1,
                comments: Vec::new(),
                comment_clock: 0,
            }),
        });
        let router = Router::new()
            .route("/fb.do", post(fb_do))
            .route("/upload", post(uploads::upload))
            .with_state(shared.clone());
        let server = crate::fake_server::serve(listener, router);
        Ok(FakeOk {
            shared,
            _server: server,
        })
    }

    /// `http://127.0.0.1:<port>`, the channel's `settings.api_base`.
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// Every stored topic, oldest first.
    pub fn topics(&self) -> Vec<FakeTopic> {
        self.shared.lock().topics.clone()
    }

    /// How many stored topics have exactly this text.
    pub fn count_by_text(&self, text: &str) -> usize {
        self.shared
            .lock()
            .topics
            .iter()
            .filter(|t| t.text == text)
            .count()
    }

    /// Stores a text topic dated `created_ms`, as if posted earlier by someone else.
    pub fn add_topic(&self, text: &str, created_ms: i64) -> String {
        let mut state = self.shared.lock();
        let media = json!([{"type": "text", "text": text}]);
        store(
            &mut state,
            text.to_string(),
            Vec::new(),
            Vec::new(),
            media,
            created_ms,
        )
    }

    /// Sets a topic's counters.
    pub fn set_counts(&self, id: &str, likes: u64, reshares: u64, comments: u64) {
        if let Some(t) = self.shared.lock().topics.iter_mut().find(|t| t.id == id) {
            (t.likes, t.reshares, t.comments) = (likes, reshares, comments);
        }
    }

    /// The `mediatopic.post` calls received (signed correctly or not).
    pub fn post_calls(&self) -> u64 {
        self.shared.post_calls.load(Ordering::SeqCst)
    }

    /// Leaves `has_more` out of topic listings (as an API version might), or puts it back.
    pub fn set_omit_has_more(&self, omit: bool) {
        self.shared.omit_has_more.store(omit, Ordering::SeqCst);
    }

    /// Queues a fault for the next `mediatopic.post` call not yet given one.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Faults queued and not yet applied.
    pub fn pending_faults(&self) -> usize {
        self.shared.lock().faults.len()
    }

    /// Expires the access token: it now gets 102 PARAM_SESSION_EXPIRED.
    pub fn expire_token(&self) {
        let mut state = self.shared.lock();
        let old = std::mem::replace(&mut state.access_token, format!("tkn1fake-{}", now_ms()));
        state.expired_tokens.push(old);
    }

    /// `{"gid", "application_key", "api_base"}` for this fake.
    pub fn settings(&self) -> Value {
        json!({"gid": GID, "application_key": APPLICATION_KEY, "api_base": self.shared.base_url})
    }

    /// `{"access_token", "application_secret_key"}` as the fake accepts them now.
    pub fn credentials(&self) -> Value {
        json!({
            "access_token": self.shared.lock().access_token,
            "application_secret_key": APPLICATION_SECRET_KEY,
        })
    }

    /// A channel connected to this fake (channel 1 of workspace 1).
    pub fn channel(&self) -> ChannelCtx {
        ChannelCtx {
            channel_id: 1,
            workspace_id: 1,
            settings: self.settings(),
            credentials: Secret::new(self.credentials()),
        }
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn store(
    state: &mut FakeState,
    text: String,
    links: Vec<String>,
    photo_tokens: Vec<String>,
    media: Value,
    created_ms: i64,
) -> String {
    let id = format!("{}", 155_000_000_000_000u64 + state.next_id);
    state.next_id += 1;
    state.topics.push(FakeTopic {
        id: id.clone(),
        text,
        links,
        photo_tokens,
        created_ms,
        likes: 0,
        reshares: 0,
        comments: 0,
        on_behalf_of_group: false,
        media,
    });
    id
}

/// OK's error body, sent with HTTP 200.
fn ok_error(code: i64, name: &str, detail: &str) -> Response {
    let body =
        json!({"error_code": code, "error_msg": format!("{name} : {detail}"), "error_data": null});
    (StatusCode::OK, Json(body)).into_response()
}

type Params = HashMap<String, String>;

async fn fb_do(
    State(shared): State<Arc<Shared>>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let params: Params = pairs.iter().cloned().collect();
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    if get("method") == "mediatopic.post" {
        shared.post_calls.fetch_add(1, Ordering::SeqCst);
    }
    if get("application_key") != APPLICATION_KEY {
        return ok_error(
            code::PARAM_API_KEY,
            "PARAM_API_KEY",
            "Application key is not specified or invalid",
        );
    }
    let token = get("access_token");
    let unsigned: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "sig" && k != "access_token")
        .cloned()
        .collect();
    let expected = api::signature(
        &unsigned,
        &api::session_secret(token, APPLICATION_SECRET_KEY),
    );
    if get("sig") != expected {
        return ok_error(
            code::PARAM_SIGNATURE,
            "PARAM_SIGNATURE",
            "Invalid signature",
        );
    }
    {
        let state = shared.lock();
        if state.expired_tokens.iter().any(|t| t == token) {
            return ok_error(
                code::PARAM_SESSION_EXPIRED,
                "PARAM_SESSION_EXPIRED",
                "Session expired",
            );
        }
        if token != state.access_token {
            return ok_error(
                code::PARAM_SESSION_KEY,
                "PARAM_SESSION_KEY",
                "Invalid session key",
            );
        }
    }
    match get("method") {
        "group.getInfo" => {
            let ids: Vec<&str> = get("uids").split(',').map(str::trim).collect();
            let groups: Vec<Value> = if ids.contains(&GID) {
                vec![json!({"uid": GID, "name": shared.group_name})]
            } else {
                Vec::new()
            };
            Json(Value::Array(groups)).into_response()
        }
        "group.getCounters" => {
            if get("group_id") != GID {
                return ok_error(code::PARAM_GROUP_ID, "PARAM_GROUP_ID", "Invalid group id");
            }
            let mut counters = serde_json::Map::new();
            if get("counterTypes")
                .split(',')
                .any(|c| c.trim() == "members")
            {
                counters.insert("members".into(), shared.members.into());
            }
            Json(json!({ "counters": counters })).into_response()
        }
        "photosV2.getUploadUrl" => uploads::upload_url(&shared, &params),
        "mediatopic.post" => mediatopic_post(&shared, &params).await,
        "mediatopic.getTopics" => list_topics(&shared, &params),
        "discussions.getComments" => discussions::get_comments(&shared, &params),
        "discussions.comment" => discussions::comment(&shared, &params),
        "mediatopic.getByIds" => {
            let wanted: Vec<&str> = get("topic_ids").split(',').map(str::trim).collect();
            let state = shared.lock();
            let topics: Vec<Value> = state
                .topics
                .iter()
                .filter(|t| wanted.contains(&t.id.as_str()))
                .map(topic_json)
                .collect();
            Json(json!({ "media_topics": topics })).into_response()
        }
        "mediatopic.deleteTopic" => {
            if get("gid") != GID {
                return ok_error(code::PARAM_GROUP_ID, "PARAM_GROUP_ID", "Invalid group id");
            }
            let mut state = shared.lock();
            match state.topics.iter().position(|t| t.id == get("topic_id")) {
                Some(at) => {
                    state.topics.remove(at);
                    Json(json!({"success": true})).into_response()
                }
                None => ok_error(code::NOT_FOUND, "NOT_FOUND", "Topic not found"),
            }
        }
        other => ok_error(
            code::METHOD,
            "METHOD",
            &format!("Method {other} does not exist"),
        ),
    }
}

fn topic_json(t: &FakeTopic) -> Value {
    json!({
        "id": t.id,
        "created_ms": t.created_ms,
        "media": t.media,
        "like_summary": {"count": t.likes},
        "reshare_summary": {"count": t.reshares},
        "discussion_summary": {"comments_count": t.comments},
    })
}

/// Newest first; `anchor` is an opaque offset, `count` at most 100.
fn list_topics(shared: &Shared, params: &Params) -> Response {
    if params.get("gid").map(String::as_str) != Some(GID) {
        return ok_error(code::PARAM_GROUP_ID, "PARAM_GROUP_ID", "Invalid group id");
    }
    let count = params
        .get("count")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(10)
        .clamp(1, 100);
    let offset = params
        .get("anchor")
        .and_then(|a| a.strip_prefix("o"))
        .and_then(|a| a.parse::<usize>().ok())
        .unwrap_or(0);
    let state = shared.lock();
    let mut newest_first: Vec<&FakeTopic> = state.topics.iter().collect();
    newest_first.sort_by_key(|t| std::cmp::Reverse(t.created_ms));
    let page: Vec<Value> = newest_first
        .iter()
        .skip(offset)
        .take(count)
        .map(|t| topic_json(t))
        .collect();
    let next = offset + page.len();
    let mut body = json!({"media_topics": page, "anchor": format!("o{next}")});
    if !shared.omit_has_more.load(Ordering::SeqCst) {
        body["has_more"] = json!(next < newest_first.len());
    }
    Json(body).into_response()
}

async fn mediatopic_post(shared: &Shared, params: &Params) -> Response {
    let fault = shared.lock().faults.pop_front();
    match fault {
        None => create_topic(shared, params),
        Some(Fault::RateLimit) => ok_error(code::FLOOD_BLOCKED, "FLOOD_BLOCKED", "Flood blocked"),
        Some(Fault::SessionExpired) => ok_error(
            code::PARAM_SESSION_EXPIRED,
            "PARAM_SESSION_EXPIRED",
            "Session expired",
        ),
        Some(Fault::ServerError) => {
            (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
        Some(Fault::Hang(pause)) => {
            tokio::time::sleep(pause).await;
            (StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout").into_response()
        }
        Some(Fault::StoreThenHang(pause)) => {
            let response = create_topic(shared, params);
            tokio::time::sleep(pause).await;
            response
        }
    }
}

/// Checks a `mediatopic.post` call as OK does and stores the topic.
fn create_topic(shared: &Shared, params: &Params) -> Response {
    let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    if get("type") != "GROUP_THEME" {
        return ok_error(code::PARAM, "PARAM", "type must be GROUP_THEME with gid");
    }
    if get("gid") != GID {
        return ok_error(code::PARAM_GROUP_ID, "PARAM_GROUP_ID", "Invalid group id");
    }
    let attachment: Value = match serde_json::from_str(get("attachment")) {
        Ok(v) => v,
        Err(_) => return ok_error(code::PARAM, "PARAM", "attachment is not valid JSON"),
    };
    let media = match attachment.get("media").and_then(Value::as_array) {
        Some(m) if !m.is_empty() => m.clone(),
        _ => {
            return ok_error(
                code::PARAM,
                "PARAM",
                "attachment.media must be a non-empty array",
            )
        }
    };
    if let Some(flag) = attachment.get("onBehalfOfGroup") {
        if flag != "true" && flag != "false" {
            return ok_error(
                code::PARAM,
                "PARAM",
                "onBehalfOfGroup must be \"true\" or \"false\"",
            );
        }
    }
    let mut state = shared.lock();
    let (mut texts, mut links, mut tokens) = (Vec::new(), Vec::new(), Vec::new());
    for item in &media {
        match item.get("type").and_then(Value::as_str) {
            Some("text") => match item.get("text").and_then(Value::as_str) {
                Some(t) => texts.push(t.to_string()),
                None => return ok_error(code::PARAM, "PARAM", "text block without text"),
            },
            Some("link") => match item.get("url").and_then(Value::as_str) {
                Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                    links.push(u.to_string());
                }
                _ => return ok_error(607, "MEDIA_TOPIC_LINK_BAD_FORMAT", "Invalid link format"),
            },
            Some("photo") => {
                let list = item.get("list").and_then(Value::as_array);
                let Some(list) = list.filter(|l| !l.is_empty()) else {
                    return ok_error(code::PARAM, "PARAM", "photo block without list");
                };
                for photo in list {
                    match photo.get("id").and_then(Value::as_str) {
                        Some(t) if state.photo_tokens.contains(t) => tokens.push(t.to_string()),
                        _ => return ok_error(code::PARAM, "PARAM", "Invalid photo token"),
                    }
                }
            }
            _ => return ok_error(code::PARAM, "PARAM", "Unknown media type"),
        }
    }
    let text = texts.join("\n");
    if texts.iter().map(|t| utf16_len(t)).sum::<usize>() > shared.max_text_utf16 {
        return ok_error(
            code::MEDIA_TOPIC_TEXT_LIMIT,
            "MEDIA_TOPIC_TEXT_LIMIT",
            "Text length limit reached",
        );
    }
    let id = store(
        &mut state,
        text,
        links,
        tokens,
        Value::Array(media),
        now_ms(),
    );
    if let Some(topic) = state.topics.last_mut() {
        topic.on_behalf_of_group = attachment.get("onBehalfOfGroup") == Some(&json!("true"));
    }
    Json(Value::String(id)).into_response()
}

//! A fake VK API for one community, written from VK's documentation: an axum app on
//! 127.0.0.1:0 that keeps a wall, an upload server and saved photos in memory, for this
//! crate's tests and (with the `fakes` feature) other crates' tests and benchmarks.
//!
//! It speaks VK's shapes: `POST /method/<name>` with a form-encoded body (the fake reads only
//! the body, so a token or version put in the URL counts as missing), HTTP 200 for everything,
//! errors as `{"error": {"error_code", "error_msg", "request_params"}}`. It refuses what VK
//! refuses: a missing or wrong token (5), a `v` other than 5.199 (8), a post to another wall or
//! not `from_group=1`, text over VK's limit as herald-domain counts it (UTF-16 units), more
//! than 10 attachments, more than one link, an attachment it cannot parse, and a `photo…` id
//! that was not uploaded and saved through its own upload server (100). A repeated `guid`
//! within [`VkFakeOptions::guid_window`] answers the post it already made. Queued [`Fault`]s
//! apply to the next calls of a method, in order. [`VkFake::start`] panics if it cannot bind.

mod comments;
mod photos;
mod wall;

use super::api::API_VERSION;
use crate::connector::ChannelCtx;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Form, Json, Router};
use herald_domain::text::{text_rules, TextContext};
use herald_domain::{Platform, Secret};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

/// VK's largest photo upload.
const MAX_PHOTO_BYTES: usize = 50 * 1024 * 1024;

/// How the fake behaves.
#[derive(Debug, Clone)]
pub struct VkFakeOptions {
    pub group_id: u64,
    pub group_name: String,
    pub members_count: u64,
    /// How long a `guid` answers its first post (VK: about an hour).
    pub guid_window: Duration,
    /// The longest `message`, in UTF-16 units (herald-domain's VK limit).
    pub max_text_units: usize,
    pub max_attachments: usize,
    /// Added before every request is handled.
    pub latency: Duration,
}

impl Default for VkFakeOptions {
    fn default() -> Self {
        Self {
            group_id: 218_000_001,
            group_name: "Herald Test Community".into(),
            members_count: 4_321,
            guid_window: Duration::from_secs(3600),
            max_text_units: text_rules(Platform::Vk, &TextContext::default()).limit,
            max_attachments: 10,
            latency: Duration::ZERO,
        }
    }
}

/// A misbehaviour applied to one call of a method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answers VK's error `code` (HTTP 200) with its usual message; nothing is done.
    Error(i64),
    /// Sleeps, then answers error 10 without doing anything: the client times out, and
    /// nothing was posted.
    Hang(Duration),
    /// Does the work (stores the post), then sleeps before answering: the client times out,
    /// and the post IS there.
    StoreThenHang(Duration),
}

impl Fault {
    pub const AUTH_FAILED: Fault = Fault::Error(5);
    pub const TOO_MANY_REQUESTS: Fault = Fault::Error(6);
    pub const FLOOD_CONTROL: Fault = Fault::Error(9);
    pub const CAPTCHA: Fault = Fault::Error(14);
}

/// Likes, reposts, comments and views of a post; views `None` is left out of answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    pub likes: u64,
    pub reposts: u64,
    pub comments: u64,
    pub views: Option<u64>,
}

/// A post on the fake wall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePost {
    pub id: u64,
    /// `-group_id` for the community's own posts.
    pub from_id: i64,
    pub text: String,
    /// As sent: `photo{owner}_{id}` or a link.
    pub attachments: Vec<String>,
    pub guid: Option<String>,
    /// Unix seconds.
    pub date: i64,
    pub pinned: bool,
    pub counters: Counters,
}

/// A comment under a post on the fake wall.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeComment {
    pub id: u64,
    /// The wall's owner (`-group_id`).
    pub owner_id: i64,
    pub post_id: u64,
    /// A member's positive id, or `-group_id` for the community.
    pub from_id: i64,
    pub text: String,
    pub reply_to_comment: Option<u64>,
    /// The thread's top comment, for a reply in a thread.
    pub thread: Option<u64>,
    /// Unix seconds.
    pub date: i64,
    pub deleted: bool,
}

/// A photo saved with `photos.saveWallPhoto`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakePhoto {
    pub id: u64,
    pub owner_id: i64,
    pub caption: String,
    pub file_name: String,
    pub content_type: String,
    pub bytes: usize,
}

struct Upload {
    server: u64,
    photo: String,
    file_name: String,
    content_type: String,
    bytes: usize,
    saved: bool,
}

struct Shared {
    options: VkFakeOptions,
    base_url: String,
    requests: AtomicU64,
    state: Mutex<FakeState>,
}

#[derive(Default)]
struct FakeState {
    token: String,
    token_generation: u64,
    posts: Vec<FakePost>,
    next_post_id: u64,
    guids: HashMap<String, (u64, Instant)>,
    upload_keys: Vec<String>,
    uploads: HashMap<String, Upload>,
    next_upload: u64,
    photos: Vec<FakePhoto>,
    comments: Vec<FakeComment>,
    comment_guids: HashMap<String, (u64, Instant)>,
    faults: HashMap<String, VecDeque<Fault>>,
    calls: Vec<String>,
    uploads_with_token: u64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn owner(&self) -> i64 {
        -i64::try_from(self.options.group_id).unwrap_or(i64::MAX)
    }
}

/// A running fake VK; stops (gracefully) when dropped.
pub struct VkFake {
    shared: Arc<Shared>,
    _server: crate::fake_server::ServerGuard,
}

impl fmt::Debug for VkFake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VkFake")
            .field("base_url", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl VkFake {
    /// Starts the fake on a free loopback port, on the current tokio runtime.
    ///
    /// # Panics
    /// If no port can be bound: a test cannot go on without its platform.
    pub async fn start(options: VkFakeOptions) -> VkFake {
        match Self::try_start(options).await {
            Ok(fake) => fake,
            Err(e) => panic!("the fake VK cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Like [`VkFake::start`], answering an error instead of panicking.
    pub async fn try_start(options: VkFakeOptions) -> std::io::Result<VkFake> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            options,
            base_url: format!("http://{addr}"),
            requests: AtomicU64::new(0),
            state: Mutex::new(FakeState {
                token: token(1),
                token_generation: 1,
                next_post_id: 1,
                next_upload: 1,
                ..FakeState::default()
            }),
        });
        let router = Router::new()
            .route("/method/{name}", post(method))
            .route("/upload/{key}", post(photos::upload))
            .layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES + 64 * 1024))
            .with_state(shared.clone());
        let server = crate::fake_server::serve(listener, router);
        Ok(VkFake {
            shared,
            _server: server,
        })
    }

    /// `http://127.0.0.1:<port>/method`, the channel's `settings.api_base`.
    pub fn api_base(&self) -> String {
        format!("{}/method", self.shared.base_url)
    }

    pub fn group_id(&self) -> u64 {
        self.shared.options.group_id
    }

    /// `{"group_id", "api_base"}`.
    pub fn settings(&self) -> Value {
        json!({"group_id": self.group_id(), "api_base": self.api_base()})
    }

    /// The token the fake accepts now.
    pub fn access_token(&self) -> String {
        self.shared.lock().token.clone()
    }

    /// `{"access_token"}` as the fake accepts it now.
    pub fn credentials(&self) -> Value {
        json!({"access_token": self.access_token()})
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

    /// Revokes the token: every call answers error 5 until a channel has the new one.
    pub fn revoke_token(&self) {
        let mut state = self.shared.lock();
        state.token_generation += 1;
        state.token = token(state.token_generation);
    }

    /// The posts on the wall, oldest first.
    pub fn posts(&self) -> Vec<FakePost> {
        self.shared.lock().posts.clone()
    }

    /// How many posts on the wall have exactly this text.
    pub fn count_by_text(&self, text: &str) -> usize {
        self.shared
            .lock()
            .posts
            .iter()
            .filter(|p| p.text == text)
            .count()
    }

    /// Photos saved with `photos.saveWallPhoto`, in order.
    pub fn photos(&self) -> Vec<FakePhoto> {
        self.shared.lock().photos.clone()
    }

    /// Every request received, uploads included.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The methods called, in order; an upload to the upload server is `upload`.
    pub fn calls(&self) -> Vec<String> {
        self.shared.lock().calls.clone()
    }

    /// How many calls of `method` were received.
    pub fn calls_of(&self, method: &str) -> usize {
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| *c == method)
            .count()
    }

    /// Uploads that carried the access token, which the upload server must never see.
    pub fn uploads_with_token(&self) -> u64 {
        self.shared.lock().uploads_with_token
    }

    /// Queues a fault for the next `wall.post` not yet given one.
    pub fn push_fault(&self, fault: Fault) {
        self.push_fault_on("wall.post", fault);
    }

    /// Queues a fault for the next call of `method` not yet given one; `upload` names the
    /// upload server, where an error fault answers `{"error": "ERR_UPLOAD_TEMPORARY: …"}`.
    pub fn push_fault_on(&self, method: &str, fault: Fault) {
        let mut state = self.shared.lock();
        state
            .faults
            .entry(method.to_string())
            .or_default()
            .push_back(fault);
    }

    /// Faults queued and not yet applied, on every method.
    pub fn pending_faults(&self) -> usize {
        self.shared.lock().faults.values().map(VecDeque::len).sum()
    }

    /// Puts a post on the wall directly, dated `age` ago: by the community, or by a member
    /// when `by_community` is false. Answers its id.
    pub fn add_post(&self, text: &str, by_community: bool, age: Duration) -> u64 {
        let from_id = if by_community { self.shared.owner() } else { 1 };
        let date = now_secs() - i64::try_from(age.as_secs()).unwrap_or(i64::MAX);
        let mut state = self.shared.lock();
        store_post(&mut state, from_id, text, Vec::new(), None, date)
    }

    /// A member's (or, with a negative `from_id`, the community's) comment under `post_id`,
    /// answering comment `reply_to` when given; answers its id.
    pub fn add_comment(
        &self,
        post_id: u64,
        from_id: i64,
        text: &str,
        reply_to: Option<u64>,
    ) -> u64 {
        let mut state = self.shared.lock();
        let thread = reply_to.map(|r| {
            state
                .comments
                .iter()
                .find(|c| c.id == r)
                .and_then(|c| c.thread)
                .unwrap_or(r)
        });
        comments::store_comment(
            &mut state,
            self.shared.owner(),
            from_id,
            post_id,
            text,
            reply_to,
            thread,
        )
    }

    /// The comments on the wall, oldest first.
    pub fn comments(&self) -> Vec<FakeComment> {
        self.shared.lock().comments.clone()
    }

    /// Marks a comment deleted: listings leave it out.
    pub fn delete_comment(&self, id: u64) {
        for c in &mut self.shared.lock().comments {
            if c.id == id {
                c.deleted = true;
            }
        }
    }

    /// Pins a post (and unpins the others): it comes first in `wall.get`.
    pub fn pin(&self, post_id: u64) {
        for p in &mut self.shared.lock().posts {
            p.pinned = p.id == post_id;
        }
    }

    /// Sets a post's counters, as people's likes, reposts, comments and views would.
    pub fn set_counters(&self, post_id: u64, counters: Counters) {
        if let Some(p) = self
            .shared
            .lock()
            .posts
            .iter_mut()
            .find(|p| p.id == post_id)
        {
            p.counters = counters;
        }
    }
}

fn token(generation: u64) -> String {
    format!("vk1.a.fake-{generation}-{:x}", now_ms())
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn now_secs() -> i64 {
    now_ms() / 1000
}

fn store_post(
    state: &mut FakeState,
    from_id: i64,
    text: &str,
    attachments: Vec<String>,
    guid: Option<String>,
    date: i64,
) -> u64 {
    let id = state.next_post_id;
    state.next_post_id += 1;
    state.posts.push(FakePost {
        id,
        from_id,
        text: text.to_string(),
        attachments,
        guid,
        date,
        pinned: false,
        counters: Counters::default(),
    });
    id
}

/// VK's usual message for an error code.
fn usual_message(code: i64) -> &'static str {
    match code {
        1 => "Unknown error occurred",
        3 => "Unknown method passed",
        5 => "User authorization failed: invalid access_token (4).",
        6 => "Too many requests per second",
        8 => "Invalid request",
        9 => "Flood control",
        10 => "Internal server error",
        14 => "Captcha needed",
        15 => "Access denied",
        27 => "Group authorization failed: method is unavailable with group auth.",
        29 => "Rate limit reached",
        100 => "One of the parameters specified was missing or invalid",
        104 => "Not found",
        121 => "Invalid hash",
        203 => "Access to group denied",
        214 => "Access to adding post denied",
        _ => "Error",
    }
}

/// A VK error answer: HTTP 200, `{"error": …}`.
fn vk_error(method: &str, code: i64, detail: &str) -> Response {
    let usual = usual_message(code);
    let message = if detail.is_empty() {
        usual.to_string()
    } else {
        format!("{usual}: {detail}")
    };
    let mut error = json!({
        "error_code": code,
        "error_msg": message,
        "request_params": [
            {"key": "method", "value": method},
            {"key": "oauth", "value": "1"},
        ],
    });
    if code == 14 {
        error["captcha_sid"] = json!("239633676097");
        error["captcha_img"] = json!("https://api.vk.com/captcha.php?sid=239633676097&s=1");
    }
    Json(json!({ "error": error })).into_response()
}

fn vk_ok(response: Value) -> Response {
    Json(json!({ "response": response })).into_response()
}

type Params = HashMap<String, String>;

/// Where a method's answer goes wrong: `(code, detail)`.
type Refusal = (i64, String);

fn param<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
    params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

fn bad(detail: impl Into<String>) -> Refusal {
    (100, detail.into())
}

async fn method(
    State(shared): State<Arc<Shared>>,
    Path(name): Path<String>,
    headers: HeaderMap,
    Form(params): Form<Params>,
) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    if !shared.options.latency.is_zero() {
        tokio::time::sleep(shared.options.latency).await;
    }
    let fault = {
        let mut state = shared.lock();
        state.calls.push(name.clone());
        state.faults.get_mut(&name).and_then(VecDeque::pop_front)
    };
    let pause = match fault {
        Some(Fault::Error(code)) => return vk_error(&name, code, ""),
        Some(Fault::Hang(pause)) => {
            tokio::time::sleep(pause).await;
            return vk_error(&name, 10, "");
        }
        Some(Fault::StoreThenHang(pause)) => Some(pause),
        None => None,
    };
    let answer = match answer(&shared, &name, &headers, &params) {
        Ok(value) => vk_ok(value),
        Err((code, detail)) => vk_error(&name, code, &detail),
    };
    if let Some(pause) = pause {
        tokio::time::sleep(pause).await;
    }
    answer
}

/// Checks the version and the token, then does the method's work under one lock.
fn answer(
    shared: &Shared,
    name: &str,
    headers: &HeaderMap,
    params: &Params,
) -> Result<Value, Refusal> {
    match param(params, "v") {
        None => return Err((8, "v (version) is required".into())),
        Some(v) if v != API_VERSION => {
            return Err((
                8,
                format!("this fake speaks only v={API_VERSION}, not v={v}"),
            ))
        }
        Some(_) => {}
    }
    let mut state = shared.lock();
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let token = param(params, "access_token").or(bearer);
    if token != Some(state.token.as_str()) {
        return Err((5, String::new()));
    }
    let state = &mut *state;
    match name {
        "groups.getById" => wall::groups_get_by_id(shared, params),
        "wall.post" => wall::wall_post(shared, state, params),
        "wall.get" => wall::wall_get(shared, state, params),
        "wall.getById" => wall::wall_get_by_id(shared, state, params),
        "wall.delete" => wall::wall_delete(shared, state, params),
        "photos.getWallUploadServer" => photos::get_wall_upload_server(shared, state, params),
        "photos.saveWallPhoto" => photos::save_wall_photo(shared, state, params),
        "wall.getComments" => comments::get_comments(shared, state, params),
        "wall.getComment" => comments::get_comment(shared, state, params),
        "wall.createComment" => comments::create_comment(shared, state, params),
        _ => Err((3, String::new())),
    }
}

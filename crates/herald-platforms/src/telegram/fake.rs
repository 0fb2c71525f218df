//! A fake Bot API for one bot and one channel: an axum app on 127.0.0.1:0 that stores the
//! channel's messages in memory, for this crate's tests and (with the `fakes` feature) the
//! engine's harness and benchmarks.
//!
//! It answers like `api.telegram.org`: `POST|GET /bot<TOKEN>/<method>` (methods are
//! case-insensitive), parameters as JSON, form or multipart, answers `{"ok":true,"result"}` or
//! `{"ok":false,"error_code","description"}` with the same HTTP status. It refuses a wrong
//! token (401 "Unauthorized"; a path without `/bot` is 404 "Not Found"), an unknown chat
//! ("chat not found"), a bot without the right to post, unbalanced or unknown HTML ("can't
//! parse entities"), text over 4,096 and captions over 1,024 UTF-16 units of the parsed text,
//! albums outside 2–10 and missing file parts. [`Fault`]s queued with
//! [`FakeTelegram::push_fault`] apply, in order, to the next send requests (`sendMessage`,
//! `sendPhoto`, `sendVideo`, `sendMediaGroup`), including the 429 with `parameters.retry_after`
//! that Telegram's flood control answers.

mod discussion;
mod form;
pub mod html;

pub use discussion::{GroupMessage, DISCUSSION_ID, DISCUSSION_TITLE};

use crate::connector::ChannelCtx;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Json, Router};
use form::Params;
use herald_domain::text::utf16_len;
use herald_domain::Secret;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;

/// The fake bot's token and id.
pub const BOT_ID: i64 = 7_000_000_001;
pub const BOT_TOKEN: &str = "7000000001:AAFakeHeraldTestTokenForTheBotAPI_x-1";
/// The fake channel.
pub const CHANNEL_ID: i64 = -1_001_234_567_890;
pub const CHANNEL_USERNAME: &str = "heraldnews";
pub const CHANNEL_TITLE: &str = "Herald News";

/// What the bot may do in the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BotRights {
    /// An administrator with `can_post_messages` and `can_delete_messages`.
    Poster,
    /// An administrator without `can_post_messages`.
    AdminWithoutPosting,
    /// A plain member (subscriber).
    Member,
    /// Not in the channel.
    Left,
}

/// A misbehaviour applied to one send request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// 429 `Too Many Requests: retry after N` with `parameters.retry_after` and `Retry-After`.
    RateLimit { retry_after_secs: u64 },
    /// 500, nothing stored.
    ServerError,
    /// Stores the message(s), then sleeps before answering: the answer is lost.
    StoreThenHang(Duration),
}

/// A message as the fake stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FakeMessage {
    pub message_id: i64,
    /// `text`, `photo` or `video`.
    pub kind: &'static str,
    /// The text or caption after HTML parsing, as readers see it.
    pub text: String,
    pub media_group_id: Option<String>,
    /// The uploaded file's size, for media.
    pub file_size: usize,
}

struct Shared {
    base_url: String,
    member_count: u64,
    requests: AtomicU64,
    send_requests: AtomicU64,
    state: Mutex<FakeState>,
}

struct FakeState {
    token: String,
    rights: BotRights,
    messages: Vec<FakeMessage>,
    faults: VecDeque<Fault>,
    next_id: i64,
    next_group: u64,
    linked: bool,
    group: Vec<GroupMessage>,
    next_group_message: i64,
    updates: Vec<Value>,
    next_update: i64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, FakeState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running fake Bot API; stops (gracefully) when dropped.
pub struct FakeTelegram {
    shared: Arc<Shared>,
    _server: crate::fake_server::ServerGuard,
}

impl fmt::Debug for FakeTelegram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeTelegram")
            .field("api_base", &self.shared.base_url)
            .finish_non_exhaustive()
    }
}

impl FakeTelegram {
    /// Starts the fake on a free loopback port, with the bot an administrator who may post.
    ///
    /// # Panics
    /// If no port can be bound: a test cannot go on without its platform.
    pub async fn start() -> FakeTelegram {
        match Self::try_start().await {
            Ok(fake) => fake,
            Err(e) => panic!("the fake Bot API cannot listen on 127.0.0.1: {e}"),
        }
    }

    /// Like [`FakeTelegram::start`], answering an error instead of panicking.
    pub async fn try_start() -> std::io::Result<FakeTelegram> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            base_url: format!("http://{addr}"),
            member_count: 4_321,
            requests: AtomicU64::new(0),
            send_requests: AtomicU64::new(0),
            state: Mutex::new(FakeState {
                token: BOT_TOKEN.to_string(),
                rights: BotRights::Poster,
                messages: Vec::new(),
                faults: VecDeque::new(),
                next_id: 100,
                next_group: 1,
                linked: true,
                group: Vec::new(),
                next_group_message: 500,
                updates: Vec::new(),
                next_update: 900_000_001,
            }),
        });
        let router = Router::new()
            .route("/{bot}/{method}", any(handle))
            .with_state(shared.clone());
        let server = crate::fake_server::serve(listener, router);
        Ok(FakeTelegram {
            shared,
            _server: server,
        })
    }

    /// `http://127.0.0.1:<port>`, the channel's `settings.api_base`.
    pub fn api_base(&self) -> &str {
        &self.shared.base_url
    }

    /// A channel connected to this fake by `@username` (channel 1 of workspace 1).
    pub fn channel(&self) -> ChannelCtx {
        ChannelCtx {
            channel_id: 1,
            workspace_id: 1,
            settings: json!({
                "chat_id": format!("@{CHANNEL_USERNAME}"),
                "api_base": self.shared.base_url,
            }),
            credentials: Secret::new(json!({ "bot_token": BOT_TOKEN })),
        }
    }

    /// The channel's messages, oldest first.
    pub fn messages(&self) -> Vec<FakeMessage> {
        self.shared.lock().messages.clone()
    }

    /// Sets what the bot may do in the channel.
    pub fn set_bot_rights(&self, rights: BotRights) {
        self.shared.lock().rights = rights;
    }

    /// Revokes the bot token, as @BotFather's /revoke does: it then gets 401.
    pub fn revoke_token(&self) {
        self.shared.lock().token = "7000000001:revoked".to_string();
    }

    /// Queues a fault for the next send request not yet given one.
    pub fn push_fault(&self, fault: Fault) {
        self.shared.lock().faults.push_back(fault);
    }

    /// Faults queued and not yet applied.
    pub fn pending_faults(&self) -> usize {
        self.shared.lock().faults.len()
    }

    /// Every request received.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// The send requests received.
    pub fn send_requests(&self) -> u64 {
        self.shared.send_requests.load(Ordering::SeqCst)
    }
}

type Answer = Result<Value, (u16, String)>;

fn bad(description: impl fmt::Display) -> (u16, String) {
    (400, format!("Bad Request: {description}"))
}

fn respond(answer: Answer) -> Response {
    match answer {
        Ok(result) => Json(json!({"ok": true, "result": result})).into_response(),
        Err((code, description)) => error(code, &description, None),
    }
}

fn error(code: u16, description: &str, retry_after: Option<u64>) -> Response {
    let mut body = json!({"ok": false, "error_code": code, "description": description});
    if let Some(seconds) = retry_after {
        body["parameters"] = json!({ "retry_after": seconds });
    }
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, Json(body)).into_response();
    if let Some(seconds) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, seconds.into());
    }
    response
}

const SEND_METHODS: [&str; 4] = ["sendmessage", "sendphoto", "sendvideo", "sendmediagroup"];

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let Some(token) = bot.strip_prefix("bot") else {
        return error(404, "Not Found", None);
    };
    if token != shared.lock().token {
        return error(401, "Unauthorized", None);
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(params) = form::parse(content_type, query.as_deref(), &body) else {
        return error(400, "Bad Request: can't parse the request", None);
    };
    let method = method.to_ascii_lowercase();
    if !SEND_METHODS.contains(&method.as_str()) {
        return respond(read_method(&shared, &method, &params));
    }
    shared.send_requests.fetch_add(1, Ordering::SeqCst);
    let fault = shared.lock().faults.pop_front();
    match fault {
        None => respond(send(&shared, &method, &params)),
        Some(Fault::RateLimit { retry_after_secs }) => error(
            429,
            &format!("Too Many Requests: retry after {retry_after_secs}"),
            Some(retry_after_secs),
        ),
        Some(Fault::ServerError) => error(500, "Internal Server Error", None),
        Some(Fault::StoreThenHang(pause)) => {
            let answer = send(&shared, &method, &params);
            tokio::time::sleep(pause).await;
            respond(answer)
        }
    }
}

fn chat_json() -> Value {
    json!({"id": CHANNEL_ID, "type": "channel", "title": CHANNEL_TITLE, "username": CHANNEL_USERNAME})
}

/// The channel, if `chat_id` names it.
fn resolve(params: &Params) -> Result<(), (u16, String)> {
    let chat = params
        .get("chat_id")
        .ok_or_else(|| bad("chat_id is empty"))?;
    let by_name = chat
        .strip_prefix('@')
        .is_some_and(|n| n.eq_ignore_ascii_case(CHANNEL_USERNAME));
    if by_name || chat == CHANNEL_ID.to_string() {
        Ok(())
    } else {
        Err(bad("chat not found"))
    }
}

fn read_method(shared: &Shared, method: &str, params: &Params) -> Answer {
    match method {
        "getme" => Ok(json!({
            "id": BOT_ID, "is_bot": true, "first_name": "Herald Test", "username": "herald_test_bot",
        })),
        "getchat" => {
            resolve(params)?;
            let mut chat = chat_json();
            if shared.lock().linked {
                chat["linked_chat_id"] = json!(DISCUSSION_ID);
            }
            Ok(chat)
        }
        "getupdates" => discussion::get_updates(&mut shared.lock(), params),
        "getchatmembercount" => {
            resolve(params)?;
            Ok(json!(shared.member_count))
        }
        "getchatmember" => {
            resolve(params)?;
            let user: i64 = params
                .get("user_id")
                .and_then(|u| u.parse().ok())
                .ok_or_else(|| bad("invalid user_id specified"))?;
            let user_json = json!({"id": user, "is_bot": user == BOT_ID, "first_name": "x"});
            if user != BOT_ID {
                return Ok(json!({"status": "left", "user": user_json}));
            }
            let rights = shared.lock().rights;
            Ok(match rights {
                BotRights::Poster | BotRights::AdminWithoutPosting => {
                    let can_post = rights == BotRights::Poster;
                    json!({
                        "status": "administrator", "user": user_json, "can_be_edited": false,
                        "is_anonymous": false, "can_manage_chat": true,
                        "can_delete_messages": can_post, "can_post_messages": can_post,
                        "can_edit_messages": can_post,
                    })
                }
                BotRights::Member => json!({"status": "member", "user": user_json}),
                BotRights::Left => json!({"status": "left", "user": user_json}),
            })
        }
        "deletemessage" => {
            resolve(params)?;
            let id: i64 = params
                .get("message_id")
                .and_then(|m| m.parse().ok())
                .ok_or_else(|| bad("message identifier is not specified"))?;
            let mut state = shared.lock();
            if state.rights != BotRights::Poster {
                return Err(bad("message can't be deleted"));
            }
            let at = state
                .messages
                .iter()
                .position(|m| m.message_id == id)
                .ok_or_else(|| bad("message to delete not found"))?;
            state.messages.remove(at);
            Ok(json!(true))
        }
        _ => Err((404, "Not Found".to_string())),
    }
}

/// May the bot post? Telegram's answers for each case.
fn check_rights(rights: BotRights) -> Result<(), (u16, String)> {
    match rights {
        BotRights::Poster => Ok(()),
        BotRights::AdminWithoutPosting => {
            Err(bad("not enough rights to send messages to the chat"))
        }
        BotRights::Member => Err(bad("need administrator rights in the channel chat")),
        BotRights::Left => Err((
            403,
            "Forbidden: bot is not a member of the channel chat".to_string(),
        )),
    }
}

/// The plain text of `raw` under `parse_mode`, refused like Telegram.
fn parsed(raw: &str, parse_mode: Option<&str>) -> Result<String, (u16, String)> {
    match parse_mode.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") => Ok(raw.to_string()),
        Some("html") => {
            html::plain_text(raw).map_err(|why| bad(format!("can't parse entities: {why}")))
        }
        Some(_) => Err(bad("unsupported parse_mode")),
    }
}

fn caption(raw: Option<&str>, parse_mode: Option<&str>) -> Result<String, (u16, String)> {
    let text = parsed(raw.unwrap_or(""), parse_mode)?;
    if utf16_len(&text) > herald_domain::text::TELEGRAM_MAX_CAPTION {
        return Err(bad("message caption is too long"));
    }
    Ok(text)
}

/// One item to store: kind, text, file size.
type Item = (&'static str, String, usize);

fn send(shared: &Shared, method: &str, params: &Params) -> Answer {
    if method == "sendmessage" && params.get("chat_id") == Some(&DISCUSSION_ID.to_string()) {
        return discussion::send_to_group(&mut shared.lock(), params);
    }
    resolve(params)?;
    check_rights(shared.lock().rights)?;
    let items: Vec<Item> = match method {
        "sendmessage" => {
            let text = parsed(params.get("text").unwrap_or(""), params.get("parse_mode"))?;
            if text.trim().is_empty() {
                return Err(bad("message text is empty"));
            }
            if utf16_len(&text) > herald_domain::text::TELEGRAM_MAX_MESSAGE {
                return Err(bad("message is too long"));
            }
            vec![("text", text, 0)]
        }
        "sendphoto" | "sendvideo" => {
            let field = if method == "sendphoto" {
                "photo"
            } else {
                "video"
            };
            let upload = params
                .files
                .get(field)
                .filter(|u| !u.bytes.is_empty() && !u.filename.is_empty())
                .ok_or_else(|| bad(format!("there is no {field} in the request")))?;
            let text = caption(params.get("caption"), params.get("parse_mode"))?;
            vec![(field, text, upload.bytes.len())]
        }
        _ => album(params)?,
    };
    let mut state = shared.lock();
    let group = (items.len() > 1).then(|| {
        state.next_group += 1;
        format!("{}", 13_000_000 + state.next_group)
    });
    let date = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let mut sent = Vec::new();
    for (kind, text, file_size) in items {
        let message_id = state.next_id;
        state.next_id += 1;
        let mut message = json!({
            "message_id": message_id, "date": date, "chat": chat_json(), "sender_chat": chat_json(),
        });
        match kind {
            "text" => message["text"] = json!(text),
            _ => {
                message[kind] =
                    json!([{"file_id": format!("F{message_id}"), "file_size": file_size}]);
                if !text.is_empty() {
                    message["caption"] = json!(text);
                }
            }
        }
        if let Some(group) = &group {
            message["media_group_id"] = json!(group);
        }
        discussion::copy_channel_post(&mut state, message_id, &text);
        state.messages.push(FakeMessage {
            message_id,
            kind,
            text,
            media_group_id: group.clone(),
            file_size,
        });
        sent.push(message);
    }
    if method == "sendmediagroup" {
        Ok(Value::Array(sent))
    } else {
        Ok(sent.pop().unwrap_or(Value::Null))
    }
}

fn album(params: &Params) -> Result<Vec<Item>, (u16, String)> {
    let raw = params
        .get("media")
        .ok_or_else(|| bad("parameter \"media\" is required"))?;
    let media: Value =
        serde_json::from_str(raw).map_err(|_| bad("can't parse media JSON object"))?;
    let list = media
        .as_array()
        .ok_or_else(|| bad("expected an Array of InputMedia"))?;
    let mut items = Vec::new();
    for item in list {
        let kind = match item.get("type").and_then(Value::as_str) {
            Some("photo") => "photo",
            Some("video") => "video",
            Some(other) => {
                return Err(bad(format!(
                    "can't parse InputMedia: type \"{other}\" can't be used in sendMediaGroup"
                )))
            }
            None => return Err(bad("can't parse InputMedia: media type not specified")),
        };
        let upload = item
            .get("media")
            .and_then(Value::as_str)
            .and_then(|m| m.strip_prefix("attach://"))
            .and_then(|name| params.files.get(name))
            .filter(|u| !u.bytes.is_empty() && !u.filename.is_empty())
            .ok_or_else(|| bad("can't parse InputMedia: media not found"))?;
        let text = caption(
            item.get("caption").and_then(Value::as_str),
            item.get("parse_mode").and_then(Value::as_str),
        )?;
        items.push((kind, text, upload.bytes.len()));
    }
    if !(2..=10).contains(&items.len()) {
        return Err(bad("media group must include 2-10 items"));
    }
    Ok(items)
}

/// The `chat_id` field and the `photo` file of a multipart body, as the fake reads them.
#[cfg(test)]
pub(crate) fn form_for_tests(content_type: &str, body: &[u8]) -> (Option<String>, Vec<u8>) {
    let params = form::parse(content_type, None, body).unwrap_or_default();
    let photo = params
        .files
        .get("photo")
        .map(|u| u.bytes.clone())
        .unwrap_or_default();
    (params.get("chat_id").map(str::to_string), photo)
}

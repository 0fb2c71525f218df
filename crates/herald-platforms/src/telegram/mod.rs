//! The Telegram channel connector (`telegram`), over the Bot API: a bot that is an
//! administrator of the channel posts there. Text rules are `Platform::Telegram`'s.
//!
//! Settings: `{"chat_id": "@channelusername" | "-100…", "api_base": "https://…"}` (`api_base`
//! only for tests); credentials: `{"bot_token": "<id>:<secret>"}`. Every call is
//! `POST <api_base>/bot<TOKEN>/<method>`; the URL holds the token, so it never reaches an error
//! or a log ([`api`]).
//!
//! Publishing is one send: `sendMessage` for text, `sendPhoto`/`sendVideo` for one file,
//! `sendMediaGroup` for 2–10, the text as the (first) caption, all with `parse_mode=HTML` over
//! escaped plain text (Telegram links bare URLs itself, so no `<a>` tags are made). Before it,
//! a read (`getChatMember` for the bot) checks the token, the channel and the bot's right to
//! post: whatever goes wrong there goes wrong before anything could be posted, so it is a
//! clean refusal rather than an unknown outcome. Everything else that can be checked without
//! Telegram (lengths in UTF-16 units, album size, media types, readable files) is checked
//! before any request.
//!
//! The Bot API has no idempotency key and cannot read a channel's history, so
//! [`Idempotency::None`] and no reconciliation: an unknown outcome goes to a person, which is
//! the honest answer (guessing "not sent" could post twice, guessing "sent" could lose a post).

pub mod api;
#[cfg(any(test, feature = "fakes"))]
pub mod fake;
pub mod inbox;
#[cfg(test)]
mod tests;

use crate::connector::{
    AccountInfo, Capabilities, ChannelCtx, ConnectFlow, Connector, Field, Idempotency, InboxPage,
    OutgoingMedia, OutgoingPost, PlatformInfo, ProfileStats, PublishError, Published,
};
use api::{BotToken, Call, Multipart};
use async_trait::async_trait;
use herald_domain::text::{
    telegram_html_escape, utf16_len, MediaFormat, MediaKind, TELEGRAM_MAX_CAPTION,
    TELEGRAM_MAX_MESSAGE,
};
use herald_domain::Platform;
use reqwest::header::CONTENT_TYPE;
use reqwest::Url;
use serde::Deserialize;
use serde_json::json;

/// The stable id of the Telegram connector.
pub const ID: &str = "telegram";
/// The most items in one album (`sendMediaGroup`).
pub const MAX_ALBUM: usize = 10;

static FIELDS: [Field; 2] = [
    Field {
        key: "chat_id",
        secret: false,
        required: true,
    },
    Field {
        key: "bot_token",
        secret: true,
        required: true,
    },
];

static INFO: PlatformInfo = PlatformInfo {
    id: ID,
    name: "Telegram",
    rules: Platform::Telegram,
    capabilities: Capabilities {
        publish: true,
        delete: true,
        reconcile: false,
        fetch_inbox: true,
        reply: true,
        fetch_metrics: false,
        fetch_profile: true,
        fetch_public_profile: false,
    },
    idempotency: Idempotency::None,
    connect: ConnectFlow::Paste,
    fields: &FIELDS,
    // Telegram allows about one message a second in one chat; one at a time also keeps the
    // channel's order.
    max_in_flight_per_channel: 1,
    idempotency_window: None,
    hidden: false,
};

/// The Telegram connector; holds only the shared HTTP client.
#[derive(Debug, Clone)]
pub struct TelegramConnector {
    client: reqwest::Client,
}

/// `User` (only what is used).
#[derive(Debug, Deserialize)]
struct User {
    id: i64,
    #[serde(default)]
    is_bot: bool,
}

/// `Chat` / `ChatFullInfo` (only what is used).
#[derive(Debug, Clone, Deserialize)]
struct Chat {
    id: i64,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    username: Option<String>,
}

/// `ChatMember` (only what is used).
#[derive(Debug, Deserialize)]
struct ChatMember {
    status: String,
    #[serde(default)]
    can_post_messages: Option<bool>,
}

/// `Message` (only what is used).
#[derive(Debug, Deserialize)]
struct Message {
    message_id: i64,
    chat: Chat,
}

/// What a channel's settings and credentials say, checked.
struct Target<'a> {
    base: Url,
    token: BotToken<'a>,
    chat_id: String,
}

fn refused(message: impl Into<String>) -> PublishError {
    PublishError::Refused {
        message: message.into(),
        retryable: false,
    }
}

fn target(ch: &ChannelCtx) -> Result<Target<'_>, PublishError> {
    let raw_token = ch
        .credential_str("bot_token")
        .ok_or_else(|| PublishError::Unauthorized("credentials.bot_token is missing".into()))?;
    let token = BotToken::parse(raw_token)?;
    let chat_id = chat_id(ch.setting_str("chat_id"))?;
    let base = http_base(ch)?;
    Ok(Target {
        base,
        token,
        chat_id,
    })
}

fn http_base(ch: &ChannelCtx) -> Result<Url, PublishError> {
    let raw = ch.setting_str("api_base").unwrap_or(api::DEFAULT_API_BASE);
    crate::http::parse_http_url(raw, "settings.api_base")
}

/// `@channelusername` (5–32 of `a-z 0-9 _`) or a numeric id; a `t.me/…` link is accepted too.
fn chat_id(raw: Option<&str>) -> Result<String, PublishError> {
    let raw = raw.ok_or_else(|| refused("settings.chat_id is required"))?;
    let raw = raw
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("t.me/");
    if raw.parse::<i64>().is_ok() {
        return Ok(raw.to_string());
    }
    let name = raw.strip_prefix('@').unwrap_or(raw);
    let valid = (5..=32).contains(&name.len())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphabetic());
    if valid {
        Ok(format!("@{name}"))
    } else {
        Err(refused(
            "settings.chat_id must be @channelusername or the channel's numeric id (-100…)",
        ))
    }
}

/// The public link of a message: `t.me/<username>/<id>`, or `t.me/c/<id>/<id>` for a
/// private channel (only its members can open it).
fn message_url(chat: &Chat, message_id: i64) -> Option<String> {
    if let Some(username) = &chat.username {
        return Some(format!("https://t.me/{username}/{message_id}"));
    }
    let internal = chat.id.to_string();
    let internal = internal.strip_prefix("-100")?;
    Some(format!("https://t.me/c/{internal}/{message_id}"))
}

/// Whether this member may post: the creator, or an administrator whose `can_post_messages`
/// is not false (the field exists for channels only).
fn may_post(member: &ChatMember) -> bool {
    match member.status.as_str() {
        "creator" => true,
        "administrator" => member.can_post_messages != Some(false),
        _ => false,
    }
}

fn cannot_post(member: &ChatMember) -> PublishError {
    let why = match member.status.as_str() {
        "administrator" => "it is an administrator without the right to post messages",
        "left" | "kicked" => "it is not in the channel",
        _ => "it is not an administrator",
    };
    refused(format!(
        "The bot may not post in this channel ({why}): make it an administrator with the right to post messages"
    ))
}

/// One file of a post, read and typed.
struct File {
    kind: MediaKind,
    mime: String,
    bytes: Vec<u8>,
}

/// What one publish sends, fully checked before any request.
enum Plan {
    Text(String),
    One(File, String),
    Album(Vec<File>, String),
}

/// The text as posted: the post's text, then its link on its own line unless the text already
/// carries it.
fn full_text(post: &OutgoingPost) -> String {
    let text = post.text.trim_end();
    match post.link.as_deref().map(str::trim) {
        Some(link) if !link.is_empty() && !text.contains(link) => {
            if text.is_empty() {
                link.to_string()
            } else {
                format!("{text}\n\n{link}")
            }
        }
        _ => text.to_string(),
    }
}

async fn read_file(media: &OutgoingMedia) -> Result<File, PublishError> {
    let format = MediaFormat::from_mime(&media.mime).ok_or_else(|| {
        refused(format!(
            "Telegram cannot post a file of type {}",
            media.mime
        ))
    })?;
    let kind = format.kind();
    // A plain read: tokio is not a dependency of this crate outside tests, and a rendition is
    // at most 50 MB (Telegram's own limit), read once per publish.
    let bytes = tokio::fs::read(&media.path)
        .await
        .map_err(|e| PublishError::Refused {
            message: format!("the media file could not be read: {e}"),
            retryable: true,
        })?;
    Ok(File {
        kind,
        mime: media.mime.clone(),
        bytes,
    })
}

async fn plan(post: &OutgoingPost) -> Result<Plan, PublishError> {
    let text = full_text(post);
    let units = utf16_len(&text);
    if post.media.is_empty() {
        if text.trim().is_empty() {
            return Err(refused("The post has neither text nor media"));
        }
        if units > TELEGRAM_MAX_MESSAGE {
            return Err(refused(format!(
                "The text is {units} UTF-16 units long; Telegram takes at most {TELEGRAM_MAX_MESSAGE}"
            )));
        }
        return Ok(Plan::Text(text));
    }
    if units > TELEGRAM_MAX_CAPTION {
        return Err(refused(format!(
            "The caption is {units} UTF-16 units long; Telegram takes at most {TELEGRAM_MAX_CAPTION} under media"
        )));
    }
    if post.media.len() > MAX_ALBUM {
        return Err(refused(format!(
            "{} media files: a Telegram album takes at most {MAX_ALBUM}",
            post.media.len()
        )));
    }
    let mut files = Vec::with_capacity(post.media.len());
    for media in &post.media {
        let file = read_file(media).await?;
        if !matches!(file.kind, MediaKind::Image | MediaKind::Video) {
            return Err(refused(format!(
                "Telegram albums take photos and videos, not {}",
                file.mime
            )));
        }
        files.push(file);
    }
    if files.len() == 1 {
        let file = files.remove(0);
        return Ok(Plan::One(file, text));
    }
    Ok(Plan::Album(files, text))
}

fn extension(mime: &str) -> &'static str {
    MediaFormat::from_mime(mime).map_or("bin", MediaFormat::as_str)
}

fn media_type(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Video => "video",
        _ => "photo",
    }
}

impl TelegramConnector {
    pub fn new(client: reqwest::Client) -> Self {
        Self { client }
    }

    /// A JSON call of `method` with `params`.
    async fn json<T: serde::de::DeserializeOwned>(
        &self,
        t: &Target<'_>,
        method: &str,
        params: serde_json::Value,
        call: Call,
    ) -> Result<T, PublishError> {
        let url = t.token.method_url(&t.base, method)?;
        api::call(self.client.post(url).json(&params), call).await
    }

    /// A multipart call of `method`.
    async fn upload<T: serde::de::DeserializeOwned>(
        &self,
        t: &Target<'_>,
        method: &str,
        form: Multipart,
    ) -> Result<T, PublishError> {
        let url = t.token.method_url(&t.base, method)?;
        let (content_type, body) = form.finish();
        let request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, content_type)
            .body(body);
        api::call(request, Call::Write).await
    }

    async fn bot_member(&self, t: &Target<'_>, chat: &str) -> Result<ChatMember, PublishError> {
        let params = json!({"chat_id": chat, "user_id": t.token.bot_id()});
        self.json(t, "getChatMember", params, Call::Read).await
    }

    async fn send(&self, t: &Target<'_>, plan: Plan) -> Result<Vec<Message>, PublishError> {
        let caption_form = |text: &str| {
            let form = Multipart::new().text("chat_id", t.chat_id.clone());
            if text.is_empty() {
                form
            } else {
                form.text("caption", telegram_html_escape(text))
                    .text("parse_mode", "HTML")
            }
        };
        match plan {
            Plan::Text(text) => {
                let params = json!({
                    "chat_id": t.chat_id,
                    "text": telegram_html_escape(&text),
                    "parse_mode": "HTML",
                });
                let message: Message = self.json(t, "sendMessage", params, Call::Write).await?;
                Ok(vec![message])
            }
            Plan::One(file, text) => {
                let (method, field) = match file.kind {
                    MediaKind::Video => ("sendVideo", "video"),
                    _ => ("sendPhoto", "photo"),
                };
                let filename = format!("{field}.{}", extension(&file.mime));
                let form = caption_form(&text).file(field, &filename, &file.mime, file.bytes);
                let message: Message = self.upload(t, method, form).await?;
                Ok(vec![message])
            }
            Plan::Album(files, text) => {
                let mut items = Vec::with_capacity(files.len());
                let mut form = Multipart::new().text("chat_id", t.chat_id.clone());
                for (i, file) in files.into_iter().enumerate() {
                    let name = format!("file{i}");
                    let mut item = json!({
                        "type": media_type(file.kind),
                        "media": format!("attach://{name}"),
                    });
                    if i == 0 && !text.is_empty() {
                        item["caption"] = json!(telegram_html_escape(&text));
                        item["parse_mode"] = json!("HTML");
                    }
                    items.push(item);
                    let filename = format!("{name}.{}", extension(&file.mime));
                    form = form.file(&name, &filename, &file.mime, file.bytes);
                }
                let form = form.text("media", serde_json::Value::Array(items).to_string());
                self.upload(t, "sendMediaGroup", form).await
            }
        }
    }
}

/// `remote_id` of a post: its message ids, comma-separated (an album is several messages).
pub fn message_ids(remote_id: &str) -> Result<Vec<i64>, PublishError> {
    let ids: Result<Vec<i64>, _> = remote_id.split(',').map(|s| s.trim().parse()).collect();
    match ids {
        Ok(ids) if !ids.is_empty() => Ok(ids),
        _ => Err(refused(format!(
            "{remote_id:?} is not a Telegram message id list"
        ))),
    }
}

#[async_trait]
impl Connector for TelegramConnector {
    fn info(&self) -> &PlatformInfo {
        &INFO
    }

    /// Checks the token (`getMe`), finds the channel (`getChat`) and checks that the bot may
    /// post there (`getChatMember`); answers the channel's id and title.
    async fn verify(&self, ch: &ChannelCtx) -> Result<AccountInfo, PublishError> {
        let t = target(ch)?;
        let me: User = self.json(&t, "getMe", json!({}), Call::Read).await?;
        if !me.is_bot || me.id != t.token.bot_id() {
            return Err(PublishError::Unauthorized(
                "credentials.bot_token does not belong to a bot".into(),
            ));
        }
        let chat: Chat = self
            .json(&t, "getChat", json!({"chat_id": t.chat_id}), Call::Read)
            .await?;
        if chat.kind == "private" {
            return Err(refused(
                "settings.chat_id names a person, not a channel: use the channel's @username or id",
            ));
        }
        let member = self.bot_member(&t, &chat.id.to_string()).await?;
        if !may_post(&member) {
            return Err(cannot_post(&member));
        }
        let display_name = chat
            .title
            .or_else(|| chat.username.map(|u| format!("@{u}")))
            .unwrap_or_else(|| chat.id.to_string());
        Ok(AccountInfo {
            external_id: chat.id.to_string(),
            display_name,
        })
    }

    /// Checks everything locally, then the bot's rights (a read), then sends once.
    async fn publish(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let t = target(ch)?;
        let plan = plan(post).await?;
        let member = self.bot_member(&t, &t.chat_id).await?;
        if !may_post(&member) {
            return Err(cannot_post(&member));
        }
        let messages = self.send(&t, plan).await?;
        let first = messages.first().ok_or_else(|| {
            PublishError::Unknown("Telegram answered an empty list of messages".into())
        })?;
        let remote_id = messages
            .iter()
            .map(|m| m.message_id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        Ok(Published {
            url: message_url(&first.chat, first.message_id),
            remote_id,
        })
    }

    /// Always `Unsupported`: a bot cannot read a channel's history (there is no such method
    /// in the Bot API), so whether an unknown send made a post cannot be found out.
    async fn reconcile(
        &self,
        _ch: &ChannelCtx,
        _post: &OutgoingPost,
    ) -> Result<Option<Published>, PublishError> {
        Err(PublishError::Unsupported)
    }

    /// Deletes every message of the post; one already gone counts as deleted.
    async fn delete(&self, ch: &ChannelCtx, remote_id: &str) -> Result<(), PublishError> {
        let t = target(ch)?;
        for id in message_ids(remote_id)? {
            let params = json!({"chat_id": t.chat_id, "message_id": id});
            // Classified as a read: a delete that may or may not have happened is simply
            // tried again, since deleting a deleted message counts as done.
            match self
                .json::<bool>(&t, "deleteMessage", params, Call::Read)
                .await
            {
                Ok(_) => {}
                Err(PublishError::Refused { message, .. })
                    if message.contains("message to delete not found") => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Subscribers via `getChatMemberCount`. The Bot API has no view counts, so there are no
    /// post metrics.
    async fn fetch_profile(&self, ch: &ChannelCtx) -> Result<ProfileStats, PublishError> {
        let t = target(ch)?;
        let count: u64 = self
            .json(
                &t,
                "getChatMemberCount",
                json!({"chat_id": t.chat_id}),
                Call::Read,
            )
            .await?;
        Ok(ProfileStats {
            followers: Some(count),
            ..ProfileStats::default()
        })
    }

    /// Comments from the linked discussion group, through `getUpdates`; see the `inbox` module.
    async fn fetch_inbox(
        &self,
        ch: &ChannelCtx,
        cursor: Option<&str>,
    ) -> Result<InboxPage, PublishError> {
        self.inbox(ch, cursor).await
    }

    /// `sendMessage` into the discussion group with `reply_parameters`.
    async fn reply(
        &self,
        ch: &ChannelCtx,
        to_remote_id: &str,
        reply: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        self.send_reply(ch, to_remote_id, reply).await
    }
}

//! The thin Bot API client under the Telegram connector: method URLs (the token is a path
//! segment, so no URL ever reaches an error or a log), the `{"ok","result"}` /
//! `{"ok":false,"error_code","description","parameters"}` envelope, the mapping of Telegram's
//! errors onto [`PublishError`], and a hand-built `multipart/form-data` body for uploads
//! (reqwest's `multipart` feature is not enabled in the workspace; this keeps one HTTP stack).
//!
//! Two kinds of call are told apart, because only one of them can have posted anything:
//! [`Call::Read`] (getMe, getChat, getChatMember, …) maps every unclear outcome to
//! `Refused { retryable: true }`, while [`Call::Write`] (the one send of a publish) keeps a
//! timeout, a dropped connection or a 5xx as `Unknown`.

use crate::connector::PublishError;
use crate::http::{self, ServerErrors};
use reqwest::header::HeaderMap;
use reqwest::Url;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::time::{Duration, SystemTime};

/// Where the Bot API lives unless `settings.api_base` says otherwise.
pub const DEFAULT_API_BASE: &str = "https://api.telegram.org";
/// How much of an answer is read (a media group answer is ten messages).
const MAX_ANSWER: usize = 4 * 1024 * 1024;
/// How much of Telegram's description goes into a message.
const MAX_DESCRIPTION_CHARS: usize = 200;

/// Whether a call can have created something on Telegram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// Reads nothing but state: any failure means nothing was posted.
    Read,
    /// Sends a message: after the request left, a failure may hide a post.
    Write,
}

/// A bot token, checked for its `<bot id>:<secret>` shape. Never `Debug`, never displayed.
pub struct BotToken<'a> {
    token: &'a str,
    bot_id: i64,
}

impl<'a> BotToken<'a> {
    /// Parses `raw`; a value of the wrong shape is `Unauthorized` without echoing it.
    pub fn parse(raw: &'a str) -> Result<BotToken<'a>, PublishError> {
        let bad = || {
            PublishError::Unauthorized(
                "credentials.bot_token is not a bot token (expected <digits>:<secret> from @BotFather)"
                    .into(),
            )
        };
        let (id, secret) = raw.split_once(':').ok_or_else(bad)?;
        let secret_ok = !secret.is_empty()
            && secret
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        let bot_id = id.parse::<i64>().map_err(|_| bad())?;
        if !secret_ok || bot_id <= 0 {
            return Err(bad());
        }
        Ok(BotToken { token: raw, bot_id })
    }

    /// The bot's own user id, the part before the colon.
    pub fn bot_id(&self) -> i64 {
        self.bot_id
    }

    /// `<base>/bot<TOKEN>/<method>`. The URL is a secret: only ever hand it to reqwest.
    pub fn method_url(&self, base: &Url, method: &str) -> Result<Url, PublishError> {
        let segment = format!("bot{}", self.token);
        http::endpoint(base, &[segment.as_str(), method])
    }
}

/// The `parameters` of an error answer.
#[derive(Debug, Default, Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
    migrate_to_chat_id: Option<i64>,
}

/// Every answer of the Bot API.
#[derive(Debug, Deserialize)]
struct Envelope<T> {
    ok: bool,
    result: Option<T>,
    error_code: Option<u16>,
    description: Option<String>,
    #[serde(default)]
    parameters: Option<ResponseParameters>,
}

/// Sends `request` and reads its `result`, classifying every failure for `call`.
pub async fn call<T: DeserializeOwned>(
    request: reqwest::RequestBuilder,
    call: Call,
) -> Result<T, PublishError> {
    let outcome = request.send().await;
    let response = match outcome {
        Ok(response) => response,
        // The shared classification: connect errors are refused (nothing left), timeouts and
        // resets after sending are unknown; it never carries the URL.
        Err(e) => {
            return Err(settle(
                http::classify(Err(e), ServerErrors::MaybeProcessed)
                    .await
                    .err()
                    .unwrap_or_else(|| PublishError::Unknown("no answer".into())),
                call,
            ))
        }
    };
    let status = response.status();
    let headers = response.headers().clone();
    let body = http::read_body(response, MAX_ANSWER).await.map_err(|e| {
        settle(
            PublishError::Unknown(format!("the answer could not be read: {e}")),
            call,
        )
    })?;
    if status.is_success() {
        let envelope: Envelope<T> = http::parse_json(&body).map_err(|e| settle(e, call))?;
        if envelope.ok {
            return envelope.result.ok_or_else(|| {
                settle(
                    PublishError::Unknown("Telegram said ok without a result".into()),
                    call,
                )
            });
        }
        return Err(error_from(status.as_u16(), &headers, envelope, call));
    }
    match serde_json::from_slice::<Envelope<serde_json::Value>>(&body) {
        Ok(envelope) => Err(error_from(status.as_u16(), &headers, envelope, call)),
        Err(_) => Err(bare_status(status.as_u16(), &headers, call)),
    }
}

/// For a read, an unknown outcome is as good as a refusal: nothing can have been posted.
fn settle(error: PublishError, call: Call) -> PublishError {
    match (error, call) {
        (PublishError::Unknown(message), Call::Read) => PublishError::Refused {
            message,
            retryable: true,
        },
        (error, _) => error,
    }
}

/// An error answer that is not Telegram's JSON (a proxy's page, an empty body).
fn bare_status(status: u16, headers: &HeaderMap, call: Call) -> PublishError {
    let envelope = Envelope::<serde_json::Value> {
        ok: false,
        result: None,
        error_code: Some(status),
        description: None,
        parameters: None,
    };
    error_from(status, headers, envelope, call)
}

fn error_from<T>(
    status: u16,
    headers: &HeaderMap,
    envelope: Envelope<T>,
    call: Call,
) -> PublishError {
    let code = envelope.error_code.unwrap_or(status);
    let description = clean(envelope.description.as_deref().unwrap_or(""));
    let parameters = envelope.parameters.unwrap_or_default();
    if code == 429 || status == 429 {
        let retry_after = parameters
            .retry_after
            .map(|s| Duration::from_secs(s).min(http::MAX_RETRY_AFTER))
            .or_else(|| http::retry_after(headers, SystemTime::now()));
        return PublishError::RateLimited { retry_after };
    }
    if code == 401 || code == 404 {
        // 404 is what api.telegram.org answers when the token in the path is malformed.
        return PublishError::Unauthorized(with_telegram(
            "Telegram refused the bot token; paste a current one from @BotFather",
            &description,
        ));
    }
    if (400..500).contains(&code) {
        return PublishError::Refused {
            message: refusal_message(&description, parameters.migrate_to_chat_id),
            retryable: false,
        };
    }
    let message = with_telegram(&format!("Telegram answered HTTP {code}"), &description);
    match call {
        Call::Read => PublishError::Refused {
            message,
            retryable: true,
        },
        Call::Write => PublishError::Unknown(format!("{message} (the message may have been sent)")),
    }
}

/// A plain message for a 4xx, naming what the person can do about it.
fn refusal_message(description: &str, migrate_to: Option<i64>) -> String {
    let lower = description.to_ascii_lowercase();
    let plain = if lower.contains("chat not found") {
        "Telegram cannot find this channel: check chat_id (@channelusername or the numeric id) and that the bot was added to the channel".to_string()
    } else if lower.contains("not enough rights")
        || lower.contains("administrator rights")
        || lower.contains("bot is not a member")
        || lower.contains("bot was kicked")
        || lower.contains("chat_admin_required")
    {
        "The bot may not post in this channel: make it an administrator with the right to post messages".to_string()
    } else if lower.contains("message is too long") {
        "The text is longer than Telegram's 4,096 characters".to_string()
    } else if lower.contains("caption is too long") {
        "The caption is longer than Telegram's 1,024 characters".to_string()
    } else if lower.contains("can't parse entities") {
        "Telegram could not read the message's formatting".to_string()
    } else if lower.contains("message can't be deleted") {
        "Telegram will not delete this message (bots can delete only messages younger than 48 hours)".to_string()
    } else if let Some(id) = migrate_to {
        format!("The group became a supergroup: set chat_id to {id}")
    } else {
        "Telegram refused the request".to_string()
    };
    with_telegram(&plain, description)
}

fn with_telegram(message: &str, description: &str) -> String {
    if description.is_empty() {
        message.to_string()
    } else {
        format!("{message} (Telegram: {description})")
    }
}

/// Telegram's description, single-line and short. It never holds the token.
fn clean(description: &str) -> String {
    description
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_DESCRIPTION_CHARS)
        .collect::<String>()
        .trim()
        .to_string()
}

/// A `multipart/form-data` body built in memory: text fields and files.
pub struct Multipart {
    parts: Vec<Part>,
}

enum Part {
    Text {
        name: String,
        value: String,
    },
    File {
        name: String,
        filename: String,
        mime: String,
        bytes: Vec<u8>,
    },
}

impl Multipart {
    pub fn new() -> Self {
        Self { parts: Vec::new() }
    }

    pub fn text(mut self, name: &str, value: impl Into<String>) -> Self {
        self.parts.push(Part::Text {
            name: name.to_string(),
            value: value.into(),
        });
        self
    }

    pub fn file(mut self, name: &str, filename: &str, mime: &str, bytes: Vec<u8>) -> Self {
        self.parts.push(Part::File {
            name: name.to_string(),
            filename: filename.to_string(),
            mime: mime.to_string(),
            bytes,
        });
        self
    }

    /// The content type (with its boundary) and the body. The boundary is derived from the
    /// content and lengthened until no part contains it.
    pub fn finish(self) -> (String, Vec<u8>) {
        let mut hasher = Sha256::new();
        for part in &self.parts {
            match part {
                Part::Text { value, .. } => hasher.update(value.as_bytes()),
                Part::File { bytes, .. } => hasher.update(&bytes[..bytes.len().min(4096)]),
            }
        }
        let mut boundary = format!("herald-{}", hex::encode(hasher.finalize()));
        while self.parts.iter().any(|p| p.contains(boundary.as_bytes())) {
            boundary.push('x');
        }
        let mut body = Vec::new();
        for part in self.parts {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match part {
                Part::Text { name, value } => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{}\"\r\n\r\n",
                            quote(&name)
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(value.as_bytes());
                }
                Part::File {
                    name,
                    filename,
                    mime,
                    bytes,
                } => {
                    body.extend_from_slice(
                        format!(
                            "Content-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: {}\r\n\r\n",
                            quote(&name),
                            quote(&filename),
                            mime.replace(['\r', '\n'], "")
                        )
                        .as_bytes(),
                    );
                    body.extend_from_slice(&bytes);
                }
            }
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    }
}

impl Default for Multipart {
    fn default() -> Self {
        Self::new()
    }
}

impl Part {
    fn contains(&self, needle: &[u8]) -> bool {
        let hay: &[u8] = match self {
            Part::Text { value, .. } => value.as_bytes(),
            Part::File { bytes, .. } => bytes,
        };
        hay.windows(needle.len()).any(|w| w == needle)
    }
}

/// A header parameter value: quotes and line breaks cannot be escaped portably, so they go.
fn quote(value: &str) -> String {
    value.replace(['"', '\r', '\n'], "_")
}

//! The HTTP plumbing every HTTP connector shares: building the one `reqwest` client (rustls,
//! a caller-given request timeout, no redirects), and [`classify`], the one function that turns
//! an HTTP outcome into a [`PublishError`].
//!
//! Classification is where exactly-once is won or lost, so it leans to "unknown" whenever the
//! request may have been acted on:
//!
//! - a connect error (refused, DNS, TLS handshake, connect timeout): nothing left this machine,
//!   so `Refused { retryable: true }`;
//! - a timeout or a dropped connection after the request was sent: `Unknown`;
//! - 429: `RateLimited`, with `Retry-After` as seconds or an HTTP-date (capped at a day);
//! - 401: `Unauthorized`;
//! - 408 and every 5xx: `Unknown`, because a 500/502/503/504 that arrives after the body was
//!   sent does not prove the platform did nothing (a proxy may have timed out while the
//!   platform went on). A platform that documents "a 5xx means not processed" passes
//!   [`ServerErrors::NotProcessed`] and gets `Refused { retryable: true }` instead;
//! - other 4xx: `Refused { retryable: false }`, with the platform's own message;
//! - 1xx/3xx (redirects are not followed, so a POST is never replayed elsewhere): `Unknown`.
//!
//! Messages never carry the request URL (it may hold a token) nor response bodies of
//! successful calls (they may hold tokens); error bodies are cut to a short message.

use crate::connector::PublishError;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{RequestBuilder, Response, StatusCode, Url};
use serde::de::DeserializeOwned;
use std::time::{Duration, SystemTime};

#[cfg(test)]
mod tests;

const USER_AGENT: &str = concat!("Herald/", env!("CARGO_PKG_VERSION"));
/// Connecting never needs long; a separate, shorter connect timeout makes a dead host a
/// connect error (nothing sent, retryable) rather than an overall timeout (unknown).
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A Retry-After beyond this is taken as this: one bad header must not stall a channel for years.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// How much of an error body is read to find the platform's message.
const MAX_ERROR_BODY: usize = 16 * 1024;
/// How much of a successful body is read before giving up on it.
const MAX_SUCCESS_BODY: usize = 16 * 1024 * 1024;
/// How long the platform's message in an error may be.
const MAX_MESSAGE_CHARS: usize = 300;

/// The HTTP client could not be built (the TLS backend failed to initialise).
#[derive(Debug, thiserror::Error)]
#[error("cannot build the HTTP client: {0}")]
pub struct ClientBuildError(#[source] reqwest::Error);

/// The one HTTP client for connectors: `timeout` bounds a whole request (connect, send, answer).
pub fn client(timeout: Duration) -> Result<reqwest::Client, ClientBuildError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(MAX_CONNECT_TIMEOUT))
        .redirect(reqwest::redirect::Policy::none())
        // Shorter than common server keep-alives, so a pooled connection is rarely found
        // closed by the server just as a POST goes out on it (which would read as unknown).
        .pool_idle_timeout(Duration::from_secs(30))
        .user_agent(USER_AGENT)
        .build()
        .map_err(ClientBuildError)
}

/// What a 408 or 5xx answer means on this platform.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ServerErrors {
    /// The request may have been acted on: `Unknown`. The safe default for anything that
    /// creates something.
    #[default]
    MaybeProcessed,
    /// The platform documents that such an answer means nothing was done:
    /// `Refused { retryable: true }`.
    NotProcessed,
}

/// Sends `request` and classifies the outcome; see [`classify`].
pub async fn send(
    request: RequestBuilder,
    server_errors: ServerErrors,
) -> Result<Response, PublishError> {
    classify(request.send().await, server_errors).await
}

/// Classifies an HTTP outcome as the module documentation describes: a 2xx response is
/// handed back for reading, everything else becomes a [`PublishError`].
pub async fn classify(
    outcome: Result<Response, reqwest::Error>,
    server_errors: ServerErrors,
) -> Result<Response, PublishError> {
    let response = outcome.map_err(transport_error)?;
    let status = response.status();
    if status.is_success() {
        return Ok(response);
    }
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = retry_after(response.headers(), SystemTime::now());
        return Err(PublishError::RateLimited { retry_after });
    }
    if status == StatusCode::UNAUTHORIZED {
        return Err(PublishError::Unauthorized(platform_message(response).await));
    }
    if status == StatusCode::REQUEST_TIMEOUT || status.is_server_error() {
        let message = platform_message(response).await;
        return Err(match server_errors {
            ServerErrors::MaybeProcessed => {
                PublishError::Unknown(format!("{message} (the platform may have acted on it)"))
            }
            ServerErrors::NotProcessed => PublishError::Refused {
                message,
                retryable: true,
            },
        });
    }
    if status.is_client_error() {
        return Err(PublishError::Refused {
            message: platform_message(response).await,
            retryable: false,
        });
    }
    Err(PublishError::Unknown(format!(
        "unexpected HTTP {status} (the platform may have acted on it)"
    )))
}

/// Classifies an error that came before any response.
fn transport_error(error: reqwest::Error) -> PublishError {
    let error = error.without_url();
    let detail = error_chain(&error);
    if error.is_builder() {
        PublishError::Refused {
            message: format!("the request could not be built: {detail}"),
            retryable: false,
        }
    } else if error.is_connect() {
        // Checked before the timeout: a connect timeout is both, and nothing was sent.
        PublishError::Refused {
            message: format!("could not connect: {detail}"),
            retryable: true,
        }
    } else if error.is_timeout() {
        PublishError::Unknown(format!("no answer in time after sending: {detail}"))
    } else {
        PublishError::Unknown(format!("the connection failed after sending: {detail}"))
    }
}

/// An error and its sources, joined, without repeats.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(err) = next {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    parts.join(": ")
}

/// Reads a 2xx body as JSON. A body that cannot be read or parsed leaves the outcome unknown:
/// the platform said yes, but not what it made.
pub async fn read_json<T: DeserializeOwned>(response: Response) -> Result<T, PublishError> {
    let body = read_body(response, MAX_SUCCESS_BODY)
        .await
        .map_err(|e| PublishError::Unknown(format!("the answer could not be read: {e}")))?;
    parse_json(&body)
}

/// Parses a JSON body without echoing any of it (it may hold tokens).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, PublishError> {
    serde_json::from_slice(body).map_err(|e| {
        PublishError::Unknown(format!(
            "the answer is not the expected JSON ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

/// Reads at most `limit` bytes of a body; more is an error.
pub async fn read_body(mut response: Response, limit: usize) -> Result<Vec<u8>, String> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > limit {
                    return Err(format!("the answer is larger than {limit} bytes"));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(error_chain(&e.without_url())),
        }
    }
}

/// "HTTP 422 Unprocessable Entity: <the platform's message>".
async fn platform_message(mut response: Response) -> String {
    let status = response.status();
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() >= MAX_ERROR_BODY {
            break;
        }
    }
    match message_from_body(&body) {
        Some(message) => format!("HTTP {status}: {message}"),
        None => format!("HTTP {status}"),
    }
}

/// The human message in an error body: a JSON field commonly used for it, or short plain text.
fn message_from_body(body: &[u8]) -> Option<String> {
    let message = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => message_from_json(&value, 0)?,
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let text = text.trim();
            if text.is_empty() || text.starts_with('<') {
                return None; // nothing, or an HTML error page
            }
            text.to_string()
        }
    };
    let cleaned: String = message
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(MAX_MESSAGE_CHARS)
        .collect();
    let cleaned = cleaned.trim();
    (!cleaned.is_empty()).then(|| cleaned.to_string())
}

fn message_from_json(value: &serde_json::Value, depth: u8) -> Option<String> {
    const KEYS: [&str; 7] = [
        "error_description",
        "message",
        "error",
        "detail",
        "description",
        "title",
        "errors",
    ];
    if depth > 3 {
        return None;
    }
    match value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) => message_from_json(items.first()?, depth + 1),
        serde_json::Value::Object(map) => KEYS
            .iter()
            .filter_map(|key| map.get(*key))
            .find_map(|v| message_from_json(v, depth + 1)),
        _ => None,
    }
}

/// The wait a 429 asks for, from its `Retry-After` header.
pub fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    parse_retry_after(headers.get(RETRY_AFTER)?.to_str().ok()?, now)
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date (IMF-fixdate, RFC 850 or
/// asctime). A date in the past means no wait; anything over [`MAX_RETRY_AFTER`] is capped.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    let wait = match value.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = parse_http_date(value)?;
            at.duration_since(now).unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

fn parse_http_date(value: &str) -> Option<SystemTime> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    let utc: DateTime<Utc> = if let Ok(date) = DateTime::parse_from_rfc2822(value) {
        date.with_timezone(&Utc)
    } else if let Ok(date) = NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT") {
        date.and_utc()
    } else {
        NaiveDateTime::parse_from_str(value, "%a %b %e %H:%M:%S %Y")
            .ok()?
            .and_utc()
    };
    Some(SystemTime::from(utc))
}

/// Parses a configured base URL: http or https with a host, and no user name or password in
/// it (those belong in credentials). The error names `what`, never the value.
pub fn parse_http_url(raw: &str, what: &str) -> Result<Url, PublishError> {
    let refuse = |why: &str| PublishError::Refused {
        message: format!("{what} {why}"),
        retryable: false,
    };
    let url = Url::parse(raw.trim()).map_err(|_| refuse("is not a valid URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse("must be an http:// or https:// URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must not carry a user name or password"));
    }
    Ok(url)
}

/// `base` (which may have a path prefix) with `segments` appended, each percent-encoded; the
/// base's query and fragment are dropped.
pub fn endpoint(base: &Url, segments: &[&str]) -> Result<Url, PublishError> {
    let mut url = base.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|()| PublishError::Refused {
            message: "the base URL cannot take a path".to_string(),
            retryable: false,
        })?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

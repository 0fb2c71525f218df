//! The handful of XRPC calls the connector makes to a PDS, written by hand over the shared
//! `reqwest` client: sessions, records, blobs and handle resolution.
//!
//! XRPC errors are JSON `{"error": "Name", "message": "…"}`. Outcomes are classified by
//! [`crate::http::classify`], with three Bluesky habits on top: a 429 says when to come back in
//! `ratelimit-reset` (Unix seconds); an expired or invalid token may come as a 400
//! (`ExpiredToken`, `InvalidToken`), which is `Unauthorized` all the same; and a 400's error name
//! is kept, because `RecordNotFound` is an answer, not a failure.

use crate::connector::PublishError;
use crate::http::{self, ServerErrors, MAX_RETRY_AFTER};
use reqwest::{Response, StatusCode, Url};
use serde::Deserialize;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How much of an error body is read for its name and message.
const MAX_ERROR_BODY: usize = 16 * 1024;
/// How long the platform's message in an error may be.
const MAX_MESSAGE_CHARS: usize = 300;

/// A failed call: the classified error, and the XRPC error name when a 4xx carried one.
#[derive(Debug)]
pub struct Failure {
    pub error: PublishError,
    pub name: Option<String>,
}

impl From<PublishError> for Failure {
    fn from(error: PublishError) -> Self {
        Failure { error, name: None }
    }
}

/// A session: not `Debug`, it holds tokens.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub access_jwt: String,
    pub refresh_jwt: String,
    pub did: String,
    pub handle: String,
}

/// What createRecord answers.
#[derive(Debug, Deserialize)]
pub struct Created {
    pub uri: String,
}

/// A record as getRecord answers it.
#[derive(Debug, Deserialize)]
pub struct Record {
    pub uri: String,
    #[serde(default)]
    pub cid: Option<String>,
    pub value: Value,
}

#[derive(Deserialize)]
struct XrpcError {
    error: Option<String>,
    message: Option<String>,
}

/// One PDS, reached through the shared client.
#[derive(Debug, Clone)]
pub struct Pds {
    client: reqwest::Client,
    base: Url,
}

impl Pds {
    pub fn new(client: reqwest::Client, base: Url) -> Self {
        Pds { client, base }
    }

    fn url(&self, nsid: &str) -> Result<Url, PublishError> {
        http::endpoint(&self.base, &["xrpc", nsid])
    }

    /// `com.atproto.server.createSession` with a handle (or DID, or email) and app password.
    pub async fn create_session(
        &self,
        identifier: &str,
        password: &str,
    ) -> Result<Session, Failure> {
        let request = self
            .client
            .post(self.url("com.atproto.server.createSession")?)
            .json(&json!({"identifier": identifier, "password": password}));
        let response = call(request, ServerErrors::NotProcessed).await?;
        Ok(http::read_json(response).await?)
    }

    /// `com.atproto.server.refreshSession`: the refresh token buys a new pair.
    pub async fn refresh_session(&self, refresh_jwt: &str) -> Result<Session, Failure> {
        let request = self
            .client
            .post(self.url("com.atproto.server.refreshSession")?)
            .bearer_auth(refresh_jwt);
        let response = call(request, ServerErrors::NotProcessed).await?;
        Ok(http::read_json(response).await?)
    }

    /// `com.atproto.repo.getRecord`; `Ok(None)` when the PDS says there is no such record.
    pub async fn get_record(
        &self,
        repo: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<Option<Record>, Failure> {
        let request = self
            .client
            .get(self.url("com.atproto.repo.getRecord")?)
            .query(&[("repo", repo), ("collection", collection), ("rkey", rkey)]);
        match call(request, ServerErrors::NotProcessed).await {
            Ok(response) => Ok(Some(http::read_json(response).await?)),
            Err(failure) if failure.name.as_deref() == Some("RecordNotFound") => Ok(None),
            Err(failure) => Err(failure),
        }
    }

    /// `com.atproto.identity.resolveHandle`; `Ok(None)` when the handle does not resolve.
    pub async fn resolve_handle(&self, handle: &str) -> Result<Option<String>, Failure> {
        #[derive(Deserialize)]
        struct Resolved {
            did: String,
        }
        let request = self
            .client
            .get(self.url("com.atproto.identity.resolveHandle")?)
            .query(&[("handle", handle)]);
        match call(request, ServerErrors::NotProcessed).await {
            Ok(response) => Ok(Some(http::read_json::<Resolved>(response).await?.did)),
            Err(Failure {
                error:
                    PublishError::Refused {
                        retryable: false, ..
                    },
                ..
            }) => Ok(None),
            Err(failure) => Err(failure),
        }
    }

    /// `com.atproto.repo.uploadBlob`: answers the `blob` object to put into a record.
    pub async fn upload_blob(
        &self,
        access_jwt: &str,
        bytes: Vec<u8>,
        mime: &str,
    ) -> Result<Value, Failure> {
        #[derive(Deserialize)]
        struct Uploaded {
            blob: Value,
        }
        let request = self
            .client
            .post(self.url("com.atproto.repo.uploadBlob")?)
            .bearer_auth(access_jwt)
            .header(reqwest::header::CONTENT_TYPE, mime)
            .body(bytes);
        // An unreferenced blob is discarded by the PDS, so a lost answer harms nothing.
        let response = call(request, ServerErrors::NotProcessed).await?;
        Ok(http::read_json::<Uploaded>(response).await?.blob)
    }

    /// `com.atproto.repo.createRecord` with a chosen rkey.
    pub async fn create_record(
        &self,
        access_jwt: &str,
        repo: &str,
        collection: &str,
        rkey: &str,
        record: &Value,
    ) -> Result<Created, Failure> {
        let request = self
            .client
            .post(self.url("com.atproto.repo.createRecord")?)
            .bearer_auth(access_jwt)
            .json(
                &json!({"repo": repo, "collection": collection, "rkey": rkey,
                          "record": record}),
            );
        let response = call(request, ServerErrors::MaybeProcessed).await?;
        Ok(http::read_json(response).await?)
    }

    /// Any XRPC query (a GET), with the session's token when given, read as JSON.
    pub async fn query(
        &self,
        access_jwt: Option<&str>,
        nsid: &str,
        query: &[(&str, &str)],
    ) -> Result<Value, Failure> {
        let mut request = self.client.get(self.url(nsid)?).query(query);
        if let Some(token) = access_jwt {
            request = request.bearer_auth(token);
        }
        let response = call(request, ServerErrors::NotProcessed).await?;
        Ok(http::read_json(response).await?)
    }

    /// `com.atproto.repo.deleteRecord`.
    pub async fn delete_record(
        &self,
        access_jwt: &str,
        repo: &str,
        collection: &str,
        rkey: &str,
    ) -> Result<(), Failure> {
        let request = self
            .client
            .post(self.url("com.atproto.repo.deleteRecord")?)
            .bearer_auth(access_jwt)
            .json(&json!({"repo": repo, "collection": collection, "rkey": rkey}));
        call(request, ServerErrors::MaybeProcessed).await.map(drop)
    }

    /// `app.bsky.actor.getProfile`, which the PDS answers by asking its AppView.
    pub async fn get_profile(&self, access_jwt: &str, actor: &str) -> Result<Value, Failure> {
        let request = self
            .client
            .get(self.url("app.bsky.actor.getProfile")?)
            .bearer_auth(access_jwt)
            .query(&[("actor", actor)]);
        let response = call(request, ServerErrors::NotProcessed).await?;
        Ok(http::read_json(response).await?)
    }
}

/// Sends an XRPC request and classifies the outcome (see the module documentation).
pub async fn call(
    request: reqwest::RequestBuilder,
    server_errors: ServerErrors,
) -> Result<Response, Failure> {
    let response = match request.send().await {
        Ok(response) => response,
        Err(e) => {
            let error = http::classify(Err(e), server_errors).await.err();
            return Err(Failure::from(error.unwrap_or_else(|| {
                PublishError::Unknown("the request failed without an error".to_string())
            })));
        }
    };
    let status = response.status();
    if status == StatusCode::TOO_MANY_REQUESTS {
        let retry_after = ratelimit_reset(response.headers(), SystemTime::now())
            .or_else(|| http::retry_after(response.headers(), SystemTime::now()));
        return Err(PublishError::RateLimited { retry_after }.into());
    }
    if !status.is_client_error() {
        return http::classify(Ok(response), server_errors)
            .await
            .map_err(Failure::from);
    }
    let body = http::read_body(response, MAX_ERROR_BODY)
        .await
        .unwrap_or_default();
    let parsed: Option<XrpcError> = serde_json::from_slice(&body).ok();
    let name = parsed.as_ref().and_then(|e| e.error.clone());
    let message = describe(status, parsed.as_ref());
    let auth = status == StatusCode::UNAUTHORIZED
        || matches!(
            name.as_deref(),
            Some("ExpiredToken" | "InvalidToken" | "AuthRequired")
        );
    let error = if auth {
        PublishError::Unauthorized(message)
    } else {
        PublishError::Refused {
            message,
            retryable: false,
        }
    };
    Err(Failure { error, name })
}

/// "HTTP 400 Bad Request: InvalidRequest: grapheme too big …", cut short and cleaned.
fn describe(status: StatusCode, error: Option<&XrpcError>) -> String {
    let mut text = format!("HTTP {status}");
    if let Some(error) = error {
        for part in [&error.error, &error.message].into_iter().flatten() {
            text.push_str(": ");
            text.extend(
                part.chars()
                    .map(|c| if c.is_control() { ' ' } else { c })
                    .take(MAX_MESSAGE_CHARS),
            );
        }
    }
    text
}

/// The wait until `ratelimit-reset` (Unix seconds), capped like every other wait.
pub fn ratelimit_reset(headers: &reqwest::header::HeaderMap, now: SystemTime) -> Option<Duration> {
    let reset: u64 = headers
        .get("ratelimit-reset")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let at = UNIX_EPOCH + Duration::from_secs(reset);
    Some(
        at.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};

    #[test]
    fn bluesky_ratelimit_reset_is_unix_seconds() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000);
        let mut headers = HeaderMap::new();
        headers.insert("ratelimit-reset", HeaderValue::from_static("1030"));
        assert_eq!(
            ratelimit_reset(&headers, now),
            Some(Duration::from_secs(30))
        );
        headers.insert("ratelimit-reset", HeaderValue::from_static("10"));
        assert_eq!(ratelimit_reset(&headers, now), Some(Duration::ZERO));
        headers.insert("ratelimit-reset", HeaderValue::from_static("99999999999"));
        assert_eq!(ratelimit_reset(&headers, now), Some(MAX_RETRY_AFTER));
        headers.insert("ratelimit-reset", HeaderValue::from_static("soon"));
        assert_eq!(ratelimit_reset(&headers, now), None);
    }

    #[test]
    fn bluesky_errors_are_described_with_name_and_message() {
        let error = XrpcError {
            error: Some("InvalidRequest".into()),
            message: Some("grapheme too big\n(maximum 300, got 301)".into()),
        };
        assert_eq!(
            describe(StatusCode::BAD_REQUEST, Some(&error)),
            "HTTP 400 Bad Request: InvalidRequest: grapheme too big (maximum 300, got 301)"
        );
        assert_eq!(describe(StatusCode::NOT_FOUND, None), "HTTP 404 Not Found");
    }
}

//! `ApiJson<T>`: the JSON body extractor for the API. Unlike axum's `Json`, its rejections use
//! Herald's error shape and name the offending field (via serde_path_to_error), so a client
//! always learns which field was wrong.

use crate::error::{ApiError, ErrorCode};
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let mime = ct.split(';').next().unwrap_or("").trim();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::field(
                ErrorCode::UnsupportedMediaType,
                "content-type",
                "send the body as JSON with 'Content-Type: application/json'",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            if rej.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::field(
                    ErrorCode::PayloadTooLarge,
                    "body",
                    "the body is larger than 1 MiB",
                )
            } else {
                ApiError::field(ErrorCode::MalformedJson, "body", rej.body_text())
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses a JSON body, naming the field that failed.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => ApiError::field(
                ErrorCode::MalformedJson,
                "body",
                format!("the body is not valid JSON: {inner}"),
            ),
            Category::Data => {
                let text = inner.to_string();
                let field = field_name(&path, &text);
                ApiError::field(ErrorCode::InvalidField, field, strip_position(&text))
            }
        }
    })
}

/// The field a data error is about: the path serde reached, or the name serde quoted in
/// its message (for `unknown field` and `missing field`, whose path is the parent).
fn field_name(path: &str, message: &str) -> String {
    let quoted = message
        .split('`')
        .nth(1)
        .filter(|_| message.starts_with("unknown field") || message.starts_with("missing field"));
    match (path, quoted) {
        (".", Some(q)) => q.to_string(),
        (p, Some(q)) if p == q || p.ends_with(&format!(".{q}")) => p.to_string(),
        (p, Some(q)) => format!("{p}.{q}"),
        (".", None) => "body".to_string(),
        (p, None) => p.to_string(),
    }
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        count: u32,
    }

    #[test]
    fn names_the_field() {
        let e = parse::<Body>(br#"{"name":"a","bogus":1}"#).unwrap_err();
        assert_eq!(
            (e.code, e.field.as_deref()),
            (ErrorCode::InvalidField, Some("bogus"))
        );
        let e = parse::<Body>(br#"{}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        let e = parse::<Body>(br#"{"name":5}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("name"));
        let e = parse::<Body>(br#"{"name":"a","inner":{"count":-1}}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("inner.count"));
        let e = parse::<Body>(br#"{"name":"a","inner":{"x":1}}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("inner.x"));
        let e = parse::<Body>(br#"{"name":"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::MalformedJson);
    }
}

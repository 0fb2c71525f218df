//! OK's REST transport: request signing, one signed call to `fb.do`, and the mapping of OK's
//! error bodies (`{"error_code","error_msg","error_data"}`, sent with HTTP 200) onto
//! [`PublishError`]. Nothing here knows about posts; `mod.rs` builds on it.
//!
//! Signing (apiok.ru, "List of REST methods"): `secret = md5(access_token +
//! application_secret_key)` in lowercase hex; every parameter except `access_token`,
//! `session_key` and `sig`, sorted by key, joined as `k=v` with no separator;
//! `sig = md5(joined + secret)` in lowercase hex.

use crate::connector::PublishError;
use crate::http::{self, ServerErrors};
use md5::{Digest, Md5};
use reqwest::Url;
use serde_json::Value;

/// Where OK's API lives when `settings.api_base` is not set.
pub const DEFAULT_API_BASE: &str = "https://api.ok.ru/";

/// OK's error codes that Herald tells apart (apiok.ru error table; see docs/platforms/ok.md).
pub mod code {
    pub const UNKNOWN: i64 = 1;
    pub const SERVICE: i64 = 2;
    pub const METHOD: i64 = 3;
    pub const ACTION_BLOCKED: i64 = 7;
    pub const FLOOD_BLOCKED: i64 = 8;
    pub const IP_BLOCKED: i64 = 9;
    pub const PERMISSION_DENIED: i64 = 10;
    pub const LIMIT_REACHED: i64 = 11;
    pub const NOT_OWNER: i64 = 24;
    pub const NOT_ADMIN: i64 = 50;
    pub const PARAM: i64 = 100;
    pub const PARAM_API_KEY: i64 = 101;
    pub const PARAM_SESSION_EXPIRED: i64 = 102;
    pub const PARAM_SESSION_KEY: i64 = 103;
    pub const PARAM_SIGNATURE: i64 = 104;
    pub const PARAM_RESIGNATURE: i64 = 105;
    pub const PARAM_GROUP_ID: i64 = 160;
    pub const PARAM_PERMISSION: i64 = 200;
    pub const NOT_FOUND: i64 = 300;
    pub const GROUP_RESTRICTION: i64 = 456;
    pub const MEDIA_TOPIC_BLOCK_LIMIT: i64 = 600;
    pub const MEDIA_TOPIC_TEXT_LIMIT: i64 = 601;
    pub const SYSTEM: i64 = 9999;
}

/// Lowercase hex MD5 of `data`.
pub fn md5_hex(data: &[u8]) -> String {
    hex::encode(Md5::digest(data))
}

/// The session secret a call is signed with: `md5(access_token + application_secret_key)`.
pub fn session_secret(access_token: &str, application_secret_key: &str) -> String {
    md5_hex(format!("{access_token}{application_secret_key}").as_bytes())
}

/// OK's request signature over `params` (in any order) with `secret` from
/// [`session_secret`]. `access_token`, `session_key` and `sig` are left out, as OK does.
pub fn signature(params: &[(String, String)], secret: &str) -> String {
    let mut signed: Vec<&(String, String)> = params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "access_token" | "session_key" | "sig"))
        .collect();
    signed.sort_by(|a, b| a.0.cmp(&b.0));
    let mut joined = String::new();
    for (k, v) in signed {
        joined.push_str(k);
        joined.push('=');
        joined.push_str(v);
    }
    joined.push_str(secret);
    md5_hex(joined.as_bytes())
}

/// Whether a failed call could have changed something on OK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// A lookup: an unexplained failure is retryable and nothing was made.
    Reads,
    /// Creates or deletes: an unexplained failure leaves the outcome unknown.
    Writes,
}

/// An error body as OK sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OkError {
    pub code: i64,
    pub message: String,
}

impl OkError {
    /// The error in `body`, if it is one: an object with a numeric `error_code`.
    pub fn from_body(body: &Value) -> Option<OkError> {
        let code = body.get("error_code")?.as_i64()?;
        let message = body
            .get("error_msg")
            .and_then(Value::as_str)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_control())
            .take(300)
            .collect();
        Some(OkError { code, message })
    }

    /// What this error means for the caller.
    pub fn classify(&self, effect: Effect) -> PublishError {
        let text = format!("OK error {}: {}", self.code, self.message);
        let refused = |message: String| PublishError::Refused {
            message,
            retryable: false,
        };
        match self.code {
            code::PARAM_SESSION_EXPIRED | code::PARAM_SESSION_KEY | code::PARAM_API_KEY => {
                PublishError::Unauthorized(format!("{text}: reconnect the channel"))
            }
            code::PARAM_SIGNATURE | code::PARAM_RESIGNATURE => refused(format!(
                "{text}: OK refused the request signature; either credentials.application_secret_key \
                 does not belong to settings.application_key, or Herald signed the call wrongly"
            )),
            code::FLOOD_BLOCKED | code::LIMIT_REACHED | code::ACTION_BLOCKED => {
                PublishError::RateLimited { retry_after: None }
            }
            code::IP_BLOCKED => PublishError::Refused {
                message: text,
                retryable: true,
            },
            code::PERMISSION_DENIED
            | code::PARAM_PERMISSION
            | code::NOT_ADMIN
            | code::NOT_OWNER
            | code::GROUP_RESTRICTION => refused(format!(
                "{text}: the token lacks a permission (GROUP_CONTENT, PHOTO_CONTENT) or is not \
                 an administrator of the group"
            )),
            code::UNKNOWN | code::SERVICE | code::SYSTEM => match effect {
                Effect::Reads => PublishError::Refused {
                    message: text,
                    retryable: true,
                },
                Effect::Writes => {
                    PublishError::Unknown(format!("{text} (OK may have acted on it)"))
                }
            },
            code if code >= 5000 && effect == Effect::Writes => {
                PublishError::Unknown(format!("{text} (OK may have acted on it)"))
            }
            _ => refused(text),
        }
    }
}

/// What one signed call needs besides its own parameters. Its `Debug` hides the token and
/// the secret.
#[derive(Clone)]
pub struct Signer<'a> {
    pub endpoint: Url,
    pub application_key: &'a str,
    pub access_token: &'a str,
    pub application_secret_key: &'a str,
}

impl std::fmt::Debug for Signer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("endpoint", &self.endpoint.as_str())
            .field("application_key", &self.application_key)
            .field("access_token", &"[redacted]")
            .field("application_secret_key", &"[redacted]")
            .finish()
    }
}

impl Signer<'_> {
    /// The complete form of a call: `method`, `params`, `application_key`, `format=json`,
    /// then `sig` and `access_token`.
    pub fn form(&self, method: &str, params: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut form: Vec<(String, String)> = vec![
            ("application_key".into(), self.application_key.into()),
            ("format".into(), "json".into()),
            ("method".into(), method.into()),
        ];
        form.extend(params.iter().map(|(k, v)| ((*k).into(), (*v).into())));
        let secret = session_secret(self.access_token, self.application_secret_key);
        let sig = signature(&form, &secret);
        form.push(("sig".into(), sig));
        form.push(("access_token".into(), self.access_token.into()));
        form
    }

    /// Calls `method` and answers its JSON result, OK's error bodies mapped by `effect`.
    pub async fn call(
        &self,
        client: &reqwest::Client,
        method: &str,
        params: &[(&str, &str)],
        effect: Effect,
    ) -> Result<Value, PublishError> {
        self.call_raw(client, method, params, effect)
            .await?
            .map_err(|error| error.classify(effect))
    }

    /// Like [`Signer::call`], but hands OK's own error back unclassified.
    pub async fn call_raw(
        &self,
        client: &reqwest::Client,
        method: &str,
        params: &[(&str, &str)],
        effect: Effect,
    ) -> Result<Result<Value, OkError>, PublishError> {
        let request = client
            .post(self.endpoint.clone())
            .form(&self.form(method, params));
        let server_errors = match effect {
            Effect::Reads => ServerErrors::NotProcessed,
            Effect::Writes => ServerErrors::MaybeProcessed,
        };
        let response = http::send(request, server_errors).await?;
        let body: Value = http::read_json(response).await?;
        Ok(match OkError::from_body(&body) {
            Some(error) => Err(error),
            None => Ok(body),
        })
    }
}

/// `base` + `fb.do`.
pub fn fb_do(base: &Url) -> Result<Url, PublishError> {
    http::endpoint(base, &["fb.do"])
}

/// A string or number id as a string (OK sends ids as strings, but not always).
pub fn id_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A counter that may be sent as a number or a numeric string.
pub fn count(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

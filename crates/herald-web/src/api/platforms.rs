//! The platform registry as the UI and clients see it, and the text check behind the
//! composer's live counter — the same function the engine and the CLI use.

use crate::error::{ApiError, ApiResult, ErrorBody, ErrorCode};
use crate::json::ApiJson;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use herald_domain::text::{check_text, media_rules, text_rules, TextCheck, TextContext};
use herald_domain::Platform;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PlatformOut {
    /// The id a channel is connected with.
    #[schema(example = "vk")]
    pub id: String,
    pub name: String,
    /// Whether channels of this platform can be connected in this build.
    pub available: bool,
    /// Whose text and media rules apply.
    pub rules: String,
    #[schema(value_type = Object)]
    pub capabilities: serde_json::Value,
    /// `native` or `none`.
    pub idempotency: String,
    /// `none`, `paste`, `oauth`, or `unavailable`.
    pub connect: String,
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    #[schema(value_type = Object)]
    pub text: serde_json::Value,
    #[schema(value_type = Object)]
    pub media: serde_json::Value,
}

fn json<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

fn word<T: Serialize>(v: &T) -> String {
    json(v).as_str().unwrap_or_default().to_string()
}

/// Every platform Herald can publish to, with its capabilities and text and media limits.
#[utoipa::path(get, path = "/api/v1/platforms", tag = "publishing",
    responses((status = 200, body = Vec<PlatformOut>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    _me: crate::auth::CurrentUser,
) -> Json<Vec<PlatformOut>> {
    let mut out: Vec<PlatformOut> = state
        .registry
        .list()
        .into_iter()
        .map(|p| PlatformOut {
            id: p.id.to_string(),
            name: p.name.to_string(),
            available: true,
            rules: p.rules.as_str().to_string(),
            capabilities: json(&p.capabilities),
            idempotency: word(&p.idempotency),
            connect: word(&p.connect),
            fields: json(&p.fields),
            text: json(&text_rules(p.rules, &TextContext::default())),
            media: json(&media_rules(p.rules)),
        })
        .collect();
    // Platforms whose rules Herald knows but which this build cannot connect yet: listed so
    // the composer and clients can still check text and media against them.
    for p in Platform::ALL {
        if out.iter().any(|o| o.id == p.as_str()) {
            continue;
        }
        out.push(PlatformOut {
            id: p.as_str().to_string(),
            name: p.display_name().to_string(),
            available: false,
            rules: p.as_str().to_string(),
            capabilities: json(&herald_platforms::Capabilities::default()),
            idempotency: "none".to_string(),
            connect: "unavailable".to_string(),
            fields: serde_json::json!([]),
            text: json(&text_rules(p, &TextContext::default())),
            media: json(&media_rules(p)),
        });
    }
    Json(out)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TextCheckRequest {
    /// A platform name (vk, telegram, x, …) or a connector id (sandbox, webhook).
    pub platform: String,
    pub text: String,
    /// Telegram: the text is a media caption.
    #[serde(default)]
    pub caption: bool,
    /// Mastodon: the instance's limit.
    pub instance_limit: Option<usize>,
}

/// Resolves a platform name or a connector id to the rules that apply.
pub fn rules_for(state: &AppState, name: &str) -> Result<Platform, ApiError> {
    if let Some(c) = state.registry.get(name) {
        return Ok(c.info().rules);
    }
    Platform::parse(name)
        .map_err(|e| ApiError::field(ErrorCode::InvalidField, "platform", e.message))
}

/// Counts text the way the platform does: `{"platform","length","limit","ok","unit","problems"}`.
#[utoipa::path(post, path = "/api/v1/text/check", tag = "publishing", request_body = TextCheckRequest,
    responses((status = 200, description = "The count", body = Object), (status = 422, body = ErrorBody)))]
pub async fn text_check(
    State(state): State<AppState>,
    _me: crate::auth::CurrentUser,
    ApiJson(body): ApiJson<TextCheckRequest>,
) -> ApiResult<Json<TextCheck>> {
    let platform = rules_for(&state, &body.platform)?;
    let ctx = TextContext {
        telegram_caption: body.caption,
        mastodon_limit: body.instance_limit,
        ..Default::default()
    };
    Ok(Json(check_text(platform, &body.text, &ctx)))
}

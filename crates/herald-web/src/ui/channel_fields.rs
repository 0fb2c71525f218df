//! The inputs of a connect form, from the fields a connector declares
//! (`PlatformInfo.fields`), with the words people need: a label, where to find the value, and
//! the right input (secrets as password inputs, flags as checkboxes).
//!
//! A connector only names its keys; how each key is shown and explained is UI text, so it
//! lives here and in the message catalogue. A key this table does not know still gets an
//! input, labelled with the key itself.

use super::flash::Errors;
use crate::i18n::Tr;
use herald_platforms::PlatformInfo;
use serde_json::{Map, Value};

/// How one known key is shown: `(platform, key, input type, label key, help key)`.
const KNOWN: [(&str, &str, &str, &str, &str); 25] = [
    (
        "webhook",
        "url",
        "url",
        "channels.field.webhook.url",
        "channels.field.webhook.url_help",
    ),
    (
        "webhook",
        "secret",
        "password",
        "channels.field.webhook.secret",
        "channels.field.webhook.secret_help",
    ),
    (
        "webhook",
        "receiver_dedupes",
        "checkbox",
        "channels.field.webhook.receiver_dedupes",
        "channels.field.webhook.receiver_dedupes_help",
    ),
    (
        "vk",
        "group_id",
        "text",
        "channels.field.vk.group_id",
        "channels.field.vk.group_id_help",
    ),
    (
        "vk",
        "access_token",
        "password",
        "channels.field.vk.access_token",
        "channels.field.vk.access_token_help",
    ),
    (
        "ok",
        "gid",
        "text",
        "channels.field.ok.gid",
        "channels.field.ok.gid_help",
    ),
    (
        "ok",
        "application_key",
        "text",
        "channels.field.ok.application_key",
        "channels.field.ok.application_key_help",
    ),
    (
        "ok",
        "access_token",
        "password",
        "channels.field.ok.access_token",
        "channels.field.ok.access_token_help",
    ),
    (
        "ok",
        "application_secret_key",
        "password",
        "channels.field.ok.application_secret_key",
        "channels.field.ok.application_secret_key_help",
    ),
    (
        "telegram",
        "chat_id",
        "text",
        "channels.field.telegram.chat_id",
        "channels.field.telegram.chat_id_help",
    ),
    (
        "telegram",
        "bot_token",
        "password",
        "channels.field.telegram.bot_token",
        "channels.field.telegram.bot_token_help",
    ),
    (
        "mastodon",
        "instance",
        "url",
        "channels.field.mastodon.instance",
        "channels.field.mastodon.instance_help",
    ),
    (
        "mastodon",
        "access_token",
        "password",
        "channels.field.mastodon.access_token",
        "channels.field.mastodon.access_token_help",
    ),
    (
        "bluesky",
        "handle",
        "text",
        "channels.field.bluesky.handle",
        "channels.field.bluesky.handle_help",
    ),
    (
        "bluesky",
        "app_password",
        "password",
        "channels.field.bluesky.app_password",
        "channels.field.bluesky.app_password_help",
    ),
    (
        "bluesky",
        "service",
        "url",
        "channels.field.bluesky.service",
        "channels.field.bluesky.service_help",
    ),
    (
        "vk",
        "callback_confirmation",
        "text",
        "channels.field.vk.callback_confirmation",
        "channels.field.vk.callback_confirmation_help",
    ),
    (
        "vk",
        "callback_secret",
        "password",
        "channels.field.vk.callback_secret",
        "channels.field.vk.callback_secret_help",
    ),
    (
        "gbp",
        "account_id",
        "text",
        "channels.field.gbp.account_id",
        "channels.field.gbp.account_id_help",
    ),
    (
        "gbp",
        "location_id",
        "text",
        "channels.field.gbp.location_id",
        "channels.field.gbp.location_id_help",
    ),
    (
        "gbp",
        "access_token",
        "password",
        "channels.field.gbp.access_token",
        "channels.field.gbp.access_token_help",
    ),
    (
        "trustpilot",
        "business_unit_id",
        "text",
        "channels.field.trustpilot.business_unit_id",
        "channels.field.trustpilot.business_unit_id_help",
    ),
    (
        "trustpilot",
        "business_user_id",
        "text",
        "channels.field.trustpilot.business_user_id",
        "channels.field.trustpilot.business_user_id_help",
    ),
    (
        "trustpilot",
        "access_token",
        "password",
        "channels.field.trustpilot.access_token",
        "channels.field.trustpilot.access_token_help",
    ),
    (
        "bluesky",
        "inbox_source",
        "text",
        "channels.field.bluesky.inbox_source",
        "channels.field.bluesky.inbox_source_help",
    ),
];

/// The message key of a platform's help text: what it is and where its credentials come from.
pub fn platform_help(platform: &str) -> &'static str {
    match platform {
        "sandbox" => "channels.platform.sandbox",
        "webhook" => "channels.platform.webhook",
        "vk" => "channels.platform.vk",
        "ok" => "channels.platform.ok",
        "telegram" => "channels.platform.telegram",
        "mastodon" => "channels.platform.mastodon",
        "bluesky" => "channels.platform.bluesky",
        "gbp" => "channels.platform.gbp",
        "trustpilot" => "channels.platform.trustpilot",
        _ => "channels.platform.other",
    }
}

/// One input of a connect or reconnect form.
#[derive(Debug, Clone)]
pub struct FieldView {
    pub input_id: String,
    /// The form field's name: `field.<key>`.
    pub name: String,
    pub key: &'static str,
    pub label: String,
    pub help: Option<&'static str>,
    /// `text`, `url`, `password` or `checkbox`.
    pub kind: &'static str,
    pub required: bool,
    /// What was entered (never a secret).
    pub value: String,
    pub checked: bool,
    pub error: Option<String>,
}

fn kind_of(platform: &str, key: &str, secret: bool) -> &'static str {
    KNOWN
        .iter()
        .find(|(p, k, ..)| *p == platform && *k == key)
        .map(|(_, _, kind, ..)| *kind)
        .unwrap_or(if secret { "password" } else { "text" })
}

fn view(
    tr: Tr,
    info: &PlatformInfo,
    f: &herald_platforms::Field,
    input_id: String,
    entered: &str,
) -> FieldView {
    let known = KNOWN.iter().find(|(p, k, ..)| *p == info.id && *k == f.key);
    let kind = kind_of(info.id, f.key, f.secret);
    FieldView {
        input_id,
        name: format!("field.{}", f.key),
        key: f.key,
        label: known.map_or_else(|| f.key.replace('_', " "), |k| tr.get(k.3).to_string()),
        help: known.map(|k| tr.get(k.4)),
        kind,
        required: f.required,
        value: if f.secret || kind == "checkbox" {
            String::new()
        } else {
            entered.to_string()
        },
        checked: kind == "checkbox" && is_on(entered),
        error: None,
    }
}

fn entered<'a>(form: &'a [(String, String)], key: &str) -> &'a str {
    let name = format!("field.{key}");
    form.iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn is_on(v: &str) -> bool {
    matches!(v, "on" | "true" | "1" | "yes")
}

/// Every input of `info`'s connect form, with what was entered in `form` (secrets excepted).
pub fn fields(tr: Tr, info: &PlatformInfo, form: &[(String, String)]) -> Vec<FieldView> {
    info.fields
        .iter()
        .map(|f| {
            let id = format!("connect-{}-{}", info.id, f.key);
            view(tr, info, f, id, entered(form, f.key))
        })
        .collect()
}

/// The secret inputs of `info`, for reconnecting channel `channel`.
pub fn secret_fields(tr: Tr, info: &PlatformInfo, channel: i64) -> Vec<FieldView> {
    info.fields
        .iter()
        .filter(|f| f.secret)
        .map(|f| view(tr, info, f, format!("reconnect-{channel}-{}", f.key), ""))
        .collect()
}

/// The settings and credentials objects from a submitted form: checkboxes as booleans,
/// blank text left out.
pub fn collect(info: &PlatformInfo, form: &[(String, String)]) -> (Value, Value) {
    let mut settings = Map::new();
    let mut credentials = Map::new();
    for f in info.fields {
        let raw = entered(form, f.key);
        let value = if kind_of(info.id, f.key, f.secret) == "checkbox" {
            Value::Bool(is_on(raw))
        } else if raw.trim().is_empty() {
            continue;
        } else {
            Value::String(raw.trim().to_string())
        };
        let target = if f.secret {
            &mut credentials
        } else {
            &mut settings
        };
        target.insert(f.key.to_string(), value);
    }
    (Value::Object(settings), Value::Object(credentials))
}

/// The field a platform's refusal names (`settings.url is not a valid URL`), and the rest of
/// the message; `form` and the whole message when it names none.
pub fn field_named_in<'a>(info: &PlatformInfo, message: &'a str) -> (&'static str, &'a str) {
    for f in info.fields {
        for prefix in ["settings.", "credentials."] {
            let named = format!("{prefix}{}", f.key);
            if let Some(rest) = message.strip_prefix(&named) {
                let rest = rest.trim();
                if rest.is_empty() || rest.starts_with(|c: char| c.is_alphabetic()) {
                    return (f.key, if rest.is_empty() { message } else { rest });
                }
            }
        }
    }
    ("form", message)
}

/// Refusals every HTTP connector words the same way (`herald_platforms::http`), with the
/// visitor's words for them; anything else is shown as the platform said it.
const KNOWN_REFUSALS: [(&str, &str); 6] = [
    ("is required", "channels.err.required"),
    ("is not a valid URL", "channels.err.url"),
    ("must be an http:// or https:// URL", "channels.err.url"),
    ("has no host", "channels.err.url"),
    (
        "must not carry a user name or password",
        "channels.err.url_userinfo",
    ),
    (
        "must be at least 16 characters long",
        "channels.err.secret_short",
    ),
];

/// The rest of a refusal that named its field, in the visitor's words where they are known.
pub fn refusal_text(tr: Tr, rest: &str) -> String {
    KNOWN_REFUSALS
        .iter()
        .find(|(said, _)| *said == rest)
        .map_or_else(|| rest.to_string(), |(_, key)| tr.get(key).to_string())
}

/// Puts each field's first error on its input.
pub fn mark(fields: &mut [FieldView], errors: &Errors) {
    for f in fields {
        f.error = errors.get(f.key).map(str::to_string);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_domain::Language;

    fn webhook() -> PlatformInfo {
        herald_platforms::Registry::new(std::time::Duration::from_secs(1))
            .get("webhook")
            .unwrap()
            .info()
            .clone()
    }

    #[test]
    fn every_listed_connector_field_has_a_label_and_help() {
        let registry = herald_platforms::Registry::new(std::time::Duration::from_secs(5));
        for info in registry.list() {
            assert_ne!(
                platform_help(info.id),
                "channels.platform.other",
                "{}",
                info.id
            );
            for f in info.fields {
                assert!(
                    KNOWN.iter().any(|(p, k, ..)| *p == info.id && *k == f.key),
                    "{}.{} has no label",
                    info.id,
                    f.key
                );
            }
        }
    }

    #[test]
    fn webhook_fields_are_explained_and_secrets_hidden() {
        let info = webhook();
        let form = vec![
            (
                "field.url".to_string(),
                " https://hooks.example/x ".to_string(),
            ),
            ("field.secret".to_string(), "0123456789abcdef".to_string()),
            ("field.receiver_dedupes".to_string(), "on".to_string()),
        ];
        let shown = fields(Tr(Language::Ru), &info, &form);
        let kinds: Vec<_> = shown.iter().map(|f| f.kind).collect();
        assert_eq!(kinds, ["url", "password", "checkbox"]);
        assert_eq!(shown[1].value, "", "a secret is never echoed");
        assert!(shown[2].checked);
        assert!(shown.iter().all(|f| f.help.is_some()));
        let (settings, credentials) = collect(&info, &form);
        assert_eq!(
            settings,
            serde_json::json!({"url": "https://hooks.example/x", "receiver_dedupes": true})
        );
        assert_eq!(
            credentials,
            serde_json::json!({"secret": "0123456789abcdef"})
        );
    }

    #[test]
    fn refusals_land_on_the_field_they_name() {
        let info = webhook();
        assert_eq!(
            field_named_in(&info, "settings.url is not a valid URL"),
            ("url", "is not a valid URL")
        );
        assert_eq!(
            field_named_in(
                &info,
                "credentials.secret must be at least 16 characters long"
            ),
            ("secret", "must be at least 16 characters long")
        );
        assert_eq!(field_named_in(&info, "nope"), ("form", "nope"));
        let ru = Tr(Language::Ru);
        assert_eq!(
            refusal_text(ru, "must be at least 16 characters long"),
            "Не короче 16 символов."
        );
        assert_eq!(
            refusal_text(ru, "the receiver said no"),
            "the receiver said no"
        );
    }
}

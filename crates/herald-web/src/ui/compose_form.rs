//! The composer's form as submitted, and as shown again.
//!
//! The form is `multipart/form-data` so that a file can ride along with the post (the browser
//! always sends it that way); plain `application/x-www-form-urlencoded` is read too, which is
//! what a form without a file amounts to. [`ComposeValues`] is what the person entered, kept
//! as text so the page can show it back unchanged next to the errors; [`ComposeValues::input`]
//! turns it into the [`PostInput`] that the API's validation takes.

use super::UiError;
use crate::i18n::Tr;
use crate::publishing::{PostInput, VariantInput};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Form, FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use herald_domain::publishing::Post;
use std::collections::BTreeMap;

/// A file chosen in the form.
pub struct Upload {
    pub name: String,
    pub bytes: Bytes,
}

/// The submitted composer form: its text fields in order, and the file if one was chosen.
pub struct ComposeForm {
    pub fields: Vec<(String, String)>,
    pub file: Option<Upload>,
}

impl ComposeForm {
    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

fn refuse(req_tr: Tr, status: StatusCode) -> Response {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        UiError::TooLarge(req_tr).into_response()
    } else {
        UiError::Invalid(req_tr).into_response()
    }
}

impl FromRequest<AppState> for ComposeForm {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let tr = Tr(super::language(None, req.headers()));
        let multipart = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if !multipart {
            let Form(fields) = Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(|e| refuse(tr, e.status()))?;
            return Ok(ComposeForm { fields, file: None });
        }
        let mut parts = Multipart::from_request(req, state)
            .await
            .map_err(|e| refuse(tr, e.status()))?;
        let mut form = ComposeForm {
            fields: vec![],
            file: None,
        };
        while let Some(field) = parts
            .next_field()
            .await
            .map_err(|e| refuse(tr, e.status()))?
        {
            let name = field.name().unwrap_or_default().to_string();
            if name == "file" {
                let file_name = field.file_name().unwrap_or_default().to_string();
                let bytes = field.bytes().await.map_err(|e| refuse(tr, e.status()))?;
                if !bytes.is_empty() {
                    form.file = Some(Upload {
                        name: file_name,
                        bytes,
                    });
                }
            } else {
                let text = field.text().await.map_err(|e| refuse(tr, e.status()))?;
                form.fields.push((name, text));
            }
        }
        Ok(form)
    }
}

/// One channel's overrides as entered.
#[derive(Debug, Clone, Default)]
pub struct Override {
    pub text: String,
    pub link: String,
    pub first_comment: String,
}

impl Override {
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty()
            && self.link.trim().is_empty()
            && self.first_comment.trim().is_empty()
    }
}

/// What the person entered, as text.
#[derive(Debug, Clone, Default)]
pub struct ComposeValues {
    pub text: String,
    pub link: String,
    pub first_comment: String,
    /// Comma-separated.
    pub labels: String,
    /// The `datetime-local` value, in the workspace's zone.
    pub scheduled_at: String,
    pub channels: Vec<i64>,
    pub media: Vec<i64>,
    pub overrides: BTreeMap<i64, Override>,
    /// The content pillar's id, or "".
    pub pillar: String,
    /// The responsible member's user id, or "".
    pub assignee: String,
    /// The content plan's open slot this new post fills (`plan_slots.id`), or "".
    pub slot: String,
}

fn ids(form: &ComposeForm, name: &str) -> Vec<i64> {
    let mut out: Vec<i64> = form
        .fields
        .iter()
        .filter(|(k, _)| k == name)
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    out.dedup();
    out
}

/// Blank is absent.
fn some(v: &str) -> Option<String> {
    (!v.trim().is_empty()).then(|| v.to_string())
}

impl ComposeValues {
    /// The values of a submitted form. Overrides are named `v.<channel>.text`, `.link` and
    /// `.first_comment`.
    pub fn from_form(form: &ComposeForm) -> Self {
        let mut overrides: BTreeMap<i64, Override> = BTreeMap::new();
        for (k, v) in &form.fields {
            let mut parts = k.splitn(3, '.');
            let (Some("v"), Some(id), Some(what)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            let Ok(id) = id.parse::<i64>() else { continue };
            let o = overrides.entry(id).or_default();
            match what {
                "text" => o.text = v.clone(),
                "link" => o.link = v.clone(),
                "first_comment" => o.first_comment = v.clone(),
                _ => {}
            }
        }
        ComposeValues {
            text: form.get("text").to_string(),
            link: form.get("link").to_string(),
            first_comment: form.get("first_comment").to_string(),
            labels: form.get("labels").to_string(),
            scheduled_at: form.get("scheduled_at").to_string(),
            channels: ids(form, "channels"),
            media: ids(form, "media"),
            overrides,
            pillar: form.get("pillar").to_string(),
            assignee: form.get("assignee").to_string(),
            slot: form.get("slot").to_string(),
        }
    }

    /// The values of a stored post, for its edit form.
    pub fn from_post(post: &Post, tz: chrono_tz::Tz) -> Self {
        ComposeValues {
            text: post.text.clone(),
            link: post.link.clone().unwrap_or_default(),
            first_comment: post.first_comment.clone().unwrap_or_default(),
            labels: post.labels.join(", "),
            scheduled_at: post
                .scheduled_at
                .map(|t| super::localtime::to_input(t, tz))
                .unwrap_or_default(),
            channels: post.channels.iter().map(|c| c.0).collect(),
            media: post.media.iter().map(|m| m.0).collect(),
            pillar: post.pillar.map(|p| p.to_string()).unwrap_or_default(),
            assignee: post.assignee.map(|u| u.to_string()).unwrap_or_default(),
            slot: String::new(),
            overrides: post
                .variants
                .iter()
                .map(|(c, v)| {
                    (
                        c.0,
                        Override {
                            text: v.text.clone().unwrap_or_default(),
                            link: v.link.clone().unwrap_or_default(),
                            first_comment: v.first_comment.clone().unwrap_or_default(),
                        },
                    )
                })
                .collect(),
        }
    }

    /// The overrides of `channel`, as entered.
    pub fn override_of(&self, channel: i64) -> Override {
        self.overrides.get(&channel).cloned().unwrap_or_default()
    }

    /// The text that goes to `channel`: its own when it has one.
    pub fn text_for(&self, channel: i64) -> &str {
        match self.overrides.get(&channel) {
            Some(o) if !o.text.trim().is_empty() => &o.text,
            _ => &self.text,
        }
    }

    /// The post as the shared validation takes it; overrides only for ticked channels.
    pub fn input(&self) -> PostInput {
        PostInput {
            text: self.text.clone(),
            link: some(&self.link),
            first_comment: some(&self.first_comment),
            labels: self
                .labels
                .split(',')
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            media: self.media.clone(),
            channels: self.channels.clone(),
            variants: self
                .overrides
                .iter()
                .filter(|(id, o)| self.channels.contains(id) && !o.is_empty())
                .map(|(id, o)| {
                    (
                        id.to_string(),
                        VariantInput {
                            text: some(&o.text),
                            link: some(&o.link),
                            first_comment: some(&o.first_comment),
                            media: None,
                        },
                    )
                })
                .collect(),
            scheduled_at: None,
            publish_now: false,
            pillar: self.pillar.trim().parse().ok(),
            assignee: self.assignee.trim().parse().ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> ComposeForm {
        ComposeForm {
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            file: None,
        }
    }

    #[test]
    fn a_form_becomes_a_post_with_overrides_only_for_ticked_channels() {
        let v = ComposeValues::from_form(&form(&[
            ("text", "Hello"),
            ("labels", " promo, , акция "),
            ("channels", "3"),
            ("channels", "4"),
            ("media", "9"),
            ("v.3.text", "Привет"),
            ("v.4.text", "  "),
            ("v.5.text", "not ticked"),
            ("v.3.link", ""),
        ]));
        assert_eq!(v.text_for(3), "Привет");
        assert_eq!(v.text_for(4), "Hello");
        let input = v.input();
        assert_eq!(input.labels, ["promo", "акция"]);
        assert_eq!(input.channels, [3, 4]);
        assert_eq!(input.media, [9]);
        assert_eq!(input.variants.len(), 1);
        assert_eq!(input.variants[0].0, "3");
        assert_eq!(input.variants[0].1.text.as_deref(), Some("Привет"));
        assert_eq!(input.variants[0].1.link, None);
        assert_eq!(input.link, None);
    }
}

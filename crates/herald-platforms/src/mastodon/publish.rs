//! Publishing a status: the instance's limits are read first and the text is checked against
//! them (a refusal before anything is sent), media are uploaded with `POST /api/v2/media` and
//! polled until processed, then `POST /api/v1/statuses` goes out once with the delivery's
//! `Idempotency-Key`. Everything before that last call can fail without a status existing,
//! so its unknown outcomes are retryable refusals; the last call is classified as is.

use super::api::{self, Media, Status};
use super::MastodonConnector;
use crate::connector::{ChannelCtx, OutgoingMedia, OutgoingPost, PublishError, Published};
use crate::http::{self, ServerErrors};
use herald_domain::text::{check_text, TextContext};
use herald_domain::Platform;
use reqwest::{Method, StatusCode};

impl MastodonConnector {
    pub(super) async fn publish_status(
        &self,
        ch: &ChannelCtx,
        post: &OutgoingPost,
    ) -> Result<Published, PublishError> {
        let limits = self
            .instance_limits(ch)
            .await
            .map_err(api::nothing_posted_yet)?;
        let text = api::status_text(post);
        let check = check_text(
            Platform::Mastodon,
            &text,
            &TextContext {
                mastodon_limit: Some(limits.max_characters),
                mastodon_url_length: Some(limits.characters_reserved_per_url),
                has_media: !post.media.is_empty(),
                ..TextContext::default()
            },
        );
        if !check.ok {
            let problems: Vec<String> = check.problems.iter().map(ToString::to_string).collect();
            return Err(PublishError::Refused {
                message: format!(
                    "the text does not fit this instance ({} of {} characters): {}",
                    check.length,
                    check.limit,
                    problems.join("; ")
                ),
                retryable: false,
            });
        }
        if post.media.len() > limits.max_media_attachments {
            return Err(PublishError::Refused {
                message: format!(
                    "{} attachments; this instance takes at most {}",
                    post.media.len(),
                    limits.max_media_attachments
                ),
                retryable: false,
            });
        }
        let mut media_ids = Vec::with_capacity(post.media.len());
        for media in &post.media {
            let id = self
                .upload_media(ch, media)
                .await
                .map_err(api::nothing_posted_yet)?;
            media_ids.push(id);
        }

        let mut form: Vec<(&str, &str)> = vec![("status", text.as_str()), ("visibility", "public")];
        form.extend(media_ids.iter().map(|id| ("media_ids[]", id.as_str())));
        let request = self
            .request(ch, Method::POST, &["api", "v1", "statuses"])?
            .header("Idempotency-Key", &post.idempotency_key)
            .form(&form);
        let response = api::send(request, ServerErrors::MaybeProcessed).await?;
        let status: Status = http::read_json(response).await?;
        Ok(Published {
            remote_id: status.id,
            url: status.url,
        })
    }

    /// Uploads one file with its alt text; answers the attachment id once it is processed.
    async fn upload_media(
        &self,
        ch: &ChannelCtx,
        media: &OutgoingMedia,
    ) -> Result<String, PublishError> {
        // A blocking read: renditions are small and this crate carries no async runtime.
        let bytes = tokio::fs::read(&media.path)
            .await
            .map_err(|e| PublishError::Refused {
                message: format!("the media file cannot be read: {e}"),
                retryable: true,
            })?;
        let file_name = media
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "media".to_string());
        let (content_type, body) = api::multipart(&file_name, &media.mime, &bytes, &media.alt_text);
        let request = self
            .request(ch, Method::POST, &["api", "v2", "media"])?
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        let response = api::send(request, ServerErrors::MaybeProcessed).await?;
        let processing = response.status() == StatusCode::ACCEPTED;
        let uploaded: Media = http::read_json(response).await?;
        if !processing && uploaded.url.is_some() {
            return Ok(uploaded.id);
        }
        self.wait_for_media(ch, &uploaded.id).await?;
        Ok(uploaded.id)
    }

    /// Polls `GET /api/v1/media/:id` (206 or a null `url` while processing) with a doubling
    /// delay, a bounded number of times.
    async fn wait_for_media(&self, ch: &ChannelCtx, id: &str) -> Result<(), PublishError> {
        let mut delay = self.media_poll.first_delay;
        for _ in 0..self.media_poll.max_polls {
            api::sleep(delay).await;
            delay = (delay * 2).min(self.media_poll.max_delay);
            let request = self.request(ch, Method::GET, &["api", "v1", "media", id])?;
            let response = api::send(request, ServerErrors::NotProcessed).await?;
            if response.status() == StatusCode::PARTIAL_CONTENT {
                continue;
            }
            let media: Media = http::read_json(response).await?;
            if media.url.is_some() {
                return Ok(());
            }
        }
        Err(PublishError::Refused {
            message: format!(
                "the instance was still processing media {id} after {} checks; try again later",
                self.media_poll.max_polls
            ),
            retryable: true,
        })
    }
}

//! Publishing one post, in the order that keeps it exactly once: Herald's own rules first
//! (nothing is sent for a post Bluesky would refuse), then a look at the delivery's rkey (a
//! retry of a post that did go out answers at once), mentions and images, and the record
//! under that rkey. After any failure of createRecord the rkey is read back before answering:
//! the PDS answers a repeated rkey with a 500, and a timeout proves nothing either way.

use super::record::{self, EmbeddedImage, POST_COLLECTION};
use super::xrpc::{Failure, Pds};
use super::{image, refused, session, tid};
use crate::connector::{ChannelCtx, OutgoingMedia, OutgoingPost, PublishError, Published};
use herald_domain::text::{bluesky_facets, check_text, Facet, TextContext};
use herald_domain::Platform;
use std::collections::HashMap;

/// Most images in one post.
pub const MAX_IMAGES: usize = 4;
/// Largest image the PDS takes for a post, in bytes.
pub const MAX_IMAGE_BYTES: u64 = 2_000_000;

/// What is under a delivery's rkey.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// Our post.
    Ours(Published),
    /// Nothing.
    Missing,
    /// Another post with different text (two keys whose hashes met): ours can never go there.
    Taken,
}

/// Posts `post`, as a reply when `reply` holds the `{root, parent}` strong refs.
pub async fn publish(
    pds: &Pds,
    ch: &ChannelCtx,
    post: &OutgoingPost,
    reply: Option<&serde_json::Value>,
) -> Result<Published, PublishError> {
    let text = record::post_text(&post.text, post.link.as_deref());
    check_rules(&text, &post.media)?;
    let (token, did) = session(ch)?;
    let rkey = tid::rkey_for(&post.idempotency_key);

    // A retry of a post that went out ends here. If the lookup fails, going on is still
    // safe: the rkey keeps a second post from being made.
    match lookup(pds, did, &rkey, &text).await {
        Ok(Lookup::Ours(published)) => return Ok(published),
        Ok(Lookup::Taken) => return Err(taken(&rkey)),
        Ok(Lookup::Missing) | Err(_) => {}
    }

    let facets = bluesky_facets(&text);
    let dids = resolve_mentions(pds, &facets).await?;
    let images = upload_images(pds, token, &post.media).await?;
    let created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut record = record::post_record(
        &text,
        &created_at,
        record::facets_json(&facets, &dids),
        &images,
    );
    if let Some(reply) = reply {
        record["reply"] = reply.clone();
    }
    match pds
        .create_record(token, did, POST_COLLECTION, &rkey, &record)
        .await
    {
        Ok(created) => Ok(published(created.uri, did, &rkey)),
        Err(failure) => after_failure(pds, did, &rkey, &text, failure.error).await,
    }
}

/// Reconciliation: what is under the delivery's rkey, as `Some` (ours) or `None`.
pub async fn find(
    pds: &Pds,
    repo: &str,
    post: &OutgoingPost,
) -> Result<Option<Published>, Failure> {
    let text = record::post_text(&post.text, post.link.as_deref());
    let rkey = tid::rkey_for(&post.idempotency_key);
    match lookup(pds, repo, &rkey, &text).await? {
        Lookup::Ours(published) => Ok(Some(published)),
        Lookup::Missing | Lookup::Taken => Ok(None),
    }
}

/// Reads the record under `rkey` and tells whether it is the post with `text`.
pub async fn lookup(pds: &Pds, repo: &str, rkey: &str, text: &str) -> Result<Lookup, Failure> {
    let Some(found) = pds.get_record(repo, POST_COLLECTION, rkey).await? else {
        return Ok(Lookup::Missing);
    };
    if found.value.get("text").and_then(serde_json::Value::as_str) != Some(text) {
        return Ok(Lookup::Taken);
    }
    Ok(Lookup::Ours(published(found.uri, repo, rkey)))
}

/// createRecord failed: the answer depends on what is under the rkey now.
async fn after_failure(
    pds: &Pds,
    repo: &str,
    rkey: &str,
    text: &str,
    error: PublishError,
) -> Result<Published, PublishError> {
    match lookup(pds, repo, rkey, text).await {
        Ok(Lookup::Ours(published)) => Ok(published),
        Ok(Lookup::Taken) => Err(taken(rkey)),
        // Nothing there: a refusal stands. After a timeout or a 5xx it may still land, which
        // `Unknown` says; a retry asks for the same rkey and cannot post twice.
        Ok(Lookup::Missing) => Err(error),
        Err(lookup) => Err(match error {
            // Neither was acted on: nothing was written by this request.
            e @ (PublishError::Unauthorized(_) | PublishError::RateLimited { .. }) => e,
            other => PublishError::Unknown(format!(
                "{other}; then the post could not be looked up: {}",
                lookup.error
            )),
        }),
    }
}

fn taken(rkey: &str) -> PublishError {
    refused(format!(
        "the record key {rkey} already holds another post (a hash collision of two deliveries)"
    ))
}

fn published(uri: String, repo: &str, rkey: &str) -> Published {
    Published {
        remote_id: uri,
        url: Some(record::web_url(repo, rkey)),
    }
}

/// Herald's own rules, before anything is sent: the same check the composer shows.
fn check_rules(text: &str, media: &[OutgoingMedia]) -> Result<(), PublishError> {
    let ctx = TextContext {
        has_media: !media.is_empty(),
        ..TextContext::default()
    };
    let check = check_text(Platform::Bluesky, text, &ctx);
    if !check.ok {
        let problems: Vec<String> = check.problems.iter().map(ToString::to_string).collect();
        return Err(refused(format!(
            "the text breaks Bluesky's rules: {}",
            problems.join("; ")
        )));
    }
    if media.len() > MAX_IMAGES {
        return Err(refused(format!(
            "Bluesky takes at most {MAX_IMAGES} images, not {}",
            media.len()
        )));
    }
    if let Some(other) = media.iter().find(|m| !m.mime.starts_with("image/")) {
        return Err(refused(format!(
            "Herald posts only images to Bluesky, not {}",
            other.mime
        )));
    }
    Ok(())
}

/// Errors of the calls made before the post: none of them makes anything that shows, so
/// an unknown outcome is simply "try again".
fn before_posting(failure: Failure) -> PublishError {
    match failure.error {
        PublishError::Unknown(message) => PublishError::Refused {
            message,
            retryable: true,
        },
        other => other,
    }
}

/// Handle → DID for each mention; a handle that does not resolve is left as plain text.
async fn resolve_mentions(
    pds: &Pds,
    facets: &[Facet],
) -> Result<HashMap<String, String>, PublishError> {
    let mut dids = HashMap::new();
    for handle in record::mention_handles(facets) {
        if let Some(did) = pds.resolve_handle(&handle).await.map_err(before_posting)? {
            dids.insert(handle, did);
        }
    }
    Ok(dids)
}

async fn upload_images(
    pds: &Pds,
    token: &str,
    media: &[OutgoingMedia],
) -> Result<Vec<EmbeddedImage>, PublishError> {
    let mut images = Vec::with_capacity(media.len());
    for item in media {
        let bytes = read_image(item).await?;
        let size = image::dimensions(&bytes);
        let blob = pds
            .upload_blob(token, bytes, &item.mime)
            .await
            .map_err(before_posting)?;
        images.push(EmbeddedImage {
            alt: item.alt_text.clone(),
            blob,
            size,
        });
    }
    Ok(images)
}

/// Reads an image file, refusing one over the size limit before reading it.
async fn read_image(item: &OutgoingMedia) -> Result<Vec<u8>, PublishError> {
    let name = item
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let cannot = |e: std::io::Error| PublishError::Refused {
        message: format!("cannot read the image {name}: {e}"),
        retryable: true,
    };
    let length = tokio::fs::metadata(&item.path).await.map_err(cannot)?.len();
    if length > MAX_IMAGE_BYTES {
        return Err(refused(format!(
            "the image {name} is {length} bytes; Bluesky takes at most {MAX_IMAGE_BYTES}"
        )));
    }
    tokio::fs::read(&item.path).await.map_err(cannot)
}

//! Building an `app.bsky.feed.post` record from a post's text, its facets and its uploaded
//! images. Pure: no I/O. Mentions arrive already resolved (handle → DID); a mention whose
//! handle did not resolve is left as plain text, as the official client does.

use herald_domain::text::{Facet, FacetFeature};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The collection of posts.
pub const POST_COLLECTION: &str = "app.bsky.feed.post";

/// One uploaded image, as it goes into `app.bsky.embed.images`.
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddedImage {
    pub alt: String,
    /// The `blob` object `com.atproto.repo.uploadBlob` answered, as it was.
    pub blob: Value,
    /// Width and height in pixels, when they could be read from the file.
    pub size: Option<(u32, u32)>,
}

/// The text a post goes out with: its text, and its link on a line of its own when the text
/// does not already carry it (Bluesky has no separate link field; the link becomes a facet).
pub fn post_text(text: &str, link: Option<&str>) -> String {
    match link.map(str::trim).filter(|l| !l.is_empty()) {
        Some(link) if !text.contains(link) => {
            if text.trim().is_empty() {
                link.to_string()
            } else {
                format!("{}\n\n{link}", text.trim_end())
            }
        }
        _ => text.to_string(),
    }
}

/// The handles of the mentions among `facets`, once each, to resolve before building.
pub fn mention_handles(facets: &[Facet]) -> Vec<String> {
    let mut handles: Vec<String> = Vec::new();
    for facet in facets {
        if let FacetFeature::Mention { handle } = &facet.feature {
            let handle = handle.to_ascii_lowercase();
            if !handles.contains(&handle) {
                handles.push(handle);
            }
        }
    }
    handles
}

/// `app.bsky.richtext.facet` objects; `dids` maps lower-case handles to DIDs, and mentions
/// missing from it are dropped.
pub fn facets_json(facets: &[Facet], dids: &HashMap<String, String>) -> Vec<Value> {
    facets
        .iter()
        .filter_map(|facet| {
            let feature = match &facet.feature {
                FacetFeature::Link { uri } => {
                    json!({"$type": "app.bsky.richtext.facet#link", "uri": uri})
                }
                FacetFeature::Tag { tag } => {
                    json!({"$type": "app.bsky.richtext.facet#tag", "tag": tag})
                }
                FacetFeature::Mention { handle } => {
                    let did = dids.get(&handle.to_ascii_lowercase())?;
                    json!({"$type": "app.bsky.richtext.facet#mention", "did": did})
                }
            };
            Some(json!({
                "index": {"byteStart": facet.byte_start, "byteEnd": facet.byte_end},
                "features": [feature],
            }))
        })
        .collect()
}

/// The whole record. `created_at` is an RFC 3339 timestamp.
pub fn post_record(
    text: &str,
    created_at: &str,
    facets: Vec<Value>,
    images: &[EmbeddedImage],
) -> Value {
    let mut record = json!({
        "$type": POST_COLLECTION,
        "text": text,
        "createdAt": created_at,
    });
    if !facets.is_empty() {
        record["facets"] = Value::Array(facets);
    }
    if !images.is_empty() {
        let images: Vec<Value> = images
            .iter()
            .map(|image| {
                let mut item = json!({"alt": image.alt, "image": image.blob});
                if let Some((width, height)) = image.size.filter(|&(w, h)| w > 0 && h > 0) {
                    item["aspectRatio"] = json!({"width": width, "height": height});
                }
                item
            })
            .collect();
        record["embed"] = json!({"$type": "app.bsky.embed.images", "images": images});
    }
    record
}

/// The parts of an `at://did/collection/rkey` URI.
pub fn parse_at_uri(uri: &str) -> Option<(&str, &str, &str)> {
    let rest = uri.strip_prefix("at://")?;
    let mut parts = rest.split('/');
    let repo = parts.next().filter(|s| !s.is_empty())?;
    let collection = parts.next().filter(|s| !s.is_empty())?;
    let rkey = parts.next().filter(|s| !s.is_empty())?;
    parts.next().is_none().then_some((repo, collection, rkey))
}

/// Where a person sees the post on the web (bsky.app shows posts of any PDS).
pub fn web_url(repo: &str, rkey: &str) -> String {
    format!("https://bsky.app/profile/{repo}/post/{rkey}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_domain::text::bluesky_facets;

    fn dids() -> HashMap<String, String> {
        HashMap::from([("alice.test".to_string(), "did:plc:alice".to_string())])
    }

    #[test]
    fn bluesky_facet_offsets_are_utf8_bytes_after_cyrillic_and_emoji() {
        let text = "Привет 🚀 https://example.com/x #тег @alice.test @nobody.test";
        let facets = bluesky_facets(text);
        let json = facets_json(&facets, &dids());
        // The unresolved mention is dropped; the others keep their byte ranges.
        assert_eq!(json.len(), 3, "{json:?}");
        let link_start = "Привет 🚀 ".len();
        assert_eq!(link_start, 18); // 12 bytes of Cyrillic, a space, 4 of emoji, a space
        assert_eq!(
            json[0],
            json!({"index": {"byteStart": 18, "byteEnd": 39},
                   "features": [{"$type": "app.bsky.richtext.facet#link",
                                 "uri": "https://example.com/x"}]})
        );
        assert_eq!(&text[18..39], "https://example.com/x");
        let tag_start = text.find('#').unwrap();
        assert_eq!(json[1]["index"]["byteStart"], tag_start);
        assert_eq!(json[1]["index"]["byteEnd"], tag_start + "#тег".len());
        assert_eq!(json[1]["features"][0]["tag"], "тег");
        let at = text.find("@alice").unwrap();
        assert_eq!(
            json[2],
            json!({"index": {"byteStart": at, "byteEnd": at + "@alice.test".len()},
                   "features": [{"$type": "app.bsky.richtext.facet#mention",
                                 "did": "did:plc:alice"}]})
        );
    }

    #[test]
    fn bluesky_mention_handles_are_unique_and_lower_case() {
        let facets = bluesky_facets("@Alice.test hi @alice.test and @bob.test");
        assert_eq!(mention_handles(&facets), ["alice.test", "bob.test"]);
    }

    #[test]
    fn bluesky_record_has_text_facets_and_images() {
        let blob = json!({"$type": "blob", "ref": {"$link": "bafk"}, "mimeType": "image/png",
                          "size": 68});
        let images = [
            EmbeddedImage {
                alt: "a dot".into(),
                blob: blob.clone(),
                size: Some((3, 2)),
            },
            EmbeddedImage {
                alt: String::new(),
                blob: blob.clone(),
                size: None,
            },
        ];
        let text = "hi https://example.com";
        let record = post_record(
            text,
            "2026-01-01T00:00:00.000Z",
            facets_json(&bluesky_facets(text), &dids()),
            &images,
        );
        assert_eq!(
            record,
            json!({
                "$type": "app.bsky.feed.post",
                "text": "hi https://example.com",
                "createdAt": "2026-01-01T00:00:00.000Z",
                "facets": [{"index": {"byteStart": 3, "byteEnd": 22},
                            "features": [{"$type": "app.bsky.richtext.facet#link",
                                          "uri": "https://example.com"}]}],
                "embed": {"$type": "app.bsky.embed.images", "images": [
                    {"alt": "a dot", "image": blob, "aspectRatio": {"width": 3, "height": 2}},
                    {"alt": "", "image": blob},
                ]},
            })
        );
        let bare = post_record("plain", "2026-01-01T00:00:00.000Z", Vec::new(), &[]);
        assert!(bare.get("facets").is_none() && bare.get("embed").is_none());
    }

    #[test]
    fn bluesky_link_is_appended_unless_the_text_has_it() {
        assert_eq!(
            post_text("hi ", Some("https://a.com")),
            "hi\n\nhttps://a.com"
        );
        assert_eq!(
            post_text("see https://a.com", Some("https://a.com")),
            "see https://a.com"
        );
        assert_eq!(post_text("", Some("https://a.com")), "https://a.com");
        assert_eq!(post_text("hi", None), "hi");
        assert_eq!(post_text("hi", Some("  ")), "hi");
    }

    #[test]
    fn bluesky_at_uris_are_parsed() {
        assert_eq!(
            parse_at_uri("at://did:plc:abc/app.bsky.feed.post/3jzfcijpj2z2a"),
            Some(("did:plc:abc", "app.bsky.feed.post", "3jzfcijpj2z2a"))
        );
        for bad in [
            "",
            "at://",
            "at://did/coll",
            "https://x/y/z",
            "at://a/b/c/d",
        ] {
            assert_eq!(parse_at_uri(bad), None, "{bad}");
        }
        assert_eq!(
            web_url("did:plc:abc", "3jz"),
            "https://bsky.app/profile/did:plc:abc/post/3jz"
        );
    }
}

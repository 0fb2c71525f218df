//! The VK connector against its fake: settings, verify, publishing with guid, photos through
//! the upload flow and every error code Herald tells apart. Reading the wall (reconciliation,
//! delete, metrics) is in `wall`; the fake's own refusals, sent raw, in `fake`.

use super::fake::{Counters, Fault, VkFake, VkFakeOptions};
use super::*;
use crate::connector::OutgoingMedia;
use herald_domain::Secret;
use serde_json::json;
use std::path::PathBuf;

/// The client's request timeout; hangs are made longer than this.
const TIMEOUT: Duration = Duration::from_millis(400);
const HANG: Duration = Duration::from_secs(2);
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR fake png body";
const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF fake jpeg body";

fn connector() -> VkConnector {
    VkConnector::new(http::client(TIMEOUT).unwrap())
}

async fn fake() -> VkFake {
    VkFake::start(VkFakeOptions::default()).await
}

fn outgoing(key: &str, text: &str) -> OutgoingPost {
    OutgoingPost {
        delivery_id: 1,
        idempotency_key: key.to_string(),
        text: text.to_string(),
        link: None,
        first_comment: None,
        media: Vec::new(),
        post_id: 1,
        not_before_ms: now_ms(),
    }
}

/// A file with `bytes` in a folder of this test's own.
fn media_file(test: &str, name: &str, bytes: &[u8], mime: &str) -> OutgoingMedia {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("herald-vk-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    OutgoingMedia {
        path,
        mime: mime.to_string(),
        alt_text: format!("alt of {name}"),
        sha256: String::new(),
    }
}

fn photos(test: &str, n: usize) -> Vec<OutgoingMedia> {
    (0..n)
        .map(|i| media_file(test, &format!("p{i}.png"), PNG, "image/png"))
        .collect()
}

fn channel_with(settings: serde_json::Value, token: &str) -> ChannelCtx {
    ChannelCtx {
        channel_id: 1,
        workspace_id: 1,
        settings,
        credentials: Secret::new(json!({ "access_token": token })),
    }
}

fn assert_refused(err: &PublishError, want_retryable: bool, needle: &str) {
    let PublishError::Refused { message, retryable } = err else {
        panic!("expected a refusal, got {err:?}");
    };
    assert_eq!(*retryable, want_retryable, "{message}");
    assert!(
        message.contains(needle),
        "{message} should mention {needle}"
    );
}

#[test]
fn info_is_vk_native_and_paste() {
    let c = connector();
    let info = c.info();
    assert_eq!(info.id, "vk");
    assert_eq!(info.rules, Platform::Vk);
    assert_eq!(info.idempotency, Idempotency::Native);
    assert_eq!(info.connect, ConnectFlow::Paste);
    assert!(!info.hidden);
    let caps = info.capabilities;
    assert!(caps.publish && caps.delete && caps.reconcile);
    assert!(caps.fetch_profile && caps.fetch_metrics);
    assert!(caps.fetch_inbox && caps.reply && !caps.fetch_public_profile);
    let keys: Vec<(&str, bool, bool)> = info
        .fields
        .iter()
        .map(|f| (f.key, f.secret, f.required))
        .collect();
    assert_eq!(
        keys,
        [
            ("group_id", false, true),
            ("access_token", true, true),
            ("callback_confirmation", false, false),
            ("callback_secret", true, false),
        ]
    );
    let ch = channel_with(json!({"group_id": 1}), "t");
    assert_eq!(c.idempotency(&ch), Idempotency::Native);
}

#[test]
fn settings_are_parsed_at_the_edge() {
    let ok = |settings| group_id(&channel_with(settings, "t"));
    assert_eq!(ok(json!({"group_id": 123})).unwrap(), 123);
    assert_eq!(ok(json!({"group_id": " 456 "})).unwrap(), 456);
    for bad in [
        json!({}),
        json!({"group_id": null}),
        json!({"group_id": 0}),
        json!({"group_id": -5}),
        json!({"group_id": "-5"}),
        json!({"group_id": "club5"}),
        json!({"group_id": ""}),
        json!({"group_id": 1.5}),
        json!({"group_id": true}),
        json!({"group_id": "99999999999999999999"}),
    ] {
        let err = ok(bad.clone()).unwrap_err();
        assert_refused(&err, false, "group_id");
    }
    // The default API base, and the override.
    let cfg = channel_with(json!({"group_id": 1}), "t");
    assert_eq!(config(&cfg).ok().unwrap().base.as_str(), DEFAULT_API_BASE);
    let cfg = channel_with(
        json!({"group_id": 1, "api_base": "http://127.0.0.1:1/method"}),
        "t",
    );
    assert_eq!(
        config(&cfg).ok().unwrap().base.as_str(),
        "http://127.0.0.1:1/method"
    );
    let cfg = channel_with(json!({"group_id": 1, "api_base": "ftp://x"}), "t");
    assert_refused(&config(&cfg).err().unwrap(), false, "api_base");
    let mut cfg = channel_with(json!({"group_id": 1}), "t");
    cfg.credentials = Secret::new(json!({}));
    assert!(matches!(config(&cfg), Err(PublishError::Unauthorized(_))));
}

#[test]
fn remote_ids_parse_both_ways() {
    assert_eq!(parse_remote_id("-42_7", 1).unwrap(), (-42, 7));
    assert_eq!(parse_remote_id("7", 42).unwrap(), (-42, 7));
    for bad in ["", "x", "-42_", "_7", "-42_x", "0", "-42_0", "0_7"] {
        assert!(parse_remote_id(bad, 42).is_err(), "{bad}");
    }
}

#[tokio::test]
async fn verify_names_the_community_and_fetch_profile_counts_members() {
    let fake = VkFake::start(VkFakeOptions {
        group_id: 77,
        group_name: "Coffee Lovers".into(),
        members_count: 1_500,
        ..VkFakeOptions::default()
    })
    .await;
    let (c, ch) = (connector(), fake.channel());
    let account = c.verify(&ch).await.unwrap();
    assert_eq!(account.external_id, "77");
    assert_eq!(account.display_name, "Coffee Lovers");
    assert_eq!(c.fetch_profile(&ch).await.unwrap().followers, Some(1_500));
    assert_eq!(fake.calls(), ["groups.getById", "groups.getById"]);

    // A group id as a form sends it.
    let as_text = channel_with(
        json!({"group_id": "77", "api_base": fake.api_base()}),
        &fake.access_token(),
    );
    assert_eq!(c.verify(&as_text).await.unwrap().external_id, "77");
    // Another community is refused by VK (error 100), for good.
    let other = channel_with(
        json!({"group_id": 78, "api_base": fake.api_base()}),
        &fake.access_token(),
    );
    assert_refused(&c.verify(&other).await.unwrap_err(), false, "VK error 100");
    // A revoked token is unauthorized.
    fake.revoke_token();
    assert!(matches!(
        c.verify(&ch).await,
        Err(PublishError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn publish_posts_as_the_community_with_the_guid() {
    let fake = fake().await;
    let g = fake.group_id();
    let published = connector()
        .publish(&fake.channel(), &outgoing("key-1", "Привет, VK 👋"))
        .await
        .unwrap();
    let posts = fake.posts();
    assert_eq!(posts.len(), 1);
    let p = &posts[0];
    assert_eq!(p.text, "Привет, VK 👋");
    assert_eq!(p.from_id, -i64::try_from(g).unwrap());
    assert_eq!(p.guid.as_deref(), Some("key-1"));
    assert!(p.attachments.is_empty());
    assert_eq!(published.remote_id, format!("-{g}_{}", p.id));
    assert_eq!(
        published.url.as_deref(),
        Some(format!("https://vk.com/wall-{g}_{}", p.id).as_str())
    );
    assert_eq!(fake.calls(), ["wall.post"]);
}

#[tokio::test]
async fn a_repeated_guid_answers_the_same_post_and_stores_once() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let first = c.publish(&ch, &outgoing("k", "Once")).await.unwrap();
    let again = c.publish(&ch, &outgoing("k", "Once")).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(fake.count_by_text("Once"), 1);
    // Another key is another post, even with the same text.
    let other = c.publish(&ch, &outgoing("k2", "Once")).await.unwrap();
    assert_ne!(first.remote_id, other.remote_id);
    assert_eq!(fake.count_by_text("Once"), 2);
}

#[tokio::test]
async fn the_fake_forgets_a_guid_after_its_window() {
    let fake = VkFake::start(VkFakeOptions {
        guid_window: Duration::from_millis(100),
        ..VkFakeOptions::default()
    })
    .await;
    let (c, ch) = (connector(), fake.channel());
    let first = c.publish(&ch, &outgoing("k", "Twice")).await.unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    let second = c.publish(&ch, &outgoing("k", "Twice")).await.unwrap();
    assert_ne!(first.remote_id, second.remote_id);
    assert_eq!(fake.count_by_text("Twice"), 2);
}

#[tokio::test]
async fn photos_go_through_the_upload_flow_then_the_link() {
    let fake = fake().await;
    let g = fake.group_id();
    let mut post = outgoing("k", "With pictures");
    post.media = vec![
        media_file("flow", "one.png", PNG, "image/png"),
        media_file("flow", "two.jpg", JPEG, "image/jpeg"),
    ];
    post.link = Some("https://example.com/a,b?x=1".into());
    connector().publish(&fake.channel(), &post).await.unwrap();
    assert_eq!(
        fake.calls(),
        [
            "photos.getWallUploadServer",
            "upload",
            "photos.saveWallPhoto",
            "upload",
            "photos.saveWallPhoto",
            "wall.post"
        ]
    );
    let saved = fake.photos();
    assert_eq!(saved.len(), 2);
    assert_eq!(
        (saved[0].file_name.as_str(), saved[0].content_type.as_str()),
        ("one.png", "image/png")
    );
    assert_eq!(saved[0].bytes, PNG.len());
    assert_eq!(saved[1].caption, "alt of two.jpg");
    let posts = fake.posts();
    assert_eq!(
        posts[0].attachments,
        [
            format!("photo-{g}_{}", saved[0].id),
            format!("photo-{g}_{}", saved[1].id),
            "https://example.com/a%2Cb?x=1".to_string(),
        ]
    );
    assert_eq!(fake.uploads_with_token(), 0);
}

#[tokio::test]
async fn ten_attachments_go_out_and_eleven_are_refused_before_any_call() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let mut ten = outgoing("k10", "Ten");
    ten.media = photos("ten", 9);
    ten.link = Some("https://example.com".into());
    c.publish(&ch, &ten).await.unwrap();
    assert_eq!(fake.posts()[0].attachments.len(), 10);

    let before = fake.requests();
    let mut eleven = outgoing("k11", "Eleven");
    eleven.media = photos("eleven", 10);
    eleven.link = Some("https://example.com".into());
    let err = c.publish(&ch, &eleven).await.unwrap_err();
    assert_refused(&err, false, "at most 10 attachments");
    eleven.link = None;
    eleven.media = photos("eleven", 11);
    assert_refused(
        &c.publish(&ch, &eleven).await.unwrap_err(),
        false,
        "11 photos",
    );
    assert_eq!(fake.requests(), before);
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test]
async fn a_photo_alone_is_a_post_and_nothing_at_all_is_not() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let mut only_photo = outgoing("k", "");
    only_photo.media = photos("alone", 1);
    c.publish(&ch, &only_photo).await.unwrap();
    assert_eq!(fake.posts()[0].text, "");
    let err = c.publish(&ch, &outgoing("k2", "  ")).await.unwrap_err();
    assert_refused(&err, false, "needs text");
    let mut ftp = outgoing("k3", "x");
    ftp.link = Some("ftp://example.com/file".into());
    assert_refused(&c.publish(&ch, &ftp).await.unwrap_err(), false, "http");
}

#[tokio::test]
async fn a_file_that_is_not_an_image_is_refused_and_nothing_is_posted() {
    let fake = fake().await;
    let mut post = outgoing("k", "Broken photo");
    post.media = vec![media_file(
        "notimg",
        "doc.png",
        b"hello, not a png",
        "image/png",
    )];
    let err = connector()
        .publish(&fake.channel(), &post)
        .await
        .unwrap_err();
    assert_refused(&err, true, "ERR_UPLOAD_BAD_IMAGE");
    assert!(fake.posts().is_empty());
    assert_eq!(fake.calls_of("wall.post"), 0);
    // A file that cannot be read is refused before anything is uploaded.
    let mut missing = outgoing("k2", "Missing");
    missing.media = vec![OutgoingMedia {
        path: PathBuf::from("/nonexistent/herald/photo.png"),
        mime: "image/png".into(),
        alt_text: String::new(),
        sha256: String::new(),
    }];
    let err = connector()
        .publish(&fake.channel(), &missing)
        .await
        .unwrap_err();
    assert_refused(&err, true, "cannot read the photo");
}

#[tokio::test]
async fn trouble_before_wall_post_never_reads_as_unknown() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let mut post = outgoing("k", "Photos first");
    post.media = photos("before", 1);
    // The upload server times out: nothing is on the wall.
    fake.push_fault_on("upload", Fault::StoreThenHang(HANG));
    assert_refused(
        &c.publish(&ch, &post).await.unwrap_err(),
        true,
        "nothing was posted",
    );
    // saveWallPhoto fails inside VK (error 10): still nothing on the wall.
    fake.push_fault_on("photos.saveWallPhoto", Fault::Error(10));
    assert_refused(
        &c.publish(&ch, &post).await.unwrap_err(),
        true,
        "VK error 10",
    );
    // The upload server says no: nothing is on the wall.
    fake.push_fault_on("upload", Fault::Error(1));
    assert_refused(
        &c.publish(&ch, &post).await.unwrap_err(),
        true,
        "ERR_UPLOAD_TEMPORARY",
    );
    // A rate limit on the upload server request stays a rate limit.
    fake.push_fault_on("photos.getWallUploadServer", Fault::TOO_MANY_REQUESTS);
    assert!(matches!(
        c.publish(&ch, &post).await,
        Err(PublishError::RateLimited { .. })
    ));
    assert_eq!(fake.calls_of("wall.post"), 0);
    // Then it goes out.
    c.publish(&ch, &post).await.unwrap();
    assert_eq!(fake.posts().len(), 1);
    assert_eq!(fake.pending_faults(), 0);
}

#[tokio::test]
async fn error_codes_are_classified() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let post = outgoing("k", "Classified");
    let (f, c, ch, post) = (&fake, &c, &ch, &post);
    let publish_with = move |fault: Fault| {
        f.push_fault(fault);
        c.publish(ch, post)
    };
    let err = publish_with(Fault::TOO_MANY_REQUESTS).await.unwrap_err();
    assert!(
        matches!(err, PublishError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(1)),
        "{err:?}"
    );
    let err = publish_with(Fault::FLOOD_CONTROL).await.unwrap_err();
    assert!(
        matches!(err, PublishError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(3600)),
        "{err:?}"
    );
    let err = publish_with(Fault::CAPTCHA).await.unwrap_err();
    assert_refused(&err, true, "a person must act");
    assert_refused(&err, true, "captcha");
    let err = publish_with(Fault::AUTH_FAILED).await.unwrap_err();
    assert!(
        matches!(&err, PublishError::Unauthorized(m) if m.contains("VK error 5")),
        "{err:?}"
    );
    let err = publish_with(Fault::Error(27)).await.unwrap_err();
    assert!(
        matches!(&err, PublishError::Unauthorized(m) if m.contains("kind of token")),
        "{err:?}"
    );
    for code in [15, 203, 214] {
        let err = publish_with(Fault::Error(code)).await.unwrap_err();
        assert_refused(&err, false, &format!("VK error {code} on wall.post"));
    }
    assert_refused(
        &publish_with(Fault::Error(214)).await.unwrap_err(),
        false,
        "not allowed",
    );
    assert_refused(
        &publish_with(Fault::Error(15)).await.unwrap_err(),
        false,
        "Access denied",
    );
    assert_refused(
        &publish_with(Fault::Error(100)).await.unwrap_err(),
        false,
        "parameter",
    );
    let err = publish_with(Fault::Error(10)).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    let err = publish_with(Fault::Error(4242)).await.unwrap_err();
    assert_refused(&err, false, "VK error 4242");
    assert!(fake.posts().is_empty());
    // The queue is spent: the same post now goes out.
    c.publish(ch, post).await.unwrap();
    assert_eq!(fake.count_by_text("Classified"), 1);
}

#[tokio::test]
async fn over_long_text_is_refused_by_vk_for_good() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    // Emoji are two UTF-16 units each: 8,192 of them are exactly VK's 16,384.
    c.publish(&ch, &outgoing("k1", &"😀".repeat(8_192)))
        .await
        .unwrap();
    let long = format!("{}a", "😀".repeat(8_192));
    let err = c.publish(&ch, &outgoing("k2", &long)).await.unwrap_err();
    assert_refused(&err, false, "too long");
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test]
async fn a_wrong_or_missing_token_is_unauthorized_and_never_shown() {
    let fake = fake().await;
    let c = connector();
    let mut ch = fake.channel();
    ch.credentials = Secret::new(json!({"access_token": "vk1.a.guessed-secret"}));
    let err = c.publish(&ch, &outgoing("k", "x")).await.unwrap_err();
    assert!(matches!(err, PublishError::Unauthorized(_)), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("guessed-secret"));
    ch.credentials = Secret::new(json!({}));
    assert!(matches!(
        c.publish(&ch, &outgoing("k", "x")).await,
        Err(PublishError::Unauthorized(_))
    ));
    assert!(fake.posts().is_empty());
}

mod callback;
mod fake;
mod inbox;
mod wall;

//! The Mastodon connector against its fake: every outcome the engine relies on.

use super::fake::{Fault, MastodonFake, MastodonFakeOptions, ACCOUNT_ID};
use super::*;
use crate::connector::OutgoingMedia;
use herald_domain::Secret;
use serde_json::json;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};

/// The client's request timeout; hangs are made longer than this.
const TIMEOUT: Duration = Duration::from_millis(500);
const HANG: Duration = Duration::from_secs(2);

fn fast_polling() -> MediaPolling {
    MediaPolling {
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_polls: 5,
    }
}

fn connector() -> MastodonConnector {
    MastodonConnector::new(http::client(TIMEOUT).unwrap()).with_media_polling(fast_polling())
}

async fn fake() -> MastodonFake {
    MastodonFake::start(MastodonFakeOptions::default()).await
}

fn now_ms() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
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

/// A small file in the temp dir, unique to the test.
fn image(name: &str, alt: &str) -> OutgoingMedia {
    let dir = std::env::temp_dir().join(format!("herald-mastodon-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path: PathBuf = dir.join(name);
    std::fs::write(&path, format!("\u{89}PNG fake bytes of {name}")).unwrap();
    OutgoingMedia {
        path,
        mime: "image/png".into(),
        alt_text: alt.into(),
        sha256: String::new(),
    }
}

#[tokio::test]
async fn publish_text_sends_the_idempotency_key_publicly() {
    let fake = fake().await;
    let published = connector()
        .publish(&fake.channel(), &outgoing("delivery-1", "Hello, fediverse"))
        .await
        .unwrap();
    let statuses = fake.statuses();
    assert_eq!(statuses.len(), 1);
    assert_eq!(published.remote_id, statuses[0].id);
    assert_eq!(
        published.url,
        Some(format!("{}/@fake/{}", fake.base_url(), statuses[0].id))
    );
    assert_eq!(statuses[0].text, "Hello, fediverse");
    assert_eq!(statuses[0].visibility, "public");
    assert_eq!(
        fake.idempotency_keys_seen(),
        [Some("delivery-1".to_string())]
    );
}

#[tokio::test]
async fn the_link_is_appended_unless_the_text_has_it_and_reconcile_agrees() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let mut post = outgoing("k1", "Read this ");
    post.link = Some("https://example.org/a".into());
    c.publish(&ch, &post).await.unwrap();
    let found = c.reconcile(&ch, &post).await.unwrap().unwrap();
    let mut again = outgoing("k2", "See https://example.org/b here");
    again.link = Some("https://example.org/b".into());
    c.publish(&ch, &again).await.unwrap();
    let texts: Vec<String> = fake.statuses().into_iter().map(|s| s.text).collect();
    assert_eq!(
        texts,
        [
            "Read this\n\nhttps://example.org/a",
            "See https://example.org/b here"
        ]
    );
    assert_eq!(found.remote_id, fake.statuses()[0].id);
}

#[tokio::test]
async fn publish_with_images_waits_for_processing() {
    let fake = MastodonFake::start(MastodonFakeOptions {
        media_processing_polls: 3,
        ..MastodonFakeOptions::default()
    })
    .await;
    let mut post = outgoing("k", "Two pictures");
    post.media = vec![image("a.png", "A red door"), image("b.png", "A blue sky")];
    connector().publish(&fake.channel(), &post).await.unwrap();
    let media = fake.media();
    assert_eq!(media.len(), 2);
    assert_eq!(media[0].description, "A red door");
    assert_eq!(media[1].description, "A blue sky");
    assert_eq!(media[0].file_name, "a.png");
    assert!(media.iter().all(|m| m.polls_left == 0 && m.bytes > 0));
    let ids: Vec<String> = media.iter().map(|m| m.id.clone()).collect();
    assert_eq!(fake.statuses()[0].media_ids, ids);
}

#[tokio::test]
async fn media_ready_at_once_needs_no_polling() {
    let fake = MastodonFake::start(MastodonFakeOptions {
        media_processing_polls: 0,
        ..MastodonFakeOptions::default()
    })
    .await;
    let mut post = outgoing("k", "");
    post.media = vec![image("only.png", "Only a picture")];
    connector().publish(&fake.channel(), &post).await.unwrap();
    assert_eq!(fake.statuses()[0].media_ids.len(), 1);
}

#[tokio::test]
async fn media_that_never_finishes_is_a_retryable_refusal_and_nothing_is_posted() {
    let fake = MastodonFake::start(MastodonFakeOptions {
        media_processing_polls: 1_000,
        ..MastodonFakeOptions::default()
    })
    .await;
    let mut post = outgoing("k", "Slow video");
    post.media = vec![image("slow.png", "slow")];
    let err = connector()
        .publish(&fake.channel(), &post)
        .await
        .unwrap_err();
    let PublishError::Refused { message, retryable } = &err else {
        panic!("{err:?}");
    };
    assert!(*retryable);
    assert!(message.contains("still processing"), "{message}");
    assert_eq!(fake.status_posts(), 0);
}

#[tokio::test]
async fn too_many_attachments_for_the_instance_are_refused_before_sending() {
    let fake = MastodonFake::start(MastodonFakeOptions {
        max_media_attachments: 1,
        ..MastodonFakeOptions::default()
    })
    .await;
    let mut post = outgoing("k", "Too many");
    post.media = vec![image("1.png", "one"), image("2.png", "two")];
    let err = connector()
        .publish(&fake.channel(), &post)
        .await
        .unwrap_err();
    assert!(
        matches!(err, PublishError::Refused { retryable: false, ref message } if message.contains("at most 1")),
        "{err:?}"
    );
    assert!(fake.media().is_empty());
}

#[tokio::test]
async fn over_long_text_is_refused_by_the_instances_own_limit() {
    let fake = MastodonFake::start(MastodonFakeOptions {
        max_characters: 100,
        characters_reserved_per_url: 23,
        ..MastodonFakeOptions::default()
    })
    .await;
    let (c, ch) = (connector(), fake.channel());
    let err = c
        .publish(&ch, &outgoing("k1", &"é".repeat(101)))
        .await
        .unwrap_err();
    let PublishError::Refused { message, retryable } = &err else {
        panic!("{err:?}");
    };
    assert!(!retryable);
    assert!(message.contains("101 of 100"), "{message}");
    assert_eq!(fake.status_posts(), 0, "refused before sending");
    // A long URL counts 23 and a remote mention counts as its local part: this fits.
    let url = format!("https://example.org/{}", "x".repeat(200));
    let text = format!("{} {url} @someone@far.example", "a".repeat(60));
    c.publish(&ch, &outgoing("k2", &text)).await.unwrap();
    c.publish(&ch, &outgoing("k3", &"é".repeat(100)))
        .await
        .unwrap();
    assert_eq!(fake.statuses().len(), 2);
}

#[tokio::test]
async fn a_422_is_refused_for_good_with_mastodons_message() {
    let fake = MastodonFake::start(MastodonFakeOptions {
        max_characters: 10,
        announced_max_characters: Some(500),
        ..MastodonFakeOptions::default()
    })
    .await;
    let err = connector()
        .publish(&fake.channel(), &outgoing("k", "Longer than ten"))
        .await
        .unwrap_err();
    let PublishError::Refused { message, retryable } = &err else {
        panic!("{err:?}");
    };
    assert!(!retryable);
    assert!(message.contains("character limit of 10"), "{message}");
}

#[tokio::test]
async fn a_bad_or_missing_token_is_unauthorized() {
    let fake = fake().await;
    let c = connector();
    let mut ch = fake.channel();
    ch.credentials = Secret::new(json!({"access_token": "guess"}));
    for result in [
        c.publish(&ch, &outgoing("k", "x")).await.map(drop),
        c.verify(&ch).await.map(drop),
        c.fetch_profile(&ch).await.map(drop),
    ] {
        assert!(
            matches!(result, Err(PublishError::Unauthorized(_))),
            "{result:?}"
        );
    }
    ch.credentials = Secret::new(json!({}));
    assert!(matches!(
        c.publish(&ch, &outgoing("k", "x")).await,
        Err(PublishError::Unauthorized(_))
    ));
    assert!(fake.statuses().is_empty());
}

#[tokio::test]
async fn a_429_is_rate_limited_by_retry_after_or_the_reset_instant() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    fake.push_fault(Fault::RateLimit {
        retry_after_secs: Some(30),
        reset_in_secs: None,
    });
    fake.push_fault(Fault::RateLimit {
        retry_after_secs: None,
        reset_in_secs: Some(120),
    });
    let post = outgoing("k", "Later");
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(
        matches!(err, PublishError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(30)),
        "{err:?}"
    );
    let err = c.publish(&ch, &post).await.unwrap_err();
    let PublishError::RateLimited {
        retry_after: Some(wait),
    } = err
    else {
        panic!("{err:?}");
    };
    assert!(wait > Duration::from_secs(110) && wait <= Duration::from_secs(120));
    assert!(fake.statuses().is_empty());
    c.publish(&ch, &post).await.unwrap();
    assert_eq!(fake.statuses().len(), 1);
}

#[tokio::test]
async fn a_500_on_posting_is_unknown() {
    let fake = fake().await;
    fake.push_fault(Fault::ServerError);
    let err = connector()
        .publish(&fake.channel(), &outgoing("k", "Boom"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn a_repeat_after_a_lost_answer_does_not_duplicate() {
    let fake = fake().await;
    fake.push_fault(Fault::StoreThenHang(HANG));
    let (c, ch) = (connector(), fake.channel());
    assert_eq!(c.idempotency(&ch), Idempotency::Native);
    let post = outgoing("delivery-7", "Exactly once");
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert_eq!(
        fake.statuses().len(),
        1,
        "stored although the answer was lost"
    );
    let again = c.publish(&ch, &post).await.unwrap();
    let statuses = fake.statuses();
    assert_eq!(statuses.len(), 1);
    assert_eq!(again.remote_id, statuses[0].id);
    assert_eq!(fake.status_posts(), 2);
}

#[tokio::test]
async fn delete_removes_the_status_and_a_second_delete_is_fine() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let published = c.publish(&ch, &outgoing("k", "Oops")).await.unwrap();
    c.delete(&ch, &published.remote_id).await.unwrap();
    assert!(fake.statuses().is_empty());
    c.delete(&ch, &published.remote_id).await.unwrap();
}

#[tokio::test]
async fn reconcile_finds_a_status_whose_answer_was_lost() {
    let fake = fake().await;
    fake.push_fault(Fault::StoreThenHang(HANG));
    let (c, ch) = (connector(), fake.channel());
    let post = outgoing("k", "Line one\n\nLine <two> & \"three\"");
    assert!(matches!(
        c.publish(&ch, &post).await,
        Err(PublishError::Unknown(_))
    ));
    let found = c.reconcile(&ch, &post).await.unwrap().unwrap();
    assert_eq!(found.remote_id, fake.statuses()[0].id);
    assert!(found.url.is_some());
}

#[tokio::test]
async fn reconcile_of_a_never_sent_status_is_none_and_ignores_older_ones() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    fake.insert_status("Good morning", Duration::from_secs(3_600));
    c.publish(&ch, &outgoing("other", "Something else"))
        .await
        .unwrap();
    assert_eq!(
        c.reconcile(&ch, &outgoing("k", "Good morning"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn reconcile_cannot_tell_when_the_listing_does_not_reach_back() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let needle = outgoing("k", "Needle");
    for i in 0..RECONCILE_LIMIT {
        fake.insert_status(&format!("Hay {i}"), Duration::ZERO);
    }
    let err = c.reconcile(&ch, &needle).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn reconcile_without_a_source_endpoint_compares_the_rendered_text() {
    let fake = MastodonFake::start(MastodonFakeOptions {
        source_endpoint: false,
        ..MastodonFakeOptions::default()
    })
    .await;
    let (c, ch) = (connector(), fake.channel());
    let post = outgoing("k", "Tea & <cake>\nat five");
    let id = fake.insert_status(&post.text, Duration::ZERO);
    assert_eq!(
        c.reconcile(&ch, &post).await.unwrap().unwrap().remote_id,
        id
    );
    // Something else posted since the attempt, not comparable exactly: cannot tell.
    let err = c
        .reconcile(&ch, &outgoing("k2", "Not that one"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn a_failed_lookup_never_reads_as_not_posted() {
    let mut ch = fake().await.channel();
    ch.settings = json!({"instance": "http://127.0.0.1:9"}); // nothing listens there
    let err = connector()
        .reconcile(&ch, &outgoing("k", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn verify_reads_the_account_and_the_instance_limits() {
    let fake = MastodonFake::start(MastodonFakeOptions {
        max_characters: 5_000,
        characters_reserved_per_url: 30,
        max_media_attachments: 8,
        ..MastodonFakeOptions::default()
    })
    .await;
    let (c, ch) = (connector(), fake.channel());
    let account = c.verify(&ch).await.unwrap();
    assert_eq!(account.external_id, ACCOUNT_ID);
    assert_eq!(account.display_name, "Fake Account");
    let verified = c.verified(&ch).await.unwrap();
    assert_eq!(verified.followers, Some(321));
    assert_eq!(
        verified.limits,
        InstanceLimits {
            max_characters: 5_000,
            characters_reserved_per_url: 30,
            max_media_attachments: 8,
        }
    );
    assert_eq!(c.instance_limits(&ch).await.unwrap(), verified.limits);
    // The instance's larger limit is used when publishing.
    c.publish(&ch, &outgoing("k", &"a".repeat(4_000)))
        .await
        .unwrap();
}

#[tokio::test]
async fn fetch_profile_and_metrics() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let published = c.publish(&ch, &outgoing("k", "Count me")).await.unwrap();
    let profile = c.fetch_profile(&ch).await.unwrap();
    assert_eq!(
        profile,
        ProfileStats {
            followers: Some(321),
            following: Some(45),
            posts: Some(1),
        }
    );
    fake.set_counts(&published.remote_id, 2, 3, 5);
    let metrics = c.fetch_metrics(&ch, &published.remote_id).await.unwrap();
    assert_eq!(metrics.comments, Some(2));
    assert_eq!(metrics.shares, Some(3));
    assert_eq!(metrics.likes, Some(5));
    assert_eq!(metrics.views, None);
}

#[tokio::test]
async fn the_instance_must_be_https_except_on_loopback() {
    let c = connector();
    let ch = |instance: &str| ChannelCtx {
        channel_id: 1,
        workspace_id: 1,
        settings: json!({ "instance": instance }),
        credentials: Secret::new(json!({"access_token": "t"})),
    };
    for bad in ["http://mastodon.social", "ftp://x.org", "not a url", ""] {
        assert!(
            matches!(
                c.verify(&ch(bad)).await,
                Err(PublishError::Refused {
                    retryable: false,
                    ..
                })
            ),
            "{bad}"
        );
    }
    // Loopback over http is allowed (and here nothing listens: a retryable refusal).
    assert!(matches!(
        c.verify(&ch("http://localhost:9")).await,
        Err(PublishError::Refused {
            retryable: true,
            ..
        })
    ));
}

#[test]
fn info_declares_mastodon() {
    let c = connector();
    let info = c.info();
    assert_eq!(info.id, "mastodon");
    assert_eq!(info.rules, Platform::Mastodon);
    assert_eq!(info.idempotency, Idempotency::Native);
    assert!(!info.hidden);
    let caps = info.capabilities;
    assert!(caps.publish && caps.delete && caps.reconcile);
    assert!(caps.fetch_profile && caps.fetch_metrics);
    let keys: Vec<&str> = info.fields.iter().map(|f| f.key).collect();
    assert_eq!(keys, ["instance", "access_token"]);
}

#[test]
fn limits_default_where_the_instance_is_silent() {
    assert_eq!(api::parse_limits(json!({})), InstanceLimits::default());
    let partial = json!({"configuration": {"statuses": {"max_characters": 1000}}});
    assert_eq!(api::parse_limits(partial).max_characters, 1000);
    let fork = json!({"max_toot_chars": 5000});
    assert_eq!(api::parse_limits(fork).max_characters, 5000);
}

#[path = "tests/inbox.rs"]
mod inbox_tests;

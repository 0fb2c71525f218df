//! The testplat connector against its fake: every outcome the engine relies on.

use super::fake::{Fault, TestPlatform, TestPlatformOptions};
use super::*;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The client's request timeout; hangs are made longer than this.
const TIMEOUT: Duration = Duration::from_millis(400);
const HANG: Duration = Duration::from_secs(2);

fn connector() -> TestPlatConnector {
    TestPlatConnector::new(http::client(TIMEOUT).unwrap())
}

async fn platform(honour_idempotency_key: bool) -> TestPlatform {
    TestPlatform::start(TestPlatformOptions {
        honour_idempotency_key,
        ..TestPlatformOptions::default()
    })
    .await
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

#[tokio::test]
async fn publish_ok() {
    let fake = platform(false).await;
    let published = connector()
        .publish(&fake.channel(), &outgoing("k1", "Hello, world"))
        .await
        .unwrap();
    let posts = fake.posts();
    assert_eq!(posts.len(), 1);
    assert_eq!(published.remote_id, posts[0].id);
    assert_eq!(
        published.url,
        Some(format!("{}/@test/{}", fake.base_url(), posts[0].id))
    );
    assert_eq!(posts[0].idempotency_key.as_deref(), Some("k1"));
    assert_eq!(fake.requests(), 1);
    assert_eq!(fake.publish_requests(), 1);
}

#[tokio::test]
async fn idempotent_repeat_returns_the_same_id_and_stores_once() {
    let fake = platform(true).await;
    let ch = fake.channel();
    let c = connector();
    assert_eq!(c.idempotency(&ch), Idempotency::Native);
    let first = c.publish(&ch, &outgoing("k1", "Once")).await.unwrap();
    let again = c.publish(&ch, &outgoing("k1", "Once")).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(fake.count_by_text("Once"), 1);
    assert_eq!(fake.publish_requests(), 2);
}

#[tokio::test]
async fn non_idempotent_repeat_stores_twice() {
    let fake = platform(false).await;
    let ch = fake.channel();
    let c = connector();
    assert_eq!(c.idempotency(&ch), Idempotency::None);
    let first = c.publish(&ch, &outgoing("k1", "Twice")).await.unwrap();
    let again = c.publish(&ch, &outgoing("k1", "Twice")).await.unwrap();
    assert_ne!(first.remote_id, again.remote_id);
    assert_eq!(fake.count_by_text("Twice"), 2);
}

#[tokio::test]
async fn a_429_is_rate_limited_with_its_duration_and_stores_nothing() {
    let fake = platform(false).await;
    fake.push_fault(Fault::RateLimit {
        retry_after_secs: 30,
    });
    let err = connector()
        .publish(&fake.channel(), &outgoing("k", "Later"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, PublishError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(30)),
        "{err:?}"
    );
    assert!(fake.posts().is_empty());
    assert_eq!(fake.pending_faults(), 0);
}

#[tokio::test]
async fn a_500_is_unknown_and_reconcile_finds_nothing() {
    let fake = platform(false).await;
    fake.push_fault(Fault::ServerError);
    let (c, ch, post) = (connector(), fake.channel(), outgoing("k", "Boom"));
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
}

#[tokio::test]
async fn a_hang_is_unknown_and_nothing_is_stored() {
    let fake = platform(false).await;
    fake.push_fault(Fault::Hang(HANG));
    let (c, ch, post) = (
        connector(),
        fake.channel(),
        outgoing("k", "Lost in transit"),
    );
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert!(fake.posts().is_empty());
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
}

#[tokio::test]
async fn store_then_hang_is_unknown_and_reconcile_finds_the_post() {
    let fake = platform(false).await;
    fake.push_fault(Fault::StoreThenHang(HANG));
    let (c, ch, post) = (connector(), fake.channel(), outgoing("k", "Made it"));
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert_eq!(fake.count_by_text("Made it"), 1);
    let found = c.reconcile(&ch, &post).await.unwrap().unwrap();
    assert_eq!(found.remote_id, fake.posts()[0].id);
    assert!(found.url.is_some());
}

#[tokio::test]
async fn reconcile_of_a_never_sent_post_is_none() {
    let fake = platform(false).await;
    let (c, ch) = (connector(), fake.channel());
    c.publish(&ch, &outgoing("other", "Something else"))
        .await
        .unwrap();
    assert_eq!(
        c.reconcile(&ch, &outgoing("k", "Never sent"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn reconcile_ignores_the_same_text_posted_before_the_attempt() {
    let fake = platform(false).await;
    let (c, ch) = (connector(), fake.channel());
    c.publish(&ch, &outgoing("old", "Good morning"))
        .await
        .unwrap();
    let mut later = outgoing("new", "Good morning");
    later.not_before_ms = now_ms() + RECONCILE_SLACK_MS + 1_000;
    assert_eq!(c.reconcile(&ch, &later).await.unwrap(), None);
}

#[tokio::test]
async fn reconcile_cannot_tell_when_the_listing_does_not_reach_back() {
    let fake = platform(false).await;
    let (c, ch) = (connector(), fake.channel());
    let start = outgoing("k", "Needle");
    for i in 0..RECONCILE_LIMIT {
        c.publish(&ch, &outgoing(&format!("h{i}"), &format!("Hay {i}")))
            .await
            .unwrap();
    }
    let err = c.reconcile(&ch, &start).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn a_failed_lookup_never_reads_as_not_posted() {
    let fake = platform(false).await;
    let mut ch = fake.channel();
    ch.settings = json!({"base_url": "http://127.0.0.1:9"}); // nothing listens there
    let err = connector()
        .reconcile(&ch, &outgoing("k", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn an_unauthorized_fault_is_unauthorized() {
    let fake = platform(false).await;
    fake.push_fault(Fault::Unauthorized);
    let err = connector()
        .publish(&fake.channel(), &outgoing("k", "Hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unauthorized(_)), "{err:?}");
}

#[tokio::test]
async fn faults_apply_in_order_then_publishing_works() {
    let fake = platform(false).await;
    fake.push_fault(Fault::ServerError);
    fake.push_fault(Fault::RateLimit {
        retry_after_secs: 1,
    });
    let (c, ch) = (connector(), fake.channel());
    let post = outgoing("k", "Third time lucky");
    assert!(matches!(
        c.publish(&ch, &post).await,
        Err(PublishError::Unknown(_))
    ));
    assert!(matches!(
        c.publish(&ch, &post).await,
        Err(PublishError::RateLimited { .. })
    ));
    c.publish(&ch, &post).await.unwrap();
    assert_eq!(fake.count_by_text("Third time lucky"), 1);
}

#[tokio::test]
async fn an_expired_token_is_unauthorized_until_refreshed() {
    let fake = platform(false).await;
    let (c, mut ch) = (connector(), fake.channel());
    fake.expire_token();
    let err = c.publish(&ch, &outgoing("k", "Hi")).await.unwrap_err();
    assert!(matches!(err, PublishError::Unauthorized(_)), "{err:?}");
    assert!(fake.posts().is_empty());

    let refreshed = c.refresh(&ch).await.unwrap();
    let fresh = refreshed.credentials.expose();
    assert_eq!(fresh["access_token"], fake.access_token());
    assert_eq!(fresh["refresh_token"], fake.refresh_token());
    ch.credentials = refreshed.credentials;
    c.publish(&ch, &outgoing("k", "Hi")).await.unwrap();
    assert_eq!(fake.count_by_text("Hi"), 1);
}

#[tokio::test]
async fn a_failing_refresh_is_unauthorized_and_keeps_tokens_out_of_messages() {
    let fake = platform(false).await;
    let (c, ch) = (connector(), fake.channel());
    fake.expire_token();
    fake.set_refresh_fails(true);
    let err = c.refresh(&ch).await.unwrap_err();
    let PublishError::Unauthorized(message) = &err else {
        panic!("{err:?}");
    };
    assert!(message.contains("invalid"), "{message}");
    let shown = format!("{err} {err:?} {ch:?}");
    assert!(!shown.contains(&fake.refresh_token()));
    assert!(!shown.contains("tp-access") && !shown.contains("tp-refresh"));

    // A refresh token that was already used (rotated away) is refused the same way.
    fake.set_refresh_fails(false);
    c.refresh(&ch).await.unwrap();
    assert!(matches!(
        c.refresh(&ch).await,
        Err(PublishError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn over_long_or_empty_text_is_refused_for_good() {
    let fake = platform(false).await;
    let (c, ch) = (connector(), fake.channel());
    // 501 graphemes, each a family emoji of several code points.
    let long = "👨‍👩‍👧".repeat(501);
    let err = c.publish(&ch, &outgoing("k1", &long)).await.unwrap_err();
    let PublishError::Refused { message, retryable } = err else {
        panic!("{err:?}");
    };
    assert!(!retryable);
    assert!(message.contains("500"), "{message}");
    // 500 of them are fine.
    c.publish(&ch, &outgoing("k2", &"👨‍👩‍👧".repeat(500)))
        .await
        .unwrap();
    assert!(matches!(
        c.publish(&ch, &outgoing("k3", "   ")).await,
        Err(PublishError::Refused {
            retryable: false,
            ..
        })
    ));
    assert_eq!(fake.posts().len(), 1);
}

#[tokio::test]
async fn a_missing_or_wrong_bearer_is_unauthorized() {
    let fake = platform(false).await;
    let c = connector();
    let mut ch = fake.channel();
    ch.credentials = Secret::new(json!({"access_token": "guess"}));
    assert!(matches!(
        c.publish(&ch, &outgoing("k", "x")).await,
        Err(PublishError::Unauthorized(_))
    ));
    ch.credentials = Secret::new(json!({}));
    assert!(matches!(
        c.publish(&ch, &outgoing("k", "x")).await,
        Err(PublishError::Unauthorized(_))
    ));
    let raw = http::client(TIMEOUT)
        .unwrap()
        .post(format!("{}/posts", fake.base_url()))
        .json(&json!({"text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), StatusCode::UNAUTHORIZED);
    assert!(fake.posts().is_empty());
}

#[tokio::test]
async fn delete_removes_the_post_and_a_second_delete_is_fine() {
    let fake = platform(true).await;
    let (c, ch) = (connector(), fake.channel());
    let published = c.publish(&ch, &outgoing("k", "Oops")).await.unwrap();
    c.delete(&ch, &published.remote_id).await.unwrap();
    assert!(fake.posts().is_empty());
    c.delete(&ch, &published.remote_id).await.unwrap();
}

#[tokio::test]
async fn verify_and_fetch_profile_read_me() {
    let fake = TestPlatform::start(TestPlatformOptions {
        followers: 77,
        ..TestPlatformOptions::default()
    })
    .await;
    let (c, ch) = (connector(), fake.channel());
    let account = c.verify(&ch).await.unwrap();
    assert_eq!(account.external_id, "testplat-account-1");
    assert_eq!(account.display_name, "Test Platform Account");
    assert_eq!(c.fetch_profile(&ch).await.unwrap().followers, Some(77));
    fake.expire_token();
    assert!(matches!(
        c.verify(&ch).await,
        Err(PublishError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn latency_delays_every_request() {
    let fake = TestPlatform::start(TestPlatformOptions {
        latency: Duration::from_millis(150),
        ..TestPlatformOptions::default()
    })
    .await;
    let started = std::time::Instant::now();
    connector()
        .publish(&fake.channel(), &outgoing("k", "Slowly"))
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[test]
fn info_is_hidden_with_mastodon_rules() {
    let c = connector();
    let info = c.info();
    assert_eq!(info.id, "testplat");
    assert!(info.hidden);
    assert_eq!(info.rules, Platform::Mastodon);
    assert_eq!(info.max_in_flight_per_channel, 16);
    let caps = info.capabilities;
    assert!(caps.publish && caps.delete && caps.reconcile && caps.fetch_profile);
}

#[tokio::test]
async fn missing_settings_are_refused_for_good() {
    let c = connector();
    let ch = ChannelCtx {
        channel_id: 1,
        workspace_id: 1,
        settings: json!({}),
        credentials: Secret::new(json!({"access_token": "t"})),
    };
    assert!(matches!(
        c.publish(&ch, &outgoing("k", "x")).await,
        Err(PublishError::Refused {
            retryable: false,
            ..
        })
    ));
}

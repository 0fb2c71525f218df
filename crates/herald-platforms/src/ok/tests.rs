//! The OK connector against its fake: signing, every publish outcome, reconcile, delete and
//! the counters.

use super::api::{session_secret, signature, OkError};
use super::fake::{FakeOk, Fault, APPLICATION_KEY, GID};
use super::*;
use crate::connector::OutgoingMedia;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const TIMEOUT: Duration = Duration::from_millis(500);
const HANG: Duration = Duration::from_secs(2);

fn connector() -> OkConnector {
    OkConnector::new(http::client(TIMEOUT).unwrap())
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

fn outgoing(text: &str) -> OutgoingPost {
    OutgoingPost {
        delivery_id: 1,
        idempotency_key: "k".to_string(),
        text: text.to_string(),
        link: None,
        first_comment: None,
        media: Vec::new(),
        post_id: 1,
        not_before_ms: now_ms(),
    }
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
        .collect()
}

/// Expected values computed by hand with Python's hashlib:
/// `md5("tkn1-herald-test" + "APPSECRET0123")`, then `md5(sorted k=v… + secret)`.
#[test]
fn signature_matches_a_vector_computed_by_hand() {
    let secret = session_secret("tkn1-herald-test", "APPSECRET0123");
    assert_eq!(secret, "8789fa62f2d53e0d437286092027e3bf");
    let params = pairs(&[
        ("method", "group.getInfo"),
        ("uids", "54321"),
        ("application_key", "CBAPUBLICKEY"),
        ("format", "json"),
        ("fields", "uid,name"),
        ("access_token", "tkn1-herald-test"),
    ]);
    assert_eq!(
        signature(&params, &secret),
        "356e967b3cd141a6665677f0305ee3e2"
    );
    let post = pairs(&[
        ("application_key", "CBAPUBLICKEY"),
        ("format", "json"),
        ("method", "mediatopic.post"),
        ("gid", "54321"),
        ("type", "GROUP_THEME"),
        (
            "attachment",
            r#"{"media":[{"type":"text","text":"Привет"}]}"#,
        ),
    ]);
    assert_eq!(
        signature(&post, &secret),
        "e864879b3a8cfa89583cc202d43cfcbb"
    );
}

#[test]
fn error_codes_are_classified() {
    let e = |code| OkError {
        code,
        message: "m".into(),
    };
    let writes = api::Effect::Writes;
    assert!(matches!(
        e(102).classify(writes),
        PublishError::Unauthorized(_)
    ));
    assert!(matches!(
        e(104).classify(writes),
        PublishError::Refused {
            retryable: false,
            ..
        }
    ));
    assert!(matches!(
        e(8).classify(writes),
        PublishError::RateLimited { .. }
    ));
    assert!(matches!(
        e(10).classify(writes),
        PublishError::Refused {
            retryable: false,
            ..
        }
    ));
    assert!(matches!(e(2).classify(writes), PublishError::Unknown(_)));
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_fake_as_a_bad_signature() {
    let fake = FakeOk::start().await;
    let mut ch = fake.channel();
    ch.credentials = herald_domain::Secret::new(json!({
        "access_token": fake.credentials()["access_token"],
        "application_secret_key": "NOT-THE-SECRET",
    }));
    let err = connector()
        .publish(&ch, &outgoing("Hello"))
        .await
        .unwrap_err();
    match err {
        PublishError::Refused { message, retryable } => {
            assert!(!retryable);
            assert!(message.contains("104"), "{message}");
            assert!(message.contains("signature"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(fake.topics().is_empty());
}

#[tokio::test]
async fn publish_text_with_a_link() {
    let fake = FakeOk::start().await;
    let mut post = outgoing("Привет, Одноклассники!");
    post.link = Some("https://example.org/a".into());
    let published = connector().publish(&fake.channel(), &post).await.unwrap();
    let topics = fake.topics();
    assert_eq!(topics.len(), 1);
    assert_eq!(published.remote_id, topics[0].id);
    assert_eq!(topics[0].text, "Привет, Одноклассники!");
    assert_eq!(topics[0].links, vec!["https://example.org/a".to_string()]);
    assert!(topics[0].on_behalf_of_group);
    assert_eq!(
        published.url.as_deref(),
        Some(format!("https://ok.ru/group/{GID}/topic/{}", topics[0].id).as_str())
    );
}

fn media_file(name: &str) -> OutgoingMedia {
    let path = std::env::temp_dir().join(format!("herald-ok-{}-{name}", std::process::id()));
    std::fs::write(&path, b"\xff\xd8\xff\xe0 not really a jpeg").unwrap();
    OutgoingMedia {
        path,
        mime: "image/jpeg".into(),
        alt_text: String::new(),
        sha256: String::new(),
    }
}

#[tokio::test]
async fn publish_with_images_uploads_them_and_attaches_the_tokens() {
    let fake = FakeOk::start().await;
    let mut post = outgoing("Two photos");
    post.media = vec![media_file("a.jpg"), media_file("b.jpg")];
    connector().publish(&fake.channel(), &post).await.unwrap();
    let topics = fake.topics();
    assert_eq!(topics.len(), 1);
    assert_eq!(topics[0].photo_tokens.len(), 2);
    assert_ne!(topics[0].photo_tokens[0], topics[0].photo_tokens[1]);
}

#[tokio::test]
async fn a_photo_token_the_fake_did_not_issue_is_refused() {
    let fake = FakeOk::start().await;
    let ch = fake.channel();
    let attachment = attachment("x", None, &["tok-forged".to_string()]).to_string();
    let err = signer(&ch)
        .unwrap()
        .call(
            &http::client(TIMEOUT).unwrap(),
            "mediatopic.post",
            &[
                ("type", "GROUP_THEME"),
                ("gid", GID),
                ("attachment", &attachment),
            ],
            api::Effect::Writes,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PublishError::Refused {
                retryable: false,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(fake.topics().is_empty());
}

#[tokio::test]
async fn over_long_text_is_refused() {
    let fake = FakeOk::start().await;
    let text = "я".repeat(10_001);
    let err = connector()
        .publish(&fake.channel(), &outgoing(&text))
        .await
        .unwrap_err();
    match err {
        PublishError::Refused { message, retryable } => {
            assert!(!retryable);
            assert!(message.contains("601"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(fake.topics().is_empty());
}

#[tokio::test]
async fn a_bad_or_expired_token_is_unauthorized() {
    let fake = FakeOk::start().await;
    let mut ch = fake.channel();
    ch.credentials = herald_domain::Secret::new(json!({
        "access_token": "tkn1-someone-else",
        "application_secret_key": fake::APPLICATION_SECRET_KEY,
    }));
    let err = connector().verify(&ch).await.unwrap_err();
    assert!(matches!(err, PublishError::Unauthorized(_)), "{err:?}");

    let ch = fake.channel();
    fake.expire_token();
    let err = connector()
        .publish(&ch, &outgoing("Late"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unauthorized(_)), "{err:?}");
    assert!(fake.topics().is_empty());
}

#[tokio::test]
async fn a_wrong_application_key_is_unauthorized() {
    let fake = FakeOk::start().await;
    let mut ch = fake.channel();
    ch.settings["application_key"] = json!(format!("{APPLICATION_KEY}X"));
    let err = connector().fetch_profile(&ch).await.unwrap_err();
    assert!(matches!(err, PublishError::Unauthorized(_)), "{err:?}");
}

#[tokio::test]
async fn flood_control_is_rate_limited_and_stores_nothing() {
    let fake = FakeOk::start().await;
    fake.push_fault(Fault::RateLimit);
    let (c, ch, post) = (connector(), fake.channel(), outgoing("Later"));
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::RateLimited { .. }), "{err:?}");
    assert!(fake.topics().is_empty());
    assert_eq!(fake.pending_faults(), 0);
    c.publish(&ch, &post).await.unwrap();
    assert_eq!(fake.count_by_text("Later"), 1);
}

#[tokio::test]
async fn a_server_error_is_unknown_and_reconcile_finds_nothing() {
    let fake = FakeOk::start().await;
    fake.push_fault(Fault::ServerError);
    let (c, ch, post) = (connector(), fake.channel(), outgoing("Boom"));
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
}

#[tokio::test]
async fn a_lost_answer_is_unknown_and_reconcile_finds_the_topic() {
    let fake = FakeOk::start().await;
    fake.push_fault(Fault::StoreThenHang(HANG));
    let (c, ch, post) = (connector(), fake.channel(), outgoing("Made it"));
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert_eq!(fake.count_by_text("Made it"), 1);
    let found = c.reconcile(&ch, &post).await.unwrap().unwrap();
    assert_eq!(found.remote_id, fake.topics()[0].id);
    assert!(found.url.is_some());
}

#[tokio::test]
async fn a_hang_is_unknown_and_nothing_is_found() {
    let fake = FakeOk::start().await;
    fake.push_fault(Fault::Hang(HANG));
    let (c, ch, post) = (connector(), fake.channel(), outgoing("Lost"));
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
}

#[tokio::test]
async fn reconcile_of_a_never_sent_post_is_none_and_ignores_older_copies() {
    let fake = FakeOk::start().await;
    let (c, ch) = (connector(), fake.channel());
    fake.add_topic("Good morning", now_ms() - 3_600_000);
    c.publish(&ch, &outgoing("Something else")).await.unwrap();
    assert_eq!(
        c.reconcile(&ch, &outgoing("Never sent")).await.unwrap(),
        None
    );
    assert_eq!(
        c.reconcile(&ch, &outgoing("Good morning")).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn reconcile_cannot_tell_when_the_listing_does_not_reach_back() {
    let fake = FakeOk::start().await;
    let post = outgoing("Needle");
    for i in 0..(RECONCILE_PAGE * RECONCILE_MAX_PAGES + 1) {
        fake.add_topic(&format!("Hay {i}"), now_ms() + 1_000);
    }
    let err = connector()
        .reconcile(&fake.channel(), &post)
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn without_has_more_a_full_page_is_not_taken_as_the_whole_window() {
    let fake = FakeOk::start().await;
    fake.set_omit_has_more(true);
    let post = outgoing("Needle");
    for i in 0..(RECONCILE_PAGE * RECONCILE_MAX_PAGES) {
        fake.add_topic(&format!("Hay {i}"), now_ms() + 1_000);
    }
    let err = connector()
        .reconcile(&fake.channel(), &post)
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    // A short page without the flag does cover the window.
    let fake = FakeOk::start().await;
    fake.set_omit_has_more(true);
    fake.add_topic("Hay", now_ms() + 1_000);
    let found = connector().reconcile(&fake.channel(), &post).await.unwrap();
    assert_eq!(found, None);
}

#[tokio::test]
async fn a_failed_upload_is_a_retryable_refusal_and_posts_nothing() {
    let fake = FakeOk::start().await;
    let mut post = outgoing("Photo that never arrives");
    let mut missing = media_file("gone.jpg");
    std::fs::remove_file(&missing.path).unwrap();
    missing.path = missing.path.with_extension("missing");
    post.media = vec![missing];
    let err = connector()
        .publish(&fake.channel(), &post)
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Refused { .. }), "{err:?}");
    assert_eq!(fake.post_calls(), 0);
    assert!(fake.topics().is_empty());
}

#[tokio::test]
async fn delete_removes_the_topic_and_a_missing_one_counts_as_deleted() {
    let fake = FakeOk::start().await;
    let (c, ch) = (connector(), fake.channel());
    let published = c.publish(&ch, &outgoing("Short-lived")).await.unwrap();
    c.delete(&ch, &published.remote_id).await.unwrap();
    assert!(fake.topics().is_empty());
    c.delete(&ch, &published.remote_id).await.unwrap();
}

#[tokio::test]
async fn verify_reads_the_group_name() {
    let fake = FakeOk::start().await;
    let account = connector().verify(&fake.channel()).await.unwrap();
    assert_eq!(account.external_id, GID);
    assert_eq!(account.display_name, "Herald test group");

    let mut ch = fake.channel();
    ch.settings["gid"] = json!("1");
    let err = connector().verify(&ch).await.unwrap_err();
    assert!(
        matches!(
            err,
            PublishError::Refused {
                retryable: false,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn fetch_profile_and_metrics() {
    let fake = FakeOk::start().await;
    let (c, ch) = (connector(), fake.channel());
    let stats = c.fetch_profile(&ch).await.unwrap();
    assert_eq!(stats.followers, Some(4_321));
    let published = c.publish(&ch, &outgoing("Counted")).await.unwrap();
    fake.set_counts(&published.remote_id, 7, 2, 3);
    let metrics = c.fetch_metrics(&ch, &published.remote_id).await.unwrap();
    assert_eq!(metrics.likes, Some(7));
    assert_eq!(metrics.shares, Some(2));
    assert_eq!(metrics.comments, Some(3));
}

#[tokio::test]
async fn the_signer_never_prints_its_secrets() {
    let fake = FakeOk::start().await;
    let ch = fake.channel();
    let printed = format!("{:?}", signer(&ch).unwrap());
    assert!(!printed.contains(fake::APPLICATION_SECRET_KEY), "{printed}");
    let token = fake.credentials()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(!printed.contains(&token), "{printed}");
}

#[test]
fn info_and_idempotency() {
    let c = connector();
    assert_eq!(c.info().id, "ok");
    assert_eq!(c.info().rules, Platform::Ok);
    assert_eq!(c.info().idempotency, Idempotency::None);
}

#[path = "tests/inbox.rs"]
mod inbox_tests;

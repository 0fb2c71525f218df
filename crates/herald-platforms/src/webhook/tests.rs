//! The webhook connector against a local axum receiver.

use super::*;
use crate::connector::OutgoingMedia;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use herald_domain::Secret;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SECRET: &str = "correct-horse-battery-staple";

#[derive(Clone, Default)]
struct Receiver {
    seen: Arc<Mutex<Vec<(HeaderMap, Bytes)>>>,
}

impl Receiver {
    fn last(&self) -> (HeaderMap, Bytes) {
        self.seen.lock().unwrap().last().cloned().unwrap()
    }
}

async fn record(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) {
    receiver.seen.lock().unwrap().push((headers, body));
}

async fn start() -> (String, Receiver) {
    let receiver = Receiver::default();
    let router = Router::new()
        .route(
            "/hook",
            post(|s: State<Receiver>, h: HeaderMap, b: Bytes| async move {
                record(s, h, b).await;
                (
                    StatusCode::OK,
                    r#"{"id":"rcv-1","url":"https://example.org/p/1"}"#,
                )
            }),
        )
        .route(
            "/hook/numeric",
            post(|| async { (StatusCode::CREATED, r#"{"id":42}"#) }),
        )
        .route("/hook/empty", post(|| async { StatusCode::NO_CONTENT }))
        .route(
            "/hook/500",
            post(|| async { (StatusCode::INTERNAL_SERVER_ERROR, "oops") }),
        )
        .route(
            "/hook/400",
            post(|| async { (StatusCode::BAD_REQUEST, r#"{"error":"unknown event"}"#) }),
        )
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (format!("http://{addr}"), receiver)
}

fn connector() -> WebhookConnector {
    WebhookConnector::new(http::client(Duration::from_secs(2)).unwrap())
}

fn channel(url: &str, secret: &str, dedupes: bool) -> ChannelCtx {
    ChannelCtx {
        channel_id: 5,
        workspace_id: 2,
        settings: json!({"url": url, "receiver_dedupes": dedupes}),
        credentials: Secret::new(json!({"secret": secret})),
    }
}

fn outgoing() -> OutgoingPost {
    OutgoingPost {
        delivery_id: 11,
        idempotency_key: "delivery-11".to_string(),
        text: "Launch day! 🚀".to_string(),
        link: Some("https://example.org/launch".to_string()),
        first_comment: None,
        media: vec![OutgoingMedia {
            path: "/data/media/ab.png".into(),
            mime: "image/png".to_string(),
            alt_text: "A rocket".to_string(),
            sha256: "ab".repeat(32),
        }],
        post_id: 9,
        not_before_ms: 0,
    }
}

#[tokio::test]
async fn publish_sends_a_signed_post_that_the_receiver_verifies() {
    let (base, receiver) = start().await;
    let ch = channel(&format!("{base}/hook"), SECRET, false);
    let published = connector().publish(&ch, &outgoing()).await.unwrap();
    assert_eq!(published.remote_id, "rcv-1");
    assert_eq!(published.url.as_deref(), Some("https://example.org/p/1"));

    let (headers, body) = receiver.last();
    let header = |name: &str| headers.get(name).unwrap().to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "application/json");
    assert_eq!(header("idempotency-key"), "delivery-11");
    let timestamp = header("x-herald-timestamp");
    let signature = header("x-herald-signature");
    assert!(signature.starts_with("sha256="));
    let hex_part = &signature["sha256=".len()..];
    assert_eq!(hex_part.len(), 64);
    assert_eq!(hex_part, hex_part.to_lowercase());
    assert!(verify_signature(SECRET, &timestamp, &body, &signature));
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
    assert!((0..5).contains(&age));

    let sent: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(sent["event"], "post.publish");
    assert_eq!(sent["delivery_id"], 11);
    assert_eq!(sent["post_id"], 9);
    assert_eq!(sent["idempotency_key"], "delivery-11");
    assert_eq!(sent["text"], "Launch day! 🚀");
    assert_eq!(sent["link"], "https://example.org/launch");
    assert_eq!(sent["first_comment"], serde_json::Value::Null);
    assert_eq!(
        sent["media"],
        json!([{"sha256": "ab".repeat(32), "mime": "image/png", "alt_text": "A rocket"}])
    );
    assert!(sent["sent_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_tampered_body_or_wrong_secret_fails_verification() {
    let (base, receiver) = start().await;
    let ch = channel(&format!("{base}/hook"), SECRET, false);
    connector().publish(&ch, &outgoing()).await.unwrap();
    let (headers, body) = receiver.last();
    let timestamp = headers["x-herald-timestamp"].to_str().unwrap();
    let signature = headers["x-herald-signature"].to_str().unwrap();

    let mut tampered = body.to_vec();
    let at = tampered.iter().position(|b| *b == b'L').unwrap();
    tampered[at] = b'l';
    assert!(!verify_signature(SECRET, timestamp, &tampered, signature));
    assert!(!verify_signature(
        "another-secret-of-length",
        timestamp,
        &body,
        signature
    ));
    assert!(!verify_signature(SECRET, "1", &body, signature));
    assert!(!verify_signature(SECRET, timestamp, &body, "sha256=zz"));
    assert!(!verify_signature(
        SECRET,
        timestamp,
        &body,
        signature.trim_start_matches("sha256=")
    ));
}

#[test]
fn signature_matches_an_independently_computed_hmac() {
    // Python: hmac.new(b"key", b'1700000000.{"a":1}', hashlib.sha256).hexdigest()
    let expected = "sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03";
    let header = signature_header("key", "1700000000", br#"{"a":1}"#).unwrap();
    assert_eq!(header, expected);
    assert!(verify_signature(
        "key",
        "1700000000",
        br#"{"a":1}"#,
        expected
    ));
}

#[tokio::test]
async fn remote_id_falls_back_to_the_idempotency_key() {
    let (base, _) = start().await;
    let empty = channel(&format!("{base}/hook/empty"), SECRET, false);
    let published = connector().publish(&empty, &outgoing()).await.unwrap();
    assert_eq!(published.remote_id, "delivery-11");
    assert_eq!(published.url, None);
    let numeric = channel(&format!("{base}/hook/numeric"), SECRET, false);
    let published = connector().publish(&numeric, &outgoing()).await.unwrap();
    assert_eq!(published.remote_id, "42");
}

#[tokio::test]
async fn a_500_is_unknown_and_a_400_is_refused_for_good() {
    let (base, _) = start().await;
    let failing = channel(&format!("{base}/hook/500"), SECRET, false);
    let err = connector()
        .publish(&failing, &outgoing())
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");

    let refusing = channel(&format!("{base}/hook/400"), SECRET, false);
    let err = connector()
        .publish(&refusing, &outgoing())
        .await
        .unwrap_err();
    let PublishError::Refused { message, retryable } = err else {
        panic!("{err:?}");
    };
    assert!(!retryable);
    assert!(message.contains("unknown event"), "{message}");
}

#[tokio::test]
async fn settings_and_secret_are_checked_without_revealing_the_secret() {
    let c = connector();
    let cases = [
        channel("ftp://example.org/hook", SECRET, false),
        channel("not a url", SECRET, false),
        channel("https://example.org/hook", "short-secret", false),
        channel("https://example.org/hook", "", false),
        ChannelCtx {
            settings: json!({}),
            ..channel("https://example.org/hook", SECRET, false)
        },
    ];
    for ch in &cases {
        let err = c.verify(ch).await.unwrap_err();
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
        let err = c.publish(ch, &outgoing()).await.unwrap_err();
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
        let shown = format!("{err} {err:?} {ch:?} {c:?}");
        assert!(!shown.contains(SECRET) && !shown.contains("short-secret"));
    }
}

#[tokio::test]
async fn verify_checks_the_url_without_calling_it() {
    // Nothing listens on port 9 of loopback: a call would fail.
    let ch = channel("http://127.0.0.1:9/hooks/herald?token=x", SECRET, false);
    let account = connector().verify(&ch).await.unwrap();
    assert_eq!(account.display_name, "Webhook to 127.0.0.1");
    assert_eq!(account.external_id, "http://127.0.0.1:9/hooks/herald");
}

#[test]
fn idempotency_follows_receiver_dedupes() {
    let c = connector();
    let plain = channel("https://example.org/hook", SECRET, false);
    let dedupes = channel("https://example.org/hook", SECRET, true);
    assert_eq!(c.idempotency(&plain), Idempotency::None);
    assert_eq!(c.idempotency(&dedupes), Idempotency::Native);
    assert_eq!(c.info().id, "webhook");
    assert_eq!(c.info().rules, Platform::Facebook);
    assert!(!c.info().capabilities.reconcile);
}

#[tokio::test]
async fn reconcile_and_delete_are_unsupported() {
    let c = connector();
    let ch = channel("https://example.org/hook", SECRET, false);
    assert!(matches!(
        c.reconcile(&ch, &outgoing()).await,
        Err(PublishError::Unsupported)
    ));
    assert!(matches!(
        c.delete(&ch, "x").await,
        Err(PublishError::Unsupported)
    ));
}

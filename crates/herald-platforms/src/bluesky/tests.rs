//! The failure paths a real PDS will not produce on demand: a createRecord whose answer is a
//! 500 or never comes while the post was made, a refusal, a rate limit, and a lookup that
//! fails. A scripted stand-in answers the two XRPC calls involved.

use super::*;
use crate::connector::OutgoingPost;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const DID: &str = "did:plc:fake";

/// What createRecord does.
#[derive(Clone, Copy, PartialEq)]
enum Create {
    /// Makes the post, then answers 500 (what a repeated rkey gets, or a proxy's failure).
    StoreThen500,
    /// Makes nothing and answers 500.
    Only500,
    /// Makes the post and answers only after the client gave up.
    StoreThenHang,
    Refuse400,
    RateLimited,
}

struct Script {
    create: Create,
    /// getRecord answers 500 instead of looking.
    lookup_fails: bool,
    stored: Option<Value>,
}

type Shared = Arc<Mutex<Script>>;

async fn get_record(
    State(script): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let script = script.lock().unwrap();
    if script.lookup_fails {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "InternalServerError"})),
        )
            .into_response();
    }
    match &script.stored {
        Some(record) if record["rkey"] == q["rkey"] => Json(json!({
            "uri": format!("at://{DID}/app.bsky.feed.post/{}", q["rkey"]),
            "value": record["record"],
        }))
        .into_response(),
        _ => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "RecordNotFound", "message": "Could not locate record"})),
        )
            .into_response(),
    }
}

async fn create_record(State(script): State<Shared>, Json(body): Json<Value>) -> Response {
    let create = script.lock().unwrap().create;
    if matches!(create, Create::StoreThen500 | Create::StoreThenHang) {
        script.lock().unwrap().stored = Some(body);
    }
    match create {
        Create::StoreThen500 | Create::Only500 => (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(json!({"error": "InternalServerError", "message": "Internal Server Error"})),
        )
            .into_response(),
        Create::StoreThenHang => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::OK.into_response()
        }
        Create::Refuse400 => (
            StatusCode::BAD_REQUEST,
            Json(
                json!({"error": "InvalidRequest", "message": "Invalid app.bsky.feed.post record"}),
            ),
        )
            .into_response(),
        Create::RateLimited => {
            let reset = chrono::Utc::now().timestamp() + 30;
            let mut headers = HeaderMap::new();
            headers.insert("ratelimit-reset", HeaderValue::from(reset));
            (
                StatusCode::TOO_MANY_REQUESTS,
                headers,
                Json(json!({"error": "RateLimitExceeded"})),
            )
                .into_response()
        }
    }
}

async fn serve(create: Create, lookup_fails: bool) -> (String, Shared) {
    let script = Arc::new(Mutex::new(Script {
        create,
        lookup_fails,
        stored: None,
    }));
    let router = Router::new()
        .route("/xrpc/com.atproto.repo.getRecord", get(get_record))
        .route("/xrpc/com.atproto.repo.createRecord", post(create_record))
        .with_state(script.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (url, script)
}

fn channel(url: &str) -> ChannelCtx {
    ChannelCtx {
        channel_id: 1,
        workspace_id: 1,
        settings: json!({"service": url, "handle": "fake.test"}),
        credentials: Secret::new(json!({"app_password": "x", "access_jwt": "a", "did": DID})),
    }
}

fn outgoing() -> OutgoingPost {
    OutgoingPost {
        delivery_id: 7,
        idempotency_key: "delivery-7".into(),
        text: "hello".into(),
        link: None,
        first_comment: None,
        media: Vec::new(),
        post_id: 7,
        not_before_ms: 0,
    }
}

async fn publish(create: Create, lookup_fails: bool) -> Result<Published, PublishError> {
    let (url, _) = serve(create, lookup_fails).await;
    let connector = BlueskyConnector::new(http::client(Duration::from_secs(1)).unwrap());
    connector.publish(&channel(&url), &outgoing()).await
}

#[tokio::test]
async fn bluesky_a_500_after_the_post_was_made_is_published() {
    let published = publish(Create::StoreThen500, false).await.unwrap();
    let rkey = rkey_for("delivery-7");
    assert_eq!(
        published.remote_id,
        format!("at://{DID}/app.bsky.feed.post/{rkey}")
    );
    assert_eq!(
        published.url.as_deref(),
        Some(format!("https://bsky.app/profile/{DID}/post/{rkey}").as_str())
    );
}

#[tokio::test]
async fn bluesky_a_timeout_after_the_post_was_made_is_published() {
    assert!(publish(Create::StoreThenHang, false).await.is_ok());
}

#[tokio::test]
async fn bluesky_a_500_with_nothing_made_is_unknown_never_refused() {
    assert!(matches!(
        publish(Create::Only500, false).await,
        Err(PublishError::Unknown(_))
    ));
}

#[tokio::test]
async fn bluesky_a_400_with_nothing_made_is_refused() {
    match publish(Create::Refuse400, false).await {
        Err(PublishError::Refused {
            message,
            retryable: false,
        }) => assert!(message.contains("InvalidRequest"), "{message}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn bluesky_a_refusal_that_cannot_be_checked_is_unknown() {
    assert!(matches!(
        publish(Create::Refuse400, true).await,
        Err(PublishError::Unknown(_))
    ));
}

#[tokio::test]
async fn bluesky_429_waits_until_ratelimit_reset() {
    match publish(Create::RateLimited, false).await {
        Err(PublishError::RateLimited {
            retry_after: Some(wait),
        }) => assert!((28..=30).contains(&wait.as_secs()), "{wait:?}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn bluesky_reconcile_that_cannot_look_is_unknown() {
    let (url, _) = serve(Create::Only500, true).await;
    let connector = BlueskyConnector::new(http::client(Duration::from_secs(1)).unwrap());
    assert!(matches!(
        connector.reconcile(&channel(&url), &outgoing()).await,
        Err(PublishError::Unknown(_))
    ));
}

#[test]
fn bluesky_service_must_be_https_except_on_loopback() {
    let with = |service: &str| ChannelCtx {
        settings: json!({"service": service, "handle": "a.test"}),
        ..channel("http://127.0.0.1:1")
    };
    for ok in [
        "https://bsky.social",
        "http://127.0.0.1:2583",
        "http://localhost:1",
        "http://[::1]:1",
    ] {
        assert!(service_url(&with(ok)).is_ok(), "{ok}");
    }
    for bad in [
        "http://bsky.social",
        "http://10.0.0.1",
        "ftp://x",
        "https://u:p@x.com",
    ] {
        assert!(service_url(&with(bad)).is_err(), "{bad}");
    }
    let default = ChannelCtx {
        settings: json!({"handle": "a.test"}),
        ..channel("http://127.0.0.1:1")
    };
    assert_eq!(
        service_url(&default).unwrap().as_str(),
        "https://bsky.social/"
    );
}

//! `classify` against a local axum server (and two raw sockets for the transport failures).

use super::*;
use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::IntoResponse;
use axum::routing::any;
use axum::{Json, Router};
use serde_json::json;
use std::time::UNIX_EPOCH;
use tokio::io::AsyncReadExt;
use tokio::net::TcpListener;

async fn serve(router: Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn http_date(at: SystemTime) -> String {
    chrono::DateTime::<chrono::Utc>::from(at)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

async fn server() -> String {
    let router = Router::new()
        .route("/ok", any(|| async { (StatusCode::CREATED, "made") }))
        .route(
            "/status/{code}",
            any(|Path(code): Path<u16>| async move {
                let status = StatusCode::from_u16(code).unwrap();
                (
                    status,
                    Json(json!({"error": format!("platform says {code}")})),
                )
            }),
        )
        .route(
            "/retry/seconds",
            any(|| async { (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "7")]) }),
        )
        .route(
            "/retry/date",
            any(|| async {
                let at = http_date(SystemTime::now() + Duration::from_secs(120));
                let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
                let value = HeaderValue::from_str(&at).unwrap();
                response.headers_mut().insert(header::RETRY_AFTER, value);
                response
            }),
        )
        .route(
            "/retry/none",
            any(|| async { StatusCode::TOO_MANY_REQUESTS }),
        )
        .route(
            "/slow",
            any(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "late"
            }),
        )
        .route(
            "/message/nested",
            any(|| async {
                let body = json!({"error": {"code": 17, "message": "text is too long"}});
                (StatusCode::UNPROCESSABLE_ENTITY, Json(body))
            }),
        )
        .route(
            "/message/oauth",
            any(|| async {
                let body = json!({"error": "invalid_grant", "error_description": "expired"});
                (StatusCode::BAD_REQUEST, Json(body))
            }),
        )
        .route(
            "/message/plain",
            any(|| async { (StatusCode::NOT_FOUND, "no such thing\n") }),
        )
        .route(
            "/message/html",
            any(|| async { (StatusCode::FORBIDDEN, "<html><body>nope</body></html>") }),
        )
        .route(
            "/redirect",
            any(|| async { (StatusCode::FOUND, [(header::LOCATION, "/ok")]) }),
        );
    serve(router).await
}

fn test_client() -> reqwest::Client {
    client(Duration::from_millis(400)).unwrap()
}

async fn post(url: &str) -> Result<Response, PublishError> {
    send(
        test_client().post(url).body("{\"text\":\"hi\"}"),
        ServerErrors::MaybeProcessed,
    )
    .await
}

#[tokio::test]
async fn a_2xx_is_handed_back() {
    let base = server().await;
    let response = post(&format!("{base}/ok")).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.text().await.unwrap(), "made");
}

#[tokio::test]
async fn connection_refused_is_refused_retryable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = post(&format!("http://{addr}/posts")).await.unwrap_err();
    assert!(
        matches!(
            err,
            PublishError::Refused {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn dns_failure_is_refused_retryable() {
    let err = post("http://herald-no-such-host.invalid/posts")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            PublishError::Refused {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn timeout_after_sending_is_unknown() {
    let base = server().await;
    let err = post(&format!("{base}/slow")).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn connection_dropped_after_sending_is_unknown() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 4096];
        let _ = socket.read(&mut buf).await; // the request arrived ...
        drop(socket); // ... and the connection dies without an answer
    });
    let err = post(&format!("http://{addr}/posts")).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn a_429_is_rate_limited_with_retry_after_seconds() {
    let base = server().await;
    let err = post(&format!("{base}/retry/seconds")).await.unwrap_err();
    assert!(
        matches!(err, PublishError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(7)),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_429_is_rate_limited_with_retry_after_http_date() {
    let base = server().await;
    let err = post(&format!("{base}/retry/date")).await.unwrap_err();
    let PublishError::RateLimited {
        retry_after: Some(wait),
    } = err
    else {
        panic!("{err:?}");
    };
    assert!(wait > Duration::from_secs(110) && wait <= Duration::from_secs(120));
}

#[tokio::test]
async fn a_429_without_retry_after_is_rate_limited_without_a_wait() {
    let base = server().await;
    let err = post(&format!("{base}/retry/none")).await.unwrap_err();
    assert!(
        matches!(err, PublishError::RateLimited { retry_after: None }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_401_is_unauthorized_with_the_platform_message() {
    let base = server().await;
    let err = post(&format!("{base}/status/401")).await.unwrap_err();
    let PublishError::Unauthorized(message) = err else {
        panic!("{err:?}");
    };
    assert!(message.contains("platform says 401"), "{message}");
}

#[tokio::test]
async fn a_408_or_5xx_is_unknown() {
    let base = server().await;
    for code in [408, 500, 502, 503, 504] {
        let err = post(&format!("{base}/status/{code}")).await.unwrap_err();
        assert!(matches!(err, PublishError::Unknown(_)), "{code}: {err:?}");
    }
}

#[tokio::test]
async fn a_5xx_is_refused_retryable_where_documented_as_not_processed() {
    let base = server().await;
    let request = test_client().post(format!("{base}/status/503"));
    let err = send(request, ServerErrors::NotProcessed).await.unwrap_err();
    assert!(
        matches!(
            err,
            PublishError::Refused {
                retryable: true,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn other_4xx_are_refused_for_good_with_the_platform_message() {
    let base = server().await;
    let cases = [
        ("status/400", "HTTP 400 Bad Request: platform says 400"),
        (
            "message/nested",
            "HTTP 422 Unprocessable Entity: text is too long",
        ),
        ("message/oauth", "HTTP 400 Bad Request: expired"),
        ("message/plain", "HTTP 404 Not Found: no such thing"),
        ("message/html", "HTTP 403 Forbidden"),
    ];
    for (path, expected) in cases {
        let err = post(&format!("{base}/{path}")).await.unwrap_err();
        let PublishError::Refused { message, retryable } = err else {
            panic!("{path}: {err:?}");
        };
        assert!(!retryable, "{path}");
        assert_eq!(message, expected);
    }
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_is_unknown() {
    let base = server().await;
    let err = post(&format!("{base}/redirect")).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn errors_never_carry_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let err = post(&format!("http://{addr}/posts?access_token=TOPSECRET"))
        .await
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("TOPSECRET"));
}

#[tokio::test]
async fn an_unreadable_success_body_is_unknown_and_not_echoed() {
    let base = server().await;
    let response = post(&format!("{base}/ok")).await.unwrap();
    let err = read_json::<serde_json::Value>(response).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert!(!err.to_string().contains("made"));
}

#[test]
fn retry_after_parses_seconds_and_every_http_date_form() {
    // 1994-11-06T08:49:37Z, the RFC's example.
    let example = UNIX_EPOCH + Duration::from_secs(784_111_777);
    let before = example - Duration::from_secs(60);
    assert_eq!(
        parse_retry_after(" 120 ", before),
        Some(Duration::from_secs(120))
    );
    for date in [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
    ] {
        assert_eq!(
            parse_retry_after(date, before),
            Some(Duration::from_secs(60)),
            "{date}"
        );
    }
    let after = example + Duration::from_secs(5);
    assert_eq!(
        parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", after),
        Some(Duration::ZERO)
    );
    assert_eq!(parse_retry_after("soon", before), None);
    assert_eq!(parse_retry_after("-3", before), None);
    assert_eq!(
        parse_retry_after("99999999999", before),
        Some(MAX_RETRY_AFTER)
    );
}

#[test]
fn base_urls_are_checked_without_echoing_them() {
    assert!(parse_http_url("https://example.org/hook?x=1", "url").is_ok());
    assert!(parse_http_url("http://127.0.0.1:8080", "url").is_ok());
    for bad in [
        "ftp://example.org/x",
        "example.org",
        "https://user:pw@example.org/",
        "",
    ] {
        let err = parse_http_url(bad, "settings.url").unwrap_err();
        let PublishError::Refused { message, retryable } = err else {
            panic!("{bad}");
        };
        assert!(!retryable);
        assert!(message.starts_with("settings.url "), "{message}");
        assert!(!message.contains("pw"), "{message}");
    }
    let base = parse_http_url("http://h:1/api/?x=1", "b").unwrap();
    let url = endpoint(&base, &["posts", "a/b"]).unwrap();
    assert_eq!(url.as_str(), "http://h:1/api/posts/a%2Fb");
    let bare = parse_http_url("http://h:1", "b").unwrap();
    assert_eq!(endpoint(&bare, &["me"]).unwrap().as_str(), "http://h:1/me");
}

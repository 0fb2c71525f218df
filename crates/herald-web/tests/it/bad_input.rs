//! Bad input gets a 4xx naming the code and the field, never a 500.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

async fn raw(
    app: &TestApp,
    token: &str,
    path: &str,
    content_type: &str,
    body: Vec<u8>,
) -> (u16, serde_json::Value) {
    let res = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(serde_json::Value::Null))
}

fn err(v: &serde_json::Value) -> (Option<&str>, Option<&str>) {
    (v["error"]["code"].as_str(), v["error"]["field"].as_str())
}

#[tokio::test]
async fn bad_input_is_a_clear_4xx() {
    let app = spawn_app().await;
    app.user("admin@x.example", true).await;
    let t = app.token("admin@x.example").await;
    let json_ct = "application/json";

    let (s, v) = raw(
        &app,
        &t,
        "/api/v1/workspaces",
        json_ct,
        b"{\"name\": ".to_vec(),
    )
    .await;
    assert_eq!((s, err(&v)), (422, (Some("malformed_json"), Some("body"))));

    let (s, v) = raw(
        &app,
        &t,
        "/api/v1/workspaces",
        json_ct,
        br#"{"name":"A","timezone":"UTC","colour":"red"}"#.to_vec(),
    )
    .await;
    assert_eq!((s, err(&v)), (422, (Some("invalid_field"), Some("colour"))));

    let (s, v) = raw(
        &app,
        &t,
        "/api/v1/workspaces",
        json_ct,
        br#"{"timezone":"UTC"}"#.to_vec(),
    )
    .await;
    assert_eq!((s, err(&v)), (422, (Some("invalid_field"), Some("name"))));

    let (s, v) = raw(
        &app,
        &t,
        "/api/v1/workspaces",
        json_ct,
        br#"{"name":42,"timezone":"UTC"}"#.to_vec(),
    )
    .await;
    assert_eq!((s, err(&v)), (422, (Some("invalid_field"), Some("name"))));

    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &t,
            Some(json!({"name": "A", "timezone": "Europe/Moskva"})),
        )
        .await;
    assert_eq!(
        (s, err(&v)),
        (422, (Some("invalid_field"), Some("timezone")))
    );
    assert!(v["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Europe/Moskva"));

    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &t,
            Some(json!({"name": "   ", "timezone": "UTC"})),
        )
        .await;
    assert_eq!((s, err(&v)), (422, (Some("invalid_field"), Some("name"))));

    let (s, v) = app
        .call(
            Method::POST,
            "/api/v1/users",
            &t,
            Some(json!({"email": "not-an-email", "password": PASSWORD})),
        )
        .await;
    assert_eq!((s, err(&v)), (422, (Some("invalid_field"), Some("email"))));

    let (_, ws) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &t,
            Some(json!({"name": "A", "timezone": "UTC"})),
        )
        .await;
    let id = ws["id"].as_i64().unwrap();
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{id}/invitations"),
            &t,
            Some(json!({"email": "a@@b", "role": "editor"})),
        )
        .await;
    assert_eq!((s, err(&v)), (422, (Some("invalid_field"), Some("email"))));
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{id}/invitations"),
            &t,
            Some(json!({"email": "a@b.example", "role": "admin"})),
        )
        .await;
    assert_eq!((s, err(&v)), (422, (Some("invalid_field"), Some("role"))));
    let (s, v) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{id}/invitations"),
            &t,
            Some(json!({"email": "a@b.example", "role": "editor", "expires_in_days": 90})),
        )
        .await;
    assert_eq!(
        (s, err(&v)),
        (422, (Some("invalid_field"), Some("expires_in_days")))
    );

    // Oversized bodies: 413, before any parsing.
    let big = format!(
        r#"{{"name":"{}","timezone":"UTC"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let (s, v) = raw(&app, &t, "/api/v1/workspaces", json_ct, big.into_bytes()).await;
    assert_eq!(
        (s, err(&v)),
        (413, (Some("payload_too_large"), Some("body")))
    );

    // Wrong content type.
    let (s, v) = raw(
        &app,
        &t,
        "/api/v1/workspaces",
        "text/plain",
        br#"{"name":"A","timezone":"UTC"}"#.to_vec(),
    )
    .await;
    assert_eq!((s, err(&v).0), (415, Some("unsupported_media_type")));

    // Garbage in the path, unknown routes, bad auth headers: 4xx with the error shape.
    for (path, want) in [
        ("/api/v1/workspaces/abc", 404),
        ("/api/v1/workspaces/99999999999999999999", 404),
        ("/api/v1/nope", 404),
    ] {
        let (s, v) = app.call(Method::GET, path, &t, None).await;
        assert_eq!(s, want, "{path}");
        assert!(v["error"]["code"].is_string(), "{path}: {v}");
    }
    let res = app
        .http
        .get(app.url("/api/v1/me"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .http
        .get(app.url("/api/v1/me"))
        .bearer_auth("hld_forged")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn api_with_session_cookie_needs_csrf_header() {
    let app = spawn_app().await;
    let user = app.user("s@x.example", false).await;
    // A session made directly, as the login form would.
    let token = "test-session-token";
    let now = chrono::Utc::now();
    app.store
        .create_session(
            user.id,
            &herald_web::auth::secret_token::digest(token),
            "the-csrf",
            now,
            now + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    let cookie = format!("herald_session={token}");
    let get = app
        .http
        .get(app.url("/api/v1/me"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200, "reads need no CSRF token");
    let body = json!({"name": "W", "timezone": "UTC"});
    let post = app
        .http
        .post(app.url("/api/v1/workspaces"))
        .header("cookie", &cookie)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 403);
    let v: serde_json::Value = post.json().await.unwrap();
    assert_eq!(v["error"]["code"], "csrf_failed");
    let post = app
        .http
        .post(app.url("/api/v1/workspaces"))
        .header("cookie", &cookie)
        .header("x-csrf-token", "the-csrf")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 201);
}

#[tokio::test]
async fn api_token_login_is_throttled() {
    let app = spawn_app().await;
    app.user("t@x.example", false).await;
    for i in 0..5 {
        let res = app
            .http
            .post(app.url("/api/v1/auth/token"))
            .json(&json!({"email": "t@x.example", "password": "wrong password", "name": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "attempt {i}");
    }
    let res = app
        .http
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"email": "t@x.example", "password": PASSWORD, "name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        429,
        "even the right password waits out the window"
    );
    assert!(res.headers().get("retry-after").is_some());
}

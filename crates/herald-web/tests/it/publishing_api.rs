//! The publishing API: platforms, text check, channels, posts validated per channel,
//! deliveries with attempts, retry.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn publishing_through_the_api() {
    let app = spawn_app().await;
    app.user("pub@x.example", false).await;
    let t = app.token("pub@x.example").await;

    // The registry: public platforms with their rules; the test platform is hidden.
    let (s, platforms) = app.call(Method::GET, "/api/v1/platforms", &t, None).await;
    assert_eq!(s, 200);
    let ids: Vec<&str> = platforms
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"sandbox") && ids.contains(&"webhook"),
        "{ids:?}"
    );
    assert!(!ids.contains(&"testplat"));
    // Every platform's rules are listed, connectable or not yet.
    for p in [
        "vk",
        "ok",
        "telegram",
        "bluesky",
        "mastodon",
        "x",
        "threads",
        "instagram",
        "facebook",
        "linkedin",
        "youtube",
        "pinterest",
        "reddit",
        "tiktok",
    ] {
        let entry = platforms
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == p)
            .unwrap_or_else(|| panic!("{p} missing"));
        assert!(entry["text"]["limit"].as_u64().unwrap() > 0, "{p}");
    }
    let x = platforms
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "x")
        .unwrap();
    assert_eq!(
        (
            x["text"]["limit"].as_u64(),
            x["text"]["unit"].as_str(),
            x["available"].as_bool()
        ),
        (Some(280), Some("weighted"), Some(false))
    );
    let sandbox = platforms
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "sandbox")
        .unwrap();
    assert_eq!(
        (
            sandbox["text"]["limit"].as_u64(),
            sandbox["text"]["unit"].as_str()
        ),
        (Some(500), Some("graphemes")),
        "{sandbox}"
    );

    // The composer's counter.
    let (s, check) = app
        .call(
            Method::POST,
            "/api/v1/text/check",
            &t,
            Some(json!({"platform": "x", "text": "https://example.com/a/very/long/path?q=1 hi"})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (check["length"].as_u64(), check["unit"].as_str()),
        (Some(26), Some("weighted")),
        "a URL counts 23"
    );
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/text/check",
            &t,
            Some(json!({"platform": "orkut", "text": "x"})),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("platform")));

    let (_, ws) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &t,
            Some(json!({"name": "P", "timezone": "Europe/Moscow"})),
        )
        .await;
    let w = format!("/api/v1/workspaces/{}", ws["id"]);

    // Channels: the connector checks what is entered; secrets never come back.
    let (s, e) = app
        .call(Method::POST, &format!("{w}/channels"), &t, Some(json!({"platform": "webhook", "settings": {"url": "ftp://x"}, "credentials": {"secret": "0123456789abcdef0123"}})))
        .await;
    assert_eq!(s, 422, "{e}");
    let (s, hook) = app
        .call(Method::POST, &format!("{w}/channels"), &t, Some(json!({"platform": "webhook", "settings": {"url": "https://hooks.example/herald"}, "credentials": {"secret": "0123456789abcdef0123"}})))
        .await;
    assert_eq!(s, 201, "{hook}");
    assert!(
        !hook.to_string().contains("0123456789abcdef0123"),
        "the secret is never answered"
    );
    let (s, _) = app
        .call(
            Method::POST,
            &format!("{w}/channels"),
            &t,
            Some(json!({"platform": "testplat"})),
        )
        .await;
    assert_eq!(s, 422, "hidden platforms cannot be connected");
    let (_, sb) = app
        .call(
            Method::POST,
            &format!("{w}/channels"),
            &t,
            Some(json!({"platform": "sandbox", "name": "Песочница"})),
        )
        .await;
    let (sb, hook) = (sb["id"].as_i64().unwrap(), hook["id"].as_i64().unwrap());

    // Validated against each channel's own rules: 600 characters suit the webhook, not the sandbox.
    let long = "a".repeat(600);
    let at = (chrono::Utc::now() + chrono::Duration::hours(2)).to_rfc3339();
    let (s, e) = app
        .call(
            Method::POST,
            &format!("{w}/posts"),
            &t,
            Some(json!({"text": long, "channels": [sb, hook], "scheduled_at": at})),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("text")),
        "{e}"
    );
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Песочница"),
        "names the channel: {e}"
    );
    // A shorter variant for the sandbox makes it valid.
    let (s, post) = app
        .call(
            Method::POST,
            &format!("{w}/posts"),
            &t,
            Some(json!({"text": long, "channels": [sb, hook], "variants": {sb.to_string(): {"text": "Коротко"}}, "scheduled_at": at, "labels": ["promo"]})),
        )
        .await;
    assert_eq!(s, 201, "{post}");
    assert_eq!(post["status"], "scheduled");
    let pid = post["id"].as_i64().unwrap();
    let (_, ds) = app
        .call(
            Method::GET,
            &format!("{w}/posts/{pid}/deliveries"),
            &t,
            None,
        )
        .await;
    assert_eq!(ds.as_array().unwrap().len(), 2);
    assert!(ds
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["state"] == "scheduled" && d["attempts"].as_array().unwrap().is_empty()));
    let (s, e) = app
        .call(
            Method::POST,
            &format!("{w}/deliveries/{}/retry", ds[0]["id"]),
            &t,
            None,
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("conflict")),
        "only failed deliveries are retried"
    );

    // Other workspaces' channels and unknown media are refused by field.
    let (s, e) = app
        .call(
            Method::POST,
            &format!("{w}/posts"),
            &t,
            Some(json!({"text": "x", "channels": [999999]})),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("channels")));
    let (s, e) = app
        .call(
            Method::POST,
            &format!("{w}/posts"),
            &t,
            Some(json!({"text": "x", "channels": [sb], "media": [424242]})),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("media")));

    // Deleting takes effect at once.
    let (s, _) = app
        .call(Method::DELETE, &format!("{w}/posts/{pid}"), &t, None)
        .await;
    assert_eq!(s, 204);
    let (s, _) = app
        .call(Method::GET, &format!("{w}/posts/{pid}"), &t, None)
        .await;
    assert_eq!(s, 404);
}

//! The Mastodon connector against a third-party server: PyPI `mastodon-mock` 0.6.1, started
//! by `scripts/mastodon-mock.sh`, which prints `HERALD_TEST_MASTODON_MOCK_URL` (and the
//! seeded token, `mock_token`, as `HERALD_TEST_MASTODON_MOCK_TOKEN`). Without the URL the
//! test prints a `SKIP` line, and fails under `CI=true`.

use super::*;
use herald_domain::Secret;
use serde_json::json;

const URL_VAR: &str = "HERALD_TEST_MASTODON_MOCK_URL";
const TOKEN_VAR: &str = "HERALD_TEST_MASTODON_MOCK_TOKEN";
/// The access token of the mock's default seeded account (`testuser`).
const DEFAULT_TOKEN: &str = "mock_token";

fn mock_channel() -> Option<ChannelCtx> {
    let Some(url) = std::env::var(URL_VAR).ok().filter(|u| !u.trim().is_empty()) else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        assert!(
            !ci,
            "{URL_VAR} is not set under CI=true: run `eval \"$(scripts/mastodon-mock.sh)\"` first"
        );
        // Written straight to stderr, which the test harness does not capture: always visible.
        let line =
            format!("SKIP mastodon mock test: set {URL_VAR} (see scripts/mastodon-mock.sh)\n");
        let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
        return None;
    };
    let token = std::env::var(TOKEN_VAR).unwrap_or_else(|_| DEFAULT_TOKEN.to_string());
    Some(ChannelCtx {
        channel_id: 1,
        workspace_id: 1,
        settings: json!({ "instance": url }),
        credentials: Secret::new(json!({ "access_token": token })),
    })
}

#[tokio::test]
async fn against_mastodon_mock_verify_publish_read_back_delete() {
    let Some(ch) = mock_channel() else {
        return;
    };
    let c = MastodonConnector::new(http::client(Duration::from_secs(10)).unwrap());

    let verified = c.verified(&ch).await.unwrap();
    assert!(!verified.account.external_id.is_empty());
    assert!(!verified.account.display_name.is_empty());
    assert!(
        verified.limits.max_characters >= 500,
        "{:?}",
        verified.limits
    );

    let unique = format!(
        "Herald integration test {} — tea & <cake>",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let post = OutgoingPost {
        delivery_id: 1,
        idempotency_key: format!("herald-it-{unique}"),
        text: unique.clone(),
        link: None,
        first_comment: None,
        media: Vec::new(),
        post_id: 1,
        not_before_ms: chrono::Utc::now().timestamp_millis(),
    };
    let published = c.publish(&ch, &post).await.unwrap();
    // The same key again answers the same status.
    let again = c.publish(&ch, &post).await.unwrap();
    assert_eq!(again.remote_id, published.remote_id);

    // Read back: by reconciliation (listing + source) and by its counters.
    let found = c.reconcile(&ch, &post).await.unwrap().unwrap();
    assert_eq!(found.remote_id, published.remote_id);
    let metrics = c.fetch_metrics(&ch, &published.remote_id).await.unwrap();
    assert_eq!(metrics.likes, Some(0));
    let profile = c.fetch_profile(&ch).await.unwrap();
    assert!(profile.posts.unwrap_or(0) >= 1, "{profile:?}");

    // A picture with alt text, through the mock's real multipart parser.
    let path =
        std::env::temp_dir().join(format!("herald-mastodon-mock-{}.png", std::process::id()));
    std::fs::write(&path, b"\x89PNG\r\n\x1a\n not really a picture").unwrap();
    let mut with_media = post.clone();
    with_media.idempotency_key.push_str("-media");
    with_media.text = format!("{unique} with a picture");
    with_media.media = vec![crate::connector::OutgoingMedia {
        path: path.clone(),
        mime: "image/png".into(),
        alt_text: "A test picture".into(),
        sha256: String::new(),
    }];
    let pictured = c.publish(&ch, &with_media).await.unwrap();
    assert_ne!(pictured.remote_id, published.remote_id);
    c.delete(&ch, &pictured.remote_id).await.unwrap();
    let _ = std::fs::remove_file(&path);

    c.delete(&ch, &published.remote_id).await.unwrap();
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
    let gone = c.fetch_metrics(&ch, &published.remote_id).await;
    assert!(
        matches!(
            gone,
            Err(PublishError::Refused {
                retryable: false,
                ..
            })
        ),
        "{gone:?}"
    );
}

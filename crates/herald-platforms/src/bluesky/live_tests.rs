//! The connector against a REAL PDS (`@atproto/dev-env`, started by `scripts/bluesky-pds.sh`),
//! at `HERALD_TEST_BLUESKY_PDS_URL`. Without it each test prints a `SKIP` line, and under
//! `CI=true` fails. Each test makes its own account; what the connector wrote is read back
//! through the PDS's own XRPC (`getRecord`, `sync.getBlob`), not through the connector.

use super::*;
use crate::connector::{OutgoingMedia, OutgoingPost};
use herald_domain::text::{bluesky_facets, FacetFeature};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// A 3×2 RGB PNG (red, green, blue; twice).
const PNG_3X2: [u8; 73] = [
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0,
    0, 0, 18, 22, 241, 77, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 248, 207, 192, 192, 0, 193,
    112, 22, 0, 59, 216, 5, 251, 222, 16, 55, 101, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

fn pds_url(test: &str) -> Option<String> {
    match std::env::var("HERALD_TEST_BLUESKY_PDS_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url.trim().trim_end_matches('/').to_string()),
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{test}: HERALD_TEST_BLUESKY_PDS_URL is not set, and CI=true requires the PDS (scripts/bluesky-pds.sh)");
            }
            eprintln!("SKIP {test}: set HERALD_TEST_BLUESKY_PDS_URL (eval \"$(bash scripts/bluesky-pds.sh)\")");
            None
        }
    }
}

fn unique() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = chrono::Utc::now().timestamp_nanos_opt().unwrap_or_default();
    format!(
        "{}{}",
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

struct Account {
    url: String,
    handle: String,
    did: String,
    app_password: String,
}

fn raw() -> reqwest::Client {
    reqwest::Client::new()
}

async fn xrpc_post(url: &str, nsid: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut request = raw().post(format!("{url}/xrpc/{nsid}")).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn xrpc_get(url: &str, nsid: &str, query: &[(&str, &str)]) -> (u16, Value) {
    let response = raw()
        .get(format!("{url}/xrpc/{nsid}"))
        .query(query)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A new account (no invite code needed on dev-env) and an app password for it.
async fn account(url: &str) -> Account {
    let handle = format!("h{}.test", unique());
    let (status, created) = xrpc_post(
        url,
        "com.atproto.server.createAccount",
        None,
        json!({"handle": handle, "email": format!("{handle}@example.com"),
               "password": "account-password"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let token = created["accessJwt"].as_str().unwrap().to_string();
    let (status, app) = xrpc_post(
        url,
        "com.atproto.server.createAppPassword",
        Some(&token),
        json!({"name": "herald"}),
    )
    .await;
    assert_eq!(status, 200, "{app}");
    Account {
        url: url.to_string(),
        handle,
        did: created["did"].as_str().unwrap().to_string(),
        app_password: app["password"].as_str().unwrap().to_string(),
    }
}

fn connector() -> BlueskyConnector {
    BlueskyConnector::new(http::client(Duration::from_secs(30)).unwrap())
}

fn channel(account: &Account, app_password: &str) -> ChannelCtx {
    ChannelCtx {
        channel_id: 1,
        workspace_id: 1,
        settings: json!({"service": account.url, "handle": format!("@{}", account.handle)}),
        credentials: Secret::new(json!({"app_password": app_password})),
    }
}

/// A channel of `account` with a session, obtained the way the engine does: publish answers
/// `Unauthorized`, then `refresh`.
async fn logged_in(account: &Account) -> ChannelCtx {
    let mut ch = channel(account, &account.app_password);
    let refreshed = connector().refresh(&ch).await.unwrap();
    assert_eq!(
        refreshed.credentials.expose()["app_password"],
        account.app_password
    );
    assert_eq!(refreshed.credentials.expose()["did"], account.did);
    ch.credentials = refreshed.credentials;
    ch
}

fn post(key: &str, text: &str, media: Vec<OutgoingMedia>) -> OutgoingPost {
    OutgoingPost {
        delivery_id: 1,
        idempotency_key: key.to_string(),
        text: text.to_string(),
        link: None,
        first_comment: None,
        media,
        post_id: 1,
        not_before_ms: 0,
    }
}

async fn get_record(account: &Account, rkey: &str) -> (u16, Value) {
    xrpc_get(
        &account.url,
        "com.atproto.repo.getRecord",
        &[
            ("repo", &account.did),
            ("collection", POST_COLLECTION),
            ("rkey", rkey),
        ],
    )
    .await
}

#[tokio::test]
async fn bluesky_live_publish_reads_back_is_idempotent_and_deletes() {
    let Some(url) = pds_url("bluesky_live_publish_reads_back_is_idempotent_and_deletes") else {
        return;
    };
    let account = account(&url).await;
    let bluesky = connector();

    let fresh = channel(&account, &account.app_password);
    let info = bluesky.verify(&fresh).await.unwrap();
    assert_eq!(
        (info.external_id.as_str(), info.display_name.as_str()),
        (account.did.as_str(), account.handle.as_str())
    );
    let dir = std::env::temp_dir().join(format!("herald-bluesky-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let image = dir.join("dots.png");
    std::fs::write(&image, PNG_3X2).unwrap();
    let media = vec![OutgoingMedia {
        path: image,
        mime: "image/png".into(),
        alt_text: "Three dots: red, green, blue".into(),
        sha256: String::new(),
    }];
    let text = format!(
        "Привет 🚀 https://example.com/путь?q=1 #herald @{} — ok",
        account.handle
    );
    let key = format!("delivery-{}", unique());
    let outgoing = post(&key, &text, media);

    // No session yet: Unauthorized, so the engine refreshes (logs in) and sends again.
    assert!(matches!(
        bluesky.publish(&fresh, &outgoing).await,
        Err(PublishError::Unauthorized(_))
    ));
    let ch = logged_in(&account).await;
    let published = bluesky.publish(&ch, &outgoing).await.unwrap();
    let rkey = rkey_for(&key);
    assert_eq!(
        published.remote_id,
        format!("at://{}/{POST_COLLECTION}/{rkey}", account.did)
    );

    // Read it back through the PDS itself.
    let (status, record) = get_record(&account, &rkey).await;
    assert_eq!(status, 200, "{record}");
    let value = &record["value"];
    assert_eq!(value["text"], text);
    assert_eq!(value["$type"], POST_COLLECTION);
    let facets = value["facets"].as_array().unwrap();
    let expected = bluesky_facets(&text);
    assert_eq!(facets.len(), 3, "{facets:?}");
    for (facet, want) in facets.iter().zip(&expected) {
        let start = usize::try_from(facet["index"]["byteStart"].as_u64().unwrap()).unwrap();
        let end = usize::try_from(facet["index"]["byteEnd"].as_u64().unwrap()).unwrap();
        assert_eq!((start, end), (want.byte_start, want.byte_end));
        let feature = &facet["features"][0];
        match &want.feature {
            FacetFeature::Link { uri } => {
                assert_eq!(&text[start..end], "https://example.com/путь?q=1");
                assert_eq!(feature["$type"], "app.bsky.richtext.facet#link");
                assert_eq!(feature["uri"], uri.as_str());
            }
            FacetFeature::Tag { tag } => {
                assert_eq!(&text[start..end], "#herald");
                assert_eq!(feature["tag"], tag.as_str());
            }
            FacetFeature::Mention { .. } => {
                assert_eq!(&text[start..end], format!("@{}", account.handle));
                assert_eq!(feature["$type"], "app.bsky.richtext.facet#mention");
                assert_eq!(feature["did"], account.did);
            }
        }
    }
    let embedded = &value["embed"]["images"][0];
    assert_eq!(value["embed"]["$type"], "app.bsky.embed.images");
    assert_eq!(embedded["alt"], "Three dots: red, green, blue");
    assert_eq!(embedded["aspectRatio"], json!({"width": 3, "height": 2}));
    assert_eq!(embedded["image"]["mimeType"], "image/png");
    assert_eq!(embedded["image"]["size"], PNG_3X2.len());
    let cid = embedded["image"]["ref"]["$link"].as_str().unwrap();
    let blob = raw()
        .get(format!("{url}/xrpc/com.atproto.sync.getBlob"))
        .query(&[("did", account.did.as_str()), ("cid", cid)])
        .send()
        .await
        .unwrap();
    assert_eq!(blob.status().as_u16(), 200);
    assert_eq!(blob.bytes().await.unwrap().as_ref(), PNG_3X2.as_slice());

    // The same delivery again: the same post, not a second one.
    let again = bluesky.publish(&ch, &outgoing).await.unwrap();
    assert_eq!(again, published);
    let (_, listed) = xrpc_get(
        &url,
        "com.atproto.repo.listRecords",
        &[("repo", &account.did), ("collection", POST_COLLECTION)],
    )
    .await;
    assert_eq!(listed["records"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(
        bluesky.reconcile(&ch, &outgoing).await.unwrap(),
        Some(published.clone())
    );

    bluesky.delete(&ch, &published.remote_id).await.unwrap();
    let (status, gone) = get_record(&account, &rkey).await;
    assert_eq!(
        (status, gone["error"].as_str()),
        (400, Some("RecordNotFound"))
    );
    assert_eq!(bluesky.reconcile(&ch, &outgoing).await.unwrap(), None);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn bluesky_live_301_graphemes_are_refused_by_us_and_by_the_pds() {
    let Some(url) = pds_url("bluesky_live_301_graphemes_are_refused_by_us_and_by_the_pds") else {
        return;
    };
    let account = account(&url).await;
    let ch = logged_in(&account).await;
    let text = "é".repeat(301);
    let key = format!("delivery-{}", unique());
    match connector()
        .publish(&ch, &post(&key, &text, Vec::new()))
        .await
    {
        Err(PublishError::Refused {
            message,
            retryable: false,
        }) => assert!(message.contains("Bluesky"), "{message}"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let (status, _) = get_record(&account, &rkey_for(&key)).await;
    assert_eq!(status, 400);

    // The PDS's own answer to the same text, sent raw.
    let token = ch.credential_str("access_jwt").unwrap();
    let (status, answer) = xrpc_post(
        &url,
        "com.atproto.repo.createRecord",
        Some(token),
        json!({"repo": account.did, "collection": POST_COLLECTION,
               "record": {"$type": POST_COLLECTION, "text": text,
                          "createdAt": "2026-01-01T00:00:00.000Z"}}),
    )
    .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"], "InvalidRequest");
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("grapheme too big"), "{message}");
}

#[tokio::test]
async fn bluesky_live_wrong_app_password_is_unauthorized() {
    let Some(url) = pds_url("bluesky_live_wrong_app_password_is_unauthorized") else {
        return;
    };
    let account = account(&url).await;
    let ch = channel(&account, "aaaa-bbbb-cccc-dddd");
    let bluesky = connector();
    assert!(matches!(
        bluesky.verify(&ch).await,
        Err(PublishError::Unauthorized(_))
    ));
    assert!(matches!(
        bluesky.refresh(&ch).await,
        Err(PublishError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn bluesky_live_refresh_rotates_the_session_and_falls_back_to_login() {
    let Some(url) = pds_url("bluesky_live_refresh_rotates_the_session_and_falls_back_to_login")
    else {
        return;
    };
    let account = account(&url).await;
    let mut ch = logged_in(&account).await;
    let bluesky = connector();
    let first = ch.credential_str("refresh_jwt").unwrap().to_string();
    let rotated = bluesky.refresh(&ch).await.unwrap();
    let second = rotated.credentials.expose()["refresh_jwt"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(first, second);
    // A refresh token the PDS does not take: refresh logs in with the app password instead.
    // (A spent one is not proof: the PDS still takes it for a grace period.)
    let mut stale = ch.credentials.expose().clone();
    stale["refresh_jwt"] = json!("not-a-token");
    stale["access_jwt"] = json!("not-a-token");
    ch.credentials = Secret::new(stale);
    let key = format!("delivery-{}", unique());
    // An access token the PDS does not take is Unauthorized (it answers 400 InvalidToken).
    assert!(matches!(
        bluesky
            .publish(&ch, &post(&key, "after a refresh", Vec::new()))
            .await,
        Err(PublishError::Unauthorized(_))
    ));
    let spent = bluesky.refresh(&ch).await.unwrap();
    assert_eq!(spent.credentials.expose()["did"], account.did);
    assert_ne!(spent.credentials.expose()["refresh_jwt"], "not-a-token");
    ch.credentials = spent.credentials;
    let published = bluesky
        .publish(&ch, &post(&key, "after a refresh", Vec::new()))
        .await
        .unwrap();
    assert!(published.remote_id.ends_with(&rkey_for(&key)));
}

#[tokio::test]
async fn bluesky_live_a_post_already_under_the_rkey_is_ours() {
    let Some(url) = pds_url("bluesky_live_a_post_already_under_the_rkey_is_ours") else {
        return;
    };
    let account = account(&url).await;
    let ch = logged_in(&account).await;
    let token = ch.credential_str("access_jwt").unwrap().to_string();
    let key = format!("delivery-{}", unique());
    let rkey = rkey_for(&key);
    let create = |text: &str| {
        json!({"repo": account.did, "collection": POST_COLLECTION, "rkey": rkey,
               "record": {"$type": POST_COLLECTION, "text": text,
                          "createdAt": "2026-01-01T00:00:00.000Z"}})
    };
    // An attempt whose answer was lost: the post is there, Herald does not know it.
    let (status, first) = xrpc_post(
        &url,
        "com.atproto.repo.createRecord",
        Some(&token),
        create("lost answer"),
    )
    .await;
    assert_eq!(status, 200, "{first}");
    // The PDS's answer to the same rkey again: a 500, not a clean conflict.
    let (status, again) = xrpc_post(
        &url,
        "com.atproto.repo.createRecord",
        Some(&token),
        create("lost answer"),
    )
    .await;
    assert_eq!(status, 500, "{again}");
    let bluesky = connector();
    let published = bluesky
        .publish(&ch, &post(&key, "lost answer", Vec::new()))
        .await
        .unwrap();
    assert_eq!(published.remote_id, first["uri"].as_str().unwrap());
    // A different text under that rkey is not ours.
    let other = post(&key, "another text", Vec::new());
    assert!(matches!(
        bluesky.publish(&ch, &other).await,
        Err(PublishError::Refused {
            retryable: false,
            ..
        })
    ));
    assert_eq!(bluesky.reconcile(&ch, &other).await.unwrap(), None);
}

#[tokio::test]
async fn bluesky_live_profile_needs_an_appview() {
    let Some(url) = pds_url("bluesky_live_profile_needs_an_appview") else {
        return;
    };
    let account = account(&url).await;
    let ch = logged_in(&account).await;
    // The PDS proxies app.bsky.actor.getProfile to its AppView; dev-env's has none, and the
    // PDS answers 502 UpstreamFailure, which is "try again later", never a crash.
    match connector().fetch_profile(&ch).await {
        Err(PublishError::Refused {
            message,
            retryable: true,
        }) => assert!(message.contains("502"), "{message}"),
        other => panic!("expected the PDS's 502, got {other:?}"),
    }
}

#[path = "live_inbox_tests.rs"]
mod inbox;

//! The fake's own refusals, sent raw: it must refuse what VK refuses, or the connector's tests
//! prove nothing. And the multipart body the connector builds.

use super::*;

/// Calls a method of the fake directly, form-encoded, with `v` and the token unless given.
async fn raw(fake: &VkFake, method: &str, params: &[(&str, &str)]) -> serde_json::Value {
    let token = fake.access_token();
    let mut form: Vec<(&str, &str)> = params.to_vec();
    if !params.iter().any(|(k, _)| *k == "v") {
        form.push(("v", API_VERSION));
    }
    if !params.iter().any(|(k, _)| *k == "access_token") {
        form.push(("access_token", &token));
    }
    http::client(TIMEOUT)
        .unwrap()
        .post(format!("{}/{method}", fake.api_base()))
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn error_code(answer: &serde_json::Value) -> Option<i64> {
    answer["error"]["error_code"].as_i64()
}

#[tokio::test]
async fn the_fake_checks_version_token_wall_and_from_group() {
    let fake = fake().await;
    let owner = format!("-{}", fake.group_id());
    let base = [
        ("owner_id", owner.as_str()),
        ("from_group", "1"),
        ("message", "hi"),
    ];
    let with = |extra: &[(&'static str, &'static str)]| {
        let mut p: Vec<(&str, &str)> = base.to_vec();
        for (k, v) in extra {
            p.retain(|(key, _)| key != k);
            p.push((k, v));
        }
        p
    };
    assert_eq!(
        error_code(&raw(&fake, "wall.post", &with(&[("v", "5.131")])).await),
        Some(8)
    );
    assert_eq!(
        error_code(&raw(&fake, "wall.post", &with(&[("access_token", "nope")])).await),
        Some(5)
    );
    assert_eq!(
        error_code(&raw(&fake, "wall.post", &with(&[("owner_id", "-1")])).await),
        Some(214)
    );
    assert_eq!(
        error_code(&raw(&fake, "wall.post", &with(&[("from_group", "0")])).await),
        Some(100)
    );
    assert_eq!(error_code(&raw(&fake, "wall.nothing", &[]).await), Some(3));
    // The version in the URL instead of the body counts as missing.
    let answer: serde_json::Value = http::client(TIMEOUT)
        .unwrap()
        .post(format!("{}/wall.post?v={API_VERSION}", fake.api_base()))
        .form(&[("access_token", fake.access_token())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(error_code(&answer), Some(8));
    assert!(answer["error"]["error_msg"]
        .as_str()
        .unwrap()
        .contains("v (version)"));
    assert!(fake.posts().is_empty());
    // And a good call posts.
    let answer = raw(&fake, "wall.post", &base).await;
    assert!(answer["response"]["post_id"].as_u64().is_some(), "{answer}");
}

#[tokio::test]
async fn the_fake_refuses_photos_it_did_not_save_and_malformed_attachments() {
    let fake = fake().await;
    let owner = format!("-{}", fake.group_id());
    let unknown_photo = format!("photo{owner}_457239999");
    let eleven_links = ["https://e.example"; 11].join(",");
    for attachments in [
        unknown_photo.as_str(),
        "photo1_1",
        "video-1_2",
        "garbage",
        "https://a.example,https://b.example",
        eleven_links.as_str(),
    ] {
        let answer = raw(
            &fake,
            "wall.post",
            &[
                ("owner_id", owner.as_str()),
                ("from_group", "1"),
                ("attachments", attachments),
            ],
        )
        .await;
        assert_eq!(error_code(&answer), Some(100), "{attachments}: {answer}");
    }
    // Saving the same upload twice, or an upload that never happened, is error 121.
    let group = fake.group_id().to_string();
    let answer = raw(
        &fake,
        "photos.saveWallPhoto",
        &[
            ("group_id", group.as_str()),
            ("photo", "[]"),
            ("server", "1"),
            ("hash", "abc"),
        ],
    )
    .await;
    assert_eq!(error_code(&answer), Some(121), "{answer}");
    // An upload server for another community is error 203.
    let answer = raw(&fake, "photos.getWallUploadServer", &[("group_id", "1")]).await;
    assert_eq!(error_code(&answer), Some(203), "{answer}");
    assert!(fake.posts().is_empty());
}

#[test]
fn multipart_bodies_are_well_formed() {
    let (content_type, body) = multipart_of("a\"b.png", "image/png", PNG);
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap();
    let text = String::from_utf8_lossy(&body);
    assert!(text.starts_with(&format!("--{boundary}\r\n")));
    assert!(
        text.contains("name=\"photo\"; filename=\"a_b.png\"\r\nContent-Type: image/png\r\n\r\n")
    );
    assert!(text.ends_with(&format!("\r\n--{boundary}--\r\n")));
    // The same file has the same boundary; another file another.
    assert_eq!(multipart_of("x", "image/png", PNG).0, content_type);
    assert_ne!(multipart_of("x", "image/png", JPEG).0, content_type);
    assert!(
        String::from_utf8_lossy(&multipart_of("x", "bad\r\nX: y", PNG).1)
            .contains("Content-Type: application/octet-stream")
    );
}

fn multipart_of(name: &str, mime: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    api::multipart_photo(name, mime, bytes)
}

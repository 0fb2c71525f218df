//! The Telegram connector against its fake Bot API: every outcome the engine relies on.

use super::fake::{BotRights, FakeTelegram, Fault, CHANNEL_ID, CHANNEL_TITLE, CHANNEL_USERNAME};
use super::*;
use crate::http;
use herald_domain::Secret;
use std::time::Duration;

/// The client's request timeout; a lost answer is made longer than this.
const TIMEOUT: Duration = Duration::from_millis(500);
const HANG: Duration = Duration::from_secs(2);

fn connector() -> TelegramConnector {
    TelegramConnector::new(http::client(TIMEOUT).unwrap())
}

fn outgoing(text: &str) -> OutgoingPost {
    OutgoingPost {
        delivery_id: 1,
        idempotency_key: "k1".into(),
        text: text.to_string(),
        link: None,
        first_comment: None,
        media: Vec::new(),
        post_id: 1,
        not_before_ms: 0,
    }
}

/// Writes a small "image" file for a post and returns its media entry.
fn image(dir: &std::path::Path, name: &str, mime: &str) -> OutgoingMedia {
    let path = dir.join(name);
    // Bytes that include the multipart delimiter's dashes and CRLFs, to test the framing.
    let mut bytes = b"\xff\xd8\xff\xe0--\r\n--herald-\r\n\r\n".to_vec();
    bytes.extend(name.as_bytes());
    std::fs::write(&path, bytes).unwrap();
    OutgoingMedia {
        path,
        mime: mime.to_string(),
        alt_text: String::new(),
        sha256: String::new(),
    }
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("herald-tg-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn publishes_text_escaped_for_html() {
    let fake = FakeTelegram::start().await;
    let text = "Price <b>not bold</b> & \"quoted\" 😀 — https://example.com/?a=1&b=2";
    let published = connector()
        .publish(&fake.channel(), &outgoing(text))
        .await
        .unwrap();
    let messages = fake.messages();
    assert_eq!(messages.len(), 1);
    // What readers see is exactly the plain text: the escaping was undone by Telegram.
    assert_eq!(messages[0].text, text);
    assert_eq!(messages[0].kind, "text");
    assert_eq!(published.remote_id, messages[0].message_id.to_string());
    assert_eq!(
        published.url,
        Some(format!(
            "https://t.me/{CHANNEL_USERNAME}/{}",
            messages[0].message_id
        ))
    );
    // The rights check, then the one send.
    assert_eq!(fake.requests(), 2);
    assert_eq!(fake.send_requests(), 1);
}

#[tokio::test]
async fn the_link_goes_on_its_own_line_unless_the_text_has_it() {
    let fake = FakeTelegram::start().await;
    let c = connector();
    let mut post = outgoing("Read this");
    post.link = Some("https://example.com/a".into());
    c.publish(&fake.channel(), &post).await.unwrap();
    post.text = "Already here: https://example.com/a".into();
    c.publish(&fake.channel(), &post).await.unwrap();
    let texts: Vec<String> = fake.messages().into_iter().map(|m| m.text).collect();
    assert_eq!(
        texts,
        [
            "Read this\n\nhttps://example.com/a",
            "Already here: https://example.com/a"
        ]
    );
}

#[tokio::test]
async fn publishes_a_photo_with_its_caption() {
    let fake = FakeTelegram::start().await;
    let dir = temp_dir("photo");
    let mut post = outgoing("A <caption> & more");
    post.media = vec![image(&dir, "a.jpg", "image/jpeg")];
    let published = connector().publish(&fake.channel(), &post).await.unwrap();
    let messages = fake.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].kind, "photo");
    assert_eq!(messages[0].text, "A <caption> & more");
    assert_eq!(
        messages[0].file_size,
        std::fs::metadata(dir.join("a.jpg")).unwrap().len() as usize
    );
    assert_eq!(published.remote_id, messages[0].message_id.to_string());
}

#[tokio::test]
async fn publishes_an_album_with_the_caption_on_the_first_item_and_deletes_it_whole() {
    let fake = FakeTelegram::start().await;
    let dir = temp_dir("album");
    let mut post = outgoing("Three views");
    post.media = vec![
        image(&dir, "1.jpg", "image/jpeg"),
        image(&dir, "2.png", "image/png"),
        image(&dir, "3.mp4", "video/mp4"),
    ];
    let (c, ch) = (connector(), fake.channel());
    let published = c.publish(&ch, &post).await.unwrap();
    let messages = fake.messages();
    assert_eq!(messages.len(), 3);
    let kinds: Vec<&str> = messages.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, ["photo", "photo", "video"]);
    assert_eq!(messages[0].text, "Three views");
    assert!(messages[1].text.is_empty() && messages[2].text.is_empty());
    assert!(messages[0].media_group_id.is_some());
    assert!(messages
        .iter()
        .all(|m| m.media_group_id == messages[0].media_group_id));
    let ids: Vec<String> = messages.iter().map(|m| m.message_id.to_string()).collect();
    assert_eq!(published.remote_id, ids.join(","));

    c.delete(&ch, &published.remote_id).await.unwrap();
    assert!(fake.messages().is_empty());
    // Deleting again is not an error: the messages are gone either way.
    c.delete(&ch, &published.remote_id).await.unwrap();
}

#[tokio::test]
async fn albums_over_ten_and_long_captions_are_refused_before_any_request() {
    let fake = FakeTelegram::start().await;
    let dir = temp_dir("big");
    let c = connector();
    let mut post = outgoing("x");
    post.media = (0..11)
        .map(|i| image(&dir, &format!("{i}.jpg"), "image/jpeg"))
        .collect();
    let err = c.publish(&fake.channel(), &post).await.unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("at most 10")),
        "{err:?}"
    );
    post.media.truncate(1);
    // 1,024 units is the limit: 512 emoji are 1,024 UTF-16 units, one more is over.
    post.text = "😀".repeat(513);
    let err = c.publish(&fake.channel(), &post).await.unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("1026")),
        "{err:?}"
    );
    assert_eq!(fake.requests(), 0);
    post.text = "😀".repeat(512);
    c.publish(&fake.channel(), &post).await.unwrap();
}

#[tokio::test]
async fn over_long_text_is_refused_locally_and_by_the_fake() {
    let fake = FakeTelegram::start().await;
    let c = connector();
    // 4,096 UTF-16 units: 2,048 emoji are fine, one more is too long.
    c.publish(&fake.channel(), &outgoing(&"😀".repeat(2_048)))
        .await
        .unwrap();
    let err = c
        .publish(&fake.channel(), &outgoing(&"😀".repeat(2_049)))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("4098")),
        "{err:?}"
    );
    assert_eq!(fake.send_requests(), 1);

    // Telegram's own answer, had the text gone out, is refused and not retryable too.
    let ch = fake.channel();
    let t = target(&ch).unwrap();
    let params = json!({"chat_id": t.chat_id, "text": "a".repeat(4_097)});
    let err = c
        .json::<serde_json::Value>(&t, "sendMessage", params, Call::Write)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("message is too long")),
        "{err:?}"
    );
}

#[tokio::test]
async fn unbalanced_html_is_refused_by_the_fake_as_telegram_does() {
    let fake = FakeTelegram::start().await;
    let ch = fake.channel();
    let t = target(&ch).unwrap();
    let params = json!({"chat_id": t.chat_id, "text": "<b>open", "parse_mode": "HTML"});
    let err = connector()
        .json::<serde_json::Value>(&t, "sendMessage", params, Call::Write)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("can't parse entities")),
        "{err:?}"
    );
    assert!(fake.messages().is_empty());
}

#[tokio::test]
async fn the_fake_refuses_missing_files_and_albums_outside_two_to_ten() {
    let fake = FakeTelegram::start().await;
    let (c, ch) = (connector(), fake.channel());
    let t = target(&ch).unwrap();
    let no_file = Multipart::new().text("chat_id", t.chat_id.clone());
    let err = c
        .upload::<serde_json::Value>(&t, "sendPhoto", no_file)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("there is no photo")),
        "{err:?}"
    );
    let one = Multipart::new()
        .text("chat_id", t.chat_id.clone())
        .file("f0", "f0.jpg", "image/jpeg", b"jpeg".to_vec())
        .text("media", r#"[{"type":"photo","media":"attach://f0"}]"#);
    let err = c
        .upload::<serde_json::Value>(&t, "sendMediaGroup", one)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("2-10")),
        "{err:?}"
    );
    let missing = Multipart::new()
        .text("chat_id", t.chat_id.clone())
        .file("f0", "f0.jpg", "image/jpeg", b"jpeg".to_vec())
        .text(
            "media",
            r#"[{"type":"photo","media":"attach://f0"},{"type":"photo","media":"attach://f1"}]"#,
        );
    let err = c
        .upload::<serde_json::Value>(&t, "sendMediaGroup", missing)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("media not found")),
        "{err:?}"
    );
    assert!(fake.messages().is_empty());
}

#[tokio::test]
async fn a_bad_or_revoked_token_is_unauthorized_and_never_shown() {
    let fake = FakeTelegram::start().await;
    let c = connector();
    fake.revoke_token();
    let err = c
        .publish(&fake.channel(), &outgoing("Hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unauthorized(_)), "{err:?}");
    assert!(!err.to_string().contains(fake::BOT_TOKEN));
    assert!(!err.to_string().contains("AAFake"));

    let mut ch = fake.channel();
    ch.credentials = Secret::new(json!({"bot_token": "not-a-token"}));
    let err = c.verify(&ch).await.unwrap_err();
    assert!(matches!(err, PublishError::Unauthorized(_)), "{err:?}");
    assert!(!err.to_string().contains("not-a-token"));
    assert!(fake.messages().is_empty());
}

#[tokio::test]
async fn a_429_is_rate_limited_with_telegrams_retry_after() {
    let fake = FakeTelegram::start().await;
    fake.push_fault(Fault::RateLimit {
        retry_after_secs: 37,
    });
    let (c, ch) = (connector(), fake.channel());
    let err = c.publish(&ch, &outgoing("Later")).await.unwrap_err();
    assert!(
        matches!(err, PublishError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(37)),
        "{err:?}"
    );
    assert!(fake.messages().is_empty());
    assert_eq!(fake.pending_faults(), 0);
    c.publish(&ch, &outgoing("Later")).await.unwrap();
    assert_eq!(fake.messages().len(), 1);
}

#[tokio::test]
async fn a_500_on_the_send_is_unknown_and_reconcile_is_unsupported() {
    let fake = FakeTelegram::start().await;
    fake.push_fault(Fault::ServerError);
    let (c, ch, post) = (connector(), fake.channel(), outgoing("Boom"));
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert_eq!(c.idempotency(&ch), Idempotency::None);
    assert!(matches!(
        c.reconcile(&ch, &post).await,
        Err(PublishError::Unsupported)
    ));
}

#[tokio::test]
async fn a_lost_answer_after_storing_is_unknown_and_cannot_be_reconciled() {
    let fake = FakeTelegram::start().await;
    fake.push_fault(Fault::StoreThenHang(HANG));
    let (c, ch, post) = (connector(), fake.channel(), outgoing("Made it"));
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert!(!err.to_string().contains(fake::BOT_TOKEN), "{err}");
    assert!(!err.to_string().contains("127.0.0.1"), "{err}");
    // The post IS in the channel, and the Bot API offers no way to find that out: the
    // engine gets Unsupported and marks the delivery needs_attention.
    assert_eq!(fake.messages().len(), 1);
    assert!(matches!(
        c.reconcile(&ch, &post).await,
        Err(PublishError::Unsupported)
    ));
    assert!(!c.info().capabilities.reconcile);
}

#[tokio::test]
async fn nothing_listening_is_refused_retryable() {
    let fake = FakeTelegram::start().await;
    let mut ch = fake.channel();
    drop(fake);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    ch.settings["api_base"] = json!(format!("http://127.0.0.1:{port}"));
    let err = connector()
        .publish(&ch, &outgoing("Nobody home"))
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
async fn a_bot_that_may_not_post_is_refused_plainly_before_sending() {
    let fake = FakeTelegram::start().await;
    let c = connector();
    for rights in [
        BotRights::Member,
        BotRights::AdminWithoutPosting,
        BotRights::Left,
    ] {
        fake.set_bot_rights(rights);
        let err = c
            .publish(&fake.channel(), &outgoing("Hi"))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("administrator")),
            "{rights:?}: {err:?}"
        );
        let err = c.verify(&fake.channel()).await.unwrap_err();
        assert!(
            matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("administrator")),
            "{rights:?}: {err:?}"
        );
    }
    assert_eq!(fake.send_requests(), 0);
}

#[tokio::test]
async fn an_unknown_channel_is_refused_plainly() {
    let fake = FakeTelegram::start().await;
    let mut ch = fake.channel();
    ch.settings["chat_id"] = json!("@someone_else");
    let err = connector().publish(&ch, &outgoing("Hi")).await.unwrap_err();
    assert!(
        matches!(&err, PublishError::Refused { retryable: false, message } if message.contains("cannot find this channel")),
        "{err:?}"
    );
    ch.settings["chat_id"] = json!("not a chat!");
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
async fn verify_names_the_channel_by_username_or_id() {
    let fake = FakeTelegram::start().await;
    let c = connector();
    let account = c.verify(&fake.channel()).await.unwrap();
    assert_eq!(account.external_id, CHANNEL_ID.to_string());
    assert_eq!(account.display_name, CHANNEL_TITLE);
    let mut ch = fake.channel();
    ch.settings["chat_id"] = json!(CHANNEL_ID.to_string());
    assert_eq!(c.verify(&ch).await.unwrap(), account);
}

#[tokio::test]
async fn fetch_profile_counts_subscribers_and_there_are_no_post_metrics() {
    let fake = FakeTelegram::start().await;
    let (c, ch) = (connector(), fake.channel());
    let stats = c.fetch_profile(&ch).await.unwrap();
    assert_eq!(stats.followers, Some(4_321));
    assert!(matches!(
        c.fetch_metrics(&ch, "100").await,
        Err(PublishError::Unsupported)
    ));
    assert!(!c.info().capabilities.fetch_metrics);
}

#[test]
fn private_channels_get_t_me_c_links() {
    let chat = Chat {
        id: -1_009_876_543_210,
        kind: "channel".into(),
        title: None,
        username: None,
    };
    assert_eq!(
        message_url(&chat, 7).as_deref(),
        Some("https://t.me/c/9876543210/7")
    );
    assert_eq!(
        chat_id(Some("https://t.me/heraldnews")).unwrap(),
        "@heraldnews"
    );
    assert_eq!(message_ids("1, 2,3").unwrap(), [1, 2, 3]);
    assert!(message_ids("").is_err());
}

#[test]
fn the_multipart_body_round_trips_through_the_fakes_reader() {
    let (content_type, body) = Multipart::new()
        .text("chat_id", "@x")
        .file("photo", "p.jpg", "image/jpeg", b"--\r\n--binary".to_vec())
        .finish();
    let params = fake_form_parse(&content_type, &body);
    assert_eq!(params.0.as_deref(), Some("@x"));
    assert_eq!(params.1, b"--\r\n--binary");
}

fn fake_form_parse(content_type: &str, body: &[u8]) -> (Option<String>, Vec<u8>) {
    super::fake::form_for_tests(content_type, body)
}

#[path = "tests/inbox.rs"]
mod inbox_tests;

//! The GBP connector against its fake: reviews with ratings, the cursor over pages, edits,
//! and replies that a repeat does not double.

use super::fake::GbpFake;
use super::*;
use std::time::Duration;

fn connector() -> GbpConnector {
    GbpConnector::new(http::client(Duration::from_secs(5)).unwrap())
}

fn reply_post(key: &str, text: &str) -> OutgoingPost {
    OutgoingPost {
        delivery_id: 1,
        idempotency_key: key.into(),
        text: text.into(),
        link: None,
        first_comment: None,
        media: Vec::new(),
        post_id: 1,
        not_before_ms: 0,
    }
}

#[tokio::test]
async fn reviews_come_oldest_first_over_pages_and_never_twice() {
    let fake = GbpFake::start().await;
    let (c, ch) = (connector(), fake.channel());
    let ids: Vec<String> = (0..(PAGE_SIZE + 7))
        .map(|i| fake.add_review(&format!("Guest {i}"), (i % 5 + 1) as u8, &format!("r{i}")))
        .collect();
    let first = c.fetch_inbox(&ch, None).await.unwrap();
    assert_eq!(first.items.len(), PAGE_SIZE + 7, "every page was read");
    assert_eq!(first.items[0].remote_id, ids[0]);
    let r = &first.items[0];
    assert_eq!(
        (r.kind, r.rating, r.author.as_str()),
        (InboxKind::Review, Some(1), "Guest 0")
    );
    assert_eq!(
        (r.parent_remote_id.clone(), r.root_remote_id.clone()),
        (None, None)
    );
    assert!(r.created_at_ms > 0);
    assert_eq!(first.items[4].rating, Some(5));

    let again = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    assert!(again.items.is_empty());
    assert_eq!(again.cursor, first.cursor);

    let new = fake.add_review("", 0, "no stars");
    fake.edit_review(&ids[3], "edited");
    let next = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    let got: Vec<&str> = next.items.iter().map(|i| i.remote_id.as_str()).collect();
    assert_eq!(
        got,
        [new.as_str(), ids[3].as_str()],
        "the edit comes again, same id"
    );
    assert_eq!(next.items[0].rating, None);
    assert_eq!(next.items[0].author, "A Google user");
    assert_eq!(next.items[1].text, "edited");
    assert!(c
        .fetch_inbox(&ch, next.cursor.as_deref())
        .await
        .unwrap()
        .items
        .is_empty());
    assert!(c.fetch_inbox(&ch, Some("garbage")).await.is_err());
}

#[tokio::test]
async fn a_reply_is_a_put_that_a_repeat_only_replaces() {
    let fake = GbpFake::start().await;
    let (c, ch) = (connector(), fake.channel());
    let id = fake.add_review("Ann", 2, "Slow service");
    let post = reply_post("k", "Sorry, we are on it");
    let made = c.reply(&ch, &id, &post).await.unwrap();
    assert_eq!(made.remote_id, format!("{id}/reply"));
    assert_eq!(c.reply(&ch, &id, &post).await.unwrap(), made);
    assert_eq!(fake.reply_puts(), 2);
    assert_eq!(
        fake.reviews()[0].reply.as_deref(),
        Some("Sorry, we are on it")
    );
    assert_eq!(c.info().idempotency, Idempotency::Native);
    assert!(matches!(
        c.publish(&ch, &post).await,
        Err(PublishError::Unsupported)
    ));

    let refused = |e: PublishError| {
        matches!(
            e,
            PublishError::Refused {
                retryable: false,
                ..
            }
        )
    };
    assert!(refused(
        c.reply(&ch, &id, &reply_post("k", " ")).await.unwrap_err()
    ));
    let long = "x".repeat(MAX_REPLY_BYTES + 1);
    assert!(refused(
        c.reply(&ch, &id, &reply_post("k", &long))
            .await
            .unwrap_err()
    ));
    assert!(refused(c.reply(&ch, "a/b", &post).await.unwrap_err()));
    assert!(
        refused(c.reply(&ch, "nope", &post).await.unwrap_err()),
        "404 from Google"
    );
    fake.rate_limit_next(30);
    assert!(matches!(
        c.reply(&ch, &id, &post).await,
        Err(PublishError::RateLimited { retry_after: Some(d) }) if d == Duration::from_secs(30)
    ));
}

#[tokio::test]
async fn settings_and_tokens_are_checked() {
    let fake = GbpFake::start().await;
    let c = connector();
    let mut ch = fake.channel();
    assert!(c.verify(&ch).await.is_ok());
    ch.credentials = herald_domain::Secret::new(serde_json::json!({"access_token": "old"}));
    assert!(matches!(
        c.fetch_inbox(&ch, None).await,
        Err(PublishError::Unauthorized(_))
    ));
    let mut ch = fake.channel();
    ch.settings["location_id"] = serde_json::json!("loc-1");
    assert!(matches!(
        c.verify(&ch).await,
        Err(PublishError::Refused { .. })
    ));
    ch.settings["location_id"] = serde_json::json!("111");
    assert!(
        matches!(c.verify(&ch).await, Err(PublishError::Refused { .. })),
        "404"
    );
}

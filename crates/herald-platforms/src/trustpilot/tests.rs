//! The Trustpilot connector against its fake: reviews with stars, the cursor (also across
//! reviews created at the same instant), and replies that a repeat only replaces.

use super::fake::{TrustpilotFake, BUSINESS_USER};
use super::*;
use std::time::Duration;

fn connector() -> TrustpilotConnector {
    TrustpilotConnector::new(http::client(Duration::from_secs(5)).unwrap())
}

fn answer(text: &str) -> OutgoingPost {
    OutgoingPost {
        delivery_id: 7,
        idempotency_key: "key".into(),
        text: text.into(),
        link: None,
        first_comment: None,
        media: Vec::new(),
        post_id: 7,
        not_before_ms: 0,
    }
}

#[tokio::test]
async fn reviews_come_once_in_order_even_past_a_full_page() {
    let fake = TrustpilotFake::start().await;
    let (c, ch) = (connector(), fake.channel());
    let first_id = fake.add_review("Ann", 4, "Good", 1_000);
    for i in 0..PER_PAGE {
        // Pairs created at the same instant: the id breaks the tie.
        fake.add_review(
            &format!("C{i}"),
            5,
            &format!("t{i}"),
            if i % 2 == 0 { 1_000 } else { 0 },
        );
    }
    let first = c.fetch_inbox(&ch, None).await.unwrap();
    assert_eq!(first.items.len(), PER_PAGE);
    let r = &first.items[0];
    assert_eq!(r.remote_id, first_id);
    assert_eq!(
        (r.kind, r.rating, r.author.as_str()),
        (InboxKind::Review, Some(4), "Ann")
    );
    assert_eq!(r.text, "Good\n\nGood, in more words");
    assert_eq!(
        r.author_url,
        Some(format!("https://www.trustpilot.com/users/c{first_id}"))
    );
    assert_eq!(
        r.permalink,
        Some(format!("https://www.trustpilot.com/reviews/{first_id}"))
    );
    let late = fake.add_review("Late", 1, "Bad", 5_000);
    let second = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    let got: Vec<&str> = second.items.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(second.items[1].remote_id, late);
    let mut seen: Vec<String> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|i| i.remote_id.clone())
        .collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), PER_PAGE + 2, "every review once");
    let third = c.fetch_inbox(&ch, second.cursor.as_deref()).await.unwrap();
    assert!(third.items.is_empty());
    assert_eq!(third.cursor, second.cursor);
}

#[tokio::test]
async fn a_reply_names_the_business_user_and_a_repeat_replaces_it() {
    let fake = TrustpilotFake::start().await;
    let (c, ch) = (connector(), fake.channel());
    let id = fake.add_review("Bob", 2, "Late delivery", 1_000);
    let made = c.reply(&ch, &id, &answer("We are sorry")).await.unwrap();
    assert_eq!(
        c.reply(&ch, &id, &answer("We are sorry")).await.unwrap(),
        made
    );
    assert_eq!(fake.replies(), 2);
    assert_eq!(
        fake.reviews()[0].reply,
        Some(("We are sorry".to_string(), BUSINESS_USER.to_string()))
    );
    assert!(matches!(
        c.publish(&ch, &answer("x")).await,
        Err(PublishError::Unsupported)
    ));
    let no = |e: PublishError| {
        matches!(
            e,
            PublishError::Refused {
                retryable: false,
                ..
            }
        )
    };
    assert!(no(c.reply(&ch, &id, &answer("")).await.unwrap_err()));
    assert!(no(c
        .reply(&ch, &id, &answer(&"é".repeat(MAX_REPLY_CHARS + 1)))
        .await
        .unwrap_err()));
    assert!(no(c.reply(&ch, "../x", &answer("hi")).await.unwrap_err()));
    assert!(
        no(c.reply(&ch, "ffff", &answer("hi")).await.unwrap_err()),
        "404"
    );
    fake.rate_limit_next(12);
    assert!(matches!(
        c.fetch_inbox(&ch, None).await,
        Err(PublishError::RateLimited { retry_after: Some(d) }) if d == Duration::from_secs(12)
    ));
    let mut wrong = fake.channel();
    wrong.credentials = herald_domain::Secret::new(serde_json::json!({"access_token": "x"}));
    assert!(matches!(
        c.verify(&wrong).await,
        Err(PublishError::Unauthorized(_))
    ));
    let mut other = fake.channel();
    other.settings["business_unit_id"] = serde_json::json!("abc");
    assert!(matches!(
        c.verify(&other).await,
        Err(PublishError::Refused { .. })
    ));
    assert!(c.verify(&fake.channel()).await.is_ok());
}

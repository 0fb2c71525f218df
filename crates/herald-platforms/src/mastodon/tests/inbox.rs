//! Mentions and replies from the notifications, the cursor, and replies with
//! `in_reply_to_id` and `Idempotency-Key`.

use super::*;
use crate::connector::InboxKind;

#[tokio::test]
async fn mentions_and_replies_come_once_with_their_thread() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let ours = fake.insert_status("Our launch post", Duration::from_secs(60));
    let (reply, _) = fake.add_from_other("7", "@fake congrats", Some(&ours), "mention");
    let (deeper, _) = fake.add_from_other("8", "@fake @member7 indeed", Some(&reply), "mention");
    let (plain, _) = fake.add_from_other("9", "hey @fake look", None, "mention");
    fake.add_from_other("10", "liked", None, "favourite");

    let first = c.fetch_inbox(&ch, None).await.unwrap();
    let ids: Vec<&str> = first.items.iter().map(|i| i.remote_id.as_str()).collect();
    assert_eq!(
        ids,
        [reply.as_str(), deeper.as_str(), plain.as_str()],
        "oldest first"
    );
    let [r, d, p] = &first.items[..] else {
        panic!()
    };
    assert_eq!(r.kind, InboxKind::Comment, "it answers our own status");
    assert_eq!(r.parent_remote_id.as_deref(), Some(ours.as_str()));
    assert_eq!(r.root_remote_id.as_deref(), Some(ours.as_str()));
    assert_eq!(d.kind, InboxKind::Mention);
    assert_eq!(d.parent_remote_id.as_deref(), Some(reply.as_str()));
    assert_eq!(
        d.root_remote_id.as_deref(),
        Some(ours.as_str()),
        "the thread's first post"
    );
    assert_eq!(
        (p.parent_remote_id.as_deref(), p.root_remote_id.as_deref()),
        (None, None)
    );
    assert_eq!(r.text, "@fake congrats");
    assert_eq!(r.author, "Member 7");
    assert_eq!(r.author_id.as_deref(), Some("7"));
    assert!(r.author_url.as_deref().unwrap().ends_with("/@member7"));
    assert!(r.permalink.as_deref().unwrap().ends_with(&reply));
    assert!(r.created_at_ms > 0);
    assert_eq!(
        first.cursor.as_deref(),
        Some("3"),
        "the favourite is not a mention"
    );

    let again = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    assert!(again.items.is_empty());
    assert_eq!(again.cursor, first.cursor);
    let (later, _) = fake.add_from_other("7", "@fake one more", Some(&ours), "mention");
    let next = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    assert_eq!(next.items.len(), 1);
    assert_eq!(next.items[0].remote_id, later);
    assert!(matches!(
        c.fetch_inbox(&ch, Some("abc")).await,
        Err(PublishError::Refused { .. })
    ));
}

#[tokio::test]
async fn more_than_a_page_comes_over_several_polls_without_repeats() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    for i in 0..(INBOX_LIMIT + 5) {
        fake.add_from_other("7", &format!("@fake n{i}"), None, "mention");
    }
    let first = c.fetch_inbox(&ch, None).await.unwrap();
    assert_eq!(
        first.items.len(),
        INBOX_LIMIT,
        "the first poll takes the newest page"
    );
    assert_eq!(
        first.items.last().unwrap().text,
        format!("@fake n{}", INBOX_LIMIT + 4)
    );
    fake.add_from_other("8", "@fake newest", None, "mention");
    let mut cursor = first.cursor.clone();
    let mut seen: Vec<String> = first.items.iter().map(|i| i.remote_id.clone()).collect();
    let next = c.fetch_inbox(&ch, cursor.as_deref()).await.unwrap();
    assert_eq!(next.items.len(), 1);
    seen.extend(next.items.iter().map(|i| i.remote_id.clone()));
    cursor = next.cursor;
    assert!(c
        .fetch_inbox(&ch, cursor.as_deref())
        .await
        .unwrap()
        .items
        .is_empty());
    let n = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), n);
    // Paging forward from an old cursor: pages of INBOX_LIMIT, oldest first, no gaps.
    let page = c.fetch_inbox(&ch, Some("0")).await.unwrap();
    assert_eq!(page.items.len(), INBOX_LIMIT);
    assert_eq!(page.items[0].text, "@fake n0");
    let rest = c.fetch_inbox(&ch, page.cursor.as_deref()).await.unwrap();
    assert_eq!(rest.items.len(), 6);
}

#[tokio::test]
async fn a_reply_names_the_author_keeps_the_visibility_and_goes_out_once() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let ours = fake.insert_status("Launch", Duration::from_secs(60));
    let (theirs, _) = fake.add_from_other("7", "@fake question?", Some(&ours), "mention");
    let reply = outgoing("reply-1", "Thanks, here is the answer");
    let made = c.reply(&ch, &theirs, &reply).await.unwrap();
    let again = c.reply(&ch, &theirs, &reply).await.unwrap();
    assert_eq!(made, again, "the Idempotency-Key answers the same status");
    let mine: Vec<_> = fake
        .statuses()
        .into_iter()
        .filter(|s| s.idempotency_key.as_deref() == Some("reply-1"))
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].id, made.remote_id);
    assert_eq!(mine[0].in_reply_to_id.as_deref(), Some(theirs.as_str()));
    assert_eq!(
        mine[0].text,
        "@member7@elsewhere.example Thanks, here is the answer"
    );
    assert_eq!(mine[0].visibility, "public");
    // Answering our own status does not mention ourselves.
    let own = c
        .reply(&ch, &ours, &outgoing("reply-2", "Update"))
        .await
        .unwrap();
    assert_eq!(
        fake.statuses()
            .iter()
            .find(|s| s.id == own.remote_id)
            .unwrap()
            .text,
        "Update"
    );
    // A status that is not there, an empty reply, a bad id.
    assert!(matches!(
        c.reply(&ch, "999", &outgoing("k", "hi")).await,
        Err(PublishError::Refused { .. })
    ));
    for (to, text) in [(theirs.as_str(), " "), ("../x", "hi"), ("", "hi")] {
        assert!(matches!(
            c.reply(&ch, to, &outgoing("k", text)).await,
            Err(PublishError::Refused {
                retryable: false,
                ..
            })
        ));
    }
    let wrong = ChannelCtx {
        credentials: Secret::new(json!({"access_token": "nope"})),
        ..fake.channel()
    };
    assert!(matches!(
        c.fetch_inbox(&wrong, None).await,
        Err(PublishError::Unauthorized(_))
    ));
}

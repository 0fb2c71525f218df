//! Comments from the linked discussion group through `getUpdates` and the webhook parser,
//! and replies with `reply_parameters`.

use super::*;
use crate::connector::InboxKind;
use crate::telegram::fake::DISCUSSION_ID;
use crate::telegram::inbox::{handle_webhook, parse_update, WebhookRefusal};

#[tokio::test]
async fn comments_come_with_their_post_and_polling_again_hands_out_nothing_twice() {
    let fake = FakeTelegram::start().await;
    let (c, ch) = (connector(), fake.channel());
    let post = c.publish(&ch, &outgoing("Launch day")).await.unwrap();
    let copy = fake.copy_of(post.remote_id.parse().unwrap()).unwrap();
    let first_comment = fake.comment(11, "Congrats!", Some(copy));
    let answer = fake.comment(12, "Agreed", Some(first_comment));
    let chat = fake.comment(13, "Off topic", None);

    let page = c.fetch_inbox(&ch, None).await.unwrap();
    let g = DISCUSSION_ID;
    let ids: Vec<&str> = page.items.iter().map(|i| i.remote_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            format!("{g}_{first_comment}"),
            format!("{g}_{answer}"),
            format!("{g}_{chat}")
        ]
    );
    let [c1, c2, m] = &page.items[..] else {
        panic!()
    };
    assert_eq!(c1.kind, InboxKind::Comment);
    assert_eq!(
        c1.parent_remote_id.as_deref(),
        Some(post.remote_id.as_str())
    );
    assert_eq!(c1.root_remote_id.as_deref(), Some(post.remote_id.as_str()));
    assert_eq!(c2.parent_remote_id, Some(format!("{g}_{first_comment}")));
    assert_eq!(
        c2.root_remote_id.as_deref(),
        Some(post.remote_id.as_str()),
        "the post's copy came in the same page"
    );
    assert_eq!(m.kind, InboxKind::Message);
    assert_eq!(m.parent_remote_id, None);
    assert_eq!(c1.author, "Member 11");
    assert_eq!(c1.author_id.as_deref(), Some("11"));
    assert_eq!(c1.author_url.as_deref(), Some("https://t.me/member11"));
    assert!(c1
        .permalink
        .as_deref()
        .unwrap()
        .ends_with(&format!("/{first_comment}")));

    let again = c.fetch_inbox(&ch, page.cursor.as_deref()).await.unwrap();
    assert!(again.items.is_empty());
    assert_eq!(again.cursor, page.cursor);
    // A later reply in the thread: its post's copy is older than the page, so the root is
    // the copy; its parent is the comment it answers.
    let late = fake.comment(14, "Late to the party", Some(answer));
    let next = c.fetch_inbox(&ch, page.cursor.as_deref()).await.unwrap();
    assert_eq!(next.items.len(), 1);
    assert_eq!(next.items[0].remote_id, format!("{g}_{late}"));
    assert_eq!(
        next.items[0].parent_remote_id,
        Some(format!("{g}_{answer}"))
    );
    assert_eq!(next.items[0].root_remote_id, Some(format!("{g}_{copy}")));
    // The bot's own replies are not inbox items.
    c.reply(&ch, &format!("{g}_{late}"), &outgoing("Welcome!"))
        .await
        .unwrap();
    let after_reply = c.fetch_inbox(&ch, next.cursor.as_deref()).await.unwrap();
    assert!(after_reply.items.is_empty());
    assert_ne!(
        after_reply.cursor, next.cursor,
        "the update was read all the same"
    );
}

#[tokio::test]
async fn more_updates_than_a_page_come_over_two_polls() {
    let fake = FakeTelegram::start().await;
    let (c, ch) = (connector(), fake.channel());
    let post = c.publish(&ch, &outgoing("Post")).await.unwrap();
    let copy = fake.copy_of(post.remote_id.parse().unwrap()).unwrap();
    for i in 0..120 {
        fake.comment(20 + i, &format!("c{i}"), Some(copy));
    }
    let first = c.fetch_inbox(&ch, None).await.unwrap();
    assert_eq!(
        first.items.len(),
        99,
        "100 updates, the first being the post's copy"
    );
    fake.comment(99, "new one", Some(copy));
    let second = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    assert_eq!(second.items.len(), 22);
    assert_eq!(second.items[0].text, "c99");
    assert_eq!(second.items.last().unwrap().text, "new one");
}

#[tokio::test]
async fn a_reply_goes_into_the_group_under_the_comment() {
    let fake = FakeTelegram::start().await;
    let (c, ch) = (connector(), fake.channel());
    let post = c.publish(&ch, &outgoing("Post")).await.unwrap();
    let copy = fake.copy_of(post.remote_id.parse().unwrap()).unwrap();
    let comment = fake.comment(11, "Question?", Some(copy));
    let g = DISCUSSION_ID;
    let sent = c
        .reply(&ch, &format!("{g}_{comment}"), &outgoing("Answer"))
        .await
        .unwrap();
    let mine = fake.group_messages().last().cloned().unwrap();
    assert_eq!(sent.remote_id, format!("{g}_{}", mine.message_id));
    assert_eq!(
        (mine.text.as_str(), mine.reply_to),
        ("Answer", Some(comment))
    );
    assert_eq!(mine.thread, Some(copy));
    for wrong in ["", "12", "x_1", &format!("{g}_x")] {
        assert!(matches!(
            c.reply(&ch, wrong, &outgoing("hi")).await,
            Err(PublishError::Refused {
                retryable: false,
                ..
            })
        ));
    }
    let gone = c
        .reply(&ch, &format!("{g}_1"), &outgoing("hi"))
        .await
        .unwrap_err();
    assert!(format!("{gone}").contains("replied not found"), "{gone}");
    assert!(c
        .reply(&ch, &format!("{g}_{comment}"), &outgoing(" "))
        .await
        .is_err());
    fake.push_fault(Fault::RateLimit {
        retry_after_secs: 3,
    });
    assert!(matches!(
        c.reply(&ch, &format!("{g}_{comment}"), &outgoing("hi"))
            .await,
        Err(PublishError::RateLimited { .. })
    ));
    fake.set_linked(false);
    let err = c.fetch_inbox(&ch, None).await.unwrap_err();
    assert!(format!("{err}").contains("discussion group"), "{err}");
}

#[test]
fn the_webhook_checks_its_secret_and_parses_like_get_updates() {
    let g = DISCUSSION_ID;
    let update = json!({
        "update_id": 42,
        "message": {
            "message_id": 7, "date": 1_700_000_000,
            "chat": {"id": g, "type": "supergroup", "title": "Chat"},
            "from": {"id": 5, "is_bot": false, "first_name": "Ann"},
            "message_thread_id": 3, "text": "Nice post",
            "reply_to_message": {
                "message_id": 3, "date": 1_699_999_000, "is_automatic_forward": true,
                "chat": {"id": g, "type": "supergroup", "title": "Chat"},
                "sender_chat": {"id": CHANNEL_ID, "type": "channel", "title": CHANNEL_TITLE},
                "forward_origin": {"type": "channel", "message_id": 101, "date": 1_699_999_000,
                                   "chat": {"id": CHANNEL_ID, "type": "channel"}},
                "text": "The post"
            }
        }
    });
    let body = serde_json::to_vec(&update).unwrap();
    let (id, item) = handle_webhook(&body, Some("s3cret"), "s3cret", g, 1).unwrap();
    let item = item.unwrap();
    assert_eq!(id, 42);
    assert_eq!(item.remote_id, format!("{g}_7"));
    assert_eq!(item.parent_remote_id.as_deref(), Some("101"));
    assert_eq!(item.root_remote_id.as_deref(), Some("101"));
    assert_eq!(item.author, "Ann");
    assert_eq!(item.created_at_ms, 1_700_000_000_000);
    assert_eq!(parse_update(&update, g, 1).unwrap().1.unwrap(), item);
    for header in [None, Some("wrong"), Some("s3cre")] {
        assert_eq!(
            handle_webhook(&body, header, "s3cret", g, 1),
            Err(WebhookRefusal::BadSecret)
        );
    }
    assert_eq!(
        handle_webhook(&body, Some(""), "", g, 1),
        Err(WebhookRefusal::BadSecret)
    );
    assert!(matches!(
        handle_webhook(b"{", Some("s"), "s", g, 1),
        Err(WebhookRefusal::Malformed(_))
    ));
    // Another chat, the bot itself, and the post's own copy are not inbox items.
    assert_eq!(parse_update(&update, g - 1, 1).unwrap(), (42, None));
    assert_eq!(parse_update(&update, g, 5).unwrap(), (42, None));
    let copy = json!({"update_id": 43, "message": update["message"]["reply_to_message"]});
    assert_eq!(parse_update(&copy, g, 1).unwrap(), (43, None));
}

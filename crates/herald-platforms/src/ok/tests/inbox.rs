//! Topic comments through `discussions.getComments`, the cursor, and the group's replies.

use super::*;
use crate::connector::InboxKind;

#[tokio::test]
async fn comments_come_once_with_their_topic_and_replies_are_reconciled() {
    let fake = FakeOk::start().await;
    let (c, ch) = (connector(), fake.channel());
    let topic = c
        .publish(&ch, &outgoing("Our topic"))
        .await
        .unwrap()
        .remote_id;
    let quiet = fake.add_topic("No comments", now_ms() - 60_000);
    let first = fake.add_comment(&topic, "501", "Nice", None);
    let answer = fake.add_comment(&topic, "502", "Agreed", Some(&first));

    let page = c.fetch_inbox(&ch, None).await.unwrap();
    let ids: Vec<&str> = page.items.iter().map(|i| i.remote_id.as_str()).collect();
    assert_eq!(
        ids,
        [format!("{topic}_{first}"), format!("{topic}_{answer}")]
    );
    let (a, b) = (&page.items[0], &page.items[1]);
    assert_eq!(a.kind, InboxKind::Comment);
    assert_eq!(a.parent_remote_id.as_deref(), Some(topic.as_str()));
    assert_eq!(b.parent_remote_id, Some(format!("{topic}_{first}")));
    assert!(page
        .items
        .iter()
        .all(|i| i.root_remote_id.as_deref() == Some(topic.as_str())));
    assert_eq!(a.author, "User 501");
    assert_eq!(a.author_url.as_deref(), Some("https://ok.ru/profile/501"));

    let again = c.fetch_inbox(&ch, page.cursor.as_deref()).await.unwrap();
    assert!(again.items.is_empty());
    assert_eq!(again.cursor, page.cursor);

    // The group's reply: under the comment, not in the inbox, found by reconcile_reply.
    let reply = outgoing("Thanks!");
    let to = format!("{topic}_{answer}");
    assert_eq!(c.reconcile_reply(&ch, &to, &reply).await.unwrap(), None);
    let made = c.reply(&ch, &to, &reply).await.unwrap();
    let mine = fake.comments().last().cloned().unwrap();
    assert!(mine.by_group);
    assert_eq!(mine.reply_to.as_deref(), Some(answer.as_str()));
    assert_eq!(made.remote_id, format!("{topic}_{}", mine.id));
    assert_eq!(
        c.reconcile_reply(&ch, &to, &reply).await.unwrap(),
        Some(made)
    );
    assert_eq!(c.reply_idempotency(&ch), Idempotency::None);

    let late = fake.add_comment(&quiet, "503", "Late", None);
    let next = c.fetch_inbox(&ch, page.cursor.as_deref()).await.unwrap();
    let ids: Vec<&str> = next.items.iter().map(|i| i.remote_id.as_str()).collect();
    assert_eq!(
        ids,
        [format!("{quiet}_{late}")],
        "the group's own reply is left out"
    );

    for wrong in ["", "a_b_c", "x y"] {
        assert!(matches!(
            c.reply(&ch, wrong, &outgoing("hi")).await,
            Err(PublishError::Refused {
                retryable: false,
                ..
            })
        ));
    }
    assert!(c
        .reply(&ch, &format!("{topic}_nope"), &outgoing("hi"))
        .await
        .is_err());
    assert!(c.reply(&ch, &topic, &outgoing("  ")).await.is_err());
}

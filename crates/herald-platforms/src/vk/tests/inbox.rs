//! Polling comments (threads, cursors, nothing twice) and replying with `wall.createComment`.

use super::*;
use crate::connector::{InboxItem, InboxKind};

fn ids(items: &[InboxItem]) -> Vec<String> {
    items.iter().map(|i| i.remote_id.clone()).collect()
}

#[tokio::test]
async fn comments_come_with_their_thread_and_polling_again_hands_out_nothing_twice() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let g = fake.group_id();
    let own = -i64::try_from(g).unwrap();
    let post = fake.add_post("Launch day", true, Duration::from_secs(600));
    let quiet = fake.add_post("No comments here", true, Duration::from_secs(500));
    let top = fake.add_comment(post, 7, "Congrats!", None);
    let answer = fake.add_comment(post, 8, "Agreed", Some(top));
    let ours = fake.add_comment(post, own, "Thank you", Some(top));
    let other = fake.add_comment(post, 9, "When in Moscow?", None);

    let first = c.fetch_inbox(&ch, None).await.unwrap();
    let wall = format!("-{g}_{post}");
    assert_eq!(
        ids(&first.items),
        [
            format!("{wall}_{top}"),
            format!("{wall}_{answer}"),
            format!("{wall}_{other}")
        ],
        "oldest first, the community's own reply left out"
    );
    let [t, a, o] = &first.items[..] else {
        panic!()
    };
    assert_eq!(t.parent_remote_id.as_deref(), Some(wall.as_str()));
    assert_eq!(a.parent_remote_id, Some(format!("{wall}_{top}")));
    assert!(first
        .items
        .iter()
        .all(|i| i.root_remote_id.as_deref() == Some(wall.as_str())));
    assert_eq!(t.kind, InboxKind::Comment);
    assert_eq!(t.author, "Member 7");
    assert_eq!(t.author_id.as_deref(), Some("7"));
    assert_eq!(t.author_url.as_deref(), Some("https://vk.com/id7"));
    assert_eq!(
        a.permalink,
        Some(format!(
            "https://vk.com/wall{wall}?reply={answer}&thread={top}"
        ))
    );
    assert_eq!(o.text, "When in Moscow?");
    assert!(t.created_at_ms > 0);
    assert_eq!(first.cursor, Some(other.to_string()));
    assert!(!ids(&first.items).contains(&format!("{wall}_{ours}")));

    // Nothing new: nothing handed out, the cursor stays.
    let again = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    assert!(again.items.is_empty());
    assert_eq!(again.cursor, first.cursor);

    // New comments in an old thread and under another post arrive; only they come.
    let deep = fake.add_comment(post, 10, "Me too", Some(answer));
    let elsewhere = fake.add_comment(quiet, 11, "First!", None);
    let next = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    assert_eq!(
        ids(&next.items),
        [
            format!("{wall}_{deep}"),
            format!("-{g}_{quiet}_{elsewhere}")
        ]
    );
    assert_eq!(
        next.items[0].parent_remote_id,
        Some(format!("{wall}_{answer}"))
    );
    assert_eq!(next.cursor, Some(elsewhere.to_string()));
    assert!(c
        .fetch_inbox(&ch, next.cursor.as_deref())
        .await
        .unwrap()
        .items
        .is_empty());
}

#[tokio::test]
async fn a_long_thread_is_read_whole_and_deleted_comments_are_left_out() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let post = fake.add_post("Thread", true, Duration::from_secs(60));
    let top = fake.add_comment(post, 7, "top", None);
    let replies: Vec<u64> = (0..15)
        .map(|i| fake.add_comment(post, 8, &format!("r{i}"), Some(top)))
        .collect();
    fake.delete_comment(replies[3]);
    let page = c.fetch_inbox(&ch, None).await.unwrap();
    assert_eq!(page.items.len(), 15, "the top comment and 14 live replies");
    assert!(
        fake.calls_of("wall.getComments") >= 2,
        "the thread was read whole"
    );
    assert!(!page.items.iter().any(|i| i.text == "r3"));
    assert!(matches!(
        c.fetch_inbox(&ch, Some("not-a-number")).await,
        Err(PublishError::Refused { .. })
    ));
}

#[tokio::test]
async fn a_reply_goes_under_the_comment_once_per_key() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let g = fake.group_id();
    let post = fake.add_post("Launch", true, Duration::from_secs(60));
    let top = fake.add_comment(post, 7, "Question?", None);
    let item = format!("-{g}_{post}_{top}");
    let reply = outgoing("reply-key", "Answer.");
    let made = c.reply(&ch, &item, &reply).await.unwrap();
    let comments = fake.comments();
    let mine = comments.last().unwrap();
    assert_eq!(mine.text, "Answer.");
    assert_eq!(mine.from_id, -i64::try_from(g).unwrap());
    assert_eq!(mine.reply_to_comment, Some(top));
    assert_eq!(made.remote_id, format!("-{g}_{post}_{}", mine.id));
    // A retry with the same key is VK's guid: the same comment, not a second one.
    assert_eq!(c.reply(&ch, &item, &reply).await.unwrap(), made);
    assert_eq!(fake.comments().len(), 2);
    // Reconciliation finds it; a reply that was never sent is certainly not there.
    assert_eq!(
        c.reconcile_reply(&ch, &item, &reply).await.unwrap(),
        Some(made.clone())
    );
    let never = outgoing("other", "Never sent");
    assert_eq!(c.reconcile_reply(&ch, &item, &never).await.unwrap(), None);
    // Past the guid's window, the thread is searched first and nothing is sent again.
    let mut late = outgoing("a-new-key", "Answer.");
    late.not_before_ms = now_ms() - 2 * 3_600_000;
    let found = c.reply(&ch, &item, &late).await.unwrap();
    assert_eq!(found, made);
    assert_eq!(fake.comments().len(), 2);
    // A reply to the post itself is a top-level comment.
    let to_post = c
        .reply(&ch, &format!("-{g}_{post}"), &outgoing("k2", "Hello all"))
        .await
        .unwrap();
    assert_eq!(fake.comments().last().unwrap().reply_to_comment, None);
    assert!(to_post.remote_id.starts_with(&format!("-{g}_{post}_")));
}

#[tokio::test]
async fn replies_are_refused_where_vk_refuses_them() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let g = fake.group_id();
    let post = fake.add_post("Launch", true, Duration::from_secs(60));
    for wrong in [
        "",
        "abc",
        "-1_2_3",
        &format!("-{g}"),
        &format!("-{g}_{post}_x"),
    ] {
        let err = c.reply(&ch, wrong, &outgoing("k", "hi")).await.unwrap_err();
        assert_refused(&err, false, "VK post or comment");
    }
    let err = c
        .reply(&ch, &format!("-{g}_{post}_999"), &outgoing("k", "hi"))
        .await
        .unwrap_err();
    assert_refused(&err, false, "reply_to_comment");
    let err = c
        .reply(&ch, &format!("-{g}_{post}"), &outgoing("k", "  "))
        .await
        .unwrap_err();
    assert_refused(&err, false, "needs text");
    fake.push_fault_on("wall.createComment", Fault::TOO_MANY_REQUESTS);
    assert!(matches!(
        c.reply(&ch, &format!("-{g}_{post}"), &outgoing("k", "hi"))
            .await,
        Err(PublishError::RateLimited { .. })
    ));
    fake.revoke_token();
    assert!(matches!(
        c.fetch_inbox(&ch, None).await,
        Err(PublishError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn more_than_a_page_comes_over_two_polls_with_new_comments_in_between() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let posts: Vec<u64> = (0..3)
        .map(|i| fake.add_post(&format!("p{i}"), true, Duration::from_secs(60)))
        .collect();
    for i in 0..70 {
        for p in &posts {
            fake.add_comment(*p, 7, &format!("c{i}"), None);
        }
    }
    let first = c.fetch_inbox(&ch, None).await.unwrap();
    assert_eq!(first.items.len(), INBOX_PAGE);
    let late = fake.add_comment(posts[0], 8, "late", None);
    let second = c.fetch_inbox(&ch, first.cursor.as_deref()).await.unwrap();
    assert_eq!(second.items.len(), 210 - INBOX_PAGE + 1);
    assert_eq!(second.items.last().unwrap().text, "late");
    let mut seen: Vec<String> = ids(&first.items);
    seen.extend(ids(&second.items));
    let count = seen.len();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), count, "no item twice");
    assert_eq!(second.cursor, Some(late.to_string()));
}

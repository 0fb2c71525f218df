//! Reading the wall: unknown outcomes and reconciliation, publishing past the guid window,
//! delete and metrics.

use super::*;

#[tokio::test]
async fn an_answer_lost_after_storing_is_unknown_then_the_guid_and_the_wall_find_it() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let post = outgoing("k", "Made it");
    fake.push_fault(Fault::StoreThenHang(HANG));
    let err = c.publish(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    assert_eq!(fake.count_by_text("Made it"), 1);
    let id = fake.posts()[0].id;
    // Reconciliation finds it on the wall…
    let found = c.reconcile(&ch, &post).await.unwrap().unwrap();
    assert_eq!(found.remote_id, format!("-{}_{id}", fake.group_id()));
    // …and a retry with the same guid answers it without a second post.
    let again = c.publish(&ch, &post).await.unwrap();
    assert_eq!(again, found);
    assert_eq!(fake.count_by_text("Made it"), 1);
}

#[tokio::test]
async fn a_hang_without_storing_is_unknown_and_reconcile_finds_nothing() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let post = outgoing("k", "Lost in transit");
    fake.push_fault(Fault::Hang(HANG));
    assert!(matches!(
        c.publish(&ch, &post).await,
        Err(PublishError::Unknown(_))
    ));
    assert!(fake.posts().is_empty());
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
}

#[tokio::test]
async fn reconcile_matches_only_the_communitys_own_post_after_the_attempt() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    // The same text an hour ago, and the same text by a member now: neither is ours.
    fake.add_post("Good morning", true, Duration::from_secs(3600));
    fake.add_post("Good morning", false, Duration::ZERO);
    let post = outgoing("k", "Good morning");
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
    // A post with photos is not a text-only post of the same text.
    let mut with_photo = outgoing("k2", "Good morning");
    with_photo.media = photos("recon", 1);
    let posted = c.publish(&ch, &with_photo).await.unwrap();
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
    assert_eq!(c.reconcile(&ch, &with_photo).await.unwrap(), Some(posted));
    // Surrounding whitespace does not matter.
    let id = fake.add_post("Good evening", true, Duration::ZERO);
    let found = c
        .reconcile(&ch, &outgoing("k3", " Good evening\n"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.remote_id, format!("-{}_{id}", fake.group_id()));
}

#[tokio::test]
async fn reconcile_cannot_tell_when_the_wall_has_too_many_new_posts() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let post = outgoing("k", "Needle");
    // Exactly a page is the whole wall; one more is not.
    for i in 0..RECONCILE_COUNT {
        fake.add_post(&format!("Hay {i}"), true, Duration::ZERO);
    }
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
    fake.add_post("Hay, one more", true, Duration::ZERO);
    let err = c.reconcile(&ch, &post).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    // One older post beyond the page shows the window was seen whole…
    let fake = self::fake().await;
    let ch = fake.channel();
    fake.add_post("Old", true, Duration::from_secs(7200));
    for i in 0..RECONCILE_COUNT - 1 {
        fake.add_post(&format!("Hay {i}"), true, Duration::ZERO);
    }
    assert_eq!(c.reconcile(&ch, &post).await.unwrap(), None);
    // …but an old pinned post, listed first whatever its age, does not.
    let fake = self::fake().await;
    let ch = fake.channel();
    fake.add_post("Older", true, Duration::from_secs(7200));
    let pinned = fake.add_post("Pinned", true, Duration::from_secs(3600));
    fake.pin(pinned);
    for i in 0..RECONCILE_COUNT - 1 {
        fake.add_post(&format!("Hay {i}"), true, Duration::ZERO);
    }
    assert!(matches!(
        c.reconcile(&ch, &post).await,
        Err(PublishError::Unknown(_))
    ));
}

#[tokio::test]
async fn a_failed_lookup_never_reads_as_not_posted() {
    let c = connector();
    let ch = channel_with(
        json!({"group_id": 1, "api_base": "http://127.0.0.1:9/method"}),
        "t",
    );
    let err = c.reconcile(&ch, &outgoing("k", "x")).await.unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
    let fake = fake().await;
    fake.push_fault_on("wall.get", Fault::Error(15));
    let err = c
        .reconcile(&fake.channel(), &outgoing("k", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, PublishError::Unknown(_)), "{err:?}");
}

#[tokio::test]
async fn past_the_guid_window_publish_looks_at_the_wall_first() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    // First sent two hours ago, its answer lost; VK has forgotten the guid by now.
    let mut post = outgoing("k", "Late retry");
    post.not_before_ms = now_ms() - 2 * 3600 * 1000;
    let id = fake.add_post("Late retry", true, Duration::from_secs(3600));
    let found = c.publish(&ch, &post).await.unwrap();
    assert_eq!(found.remote_id, format!("-{}_{id}", fake.group_id()));
    assert_eq!(fake.calls(), ["wall.get"]);
    assert_eq!(fake.count_by_text("Late retry"), 1);
    // Not there: it is posted.
    let mut other = outgoing("k2", "Never made it");
    other.not_before_ms = now_ms() - 2 * 3600 * 1000;
    c.publish(&ch, &other).await.unwrap();
    assert_eq!(fake.count_by_text("Never made it"), 1);
    assert_eq!(fake.calls_of("wall.post"), 1);
    // Cannot tell: nothing is posted.
    fake.push_fault_on("wall.get", Fault::Error(10));
    let mut third = outgoing("k3", "Unsure");
    third.not_before_ms = now_ms() - 2 * 3600 * 1000;
    assert!(matches!(
        c.publish(&ch, &third).await,
        Err(PublishError::Unknown(_))
    ));
    assert_eq!(fake.count_by_text("Unsure"), 0);
}

#[tokio::test]
async fn delete_removes_the_post_and_a_second_delete_is_fine() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let published = c.publish(&ch, &outgoing("k", "Oops")).await.unwrap();
    c.delete(&ch, &published.remote_id).await.unwrap();
    assert!(fake.posts().is_empty());
    c.delete(&ch, &published.remote_id).await.unwrap();
    // A bare post id means the channel's own wall.
    let id = fake.add_post("Bare", true, Duration::ZERO);
    c.delete(&ch, &id.to_string()).await.unwrap();
    assert!(fake.posts().is_empty());
    // A refusal of a post that is still there stays a refusal.
    let id = fake.add_post("Stays", true, Duration::ZERO);
    fake.push_fault_on("wall.delete", Fault::Error(15));
    assert_refused(
        &c.delete(&ch, &id.to_string()).await.unwrap_err(),
        false,
        "VK error 15",
    );
    assert_eq!(fake.posts().len(), 1);
    assert_refused(
        &c.delete(&ch, "nonsense").await.unwrap_err(),
        false,
        "not a VK post id",
    );
}

#[tokio::test]
async fn fetch_metrics_reads_the_posts_counters() {
    let fake = fake().await;
    let (c, ch) = (connector(), fake.channel());
    let published = c.publish(&ch, &outgoing("k", "Popular")).await.unwrap();
    let id = fake.posts()[0].id;
    fake.set_counters(
        id,
        Counters {
            likes: 10,
            reposts: 2,
            comments: 3,
            views: Some(400),
        },
    );
    let m = c.fetch_metrics(&ch, &published.remote_id).await.unwrap();
    assert_eq!(
        m,
        PostMetrics {
            likes: Some(10),
            shares: Some(2),
            comments: Some(3),
            views: Some(400),
            reach: None,
        }
    );
    fake.set_counters(id, Counters::default());
    let m = c.fetch_metrics(&ch, &published.remote_id).await.unwrap();
    assert_eq!((m.likes, m.views), (Some(0), None));
    c.delete(&ch, &published.remote_id).await.unwrap();
    assert_refused(
        &c.fetch_metrics(&ch, &published.remote_id)
            .await
            .unwrap_err(),
        false,
        "not there",
    );
}

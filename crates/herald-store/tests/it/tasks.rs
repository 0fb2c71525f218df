//! The tasks and notifications story on any [`Store`]: tasks scoped by workspace, filters,
//! the due-reminder query and its dedupe key, notifications for members only, and the e-mail
//! outbox's claim, lease, fence, retry and give-up — the same on SQLite and PostgreSQL.

use chrono::{Duration, TimeZone, Utc};
use herald_domain::tasks::{NotifyChannel, TaskKind, TaskStatus, TaskTitle};
use herald_domain::{Email, Language, Timezone, User, WorkspaceName};
use herald_store::{
    reminder_key, Mail, NewNotification, NewUser, PostDraft, Store, StoreError, TaskDraft,
    TaskFilter,
};
use std::sync::Arc;

fn t(s: i64) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap() + Duration::seconds(s)
}

async fn user(store: &Arc<dyn Store>, email: &str) -> User {
    store
        .create_user(
            NewUser {
                email: &Email::parse(email).unwrap(),
                password_hash: "h",
                display_name: "",
                is_admin: false,
            },
            t(0),
        )
        .await
        .unwrap()
}

fn draft(title: &str) -> TaskDraft {
    TaskDraft {
        title: TaskTitle::parse(title).unwrap(),
        description: String::new(),
        kind: TaskKind::Copywriting,
        status: TaskStatus::Todo,
        assignee: None,
        due_at: None,
        post: None,
        plan_slot: None,
    }
}

fn mail(to: &str) -> Mail {
    Mail {
        to: to.into(),
        subject: "s".into(),
        body: "b".into(),
    }
}

async fn story(store: Arc<dyn Store>) {
    let owner = user(&store, "owner@x.example").await;
    let writer = user(&store, "writer@x.example").await;
    let outsider = user(&store, "out@y.example").await;
    let tz = Timezone::parse("UTC").unwrap();
    let ws = store
        .create_workspace(
            owner.id,
            &WorkspaceName::parse("A").unwrap(),
            tz,
            Language::Ru,
            t(0),
        )
        .await
        .unwrap();
    let other = store
        .create_workspace(
            outsider.id,
            &WorkspaceName::parse("B").unwrap(),
            Timezone::parse("UTC").unwrap(),
            Language::En,
            t(0),
        )
        .await
        .unwrap();
    let inv = store
        .create_invitation(
            owner.id,
            ws.id,
            &writer.email,
            herald_domain::Role::Editor,
            "hash-w",
            t(0),
            t(86_400),
        )
        .await
        .unwrap();
    store
        .accept_invitation(inv.id, writer.id, t(1))
        .await
        .unwrap();

    // A task with an assignee from another workspace, or another workspace's post, is refused.
    let mut d = draft("Write the launch post");
    d.assignee = Some(outsider.id);
    assert!(matches!(
        store.create_task(ws.id, owner.id, &d, t(2)).await,
        Err(StoreError::Conflict(_))
    ));
    let foreign_post = store
        .create_post(
            other.id,
            outsider.id,
            &PostDraft {
                text: "B's".into(),
                ..Default::default()
            },
            t(2),
        )
        .await
        .unwrap();
    d.assignee = Some(writer.id);
    d.post = Some(foreign_post.id);
    assert!(matches!(
        store.create_task(ws.id, owner.id, &d, t(2)).await,
        Err(StoreError::Conflict(_))
    ));
    let own_post = store
        .create_post(
            ws.id,
            owner.id,
            &PostDraft {
                text: "ours".into(),
                assignee: Some(writer.id),
                ..Default::default()
            },
            t(2),
        )
        .await
        .unwrap();
    d.post = Some(own_post.id);
    d.due_at = Some(t(3_600));
    let write = store.create_task(ws.id, owner.id, &d, t(3)).await.unwrap();
    assert_eq!(write.assignee, Some(writer.id));
    assert_eq!(write.post, Some(own_post.id));
    assert_eq!(write.created_by, Some(owner.id));
    assert_eq!(write.due_at, Some(t(3_600)));
    let mut design = draft("Design the banner");
    design.kind = TaskKind::Design;
    design.assignee = Some(owner.id);
    design.due_at = Some(t(7_200));
    let design = store
        .create_task(ws.id, owner.id, &design, t(4))
        .await
        .unwrap();
    let undated = store
        .create_task(ws.id, owner.id, &draft("Someday"), t(5))
        .await
        .unwrap();

    // Scoped: the other workspace sees none of them, and cannot reach one by id.
    assert!(store
        .tasks(other.id, &TaskFilter::default())
        .await
        .unwrap()
        .is_empty());
    assert!(store.task(other.id, write.id).await.unwrap().is_none());
    assert!(matches!(
        store
            .update_task(other.id, write.id, &draft("x"), t(6))
            .await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_task(other.id, write.id).await,
        Err(StoreError::NotFound)
    ));

    // Order: by due time, undated last. Filters.
    let all = store.tasks(ws.id, &TaskFilter::default()).await.unwrap();
    let ids: Vec<_> = all.iter().map(|t| t.id).collect();
    assert_eq!(ids, vec![write.id, design.id, undated.id]);
    let mine = store
        .tasks(
            ws.id,
            &TaskFilter {
                assignee: Some(writer.id),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
    let soon = store
        .tasks(
            ws.id,
            &TaskFilter {
                due_before: Some(t(5_000)),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        soon.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![write.id]
    );

    // Done stamps done_at, keeps it while done, clears it when reopened; done sorts last.
    let mut done = d.clone();
    done.status = TaskStatus::Done;
    let w2 = store
        .update_task(ws.id, write.id, &done, t(10))
        .await
        .unwrap();
    assert_eq!(w2.done_at, Some(t(10)));
    let w3 = store
        .update_task(ws.id, write.id, &done, t(20))
        .await
        .unwrap();
    assert_eq!(w3.done_at, Some(t(10)));
    let by_status = store
        .tasks(
            ws.id,
            &TaskFilter {
                status: Some(TaskStatus::Done),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(by_status.len(), 1);
    let open = store
        .tasks(
            ws.id,
            &TaskFilter {
                open_only: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(open.len(), 2);
    let w4 = store.update_task(ws.id, write.id, &d, t(30)).await.unwrap();
    assert_eq!(w4.done_at, None);
    assert_eq!(w4.status, TaskStatus::Todo);

    // My tasks across workspaces; and the posts the writer is responsible for.
    let writers = store
        .tasks_assigned_to(writer.id, &TaskFilter::default())
        .await
        .unwrap();
    assert_eq!(writers.len(), 1);
    let posts = store.posts_assigned_to(writer.id).await.unwrap();
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].post, own_post.id);

    // Recipients: members only, with the workspace's language when they chose none.
    let rs = store
        .recipients(ws.id, &[writer.id, outsider.id, writer.id])
        .await
        .unwrap();
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].language, Language::Ru);
    assert_eq!(rs[0].channel, NotifyChannel::Email);
    store
        .set_notify_channel(writer.id, NotifyChannel::InApp)
        .await
        .unwrap();
    assert_eq!(
        store.notify_channel(writer.id).await.unwrap(),
        NotifyChannel::InApp
    );
    store
        .set_notify_channel(writer.id, NotifyChannel::Email)
        .await
        .unwrap();

    // The reminder query finds open assigned tasks due within the window, once per key.
    let due = store.tasks_to_remind(t(0), t(86_400)).await.unwrap();
    assert_eq!(
        due.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![write.id, design.id]
    );
    let n = NewNotification {
        kind: "task.due".into(),
        params: serde_json::json!({"title": "Write the launch post"}),
        link: format!("/w/{}/tasks", ws.id),
        dedupe_key: Some(reminder_key(&due[0])),
    };
    let sent = store
        .notify(
            ws.id,
            &[
                (writer.id, Some(mail("writer@x.example"))),
                (outsider.id, Some(mail("out@y.example"))),
            ],
            &n,
            t(40),
        )
        .await
        .unwrap();
    assert_eq!(sent.len(), 1, "only members are notified");
    let again = store
        .notify(
            ws.id,
            &[(writer.id, Some(mail("writer@x.example")))],
            &n,
            t(41),
        )
        .await
        .unwrap();
    assert!(again.is_empty(), "the same key never notifies twice");
    let due = store.tasks_to_remind(t(0), t(86_400)).await.unwrap();
    assert_eq!(
        due.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![design.id]
    );
    // A new due time is a new reminder.
    let mut moved = d.clone();
    moved.due_at = Some(t(4_000));
    store
        .update_task(ws.id, write.id, &moved, t(42))
        .await
        .unwrap();
    assert_eq!(
        store.tasks_to_remind(t(0), t(86_400)).await.unwrap().len(),
        2
    );

    // Reading: unread count, one read, all read; nobody else's.
    let plain = NewNotification {
        kind: "task.assigned".into(),
        params: serde_json::json!({}),
        link: String::new(),
        dedupe_key: None,
    };
    store
        .notify(ws.id, &[(writer.id, None)], &plain, t(43))
        .await
        .unwrap();
    store
        .notify(ws.id, &[(writer.id, None)], &plain, t(44))
        .await
        .unwrap();
    assert_eq!(store.unread_count(writer.id).await.unwrap(), 3);
    let list = store.notifications(writer.id, None, 10).await.unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(list[2].kind, "task.due");
    assert_eq!(list[2].params["title"], "Write the launch post");
    assert!(!store.mark_read(owner.id, list[0].id, t(45)).await.unwrap());
    assert!(store.mark_read(writer.id, list[0].id, t(45)).await.unwrap());
    assert!(!store.mark_read(writer.id, list[0].id, t(46)).await.unwrap());
    assert_eq!(store.unread_count(writer.id).await.unwrap(), 2);
    let page2 = store
        .notifications(writer.id, Some(list[0].id.0), 10)
        .await
        .unwrap();
    assert_eq!(page2.len(), 2);
    assert_eq!(store.mark_all_read(writer.id, t(47)).await.unwrap(), 2);
    assert_eq!(store.unread_count(writer.id).await.unwrap(), 0);

    // The outbox: one mail waits; a claim leases it; a second worker gets nothing.
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (1, 0, 0));
    assert_eq!(store.next_mail_due().await.unwrap(), Some(t(40)));
    let c = store.claim_mail("w1", t(50), t(110), 10).await.unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].mail.to, "writer@x.example");
    assert_eq!(c[0].attempts, 1);
    assert!(store
        .claim_mail("w2", t(60), t(120), 10)
        .await
        .unwrap()
        .is_empty());
    // A refusal with a retry time: due again then, not before.
    assert!(store
        .mail_failed(c[0].id, "w1", "421 try later", Some(t(200)), t(61))
        .await
        .unwrap());
    assert!(store
        .claim_mail("w2", t(150), t(210), 10)
        .await
        .unwrap()
        .is_empty());
    // The lease of a worker that vanished expires and another takes it over; the first
    // worker's late report changes nothing.
    let c1 = store.claim_mail("w1", t(200), t(260), 10).await.unwrap();
    assert_eq!(c1[0].attempts, 2);
    let c2 = store.claim_mail("w2", t(261), t(321), 10).await.unwrap();
    assert_eq!(c2.len(), 1);
    assert!(!store.mail_sent(c1[0].id, "w1", t(262)).await.unwrap());
    assert!(store.mail_sent(c2[0].id, "w2", t(263)).await.unwrap());
    let counts = store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (0, 1, 0));
    assert_eq!(store.next_mail_due().await.unwrap(), None);
    let emailed = store.notifications(writer.id, None, 10).await.unwrap();
    assert_eq!(emailed[2].emailed_at, Some(t(263)));
    // Giving up marks it failed, and it is never claimed again.
    let n2 = NewNotification {
        dedupe_key: Some("other".into()),
        ..n.clone()
    };
    store
        .notify(
            ws.id,
            &[(writer.id, Some(mail("writer@x.example")))],
            &n2,
            t(300),
        )
        .await
        .unwrap();
    let c = store.claim_mail("w1", t(300), t(360), 10).await.unwrap();
    assert!(store
        .mail_failed(c[0].id, "w1", "550 no such user", None, t(301))
        .await
        .unwrap());
    assert!(store
        .claim_mail("w1", t(9_000), t(9_060), 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.outbox_counts().await.unwrap().failed, 1);

    // Deleting a task.
    store.delete_task(ws.id, undated.id).await.unwrap();
    assert!(store.task(ws.id, undated.id).await.unwrap().is_none());
}

#[tokio::test]
async fn tasks_story_on_sqlite() {
    let (store, dir) = crate::backends::sqlite().await;
    story(store).await;
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn tasks_story_on_postgres() {
    if let Some(store) = crate::backends::postgres("tasks_story_on_postgres").await {
        story(store).await;
    }
}

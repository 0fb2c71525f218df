//! Notification e-mail through a real SMTP server: the local aiosmtpd sink started by
//! `scripts/smtp-sink.sh` (`HERALD_TEST_SMTP_HOST`, `_PORT`, `_DIR`). A task assignment is
//! written to the outbox with its notification, sent by the engine's outbox worker, and read
//! back from the sink: recipient, subject and body, in the recipient's language. The admin's
//! test e-mail goes through the same server. Without the sink the test prints SKIP (and fails
//! under CI=true).

use crate::helpers::*;
use crate::ui::{add_member, workspace};
use herald_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;

struct Sink {
    host: String,
    port: u16,
    dir: PathBuf,
}

fn sink(test: &str) -> Option<Sink> {
    let get = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (
        get("HERALD_TEST_SMTP_HOST"),
        get("HERALD_TEST_SMTP_PORT"),
        get("HERALD_TEST_SMTP_DIR"),
    ) {
        (Some(host), Some(port), Some(dir)) => Some(Sink {
            host,
            port: port.parse().unwrap(),
            dir: dir.into(),
        }),
        _ => {
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{test}: HERALD_TEST_SMTP_* are not set, and CI=true requires the SMTP sink (eval \"$(scripts/smtp-sink.sh)\")");
            }
            eprintln!("SKIP {test}: run eval \"$(scripts/smtp-sink.sh)\" to test e-mail against a real SMTP server");
            None
        }
    }
}

/// The messages the sink received for `to`.
fn received(dir: &PathBuf, to: &str) -> Vec<Value> {
    let mut out = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if v["rcpt_tos"].as_array().unwrap().iter().any(|r| r == to) {
            out.push(v);
        }
    }
    out
}

async fn wait_for(dir: &PathBuf, to: &str, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let got = received(dir, to);
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the sink did not receive {n} message(s) for {to}");
}

#[tokio::test]
async fn notification_email_goes_through_the_outbox_to_a_real_smtp_server() {
    let Some(sink) = sink("notification_email_goes_through_the_outbox_to_a_real_smtp_server")
    else {
        return;
    };
    let settings = herald_engine::mail::SmtpSettings {
        host: sink.host.clone(),
        port: sink.port,
        username: None,
        password: None,
        from: "Herald <herald@test.example>".into(),
        tls: herald_engine::mail::TlsMode::None,
        timeout: Duration::from_secs(10),
    };
    let app = spawn_app_with_smtp(settings.clone()).await;
    // Unique addresses per run: the sink's folder is shared.
    let tag = chrono::Utc::now().timestamp_micros();
    let (ru_mail, en_mail, quiet_mail) = (
        format!("ru{tag}@mail.example"),
        format!("en{tag}@mail.example"),
        format!("quiet{tag}@mail.example"),
    );
    let owner = app.user(&format!("admin{tag}@mail.example"), true).await;
    let ru = app.user(&ru_mail, false).await;
    let en = app.user(&en_mail, false).await;
    let quiet = app.user(&quiet_mail, false).await;
    // The workspace speaks Russian (the helper's default); the English reader chose English.
    let ws = workspace(&app, &owner, "Почта").await;
    for u in [&ru, &en, &quiet] {
        add_member(&app, ws, &owner, u, Role::Editor).await;
    }
    app.store
        .update_profile(
            en.id,
            "",
            Some(herald_domain::Language::En),
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    app.store
        .set_notify_channel(quiet.id, herald_domain::tasks::NotifyChannel::InApp)
        .await
        .unwrap();
    let token = app.token(&format!("admin{tag}@mail.example")).await;
    let base = format!("/api/v1/workspaces/{}/tasks", ws.0);
    for (u, title) in [
        (&ru, "Текст для запуска"),
        (&en, "Launch copy"),
        (&quiet, "Quiet one"),
    ] {
        let (s, t) = app
            .call(
                Method::POST,
                &base,
                &token,
                Some(json!({"title": title, "kind": "copywriting", "assignee_id": u.id.0})),
            )
            .await;
        assert_eq!(s, 201, "{t}");
    }
    // Written to the outbox with the notifications, nothing sent yet.
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!(
        (counts.pending, counts.sent),
        (2, 0),
        "the in-app-only member gets no mail"
    );

    // The worker sends them; the sink receives them.
    let (stop, rx) = tokio::sync::watch::channel(false);
    let worker = herald_engine::mail::spawn_outbox(
        app.store.clone(),
        herald_engine::mail::Mailer::new(&settings).unwrap(),
        "mail-test".into(),
        rx,
    );
    let ru_got = wait_for(&sink.dir, &ru_mail, 1).await;
    let en_got = wait_for(&sink.dir, &en_mail, 1).await;
    let r = &ru_got[0];
    assert!(
        r["subject"]
            .as_str()
            .unwrap()
            .contains("назначил(а) вам задачу"),
        "{r}"
    );
    assert!(
        r["subject"].as_str().unwrap().contains("Текст для запуска"),
        "{r}"
    );
    assert!(
        r["body"].as_str().unwrap().contains("Открыть в Herald:"),
        "{r}"
    );
    assert!(r["body"]
        .as_str()
        .unwrap()
        .contains(&format!("{}/w/{}/tasks#task-", app.base, ws.0)));
    assert_eq!(r["mail_from"], "herald@test.example");
    assert!(r["message_id"].as_str().unwrap().starts_with("<outbox."));
    let e = &en_got[0];
    assert!(
        e["subject"]
            .as_str()
            .unwrap()
            .contains("assigned you a task"),
        "{e}"
    );
    assert!(
        e["body"].as_str().unwrap().contains("Open in Herald:"),
        "{e}"
    );
    assert!(received(&sink.dir, &quiet_mail).is_empty());

    // Marked sent once the server accepted: nothing goes twice.
    for _ in 0..50 {
        if app.store.outbox_counts().await.unwrap().sent == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (0, 2, 0));
    let ru_token = app.token(&ru_mail).await;
    let (_, list) = app
        .call(Method::GET, "/api/v1/me/notifications", &ru_token, None)
        .await;
    assert!(list["items"][0]["emailed_at"].is_string(), "{list}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(received(&sink.dir, &ru_mail).len(), 1);
    let _ = stop.send(true);
    worker.await.unwrap();

    // The admin's test e-mail, straight through SMTP.
    let to = format!("check{tag}@mail.example");
    let (s, body) = app
        .call(
            Method::POST,
            "/api/v1/admin/test-email",
            &token,
            Some(json!({"to": to})),
        )
        .await;
    assert_eq!(s, 204, "{body}");
    let got = received(&sink.dir, &to);
    assert_eq!(got.len(), 1);
    assert!(got[0]["body"].as_str().unwrap().contains("SMTP"));
}

/// A server that refuses: the outbox keeps the mail, counts the attempt and schedules a
/// retry with backoff instead of losing it.
#[tokio::test]
async fn unreachable_smtp_server_keeps_the_mail_for_a_retry() {
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let settings = herald_engine::mail::SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        username: None,
        password: None,
        from: "herald@test.example".into(),
        tls: herald_engine::mail::TlsMode::None,
        timeout: Duration::from_secs(3),
    };
    let app = spawn_app_with_smtp(settings.clone()).await;
    let owner = app.user("o@retry.example", false).await;
    let w = app.user("w@retry.example", false).await;
    let ws = workspace(&app, &owner, "Retry").await;
    add_member(&app, ws, &owner, &w, Role::Editor).await;
    let token = app.token("o@retry.example").await;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{}/tasks", ws.0),
            &token,
            Some(json!({"title": "x", "kind": "review", "assignee_id": w.id.0})),
        )
        .await;
    assert_eq!(s, 201);
    let mailer = herald_engine::mail::Mailer::new(&settings).unwrap();
    let before = chrono::Utc::now();
    let handled = herald_engine::mail::outbox_pass(app.store.as_ref(), &mailer, "retry-test")
        .await
        .unwrap();
    assert_eq!(handled, 1);
    let counts = app.store.outbox_counts().await.unwrap();
    assert_eq!((counts.pending, counts.sent, counts.failed), (1, 0, 0));
    let next = app.store.next_mail_due().await.unwrap().unwrap();
    assert!(
        next >= before + chrono::Duration::seconds(29),
        "backoff: {next}"
    );
    // Not due yet: the next pass leaves it alone.
    let handled = herald_engine::mail::outbox_pass(app.store.as_ref(), &mailer, "retry-test")
        .await
        .unwrap();
    assert_eq!(handled, 0);
}

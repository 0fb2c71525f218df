//! Connecting channels and scheduling posts in the workspace's time zone; what a channel
//! would refuse is refused up front, with the channel named.

use super::{compose, connect, owner_with_workspace, post_id, sandbox};
use crate::helpers::*;
use crate::ui::Visitor;
use chrono::{Duration, Utc};
use herald_domain::publishing::PostStatus;

#[tokio::test]
async fn compose_connects_channels_and_schedules_in_the_workspace_zone() {
    let app = spawn_app().await;
    let (v, ws) = owner_with_workspace(&app).await;
    let id = ws.0;

    // The channels page offers every listed platform with its own fields and help.
    let page = v.get(&format!("/w/{id}/channels")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Connect a channel"));
    assert!(page
        .body
        .contains("a practice channel inside Herald. Nothing to enter"));
    assert!(page.body.contains(r#"name="field.secret" type="password""#));
    assert!(page.body.contains("X-Herald-Signature"));
    assert!(
        !page.body.contains("testplat"),
        "hidden platforms are not offered"
    );

    let a = sandbox(&app, &v, ws, "Sandbox A").await;
    let b = sandbox(&app, &v, ws, "Лента Б").await;
    let page = v.get(&format!("/w/{id}/channels?done=connected")).await;
    assert!(page.body.contains("The channel is connected."));
    assert!(page
        .body
        .contains(&format!("/w/{id}/channels/{}/feed", a.0)));

    // The connect check's errors stand next to their fields; nothing is stored.
    let res = connect(
        &v,
        ws,
        &[
            ("platform", "webhook"),
            ("field.url", "https://hooks.example/x"),
        ],
    )
    .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains(r#"id="connect-webhook-secret-error">Fill this in."#),
        "{}",
        res.body
    );
    assert!(
        res.body.contains(r#"value="https://hooks.example/x""#),
        "the URL is kept"
    );
    let res = connect(
        &v,
        ws,
        &[
            ("platform", "webhook"),
            ("field.url", "https://hooks.example/x"),
            ("field.secret", "short"),
        ],
    )
    .await;
    assert_eq!(res.status, 422);
    assert!(res
        .body
        .contains(r#"id="connect-webhook-secret-error">At least 16 characters."#));
    assert!(
        !res.body.contains(r#"value="short""#),
        "a secret is never echoed"
    );
    let res = connect(
        &v,
        ws,
        &[
            ("platform", "webhook"),
            ("field.url", "ftp://x"),
            ("field.secret", "0123456789abcdef"),
        ],
    )
    .await;
    assert!(res
        .body
        .contains(r#"id="connect-webhook-url-error">Enter a full address"#));
    assert_eq!(app.store.channels(ws).await.unwrap().len(), 2);

    // The composer lists both channels with a counter from the server.
    let page = v.get(&format!("/w/{id}/compose?channel={}", a.0)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(r#"<meta name="csrf-token""#));
    assert!(page.body.contains(&format!(
        r#"id="ch-{}" name="channels" value="{}" data-platform="sandbox" checked"#,
        a.0, a.0
    )));
    assert!(page.body.contains("0 / 500 graphemes"));
    assert!(page.body.contains("Europe/Moscow · UTC+03:00"));

    // Scheduled for 09:30 in Moscow, ten days ahead: 06:30 UTC.
    let day = (Utc::now() + Duration::days(10))
        .with_timezone(&chrono_tz::Europe::Moscow)
        .date_naive();
    let at_utc = |d: chrono::NaiveDate, h, m| d.and_hms_opt(h, m, 0).unwrap().and_utc();
    let local = format!("{day}T09:30");
    let text = "Новый сезонный раф уже в меню ☕\nЖдём вас!";
    let res = compose(
        &v,
        ws,
        None,
        &[
            ("text", text),
            ("labels", "меню, осень"),
            ("channels", &a.0.to_string()),
            ("channels", &b.0.to_string()),
            (&format!("v.{}.text", b.0), "Раф в меню"),
            ("scheduled_at", &local),
            ("intent", "schedule"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert!(
        res.location.ends_with("?done=post_scheduled"),
        "{}",
        res.location
    );
    let pid = post_id(&res.location);
    let post = app
        .store
        .post(ws, herald_domain::publishing::PostId(pid))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(post.scheduled_at, Some(at_utc(day, 6, 30)));
    assert_eq!(post.text, text);
    assert_eq!(post.labels, ["меню", "осень"]);
    assert_eq!(post.channels, [a, b]);
    assert_eq!(post.content_for(b).text.as_deref(), Some("Раф в меню"));
    assert_eq!(post.status, PostStatus::Scheduled);
    let ds = app.store.deliveries(ws, post.id).await.unwrap();
    assert_eq!(ds.len(), 2);
    assert!(ds.iter().all(|d| d.due_at == at_utc(day, 6, 30)));

    // The list and the post page show it in Moscow time.
    let list = v.get(&format!("/w/{id}/posts")).await;
    let shown = format!("{} {}, 09:30", day.format("%-d %b"), day.format("%Y"));
    assert!(list.body.contains(&shown), "{shown}: {}", list.body);
    assert!(list.body.contains("Scheduled"));
    assert!(list.body.contains("Sandbox A, Лента Б"));
    let page = v.get(&res.location).await;
    assert!(page.body.contains("The post is scheduled."));
    assert!(
        page.body
            .contains("Новый сезонный раф уже в меню ☕\nЖдём вас!"),
        "line breaks kept"
    );

    // Editing shows the local time and moves it.
    let edit = v.get(&format!("/w/{id}/posts/{pid}/edit")).await;
    assert!(edit.body.contains(&format!(r#"value="{local}""#)));
    assert!(edit.body.contains(">Раф в меню</textarea>"));
    let res = compose(
        &v,
        ws,
        Some(pid),
        &[
            ("text", text),
            ("channels", &a.0.to_string()),
            (
                "scheduled_at",
                &format!("{}T00:15", day.succ_opt().unwrap()),
            ),
            ("intent", "schedule"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let post = app.store.post(ws, post.id).await.unwrap().unwrap();
    assert_eq!(post.scheduled_at, Some(at_utc(day, 21, 15)));
    assert_eq!(post.channels, [a]);

    // Save as a draft, then delete.
    let res = compose(
        &v,
        ws,
        None,
        &[
            ("text", "Черновик"),
            ("channels", &a.0.to_string()),
            ("intent", "draft"),
        ],
    )
    .await;
    assert!(res.location.ends_with("?done=post_draft"));
    let draft = post_id(&res.location);
    let list = v.get(&format!("/w/{id}/posts")).await;
    assert!(list.body.contains("Черновик") && list.body.contains("not scheduled"));
    let path = format!("/w/{id}/posts/{draft}/delete");
    let csrf = v.csrf(&format!("/w/{id}/posts/{draft}")).await;
    let res = v.post(&path, &[("_csrf", &csrf)]).await;
    assert_eq!(res.location, format!("/w/{id}/posts?done=post_deleted"));
    assert!(app
        .store
        .post(ws, herald_domain::publishing::PostId(draft))
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn compose_refuses_what_a_channel_would_refuse_and_names_it() {
    let app = spawn_app().await;
    let (v, ws) = owner_with_workspace(&app).await;
    let a = sandbox(&app, &v, ws, "Sandbox A").await;
    let res = connect(
        &v,
        ws,
        &[
            ("platform", "webhook"),
            ("name", "n8n"),
            ("field.url", "http://127.0.0.1:9/hook"),
            ("field.secret", "0123456789abcdef"),
        ],
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let hook = app
        .store
        .channels(ws)
        .await
        .unwrap()
        .iter()
        .find(|c| c.name == "n8n")
        .unwrap()
        .id;

    // 600 graphemes: fine for the webhook (Facebook's rules), too long for the sandbox.
    let long = "é".repeat(600);
    let res = compose(
        &v,
        ws,
        None,
        &[
            ("text", &long),
            ("channels", &a.0.to_string()),
            ("channels", &hook.0.to_string()),
            ("scheduled_at", "2030-06-15T09:30"),
            ("intent", "schedule"),
        ],
    )
    .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body
            .contains("Sandbox A (Sandbox): 600 of 500 graphemes, 100 too many."),
        "{}",
        res.body
    );
    assert!(
        !res.body.contains("n8n (Webhook):"),
        "only the channel that refuses is named"
    );
    assert!(res.body.contains(r#"class="counter over""#));
    assert!(
        res.body.contains("2030-06-15T09:30"),
        "what was entered is kept"
    );

    // A channel's own text is checked with that channel's rules, and shown at its field.
    let res = compose(
        &v,
        ws,
        None,
        &[
            ("text", "Коротко"),
            ("channels", &a.0.to_string()),
            (&format!("v.{}.text", a.0), &long),
            ("intent", "now"),
        ],
    )
    .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains(&format!(
        r#"id="v-{}-text-error"><li>Sandbox A (Sandbox): 600 of 500"#,
        a.0
    )));

    // Other refusals, in the visitor's language.
    let ru = Visitor::new(&app).russian();
    ru.login("owner@agency.example", PASSWORD).await;
    let res = compose(&ru, ws, None, &[("text", "Привет"), ("intent", "now")]).await;
    assert!(res.body.contains("Выберите хотя бы один канал."));
    let one = a.0.to_string();
    let res = compose(
        &ru,
        ws,
        None,
        &[("text", &long), ("channels", &one), ("intent", "now")],
    )
    .await;
    assert!(
        res.body
            .contains("Sandbox A (Sandbox): 600 из 500 (символов), лишних: 100."),
        "{}",
        res.body
    );
    let past = (Utc::now() - Duration::days(1))
        .with_timezone(&chrono_tz::Europe::Moscow)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let res = compose(
        &ru,
        ws,
        None,
        &[
            ("text", "Привет"),
            ("channels", &one),
            ("scheduled_at", &past),
            ("intent", "schedule"),
        ],
    )
    .await;
    assert!(res.body.contains("Это время уже прошло."));
    let res = compose(
        &ru,
        ws,
        None,
        &[
            ("text", "Привет"),
            ("channels", &one),
            ("intent", "schedule"),
        ],
    )
    .await;
    assert!(res
        .body
        .contains("Выберите дату и время или сохраните черновик."));
    let res = compose(
        &ru,
        ws,
        None,
        &[
            ("text", "Привет"),
            ("channels", &one),
            ("link", "javascript:alert(1)"),
            ("intent", "draft"),
        ],
    )
    .await;
    assert!(res.body.contains(r#"id="link-error">Введите ссылку"#));

    let (from, to) = (
        Utc::now() - Duration::days(400),
        Utc::now() + Duration::days(3650),
    );
    assert!(
        app.store
            .posts(ws, from, to, true)
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
}

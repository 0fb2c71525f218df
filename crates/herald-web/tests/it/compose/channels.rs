//! The channels page after the engine has marked a channel: reconnect needed (with the
//! reason, and the form that fixes it) and rate limited (until when, in the workspace's time
//! zone); and what the audit log says about channels.

use super::{owner_with_workspace, sandbox};
use crate::helpers::*;
use chrono::{TimeZone, Utc};
use herald_domain::publishing::ChannelStatus;

#[tokio::test]
async fn channels_show_their_status_and_reconnect() {
    let app = spawn_app().await;
    let (v, ws) = owner_with_workspace(&app).await;
    let id = ws.0;
    let a = sandbox(&app, &v, ws, "Sandbox A").await;
    let path = format!("/w/{id}/channels");

    let why = "the platform refused the token: it has expired";
    app.store
        .set_channel_status(
            a,
            ChannelStatus::ReconnectNeeded,
            Some(why),
            None,
            Utc::now(),
        )
        .await
        .unwrap();
    let page = v.get(&path).await;
    assert!(page.body.contains("Reconnect needed"));
    assert!(page.body.contains(why));
    let action = format!("/w/{id}/channels/{}/reconnect", a.0);
    assert!(page.body.contains(&action));
    let compose = v.get(&format!("/w/{id}/compose")).await;
    assert!(compose.body.contains("This channel needs reconnecting"));

    assert_eq!(v.post(&action, &[]).await.status, 403, "the form's token");
    let csrf = v.csrf(&path).await;
    let res = v.post(&action, &[("_csrf", &csrf)]).await;
    assert_eq!(res.location, format!("{path}?done=reconnected"));
    let ch = app.store.channel(ws, a).await.unwrap().unwrap();
    assert_eq!(ch.status, ChannelStatus::Ok);
    let page = v.get(&res.location).await;
    assert!(page.body.contains("The channel is reconnected"));
    assert!(!page.body.contains(&action));

    // Rate limited until 12:00 in Moscow.
    let until = Utc.with_ymd_and_hms(2030, 1, 1, 9, 0, 0).unwrap();
    app.store
        .set_channel_status(
            a,
            ChannelStatus::RateLimited,
            Some("429"),
            Some(until),
            Utc::now(),
        )
        .await
        .unwrap();
    let page = v.get(&path).await;
    assert!(
        page.body.contains("Rate limited until 1 Jan 2030, 12:00"),
        "{}",
        page.body
    );

    // The audit log names the channel and its platform.
    let audit = v.get(&format!("/w/{id}/audit")).await;
    assert!(audit.body.contains("Channel connected"));
    assert!(audit.body.contains("Sandbox A"));
    assert!(audit.body.contains("Platform: sandbox"));
}

/// Each platform's connect form says, in the visitor's language, what to enter and where to
/// find it; and a refusal from the platform's own check lands next to its field.
#[tokio::test]
async fn every_platform_explains_its_connect_form() {
    let app = spawn_app().await;
    let (v, ws) = owner_with_workspace(&app).await;
    let page = v.get(&format!("/w/{}/channels", ws.0)).await;
    assert_eq!(page.status, 200);
    for expected in [
        "vk.com/club123456",
        "@BotFather",
        "ok.ru/group/55555555555555",
        "https://mastodon.social",
        "App passwords",
        "name=\"field.group_id\"",
        "name=\"field.bot_token\"",
        "name=\"field.application_secret_key\"",
        "name=\"field.app_password\"",
    ] {
        assert!(
            page.body.contains(expected),
            "the channels page lacks {expected}"
        );
    }
    assert!(
        !page.body.contains("group id<"),
        "no field falls back to its raw key"
    );

    // The same form in Russian.
    let ru = v
        .post(
            "/language",
            &[
                ("_csrf", &v.csrf("/profile").await),
                ("language", "ru"),
                ("back", "/profile"),
            ],
        )
        .await;
    assert_eq!(ru.status, 303);
    let page = v.get(&format!("/w/{}/channels", ws.0)).await;
    for expected in [
        "Пароль приложения",
        "Токен бота",
        "ID сообщества",
        "Секретный ключ сессии",
        "Адрес сервера",
    ] {
        assert!(
            page.body.contains(expected),
            "the Russian channels page lacks {expected}"
        );
    }

    // A platform's refusal is shown at the field it names (Telegram: an empty bot token).
    let res = super::connect(
        &v,
        ws,
        &[("platform", "telegram"), ("field.chat_id", "@zerno")],
    )
    .await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("bot_token") || res.body.contains("Токен бота"));
}

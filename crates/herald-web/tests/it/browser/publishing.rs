//! Publishing in a real browser with the engine running beside the server: connect two
//! Sandbox channels on the channels page, write a post in the composer while its live counter
//! follows the typing, schedule it a few seconds ahead in the workspace's time zone, and watch
//! it appear in both channels' feeds. Screenshots: channels-en, compose-en, feed-en, post-ru.

use super::{click, log_in, path_of, shot, start, switch_language, text_of};
use crate::helpers::*;
use crate::ui::workspace;
use chrono::{Duration, Utc};
use fantoccini::{Client, Locator};
use std::time::{Duration as StdDuration, Instant};

/// A screenshot of the whole page from its top, not only the window.
async fn shot_full(c: &Client, name: &str) {
    let height = c
        .execute(
            "window.scrollTo(0, 0); return document.documentElement.scrollHeight \
             + window.outerHeight - window.innerHeight",
            vec![],
        )
        .await
        .ok()
        .and_then(|h| h.as_u64())
        .unwrap_or(900)
        .clamp(900, 4000);
    c.set_window_size(1280, height as u32).await.unwrap();
    shot(c, name).await;
    c.set_window_size(1280, 900).await.unwrap();
}

/// Waits up to `secs` for `check` to hold, polling every 200 ms.
pub(super) async fn until<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + StdDuration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "waited {secs} s for {what}");
        tokio::time::sleep(StdDuration::from_millis(200)).await;
    }
}

pub(super) async fn js(
    c: &Client,
    script: &str,
    args: Vec<serde_json::Value>,
) -> serde_json::Value {
    c.execute(script, args).await.unwrap()
}

/// Connects a Sandbox channel named `name` with the channels page's form.
async fn connect_sandbox(c: &Client, name: &str) {
    let open = js(
        c,
        "return document.querySelector('details.connect').open",
        vec![],
    )
    .await;
    if open.as_bool() != Some(true) {
        click(c, "details.connect > summary").await;
    }
    c.find(Locator::Css("#connect-sandbox-name"))
        .await
        .unwrap()
        .send_keys(name)
        .await
        .unwrap();
    c.find(Locator::Css(
        "form:has(input[value='sandbox']) button[type='submit']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    until(10, "the new channel in the list", || async {
        let list = js(
            c,
            "const l = document.querySelector('.channel-list'); return l ? l.textContent : ''",
            vec![],
        )
        .await;
        list.as_str().unwrap_or_default().contains(name)
    })
    .await;
}

#[tokio::test]
async fn browser_composes_schedules_and_sees_it_in_the_sandbox_feeds() {
    let test = "browser_composes_schedules_and_sees_it_in_the_sandbox_feeds";
    let (app, engine) = spawn_app_with_engine().await;
    let Some((_driver, c)) = start(test, &[]).await else {
        engine.shutdown().await;
        return;
    };
    let owner = app.user("owner@agency.example", false).await;
    let ws = workspace(&app, &owner, "Кофейня «Зерно»").await;
    let id = ws.0;
    let url = |p: &str| app.url(p);

    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&url("/login")).await.unwrap();
    log_in(&c, "owner@agency.example").await;
    c.wait()
        .for_element(Locator::Css("nav.side"))
        .await
        .unwrap();

    // Two sandbox channels, through the channels page.
    click(&c, ".side a[href$='/channels']").await;
    c.wait()
        .for_element(Locator::Css("details.connect"))
        .await
        .unwrap();
    connect_sandbox(&c, "Зерно · песочница").await;
    connect_sandbox(&c, "Second sandbox").await;
    let chans = app.store.channels(ws).await.unwrap();
    assert_eq!(chans.len(), 2);
    let named = |n: &str| chans.iter().find(|ch| ch.name == n).unwrap().id.0;
    let (a, b) = (named("Зерно · песочница"), named("Second sandbox"));
    assert!(text_of(&c, ".channel-list")
        .await
        .contains("Second sandbox"));
    shot_full(&c, "channels-en").await;

    // The composer: tick the first channel, type, and the counter follows.
    c.goto(&url(&format!("/w/{id}/compose"))).await.unwrap();
    c.wait().for_element(Locator::Css("#text")).await.unwrap();
    c.find(Locator::Css(&format!("label[for='ch-{a}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let text = "Осенний раф с тыквой уже в меню ☕ Приходите пробовать!";
    c.find(Locator::Css("#text"))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
    let want = format!("{} / 500 graphemes", text.chars().count());
    let counter = format!("#count-{a}");
    until(10, "the live counter", || async {
        text_of(&c, &counter).await == want
    })
    .await;

    // A channel's own text that is too long turns its counter red; emptied, it is fine again.
    c.find(Locator::Css(&format!("label[for='ch-{b}']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let counter_b = format!("#count-{b}");
    until(10, "the second counter", || async {
        text_of(&c, &counter_b).await == want
    })
    .await;
    let set_own = "const t = document.getElementById(arguments[0]); t.value = arguments[1]; \
                   t.dispatchEvent(new Event('input', {bubbles: true}));";
    let own = format!("v-{b}-text");
    js(
        &c,
        set_own,
        vec![own.clone().into(), "ы".repeat(501).into()],
    )
    .await;
    let over = format!("return document.querySelector('#count-{b}').classList.contains('over')");
    until(10, "the counter to turn red", || async {
        js(&c, &over, vec![]).await.as_bool() == Some(true)
    })
    .await;
    assert_eq!(text_of(&c, &counter_b).await, "501 / 500 graphemes");
    js(&c, set_own, vec![own.into(), "".into()]).await;
    until(10, "the counter to recover", || async {
        js(&c, &over, vec![]).await.as_bool() == Some(false)
    })
    .await;

    // Five seconds ahead, as a wall-clock time in the workspace's zone.
    let zone: chrono_tz::Tz = "Europe/Moscow".parse().unwrap();
    let local = (Utc::now() + Duration::seconds(5))
        .with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    js(
        &c,
        "document.getElementById('scheduled_at').value = arguments[0]",
        vec![local.into()],
    )
    .await;
    assert!(text_of(&c, "#when-zone").await.starts_with("Europe/Moscow"));
    shot_full(&c, "compose-en").await;
    click(&c, "button[name='intent'][value='schedule']").await;
    c.wait()
        .for_element(Locator::Css("section.delivery"))
        .await
        .unwrap();
    let post_path = path_of(&c).await;
    assert!(
        post_path.starts_with(&format!("/w/{id}/posts/")),
        "{post_path}"
    );
    assert_eq!(text_of(&c, "p.notice").await, "The post is scheduled.");

    // The first feed shows it once the publisher has sent it; the page refreshes itself.
    c.goto(&url(&format!("/w/{id}/channels/{a}/feed")))
        .await
        .unwrap();
    until(30, "the post in the first feed", || async {
        text_of(&c, ".feed").await.contains(text)
    })
    .await;
    assert!(text_of(&c, ".feed-item")
        .await
        .contains("Зерно · песочница"));
    shot_full(&c, "feed-en").await;
    c.goto(&url(&format!("/w/{id}/channels/{b}/feed")))
        .await
        .unwrap();
    until(10, "the post in the second feed", || async {
        text_of(&c, ".feed").await.contains(text)
    })
    .await;

    // A channel that refuses everything (set up in the store: the sandbox's fault switch has no
    // form): the post page says why, and Retry sends it again.
    let creds = app.secret_key.encrypt("{}").unwrap();
    let refusing = app
        .store
        .create_channel(
            ws,
            herald_store::NewChannel {
                platform: "sandbox",
                name: "Always refuses",
                external_id: "sandbox",
                settings: &serde_json::json!({"fail_with": "refused"}),
                credentials_encrypted: &creds,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    c.goto(&url(&format!("/w/{id}/compose?channel={}", refusing.id.0)))
        .await
        .unwrap();
    c.find(Locator::Css("#text"))
        .await
        .unwrap()
        .send_keys("Этот пост не выйдет")
        .await
        .unwrap();
    click(&c, "button[name='intent'][value='now']").await;
    c.wait()
        .for_element(Locator::Css("section.delivery"))
        .await
        .unwrap();
    let failed_path = path_of(&c).await;
    until(30, "the refusal on the post page", || async {
        c.goto(&url(&failed_path)).await.unwrap();
        js(&c, "return !!document.querySelector('.why')", vec![])
            .await
            .as_bool()
            == Some(true)
    })
    .await;
    assert!(text_of(&c, ".why").await.contains("refuses every post"));
    shot_full(&c, "post-failed-en").await;
    click(&c, "form[action$='/retry'] button").await;
    c.wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    assert_eq!(text_of(&c, "p.notice").await, "Trying again now.");

    // The post page in Russian: both deliveries published.
    c.goto(&url(&post_path)).await.unwrap();
    switch_language(&c, "ru").await;
    let deliveries = text_of(&c, "main").await;
    assert!(
        deliveries.matches("Опубликовано").count() >= 2,
        "{deliveries}"
    );
    shot_full(&c, "post-ru").await;
    c.goto(&url(&format!("/w/{id}/posts"))).await.unwrap();
    shot_full(&c, "posts-ru").await;

    // Refusals, in Russian, next to their fields.
    c.goto(&url(&format!("/w/{id}/compose?channel={a}")))
        .await
        .unwrap();
    js(&c, set_own, vec!["text".into(), "ж".repeat(520).into()]).await;
    click(&c, "button[name='intent'][value='schedule']").await;
    c.wait()
        .for_element(Locator::Css("#scheduled_at-error"))
        .await
        .unwrap();
    assert!(text_of(&c, "#text-error").await.contains("520 из 500"));
    shot_full(&c, "compose-errors-ru").await;
    c.goto(&url(&format!("/w/{id}/channels"))).await.unwrap();
    click(&c, "details.connect:nth-of-type(2) > summary").await;
    for (field, value) in [
        ("#connect-webhook-url", "https://hooks.example/herald"),
        ("#connect-webhook-secret", "short"),
    ] {
        c.find(Locator::Css(field))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    c.find(Locator::Css(
        "form:has(input[value='webhook']) button[type='submit']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.wait()
        .for_element(Locator::Css("#connect-webhook-secret-error"))
        .await
        .unwrap();
    shot_full(&c, "channels-webhook-ru").await;

    // Phone width: nothing wider than the screen.
    c.set_window_size(390, 844).await.unwrap();
    for (page, name) in [
        (format!("/w/{id}/compose?channel={a}"), "compose"),
        (post_path.clone(), "post"),
        (format!("/w/{id}/channels"), "channels"),
        (format!("/w/{id}/channels/{a}/feed"), "feed"),
        (format!("/w/{id}/posts"), "posts"),
    ] {
        c.goto(&url(&page)).await.unwrap();
        shot(&c, &format!("{name}-ru-phone")).await;
        let overflow = js(
            &c,
            "return document.documentElement.scrollWidth > window.innerWidth",
            vec![],
        )
        .await;
        assert_eq!(overflow.as_bool(), Some(false), "{page} fits a phone");
    }

    c.close().await.unwrap();
    engine.shutdown().await;
}

//! The calendar in a real browser: drag a post card to another day of the month grid and it
//! is rescheduled (same time of day, in the workspace's zone); drag it to a day and hour of
//! the week grid and it takes that hour; a drop the server refuses (a time the clocks skip)
//! says why in the page's language. Screenshots: calendar-month-en, calendar-week-ru.
//!
//! chromedriver's own drag (WebDriver pointer actions: down on the card, move to the cell, up)
//! was tried: headless Chromium fires `mousedown` and `dragstart` but never `drop`, and the
//! post stays put. So the test dispatches the HTML5 drag events itself, with a real
//! `DataTransfer`, on the card and the target cell; everything after the events (calendar.js,
//! the CSRF header, the API, the store) is the real path.

use super::publishing::{js, until};
use super::{log_in, shot, start, switch_language, text_of};
use crate::calendar::post_at;
use crate::helpers::*;
use chrono::{DateTime, Utc};
use fantoccini::{Client, Locator};
use herald_domain::{Language, Timezone, WorkspaceName};
use herald_store::NewChannel;

/// Drags card `post` onto the element `target` selects, as HTML5 drag and drop does.
async fn drag(c: &Client, post: i64, target: &str) {
    let script = "const card = document.querySelector(`.cal-card[data-post='${arguments[0]}']`); \
        const cell = document.querySelector(arguments[1]); \
        if (!card || !cell) return false; \
        const dt = new DataTransfer(); \
        const fire = (el, type) => el.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt})); \
        fire(card, 'dragstart'); fire(cell, 'dragenter'); fire(cell, 'dragover'); fire(cell, 'drop'); fire(card, 'dragend'); \
        return true;";
    let done = js(c, script, vec![post.into(), target.into()]).await;
    assert_eq!(
        done.as_bool(),
        Some(true),
        "card {post} and {target} are on the page"
    );
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[tokio::test]
async fn browser_drags_a_post_to_another_day_and_it_is_rescheduled() {
    let test = "browser_drags_a_post_to_another_day_and_it_is_rescheduled";
    let app = spawn_app().await;
    let Some((_driver, c)) = start(test, &[]).await else {
        return;
    };
    let owner = app.user("owner@agency.example", false).await;
    let ws = app
        .store
        .create_workspace(
            owner.id,
            &WorkspaceName::parse("Кофейня «Зерно»").unwrap(),
            Timezone::parse("Europe/Berlin").unwrap(),
            Language::En,
            Utc::now(),
        )
        .await
        .unwrap()
        .id;
    let id = ws.0;
    let ch = app
        .store
        .create_channel(
            ws,
            NewChannel {
                platform: "sandbox",
                name: "Sandbox",
                external_id: "",
                settings: &serde_json::json!({}),
                credentials_encrypted: "unused",
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .id;
    // 14 April 2027, 10:30 in Berlin (CEST).
    let pid = post_at(
        &app,
        ws,
        &owner,
        ch,
        Some(utc("2027-04-14T08:30:00Z")),
        "Pumpkin latte is back",
        None,
    )
    .await;
    // 20 March 2027, 02:30 in Berlin: on the 28th that wall-clock time does not exist.
    let night = post_at(
        &app,
        ws,
        &owner,
        ch,
        Some(utc("2027-03-20T01:30:00Z")),
        "Night owl post",
        None,
    )
    .await;

    c.set_window_size(1400, 1000).await.unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    log_in(&c, "owner@agency.example").await;
    c.wait()
        .for_element(Locator::Css("nav.side"))
        .await
        .unwrap();

    // Month view: drop it on the 16th; it keeps 10:30.
    c.goto(&app.url(&format!("/w/{id}/calendar?view=month&date=2027-04-01")))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css(&format!(
            ".cal-card[data-post='{}'][draggable='true']",
            pid.0
        )))
        .await
        .unwrap();
    shot(&c, "calendar-month-en").await;
    drag(&c, pid.0, "td.cal-day[data-date='2027-04-16']").await;
    let want = utc("2027-04-16T08:30:00Z");
    until(10, "the post to be rescheduled", || async {
        app.store.post(ws, pid).await.unwrap().unwrap().scheduled_at == Some(want)
    })
    .await;
    let deliveries = app.store.deliveries(ws, pid).await.unwrap();
    assert_eq!(deliveries[0].due_at, want, "the delivery follows");
    // The page reloads and shows it on the new day.
    until(10, "the card on the 16th", || async {
        js(
            &c,
            "const d = document.querySelector(\"td[data-date='2027-04-16']\"); return d ? d.textContent : ''",
            vec![],
        )
        .await
        .as_str()
        .unwrap_or_default()
        .contains("Pumpkin latte is back")
    })
    .await;
    assert!(!text_of(&c, "td[data-date='2027-04-14']")
        .await
        .contains("Pumpkin latte"));

    // Week view, in Russian: drop it on Saturday 17th at 14:00; it keeps its minutes.
    switch_language(&c, "ru").await;
    c.goto(&app.url(&format!("/w/{id}/calendar?view=week&date=2027-04-16")))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css(&format!(".cal-card[data-post='{}']", pid.0)))
        .await
        .unwrap();
    drag(
        &c,
        pid.0,
        "td.cal-hour[data-date='2027-04-17'][data-hour='14']",
    )
    .await;
    let want = utc("2027-04-17T12:30:00Z");
    until(10, "the post at 14:30 on the 17th", || async {
        app.store.post(ws, pid).await.unwrap().unwrap().scheduled_at == Some(want)
    })
    .await;
    c.wait()
        .for_element(Locator::Css(&format!(
            "td[data-date='2027-04-17'][data-hour='14'] .cal-card[data-post='{}']",
            pid.0
        )))
        .await
        .unwrap();
    shot(&c, "calendar-week-ru").await;

    // A refusal: 02:30 does not exist on 28 March; the page says so and nothing moves.
    c.goto(&app.url(&format!("/w/{id}/calendar?view=month&date=2027-03-01")))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css(&format!(".cal-card[data-post='{}']", night.0)))
        .await
        .unwrap();
    drag(&c, night.0, "td.cal-day[data-date='2027-03-28']").await;
    until(10, "the refusal in the status line", || async {
        text_of(&c, ".cal-status").await.contains("переводят часы")
    })
    .await;
    assert_eq!(
        app.store
            .post(ws, night)
            .await
            .unwrap()
            .unwrap()
            .scheduled_at,
        Some(utc("2027-03-20T01:30:00Z"))
    );
    c.close().await.unwrap();
}

//! Tasks and notifications in Chromium, by keyboard: `g t` opens the Tasks page, a task is
//! typed and sent with Enter, it shows in the list; the assignee sees the bell's count and
//! "My tasks", marks it done, and the pages read in Russian after switching.

use super::{click, log_in, path_of, shot, start, switch_language, text_of};
use crate::helpers::*;
use crate::ui::{add_member, workspace};
use fantoccini::Locator;
use herald_domain::Role;

#[tokio::test]
async fn browser_tasks_by_keyboard_and_the_bell() {
    let test = "browser_tasks_by_keyboard_and_the_bell";
    let app = spawn_app().await;
    let Some((_driver, c)) = start(test, &[]).await else {
        return;
    };
    let owner = app.user("lead@b-tasks.example", false).await;
    let writer = app.user("pen@b-tasks.example", false).await;
    let ws = workspace(&app, &owner, "Keyboard Co").await;
    add_member(&app, ws, &owner, &writer, Role::Editor).await;
    let url = |p: &str| app.url(p);

    c.goto(&url("/login")).await.unwrap();
    log_in(&c, "lead@b-tasks.example").await;
    c.wait()
        .for_element(Locator::Css("nav.side"))
        .await
        .unwrap();
    c.goto(&url(&format!("/w/{}", ws.0))).await.unwrap();
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("gt")
        .await
        .ok();
    c.wait()
        .for_element(Locator::Css("#task-title"))
        .await
        .unwrap();
    assert_eq!(path_of(&c).await, format!("/w/{}/tasks", ws.0));
    c.find(Locator::Css("#task-assignee"))
        .await
        .unwrap()
        .select_by_value(&writer.id.0.to_string())
        .await
        .unwrap();
    c.find(Locator::Css("#task-kind"))
        .await
        .unwrap()
        .select_by_value("design")
        .await
        .unwrap();
    // Typed, then sent with Enter from the title field.
    c.find(Locator::Css("#task-title"))
        .await
        .unwrap()
        .send_keys("Draw the spring banner\u{E007}")
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    let list = text_of(&c, "table.tasks").await;
    assert!(list.contains("Draw the spring banner"), "{list}");
    shot(&c, "tasks-en").await;

    // The writer: the bell counts one; My tasks lists it; Mark done.
    click(&c, "form[action='/logout'] button").await;
    c.wait().for_element(Locator::Css("#email")).await.unwrap();
    c.goto(&url("/login")).await.unwrap();
    log_in(&c, "pen@b-tasks.example").await;
    c.wait().for_element(Locator::Css(".bell")).await.unwrap();
    assert_eq!(text_of(&c, ".bell .count").await, "1");
    c.goto(&url("/tasks")).await.unwrap();
    assert!(text_of(&c, "main").await.contains("Draw the spring banner"));
    switch_language(&c, "ru").await;
    assert!(text_of(&c, "h1").await.contains("Мои задачи"));
    shot(&c, "my-tasks-ru").await;
    c.find(Locator::Css("table.tasks button[type='submit']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("p.notice"))
        .await
        .unwrap();
    assert!(text_of(&c, "main").await.contains("Статус задачи изменён"));
    c.goto(&url("/notifications")).await.unwrap();
    let notes = text_of(&c, "main").await;
    assert!(notes.contains("назначил(а) вам задачу"), "{notes}");
    shot(&c, "notifications-ru").await;
}

//! Tasks and notifications through the API and the UI: CRUD with filters and roles, the
//! notifications each change earns (and who does not get one), reading them, the preference,
//! the due-reminder job (one reminder per task and due time, however often it runs), and the
//! pages in English and Russian.

use crate::helpers::*;
use crate::ui::{add_member, workspace, Visitor};
use chrono::{Duration, Utc};
use herald_domain::Role;
use reqwest::Method;
use serde_json::{json, Value};

async fn unread(app: &TestApp, token: &str) -> (i64, Vec<Value>) {
    let (s, list) = app
        .call(Method::GET, "/api/v1/me/notifications", token, None)
        .await;
    assert_eq!(s, 200, "{list}");
    (
        list["unread"].as_i64().unwrap(),
        list["items"].as_array().unwrap().clone(),
    )
}

async fn api_story(app: TestApp) {
    let owner = app.user("owner@t.example", true).await;
    let writer = app.user("writer@t.example", false).await;
    let analyst = app.user("analyst@t.example", false).await;
    let stranger = app.user("stranger@t.example", false).await;
    let ws = workspace(&app, &owner, "Tasks Co").await;
    add_member(&app, ws, &owner, &writer, Role::Editor).await;
    add_member(&app, ws, &owner, &analyst, Role::Analyst).await;
    let (o, w, a) = (
        app.token("owner@t.example").await,
        app.token("writer@t.example").await,
        app.token("analyst@t.example").await,
    );
    let base = format!("/api/v1/workspaces/{}/tasks", ws.0);
    let due = (Utc::now() + Duration::hours(3)).to_rfc3339();

    // Refusals name the field.
    let (s, e) = app
        .call(
            Method::POST,
            &base,
            &o,
            Some(json!({"title": "x", "kind": "poetry"})),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("kind")),
        "{e}"
    );
    let (s, e) = app
        .call(
            Method::POST,
            &base,
            &o,
            Some(json!({"title": " ", "kind": "design"})),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("title")),
        "{e}"
    );
    let (s, e) = app
        .call(
            Method::POST,
            &base,
            &o,
            Some(json!({"title": "x", "kind": "design", "assignee_id": stranger.id.0})),
        )
        .await;
    assert_eq!(
        (s, e["error"]["field"].as_str()),
        (422, Some("assignee_id")),
        "{e}"
    );
    // An analyst may not create tasks.
    let (s, _) = app
        .call(
            Method::POST,
            &base,
            &a,
            Some(json!({"title": "x", "kind": "design"})),
        )
        .await;
    assert_eq!(s, 403);

    // The owner gives the writer a task: the writer is told, the owner is not.
    let (s, t1) = app
        .call(
            Method::POST,
            &base,
            &o,
            Some(
                json!({"title": "Write the launch post", "kind": "copywriting",
                        "assignee_id": writer.id.0, "due_at": due, "description": "3 lines"}),
            ),
        )
        .await;
    assert_eq!(s, 201, "{t1}");
    assert_eq!(t1["status"], "todo");
    assert_eq!(t1["overdue"], false);
    let t1_id = t1["id"].as_i64().unwrap();
    let (n, items) = unread(&app, &w).await;
    assert_eq!(n, 1);
    assert_eq!(items[0]["kind"], "task.assigned");
    assert!(items[0]["text"]
        .as_str()
        .unwrap()
        .contains("Write the launch post"));
    assert_eq!(items[0]["link"], format!("/w/{}/tasks#task-{t1_id}", ws.0));
    assert_eq!(
        unread(&app, &o).await.0,
        0,
        "no notification for one's own action"
    );

    // An overdue task assigned to oneself: no notification, and it shows as overdue.
    let past = (Utc::now() - Duration::hours(1)).to_rfc3339();
    let (s, t2) = app
        .call(
            Method::POST,
            &base,
            &o,
            Some(json!({"title": "Banner", "kind": "design", "assignee_id": owner.id.0, "due_at": past})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(t2["overdue"], true);
    assert_eq!(unread(&app, &o).await.0, 0);

    // Filters.
    let q = |p: &str| format!("{base}?{p}");
    let (_, l) = app
        .call(
            Method::GET,
            &q(&format!("assignee={}", writer.id.0)),
            &a,
            None,
        )
        .await;
    assert_eq!(l.as_array().unwrap().len(), 1);
    let (_, l) = app
        .call(
            Method::GET,
            &q(&format!("due_before={}", urlenc(&Utc::now().to_rfc3339()))),
            &a,
            None,
        )
        .await;
    assert_eq!(l.as_array().unwrap()[0]["title"], "Banner");
    let (s, e) = app.call(Method::GET, &q("status=later"), &a, None).await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("status")));

    // The analyst may not edit; the writer (assignee, editor) marks it done: the owner, who
    // created it, is told.
    let one = format!("{base}/{t1_id}");
    let (s, _) = app
        .call(Method::PATCH, &one, &a, Some(json!({"status": "done"})))
        .await;
    assert_eq!(s, 403);
    let (s, done) = app
        .call(Method::PATCH, &one, &w, Some(json!({"status": "done"})))
        .await;
    assert_eq!(s, 200, "{done}");
    assert_eq!(done["status"], "done");
    assert!(done["done_at"].is_string());
    assert_eq!(
        done["description"], "3 lines",
        "a patch keeps what it does not name"
    );
    let (n, items) = unread(&app, &o).await;
    assert_eq!(n, 1);
    assert_eq!(items[0]["kind"], "task.done");
    // Null clears a field; a reassignment notifies the new assignee only.
    let (s, moved) = app
        .call(
            Method::PATCH,
            &one,
            &o,
            Some(json!({"due_at": null, "assignee_id": analyst.id.0, "status": "todo"})),
        )
        .await;
    assert_eq!(s, 200, "{moved}");
    assert!(moved["due_at"].is_null());
    assert_eq!(unread(&app, &a).await.0, 1);
    assert_eq!(unread(&app, &w).await.0, 1);
    // The analyst, now the assignee, may change its status and nothing else.
    let (s, _) = app
        .call(
            Method::PATCH,
            &one,
            &a,
            Some(json!({"status": "in_progress"})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .call(Method::PATCH, &one, &a, Some(json!({"title": "mine now"})))
        .await;
    assert_eq!(s, 403);

    // My tasks: open ones across workspaces.
    let (_, mine) = app.call(Method::GET, "/api/v1/me/tasks", &a, None).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["status"], "in_progress");
    let (_, mine) = app.call(Method::GET, "/api/v1/me/tasks", &w, None).await;
    assert!(mine.as_array().unwrap().is_empty());

    // Reading notifications: one, then all; another person's id is not found.
    let (_, items) = unread(&app, &w).await;
    let nid = items[0]["id"].as_i64().unwrap();
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/me/notifications/{nid}/read"),
            &o,
            None,
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/me/notifications/{nid}/read"),
            &w,
            None,
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(unread(&app, &w).await.0, 0);
    let (s, r) = app
        .call(Method::POST, "/api/v1/me/notifications/read-all", &o, None)
        .await;
    assert_eq!((s, r["marked"].as_u64()), (200, Some(1)));

    // The preference.
    let (_, p) = app
        .call(Method::GET, "/api/v1/me/notification-settings", &w, None)
        .await;
    assert_eq!(p["channel"], "email");
    let (s, p) = app
        .call(
            Method::PUT,
            "/api/v1/me/notification-settings",
            &w,
            Some(json!({"channel": "in_app"})),
        )
        .await;
    assert_eq!((s, p["channel"].as_str()), (200, Some("in_app")));
    let (s, e) = app
        .call(
            Method::PUT,
            "/api/v1/me/notification-settings",
            &w,
            Some(json!({"channel": "pigeon"})),
        )
        .await;
    assert_eq!((s, e["error"]["field"].as_str()), (422, Some("channel")));

    // The test e-mail: admins only; without SMTP settings it says so.
    let (s, _) = app
        .call(
            Method::POST,
            "/api/v1/admin/test-email",
            &w,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 403);
    let (s, e) = app
        .call(
            Method::POST,
            "/api/v1/admin/test-email",
            &o,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 409, "{e}");

    // Delete.
    let (s, _) = app.call(Method::DELETE, &one, &a, None).await;
    assert_eq!(s, 403);
    let (s, _) = app.call(Method::DELETE, &one, &o, None).await;
    assert_eq!(s, 204);
    let (s, _) = app.call(Method::GET, &one, &o, None).await;
    assert_eq!(s, 404);
}

fn urlenc(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn tasks_api_on_sqlite() {
    api_story(spawn_app().await).await;
}

#[tokio::test]
async fn tasks_api_on_postgres() {
    if let Some(app) = spawn_app_postgres("tasks_api_on_postgres").await {
        api_story(app).await;
    }
}

/// The due-reminder job: a task due within 24 hours earns its assignee one reminder, however
/// many times the job runs; a done task, a far one and an unassigned one earn none; a new due
/// time earns a new one.
#[tokio::test]
async fn due_reminders_are_sent_once_per_due_time() {
    let app = spawn_app().await;
    let owner = app.user("boss@r.example", false).await;
    let writer = app.user("pen@r.example", false).await;
    let ws = workspace(&app, &owner, "Reminders").await;
    add_member(&app, ws, &owner, &writer, Role::Editor).await;
    let o = app.token("boss@r.example").await;
    let w = app.token("pen@r.example").await;
    let base = format!("/api/v1/workspaces/{}/tasks", ws.0);
    let mk = |title: &str, hours: i64, status: &str| {
        json!({"title": title, "kind": "copywriting", "assignee_id": writer.id.0, "status": status,
               "due_at": (Utc::now() + Duration::hours(hours)).to_rfc3339()})
    };
    let (_, soon) = app
        .call(Method::POST, &base, &o, Some(mk("Soon", 2, "todo")))
        .await;
    app.call(Method::POST, &base, &o, Some(mk("Later", 30, "todo")))
        .await;
    app.call(Method::POST, &base, &o, Some(mk("Finished", 2, "done")))
        .await;
    app.call(
        Method::POST,
        &base,
        &o,
        Some(json!({"title": "Nobody's", "kind": "other", "due_at": (Utc::now() + Duration::hours(1)).to_rfc3339()})),
    )
    .await;
    app.call(Method::POST, "/api/v1/me/notifications/read-all", &w, None)
        .await;

    let now = Utc::now();
    assert_eq!(
        herald_web::notify::reminder_pass(&app.state, now)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        herald_web::notify::reminder_pass(&app.state, now)
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        herald_web::notify::reminder_pass(&app.state, now + Duration::minutes(5))
            .await
            .unwrap(),
        0
    );
    let (n, items) = unread(&app, &w).await;
    assert_eq!(n, 1);
    assert_eq!(items[0]["kind"], "task.due");
    assert!(
        items[0]["text"].as_str().unwrap().contains("Soon"),
        "{}",
        items[0]
    );
    // Later comes within the window as time passes: one reminder for it, still none again.
    let later = now + Duration::hours(7);
    assert_eq!(
        herald_web::notify::reminder_pass(&app.state, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        herald_web::notify::reminder_pass(&app.state, later)
            .await
            .unwrap(),
        0
    );
    // Moving Soon's due time is a new reminder.
    let id = soon["id"].as_i64().unwrap();
    let new_due = (now + Duration::hours(10)).to_rfc3339();
    app.call(
        Method::PATCH,
        &format!("{base}/{id}"),
        &o,
        Some(json!({"due_at": new_due})),
    )
    .await;
    assert_eq!(
        herald_web::notify::reminder_pass(&app.state, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(unread(&app, &w).await.0, 3);
}

/// The pages in English and Russian: the tasks page with its form, creating a task through
/// it, the overdue mark, "My tasks", the bell's count, the notifications page and marking
/// all read.
#[tokio::test]
async fn tasks_and_notifications_pages_in_english_and_russian() {
    let app = spawn_app().await;
    let owner = app.user("lead@u.example", false).await;
    let writer = app.user("copy@u.example", false).await;
    let ws = workspace(&app, &owner, "Pages Co").await;
    add_member(&app, ws, &owner, &writer, Role::Editor).await;

    let lead = Visitor::new(&app);
    lead.login("lead@u.example", PASSWORD).await;
    let page = lead.get(&format!("/w/{}/tasks", ws.0)).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("No tasks yet"), "{}", page.body);
    assert!(page.body.contains(r#"href="/w/"#) && page.body.contains(">Tasks</a>"));
    let csrf = crate::ui::csrf_of(&page.body);
    // A refused form keeps what was typed and names the field.
    let res = lead
        .post(
            &format!("/w/{}/tasks", ws.0),
            &[
                ("_csrf", &csrf),
                ("title", ""),
                ("kind", "design"),
                ("due", ""),
            ],
        )
        .await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("Give the task a title"), "{}", res.body);
    let writer_id = writer.id.0.to_string();
    let res = lead
        .post(
            &format!("/w/{}/tasks", ws.0),
            &[
                ("_csrf", &csrf),
                ("title", "Draw the banner"),
                ("kind", "design"),
                ("assignee", &writer_id),
                ("due", "2020-01-01T10:00"),
                ("description", "Blue"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let page = lead.get(&res.location).await;
    assert!(page.body.contains("The task is created."));
    assert!(page.body.contains("Draw the banner"));
    assert!(page.body.contains("Overdue"));
    assert!(page.body.contains(r#"class="overdue""#));

    // The writer, in Russian: the bell counts one, the notification reads in Russian, My
    // tasks lists it, and marking it done from there tells the lead.
    let copy = Visitor::new(&app).russian();
    copy.login("copy@u.example", PASSWORD).await;
    let home = copy.get("/tasks").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("Мои задачи"));
    assert!(home.body.contains(r#"<span class="count""#) && home.body.contains(">1</span>"));
    assert!(home.body.contains("Draw the banner"));
    assert!(home.body.contains("Просрочена"));
    let notes = copy.get("/notifications").await;
    assert!(
        notes.body.contains("назначил(а) вам задачу"),
        "{}",
        notes.body
    );
    let csrf = crate::ui::csrf_of(&home.body);
    let task_id = app
        .store
        .tasks(ws, &herald_store::TaskFilter::default())
        .await
        .unwrap()[0]
        .id
        .0;
    let res = copy
        .post(
            &format!("/w/{}/tasks/{task_id}/status", ws.0),
            &[("_csrf", &csrf), ("status", "done"), ("back", "mine")],
        )
        .await;
    assert_eq!(
        (res.status, res.location.as_str()),
        (303, "/tasks?done=task_status")
    );
    let home = copy.get("/tasks?done=task_status").await;
    assert!(home.body.contains("Статус задачи изменён."));
    assert!(
        !home.body.contains("Draw the banner"),
        "done tasks leave My tasks"
    );
    let res = copy
        .post("/notifications/read-all", &[("_csrf", &csrf)])
        .await;
    assert_eq!(res.status, 303);
    let notes = copy.get("/notifications").await;
    assert!(!notes.body.contains(r#"<span class="count""#));

    // The lead hears that it is done; the editing form and the settings work.
    let notes = lead.get("/notifications").await;
    assert!(notes.body.contains("finished the task"), "{}", notes.body);
    assert!(notes.body.contains("Only here, under the bell"));
    let csrf = crate::ui::csrf_of(&notes.body);
    let res = lead
        .post(
            "/notifications/settings",
            &[("_csrf", &csrf), ("channel", "in_app")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        app.store.notify_channel(owner.id).await.unwrap(),
        herald_domain::tasks::NotifyChannel::InApp
    );
    let edit = lead.get(&format!("/w/{}/tasks/{task_id}", ws.0)).await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("Edit task") && edit.body.contains("Blue"));
    // A post's responsible member shows on the post's page and on their My tasks.
    let post = app
        .store
        .create_post(
            ws,
            owner.id,
            &herald_store::PostDraft {
                text: "Spring sale".into(),
                assignee: Some(writer.id),
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let shown = lead.get(&format!("/w/{}/posts/{}", ws.0, post.id.0)).await;
    assert!(shown.body.contains("Responsible"), "{}", shown.body);
    assert!(shown.body.contains("copy@u.example"));
    let home = copy.get("/tasks").await;
    assert!(home.body.contains("Spring sale"), "{}", home.body);

    // A non-member sees nothing of it.
    app.user("nosy@u.example", false).await;
    let nosy = Visitor::new(&app);
    nosy.login("nosy@u.example", PASSWORD).await;
    assert_eq!(nosy.get(&format!("/w/{}/tasks", ws.0)).await.status, 404);
    assert_eq!(
        nosy.get(&format!("/w/{}/tasks/{task_id}", ws.0))
            .await
            .status,
        404
    );
}

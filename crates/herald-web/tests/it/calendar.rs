//! The content calendar over HTTP: the month, week and list pages in English and Russian
//! (weeks from Sunday or Monday, days and hours in the workspace's zone across both DST
//! changes, pillar colours, open slots, filters, today), the calendar of all workspaces, the
//! reschedule API (moves, refusals, tenancy) and the keyboard form. The drag itself is in
//! `browser/calendar.rs`.

use crate::helpers::*;
use crate::ui::{add_member, Visitor};
use chrono::{DateTime, Duration, TimeZone, Utc};
use herald_domain::publishing::{ChannelId, PillarId, PostId, PostStatus};
use herald_domain::{Language, Role, Timezone, User, WorkspaceId, WorkspaceName};
use herald_store::{NewChannel, Outcome, PostDraft};
use reqwest::Method;
use serde_json::json;

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn berlin_workspace(app: &TestApp, owner: &User, name: &str) -> WorkspaceId {
    app.store
        .create_workspace(
            owner.id,
            &WorkspaceName::parse(name).unwrap(),
            Timezone::parse("Europe/Berlin").unwrap(),
            Language::En,
            Utc::now(),
        )
        .await
        .unwrap()
        .id
}

async fn channel(app: &TestApp, ws: WorkspaceId, name: &str) -> ChannelId {
    app.store
        .create_channel(
            ws,
            NewChannel {
                platform: "sandbox",
                name,
                external_id: "",
                settings: &json!({}),
                credentials_encrypted: "unused",
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .id
}

pub async fn post_at(
    app: &TestApp,
    ws: WorkspaceId,
    author: &User,
    channel: ChannelId,
    at: Option<DateTime<Utc>>,
    text: &str,
    pillar: Option<PillarId>,
) -> PostId {
    app.store
        .create_post(
            ws,
            author.id,
            &PostDraft {
                text: text.to_string(),
                channels: vec![channel],
                scheduled_at: at,
                pillar,
                ..Default::default()
            },
            Utc::now(),
        )
        .await
        .unwrap()
        .id
}

/// Sends a post's deliveries out through the engine's store calls, as if published.
async fn publish(app: &TestApp, post: PostId) {
    let now = Utc::now();
    let lease = now + Duration::seconds(60);
    let claims: Vec<_> = app
        .store
        .claim_due("calendar-test", now, lease, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.post_id == post)
        .collect();
    assert!(!claims.is_empty());
    app.store
        .mark_sending(&claims, "calendar-test", now, lease)
        .await
        .unwrap();
    let done: Vec<_> = claims
        .iter()
        .map(|c| {
            (
                c.clone(),
                Outcome::Published {
                    remote_id: "r1".into(),
                    url: None,
                    detail: String::new(),
                },
            )
        })
        .collect();
    app.store
        .complete(&done, "calendar-test", now)
        .await
        .unwrap();
    assert_eq!(
        app.store
            .post(done[0].0.workspace_id, post)
            .await
            .unwrap()
            .unwrap()
            .status,
        PostStatus::Published
    );
}

/// Plain SQL on the server's SQLite file: pillars and plan slots have no API of their own yet.
async fn sql_id(app: &TestApp, sql: &str) -> i64 {
    let pool = sqlx::SqlitePool::connect(&app.sqlite_url()).await.unwrap();
    let id = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    id
}

async fn pillar(app: &TestApp, ws: WorkspaceId, name: &str, colour: &str) -> PillarId {
    PillarId(
        sql_id(
            app,
            &format!(
                "INSERT INTO content_pillars (workspace_id, name, colour, created_at, updated_at) \
                 VALUES ({}, '{name}', '{colour}', 0, 0) RETURNING id",
                ws.0
            ),
        )
        .await,
    )
}

async fn open_slot(
    app: &TestApp,
    ws: WorkspaceId,
    channel: ChannelId,
    at: DateTime<Utc>,
    pillar: PillarId,
    brief: &str,
) {
    sql_id(
        app,
        &format!(
            "INSERT INTO plan_slots (workspace_id, channel_id, at, pillar_id, brief, created_at, updated_at) \
             VALUES ({}, {}, {}, {}, '{brief}', 0, 0) RETURNING id",
            ws.0,
            channel.0,
            at.timestamp_millis(),
            pillar.0
        ),
    )
    .await;
}

/// The HTML of the first element carrying `marker` up to its closing `</td>` (or section).
fn cell<'a>(html: &'a str, marker: &str) -> &'a str {
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("no {marker} in the page"));
    let rest = &html[start..];
    let end = rest
        .find("</td>")
        .or_else(|| rest.find("</section>"))
        .unwrap_or(rest.len());
    &rest[..end]
}

fn first_weekday(html: &str) -> &str {
    let head = &html[html.find("<thead>").unwrap()..];
    let at = head.find(r#"<th scope="col">"#).unwrap() + r#"<th scope="col">"#.len();
    &head[at..at + head[at..].find('<').unwrap()]
}

#[tokio::test]
async fn calendar_pages_in_both_languages_across_dst() {
    let app = spawn_app().await;
    let owner = app.user("owner@agency.example", false).await;
    let ws = berlin_workspace(&app, &owner, "Кофейня «Зерно»").await;
    let id = ws.0;
    let a = channel(&app, ws, "Sandbox A").await;
    let recipes = pillar(&app, ws, "Recipes", "#FF8800").await;

    // 28 March 2027: Berlin's clocks go from 02:00 to 03:00.
    let after_jump = post_at(
        &app,
        ws,
        &owner,
        a,
        Some(utc("2027-03-28T01:30:00Z")),
        "After the jump",
        None,
    )
    .await;
    post_at(
        &app,
        ws,
        &owner,
        a,
        Some(utc("2027-03-27T23:30:00Z")),
        "Just after midnight",
        None,
    )
    .await;
    let tagged = post_at(
        &app,
        ws,
        &owner,
        a,
        Some(utc("2027-03-10T09:00:00Z")),
        "Pumpkin spice latte is back",
        Some(recipes),
    )
    .await;
    post_at(&app, ws, &owner, a, None, "An idea without a date", None).await;
    open_slot(
        &app,
        ws,
        a,
        utc("2027-03-12T10:00:00Z"),
        recipes,
        "Latte art how-to",
    )
    .await;
    // 31 October 2027: 03:00 becomes 02:00 again; both 02:30s are in the 02 hour.
    post_at(
        &app,
        ws,
        &owner,
        a,
        Some(utc("2027-10-31T00:30:00Z")),
        "First half past two",
        None,
    )
    .await;
    post_at(
        &app,
        ws,
        &owner,
        a,
        Some(utc("2027-10-31T01:30:00Z")),
        "Second half past two",
        None,
    )
    .await;

    let v = Visitor::new(&app);
    assert_eq!(v.login("owner@agency.example", PASSWORD).await.status, 303);

    // The month, in English: weeks from Sunday, days in Berlin time.
    let month = v
        .get(&format!("/w/{id}/calendar?view=month&date=2027-03-15"))
        .await;
    assert_eq!(month.status, 200, "{}", month.body);
    let html = &month.body;
    assert!(html.contains("<h1>March 2027</h1>"), "{html}");
    assert_eq!(first_weekday(html), "Sun");
    assert!(html.contains("Times are in Europe/Berlin"));
    let day28 = cell(html, r#"data-date="2027-03-28""#);
    assert!(
        day28.contains(">03:30</time>") && day28.contains("After the jump"),
        "{day28}"
    );
    assert!(
        day28.contains(">00:30</time>") && day28.contains("Just after midnight"),
        "{day28}"
    );
    assert!(!cell(html, r#"data-date="2027-03-27""#).contains("Just after midnight"));
    let day10 = cell(html, r#"data-date="2027-03-10""#);
    assert!(
        day10.contains("style=\"--pillar: #ff8800\""),
        "coloured by pillar: {day10}"
    );
    assert!(day10.contains(">10:00</time>") && day10.contains("Recipes"));
    assert!(
        day10.contains(&format!("/w/{id}/calendar/move/{}?back=", tagged.0)),
        "{day10}"
    );
    assert!(day10.contains(r#"draggable="true""#));
    assert!(html.contains(r#"class="cal-legend""#) && html.contains("No pillar"));
    // The open slot: a dashed placeholder with its brief and a link to write the post.
    let day12 = cell(html, r#"data-date="2027-03-12""#);
    assert!(
        day12.contains(r#"class="cal-slot""#)
            && day12.contains("Open slot")
            && day12.contains("Latte art how-to"),
        "{day12}"
    );
    // The link names the slot too, so the post written there fills it.
    let start = format!(
        "/w/{id}/compose?at=2027-03-12T11:00&#38;channel={}&#38;slot=",
        a.0
    );
    let from = day12.find(&start).unwrap_or_else(|| panic!("{day12}"));
    let write: String = day12[from..].chars().take_while(|c| *c != '"').collect();
    assert!(
        write.ends_with(&format!("&#38;pillar={}", recipes.0)),
        "{write}"
    );
    assert!(
        !html.contains("An idea without a date"),
        "no undated drafts in the grid"
    );
    assert!(html.contains("/assets/calendar.js") && html.contains(r#"data-tz="Europe/Berlin""#));

    // The composer takes the slot's time, channel and pillar.
    let compose = v.get(&write.replace("&#38;", "&")).await;
    assert_eq!(compose.status, 200);
    assert!(
        compose.body.contains(r#"value="2027-03-12T11:00""#),
        "time prefilled"
    );
    assert!(
        compose
            .body
            .contains(&format!(r#"<option value="{}" selected>"#, recipes.0)),
        "the pillar is chosen"
    );
    assert!(
        compose.body.contains(r#"name="slot" value=""#),
        "the slot rides along"
    );
    assert!(
        compose.body.contains(&format!(
            r#"id="ch-{0}" name="channels" value="{0}" data-platform="sandbox" checked"#,
            a.0
        )),
        "channel ticked"
    );

    // Filters.
    let only = v
        .get(&format!(
            "/w/{id}/calendar?view=month&date=2027-03-15&pillar={}",
            recipes.0
        ))
        .await;
    assert!(only.body.contains("Pumpkin spice latte") && !only.body.contains("After the jump"));
    assert!(
        only.body.contains("Latte art how-to"),
        "the pillar's open slot stays"
    );
    let none = v
        .get(&format!(
            "/w/{id}/calendar?view=month&date=2027-03-15&status=published"
        ))
        .await;
    assert!(
        none.body.contains("Nothing in this period"),
        "{}",
        none.body
    );
    assert!(none.body.contains("Clear filters"));
    let by_channel = v
        .get(&format!("/w/{id}/calendar?date=2027-03-15&channel={}", a.0))
        .await;
    assert!(by_channel.body.contains("After the jump"));

    // The week of the spring change, in Russian: from Monday, the skipped hour marked.
    let ru = Visitor::new(&app).russian();
    assert_eq!(ru.login("owner@agency.example", PASSWORD).await.status, 303);
    let month_ru = ru
        .get(&format!("/w/{id}/calendar?view=month&date=2027-03-15"))
        .await;
    assert!(month_ru.body.contains("<h1>Март 2027</h1>"));
    assert_eq!(first_weekday(&month_ru.body), "Пн");
    assert!(month_ru.body.contains("Свободный слот") && month_ru.body.contains("Написать пост"));
    let week = ru
        .get(&format!("/w/{id}/calendar?view=week&date=2027-03-28"))
        .await;
    assert_eq!(week.status, 200);
    let html = &week.body;
    assert!(
        html.contains("<h1>22 мар. 2027 – 28 мар. 2027</h1>"),
        "{html}"
    );
    assert!(
        !html.contains(r#"data-date="2027-03-28" data-hour="2""#),
        "02:00 does not exist that night"
    );
    assert!(cell(html, "cal-hour skipped").contains("Этого часа нет"));
    let three = cell(html, r#"data-date="2027-03-28" data-hour="3""#);
    assert!(
        three.contains("After the jump") && three.contains(">03:30</time>"),
        "{three}"
    );
    assert!(cell(html, r#"data-date="2027-03-28" data-hour="0""#).contains("Just after midnight"));
    // The autumn change: both half past twos in the repeated hour.
    let autumn = ru
        .get(&format!("/w/{id}/calendar?view=week&date=2027-10-31"))
        .await;
    let two = cell(&autumn.body, r#"data-date="2027-10-31" data-hour="2""#);
    assert!(
        two.contains("First half past two") && two.contains("Second half past two"),
        "{two}"
    );
    assert!(autumn.body.contains("Этот час повторяется"));

    // The list, with the drafts that have no time beside it.
    let list = v
        .get(&format!("/w/{id}/calendar?view=list&date=2027-03-01"))
        .await;
    assert!(
        list.body.contains("Unscheduled drafts") && list.body.contains("An idea without a date")
    );
    assert!(list.body.contains(r#"id="day-2027-03-28""#) && list.body.contains("28 Mar 2027"));
    assert!(
        !list.body.contains(r#"id="day-2027-03-29""#),
        "only days with something"
    );

    // Today is marked; previous and next keep the view.
    let today = v.get(&format!("/w/{id}/calendar")).await;
    assert!(today.body.contains(r#"aria-current="date""#));
    assert!(
        month.body.contains("view=month&#38;date=2027-02-01")
            && month.body.contains("view=month&#38;date=2027-04-01")
    );
    let _ = after_jump;
}

#[tokio::test]
async fn calendar_of_all_workspaces_shows_only_the_visitor_s() {
    let app = spawn_app().await;
    let owner = app.user("owner@agency.example", false).await;
    let bob = app.user("bob@other.example", false).await;
    let mine = berlin_workspace(&app, &owner, "Zerno").await;
    let second = berlin_workspace(&app, &bob, "Shared brand").await;
    add_member(&app, second, &bob, &owner, Role::Client).await;
    let theirs = berlin_workspace(&app, &bob, "Bravo").await;
    let (a, s, b) = (
        channel(&app, mine, "A").await,
        channel(&app, second, "S").await,
        channel(&app, theirs, "B").await,
    );
    let at = utc("2027-05-12T08:00:00Z");
    post_at(&app, mine, &owner, a, Some(at), "Zerno post", None).await;
    post_at(&app, second, &bob, s, Some(at), "Shared post", None).await;
    post_at(&app, theirs, &bob, b, Some(at), "Bravo-secret", None).await;

    let v = Visitor::new(&app);
    assert_eq!(v.login("owner@agency.example", PASSWORD).await.status, 303);
    let all = v.get("/calendar?view=month&date=2027-05-01").await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert!(all.body.contains("All workspaces"));
    assert!(all.body.contains("Zerno post") && all.body.contains("Shared post"));
    assert!(!all.body.contains("Bravo-secret"));
    let day = cell(&all.body, r#"data-date="2027-05-12""#);
    assert!(
        day.contains(r#"class="cal-ws">Zerno"#) && day.contains(r#"class="cal-ws">Shared brand"#)
    );
    // A client may look but not move.
    assert_eq!(day.matches(r#"draggable="true""#).count(), 1, "{day}");
    // Another zone on request.
    let utc_view = v.get("/calendar?view=week&date=2027-05-12&tz=UTC").await;
    assert!(cell(&utc_view.body, r#"data-date="2027-05-12" data-hour="8""#).contains("Zerno post"));
    // Another tenant's calendar is not found, and its filters reach nothing.
    assert_eq!(
        v.get(&format!("/w/{}/calendar", theirs.0)).await.status,
        404
    );
    let foreign = v
        .get(&format!("/calendar?date=2027-05-01&channel={}", b.0))
        .await;
    assert!(!foreign.body.contains("Bravo-secret"));
    let assigned = v
        .get(&format!(
            "/calendar?date=2027-05-01&assignee={}",
            owner.id.0
        ))
        .await;
    assert!(assigned.body.contains("Nothing in this period"));
}

async fn reschedule_api(app: TestApp) {
    app.user("owner@agency.example", false).await;
    app.user("other@else.example", false).await;
    let owner = app.token("owner@agency.example").await;
    let other = app.token("other@else.example").await;
    let (_, ws) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &owner,
            Some(json!({"name": "Zerno", "timezone": "Europe/Berlin"})),
        )
        .await;
    let id = ws["id"].as_i64().unwrap();
    let (_, ch) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{id}/channels"),
            &owner,
            Some(json!({"platform": "sandbox", "name": "S"})),
        )
        .await;
    let ch = ch["id"].as_i64().unwrap();
    let at = Utc::now() + Duration::days(3);
    let (s, post) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{id}/posts"),
            &owner,
            Some(json!({"text": "Move me", "channels": [ch], "scheduled_at": at})),
        )
        .await;
    assert_eq!(s, 201, "{post}");
    let pid = post["id"].as_i64().unwrap();
    let path = format!("/api/v1/workspaces/{id}/posts/{pid}/reschedule");

    // A wall-clock time in the workspace's zone; the delivery follows.
    let (s, moved) = app
        .call(
            Method::POST,
            &path,
            &owner,
            Some(json!({"local": "2027-06-01T10:15"})),
        )
        .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["scheduled_at"], "2027-06-01T08:15:00Z");
    let (_, ds) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{id}/posts/{pid}/deliveries"),
            &owner,
            None,
        )
        .await;
    assert_eq!(ds[0]["due_at"], "2027-06-01T08:15:00Z");
    assert_eq!(ds[0]["state"], "scheduled");
    // An instant, or a wall-clock time in another zone.
    let (s, moved) = app
        .call(
            Method::POST,
            &path,
            &owner,
            Some(json!({"scheduled_at": "2027-06-02T07:00:00Z"})),
        )
        .await;
    assert_eq!(
        (s, moved["scheduled_at"].as_str()),
        (200, Some("2027-06-02T07:00:00Z"))
    );
    let (s, moved) = app
        .call(
            Method::POST,
            &path,
            &owner,
            Some(json!({"local": "2027-06-02T07:00", "timezone": "UTC"})),
        )
        .await;
    assert_eq!(
        (s, moved["scheduled_at"].as_str()),
        (200, Some("2027-06-02T07:00:00Z"))
    );

    // Refusals name the field.
    for (body, field) in [
        (json!({"local": "2027-03-28T02:30"}), "local"),
        (json!({"local": "tomorrow"}), "local"),
        (
            json!({"scheduled_at": Utc::now() - Duration::days(1)}),
            "scheduled_at",
        ),
        (json!({}), "scheduled_at"),
        (
            json!({"local": "2027-06-02T07:00", "timezone": "Mars/Olympus"}),
            "timezone",
        ),
    ] {
        let (s, e) = app
            .call(Method::POST, &path, &owner, Some(body.clone()))
            .await;
        assert_eq!(
            (s, e["error"]["field"].as_str()),
            (422, Some(field)),
            "{body}: {e}"
        );
    }

    // Another tenant: 404, whether through their own workspace or ours.
    let (_, theirs) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &other,
            Some(json!({"name": "Else", "timezone": "UTC"})),
        )
        .await;
    let theirs = theirs["id"].as_i64().unwrap();
    let (s, _) = app
        .call(
            Method::POST,
            &path,
            &other,
            Some(json!({"local": "2027-06-03T10:00"})),
        )
        .await;
    assert_eq!(s, 404);
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{theirs}/posts/{pid}/reschedule"),
            &other,
            Some(json!({"local": "2027-06-03T10:00"})),
        )
        .await;
    assert_eq!(s, 404);
    let (_, p) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{id}/posts/{pid}"),
            &owner,
            None,
        )
        .await;
    assert_eq!(p["scheduled_at"], "2027-06-02T07:00:00Z", "unchanged");

    // A post that went out cannot move.
    let ws = WorkspaceId(id);
    let author = app
        .store
        .user_by_email(&herald_domain::Email::parse("owner@agency.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let sent = post_at(
        &app,
        ws,
        &author,
        ChannelId(ch),
        Some(Utc::now() - Duration::minutes(1)),
        "Already out",
        None,
    )
    .await;
    publish(&app, sent).await;
    let (s, e) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{id}/posts/{}/reschedule", sent.0),
            &owner,
            Some(json!({"local": "2027-06-03T10:00"})),
        )
        .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("conflict")),
        "{e}"
    );
}

#[tokio::test]
async fn reschedule_api_on_sqlite() {
    reschedule_api(spawn_app().await).await;
}

#[tokio::test]
async fn reschedule_api_on_postgres() {
    if let Some(app) = spawn_app_postgres("reschedule_api_on_postgres").await {
        reschedule_api(app).await;
    }
}

#[tokio::test]
async fn move_form_moves_a_post_without_javascript() {
    let app = spawn_app().await;
    let owner = app.user("owner@agency.example", false).await;
    let ws = berlin_workspace(&app, &owner, "Zerno").await;
    let id = ws.0;
    let a = channel(&app, ws, "A").await;
    let at = Utc.with_ymd_and_hms(2027, 4, 14, 8, 30, 0).unwrap();
    let pid = post_at(&app, ws, &owner, a, Some(at), "Move me by keyboard", None).await;
    let v = Visitor::new(&app);
    assert_eq!(v.login("owner@agency.example", PASSWORD).await.status, 303);

    let back = format!("/w/{id}/calendar?view=week&date=2027-04-14");
    let enc = back
        .replace('/', "%2F")
        .replace('?', "%3F")
        .replace('=', "%3D")
        .replace('&', "%26");
    let form_path = format!("/w/{id}/calendar/move/{}", pid.0);
    let page = v.get(&format!("{form_path}?back={enc}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains(r#"id="move-date" name="date" type="date" value="2027-04-14""#),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains(r#"id="move-time" name="time" type="time" value="10:30""#));
    assert!(page.body.contains(&format!(
        r#"name="back" value="{}""#,
        back.replace('&', "&#38;")
    )));
    let csrf = crate::ui::csrf_of(&page.body);

    let res = v
        .post(
            &form_path,
            &[
                ("_csrf", &csrf),
                ("date", "2027-04-16"),
                ("time", "18:05"),
                ("back", &back),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(res.location, format!("{back}&done=moved"));
    let post = app.store.post(ws, pid).await.unwrap().unwrap();
    assert_eq!(post.scheduled_at, Some(utc("2027-04-16T16:05:00Z")));
    let shown = v.get(&res.location).await;
    assert!(shown.body.contains("The post has been moved."));

    // A time the clocks skip is refused in words; nothing changes.
    let res = v
        .post(
            &form_path,
            &[
                ("_csrf", &csrf),
                ("date", "2027-03-28"),
                ("time", "02:30"),
                ("back", &back),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(
        res.body.contains("the clocks change that night"),
        "{}",
        res.body
    );
    // A foreign `back` is not followed.
    let res = v
        .post(
            &form_path,
            &[
                ("_csrf", &csrf),
                ("date", "2027-04-17"),
                ("time", "09:00"),
                ("back", "https://evil.example/"),
            ],
        )
        .await;
    assert_eq!(res.location, format!("/w/{id}/calendar?done=moved"));
    // Without the CSRF token nothing happens.
    let res = v
        .post(&form_path, &[("date", "2027-04-18"), ("time", "09:00")])
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(
        app.store.post(ws, pid).await.unwrap().unwrap().scheduled_at,
        Some(utc("2027-04-17T07:00:00Z"))
    );

    // A published post: the form sends the visitor back with the reason.
    let sent = post_at(
        &app,
        ws,
        &owner,
        a,
        Some(Utc::now() - Duration::minutes(1)),
        "Out",
        None,
    )
    .await;
    publish(&app, sent).await;
    let res = v.get(&format!("/w/{id}/calendar/move/{}", sent.0)).await;
    assert_eq!(res.location, format!("/w/{id}/calendar?problem=sent"));
    let shown = v.get(&res.location).await;
    assert!(shown.body.contains("it has gone out"));
    // A client cannot move.
    let client = app.user("client@brand.example", false).await;
    add_member(&app, ws, &owner, &client, Role::Client).await;
    let c = Visitor::new(&app);
    c.login("client@brand.example", PASSWORD).await;
    assert_eq!(c.get(&form_path).await.status, 403);
    let month = c.get(&format!("/w/{id}/calendar?date=2027-04-01")).await;
    assert!(
        month.body.contains("Move me by keyboard") && !month.body.contains(r#"draggable="true""#)
    );
}

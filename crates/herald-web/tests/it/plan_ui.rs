//! The plan page over plain HTTP: a channel's rule and the blackout dates saved through their
//! forms (bad input refused with a translated problem), "Generate" showing its summary, and the
//! slots listed by day — in English and Russian.

use crate::helpers::*;
use crate::ui::Visitor;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn the_plan_page_saves_rules_and_generates() {
    let app = spawn_app().await;
    app.user("planui@x.example", false).await;
    let t = app.token("planui@x.example").await;
    let (_, ws) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &t,
            Some(json!({"name": "Plan UI", "timezone": "America/New_York"})),
        )
        .await;
    let w = ws["id"].as_i64().unwrap();
    let (_, ch) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{w}/channels"),
            &t,
            Some(json!({"platform": "sandbox", "name": "Sandy"})),
        )
        .await;
    let c = ch["id"].as_i64().unwrap();
    let v = Visitor::new(&app);
    assert_eq!(v.login("planui@x.example", PASSWORD).await.status, 303);
    let page = format!("/w/{w}/plan?month=2030-03");
    let empty = v.get(&page).await;
    assert_eq!(empty.status, 200);
    assert!(empty.body.contains("Content plan") && empty.body.contains("Sandy"));
    assert!(empty.body.contains("America/New_York"));
    let csrf = v.csrf(&page).await;

    let rule = |windows: &'static str| {
        vec![
            ("_csrf", csrf.clone()),
            ("month", "2030-03".to_string()),
            ("per", "day".to_string()),
            ("count", "1".to_string()),
            ("windows", windows.to_string()),
            ("spacing", "0".to_string()),
            ("mon", "on".into()),
            ("tue", "on".into()),
            ("wed", "on".into()),
            ("thu", "on".into()),
            ("fri", "on".into()),
            ("sat", "on".into()),
            ("sun", "on".into()),
        ]
    };
    let post = |path: String, f: Vec<(&'static str, String)>| {
        let v = &v;
        async move {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, x)| (*k, x.as_str())).collect();
            v.post(&path, &pairs).await
        }
    };
    let rules = format!("/w/{w}/plan/rules/{c}");
    let bad = post(rules.clone(), rule("18:00-09:00")).await;
    assert_eq!(bad.status, 303);
    assert!(
        bad.location.contains("problem=plan_rule"),
        "{}",
        bad.location
    );
    let ok = post(rules.clone(), rule("02:00-02:30")).await;
    assert!(ok.location.contains("done=saved"), "{}", ok.location);

    let settings = format!("/w/{w}/plan/settings");
    let bad = post(
        settings.clone(),
        vec![
            ("_csrf", csrf.clone()),
            ("month", "2030-03".into()),
            ("blackout", "10.03.2030".into()),
        ],
    )
    .await;
    assert!(
        bad.location.contains("problem=plan_dates"),
        "{}",
        bad.location
    );
    let shown = v.get(&bad.location).await;
    assert!(shown.body.contains("YYYY-MM-DD"), "the problem is shown");
    let ok = post(
        settings,
        vec![
            ("_csrf", csrf.clone()),
            ("month", "2030-03".into()),
            ("blackout", "2030-03-20".into()),
            ("persona", "night owls".into()),
        ],
    )
    .await;
    assert!(ok.location.contains("done=saved"));

    // March 2030 has 31 days; one is a blackout. New York springs forward on the 10th, when
    // 02:00–02:30 does not exist: that post moves to 03:00.
    let gen = post(
        format!("/w/{w}/plan/generate"),
        vec![("_csrf", csrf.clone()), ("month", "2030-03".into())],
    )
    .await;
    assert_eq!(gen.status, 200, "{}", gen.body);
    assert!(
        gen.body.contains("data-added>30<"),
        "summary shows 30 added"
    );
    assert!(gen.body.contains("data-kept>0<"));
    let listed = v.get(&page).await.body;
    assert!(listed.contains("2030-03-10, Sun"));
    assert!(
        listed.contains("<time>03:00</time>"),
        "the DST day's post at 03:00"
    );
    assert!(listed.contains("<time>02:15</time>"));
    assert!(
        !listed.contains("2030-03-20,"),
        "no slot on the blackout date"
    );
    assert!(listed.contains("night owls"));
    assert!(listed.contains("Regenerate"));

    // "Add to queue" on a draft's page: it takes the channel's next free slot from now.
    let (_, draft) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{w}/posts"),
            &t,
            Some(json!({"text": "From the queue", "channels": [c]})),
        )
        .await;
    let p = draft["id"].as_i64().unwrap();
    let post_page = v.get(&format!("/w/{w}/posts/{p}")).await.body;
    assert!(post_page.contains("Add to queue"));
    let queued = post(
        format!("/w/{w}/plan/queue/{p}"),
        vec![("_csrf", csrf.clone()), ("channel", c.to_string())],
    )
    .await;
    assert!(
        queued.location.contains("done=queued"),
        "{}",
        queued.location
    );
    let (_, read) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{w}/posts/{p}"),
            &t,
            None,
        )
        .await;
    assert_eq!(read["status"], "scheduled", "{read}");

    // "Write a post" from an open slot: the composer carries the slot, and the post written
    // there fills it.
    let slots_url = format!("/api/v1/workspaces/{w}/plan/slots?year=2030&month=3");
    let (_, slots) = app.call(Method::GET, &slots_url, &t, None).await;
    let open = slots
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["state"] == "open")
        .cloned()
        .unwrap();
    let slot = open["id"].as_i64().unwrap();
    let at: chrono::DateTime<chrono::Utc> = open["at"].as_str().unwrap().parse().unwrap();
    let local = at
        .with_timezone(&chrono_tz::America::New_York)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let compose = v
        .get(&format!(
            "/w/{w}/compose?at={local}&channel={c}&slot={slot}"
        ))
        .await;
    assert!(
        compose
            .body
            .contains(&format!("name=\"slot\" value=\"{slot}\"")),
        "the composer carries the slot"
    );
    let written = post(
        format!("/w/{w}/compose"),
        vec![
            ("_csrf", csrf.clone()),
            ("text", "Written for the slot".into()),
            ("channels", c.to_string()),
            ("scheduled_at", local.clone()),
            ("intent", "schedule".into()),
            ("slot", slot.to_string()),
        ],
    )
    .await;
    assert_eq!(written.status, 303, "{}", written.body);
    let (_, slots) = app.call(Method::GET, &slots_url, &t, None).await;
    let filled = slots
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == slot)
        .cloned()
        .unwrap();
    assert_eq!(filled["state"], "filled", "{filled}");
    let (_, by_slot) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{w}/posts/{}", filled["post_id"]),
            &t,
            None,
        )
        .await;
    assert_eq!(by_slot["text"], "Written for the slot");

    // Evergreen in the UI: a bad category is refused, a good one is listed and offered to
    // rules, and a post page puts its post into it.
    let bad = post(
        format!("/w/{w}/plan/evergreen"),
        vec![
            ("_csrf", csrf.clone()),
            ("month", "2030-03".into()),
            ("name", "Tips".into()),
            ("order", "sideways".into()),
            ("max_reuse", "3".into()),
            ("min_gap_days", "30".into()),
        ],
    )
    .await;
    assert!(
        bad.location.contains("problem=evergreen_invalid"),
        "{}",
        bad.location
    );
    let made = post(
        format!("/w/{w}/plan/evergreen"),
        vec![
            ("_csrf", csrf.clone()),
            ("month", "2030-03".into()),
            ("name", "Tips".into()),
            ("order", "lifo".into()),
            ("max_reuse", "2".into()),
            ("min_gap_days", "7".into()),
        ],
    )
    .await;
    assert!(
        made.location.contains("done=evergreen_created"),
        "{}",
        made.location
    );
    let (_, cats) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{w}/evergreen"),
            &t,
            None,
        )
        .await;
    let k = cats[0]["id"].as_i64().unwrap();
    assert_eq!(cats[0]["order"], "lifo");
    let listed = v.get(&page).await.body;
    assert!(listed.contains("Newest first") && listed.contains(&format!(r#"<option value="{k}""#)));
    let mut with_category = rule("02:00-02:30");
    with_category.push(("evergreen", k.to_string()));
    let saved = post(rules.clone(), with_category).await;
    assert!(saved.location.contains("done=saved"), "{}", saved.location);
    let listed = v.get(&page).await.body;
    assert!(listed.contains(&format!(r#"<option value="{k}" selected>"#)));
    let post_page = v.get(&format!("/w/{w}/posts/{p}")).await.body;
    assert!(post_page.contains("Add to evergreen category"));
    let added = post(
        format!("/w/{w}/posts/{p}/evergreen"),
        vec![("_csrf", csrf.clone()), ("category", k.to_string())],
    )
    .await;
    assert!(
        added.location.contains("done=evergreen_added"),
        "{}",
        added.location
    );
    let (_, members) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{w}/evergreen/{k}/posts"),
            &t,
            None,
        )
        .await;
    assert_eq!(members[0]["post_id"], p);

    // In Russian.
    let ru = Visitor::new(&app).russian();
    ru.login("planui@x.example", PASSWORD).await;
    let body = ru.get(&page).await.body;
    assert!(body.contains("Контент-план") && body.contains("Пересоставить"));
}

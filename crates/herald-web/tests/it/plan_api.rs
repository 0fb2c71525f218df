//! The plan API: rules refused with their field, settings, generating a DST month in
//! Europe/Berlin, filling a slot once, regeneration keeping the filled slot, and "add to
//! queue" scheduling a post at its channel's next free slot.

use crate::helpers::*;
use chrono::{DateTime, Timelike, Utc};
use reqwest::Method;
use serde_json::json;

/// Creates a draft post on one channel; its id.
async fn draft(app: &TestApp, t: &str, w: i64, c: i64, text: &str) -> i64 {
    let (s, post) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{w}/posts"),
            t,
            Some(json!({"text": text, "channels": [c]})),
        )
        .await;
    assert_eq!(s, 201, "{post}");
    post["id"].as_i64().unwrap()
}

/// Puts the post into the channel's next free slot; the slot.
async fn queue(app: &TestApp, t: &str, w: i64, c: i64, p: i64) -> serde_json::Value {
    let (s, slot) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{w}/posts/{p}/queue"),
            t,
            Some(json!({"channel_id": c})),
        )
        .await;
    assert_eq!(s, 200, "{slot}");
    slot
}

#[tokio::test]
async fn the_plan_through_the_api() {
    let app = spawn_app().await;
    app.user("plan@x.example", false).await;
    let t = app.token("plan@x.example").await;
    let (_, ws) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &t,
            Some(json!({"name": "Planner", "timezone": "Europe/Berlin"})),
        )
        .await;
    let w = ws["id"].as_i64().unwrap();
    let (s, ch) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{w}/channels"),
            &t,
            Some(json!({"platform": "sandbox", "name": "Sand"})),
        )
        .await;
    assert_eq!(s, 201, "{ch}");
    let c = ch["id"].as_i64().unwrap();
    let base = format!("/api/v1/workspaces/{w}/plan");

    // Generating with no rule is a conflict that says what to do.
    let (s, e) = app
        .call(
            Method::POST,
            &format!("{base}/generate"),
            &t,
            Some(json!({"year": 2030, "month": 3})),
        )
        .await;
    assert_eq!(s, 409, "{e}");

    // Bad rules name their field.
    for (body, field) in [
        (
            json!({"per_day": 2, "per_week": 3, "weekdays": ["mon"], "windows": []}),
            "per_day",
        ),
        (
            json!({"per_day": 30, "weekdays": ["mon"], "windows": [{"start": "09:00", "end": "10:00"}]}),
            "per_day",
        ),
        (
            json!({"per_day": 1, "weekdays": ["funday"], "windows": [{"start": "09:00", "end": "10:00"}]}),
            "weekdays[0]",
        ),
        (
            json!({"per_day": 1, "weekdays": ["mon"], "windows": [{"start": "18:00", "end": "09:00"}]}),
            "windows",
        ),
        (
            json!({"per_day": 1, "weekdays": ["mon"], "windows": [{"start": "9", "end": "10:00"}]}),
            "windows[0].start",
        ),
    ] {
        let (s, e) = app
            .call(Method::PUT, &format!("{base}/rules/{c}"), &t, Some(body))
            .await;
        assert_eq!(s, 422, "{e}");
        assert_eq!(e["error"]["field"], field, "{e}");
    }
    let rule = json!({"per_day": 2, "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "windows": [{"start": "01:30", "end": "03:30"}], "min_spacing_minutes": 30});
    let (s, r) = app
        .call(Method::PUT, &format!("{base}/rules/{c}"), &t, Some(rule))
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["per_day"], 2);
    let (_, rules) = app
        .call(Method::GET, &format!("{base}/rules"), &t, None)
        .await;
    assert_eq!(rules.as_array().unwrap().len(), 1);

    let (s, set) = app
        .call(
            Method::PUT,
            &format!("{base}/settings"),
            &t,
            Some(json!({"blackout_dates": ["2030-03-25", "2030-03-24"], "persona": "bakers", "goal": "sign-ups"})),
        )
        .await;
    assert_eq!(s, 200, "{set}");
    assert_eq!(set["blackout_dates"], json!(["2030-03-24", "2030-03-25"]));

    // March 2030: 31 days, two blackouts, two posts a day; Berlin springs forward on the 31st.
    let (s, sum) = app
        .call(
            Method::POST,
            &format!("{base}/generate"),
            &t,
            Some(json!({"year": 2030, "month": 3})),
        )
        .await;
    assert_eq!(s, 200, "{sum}");
    assert_eq!(sum["added"], 58, "{sum}");
    assert_eq!(sum["kept"], 0);
    let (_, slots) = app
        .call(
            Method::GET,
            &format!("{base}/slots?year=2030&month=3"),
            &t,
            None,
        )
        .await;
    let slots = slots.as_array().unwrap().clone();
    assert_eq!(slots.len(), 58);
    let berlin: chrono_tz::Tz = "Europe/Berlin".parse().unwrap();
    for s in &slots {
        let at: DateTime<Utc> = s["at"].as_str().unwrap().parse().unwrap();
        let local = at.with_timezone(&berlin);
        let minutes = local.hour() * 60 + local.minute();
        assert!((90..=210).contains(&minutes), "{local} outside 01:30–03:30");
        assert!(s["brief"].as_str().unwrap().contains("bakers"), "{s}");
        assert_eq!(s["state"], "open");
        assert_ne!(local.format("%d").to_string(), "24");
    }

    // A post fills one slot, once.
    let p = draft(&app, &t, w, c, "Planned").await;
    let first = slots[0]["id"].as_i64().unwrap();
    let fill = format!("{base}/slots/{first}/fill");
    let (s, _) = app
        .call(Method::POST, &fill, &t, Some(json!({"post_id": p})))
        .await;
    assert_eq!(s, 204);
    let (s, _) = app
        .call(Method::POST, &fill, &t, Some(json!({"post_id": p})))
        .await;
    assert_eq!(s, 409);

    // Regeneration with a tighter rule keeps the filled slot exactly.
    let rule = json!({"per_day": 1, "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "windows": [{"start": "01:30", "end": "03:30"}], "min_spacing_minutes": 30});
    app.call(Method::PUT, &format!("{base}/rules/{c}"), &t, Some(rule))
        .await;
    let (s, sum) = app
        .call(
            Method::POST,
            &format!("{base}/generate"),
            &t,
            Some(json!({"year": 2030, "month": 3})),
        )
        .await;
    assert_eq!(s, 200, "{sum}");
    assert_eq!(sum["kept"], 1);
    assert_eq!(sum["added"], 28, "{sum}"); // 29 usable days, one already filled
    let (_, again) = app
        .call(
            Method::GET,
            &format!("{base}/slots?year=2030&month=3"),
            &t,
            None,
        )
        .await;
    let kept: Vec<_> = again
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["state"] == "filled")
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0]["id"], slots[0]["id"]);
    assert_eq!(kept[0]["at"], slots[0]["at"]);
    assert_eq!(kept[0]["post_id"], p);

    // Add to queue: the channel's next free slot from now, and the post is scheduled then.
    let p2 = draft(&app, &t, w, c, "Queued").await;
    let slot = queue(&app, &t, w, c, p2).await;
    assert_eq!(slot["post_id"], p2);
    let at: DateTime<Utc> = slot["at"].as_str().unwrap().parse().unwrap();
    assert!(at > Utc::now());
    let (_, read) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{w}/posts/{p2}"),
            &t,
            None,
        )
        .await;
    assert_eq!(
        read["scheduled_at"]
            .as_str()
            .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
        Some(at)
    );
    assert_eq!(read["status"], "scheduled");
    // The next one goes to a later slot.
    let p3 = draft(&app, &t, w, c, "Third").await;
    let slot3 = queue(&app, &t, w, c, p3).await;
    let at3: DateTime<Utc> = slot3["at"].as_str().unwrap().parse().unwrap();
    assert!(at3 > at);
}

/// Evergreen through the API and the job: a category refuses a bad field by name, holds a
/// post, and the job fills the category's slot that is due within a day — once, however often
/// it runs — with a copy scheduled at the slot's time; a slot further out waits.
#[tokio::test]
async fn evergreen_slots_are_filled_once_a_day_ahead() {
    use herald_domain::publishing::ChannelId;
    use herald_domain::WorkspaceId;
    let app = spawn_app().await;
    app.user("green@x.example", false).await;
    let t = app.token("green@x.example").await;
    let (_, ws) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &t,
            Some(json!({"name": "Evergreen", "timezone": "Europe/Berlin"})),
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
    let base = format!("/api/v1/workspaces/{w}/evergreen");
    let (s, bad) = app
        .call(
            Method::POST,
            &base,
            &t,
            Some(json!({"name": "Tips", "order": "sideways"})),
        )
        .await;
    assert_eq!((s, bad["error"]["field"].as_str()), (422, Some("order")));
    let (s, cat) = app
        .call(
            Method::POST,
            &base,
            &t,
            Some(json!({"name": "Tips", "order": "lifo", "max_reuse": 2, "min_gap_days": 1})),
        )
        .await;
    assert_eq!(s, 201, "{cat}");
    let k = cat["id"].as_i64().unwrap();
    let p = draft(&app, &t, w, c, "A tip worth repeating").await;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("{base}/{k}/posts"),
            &t,
            Some(json!({"post_id": p})),
        )
        .await;
    assert_eq!(s, 204);

    let now = Utc::now();
    let soon = now + chrono::Duration::hours(3);
    let later = now + chrono::Duration::hours(72);
    let slot = |at| herald_store::NewSlot {
        channel: ChannelId(c),
        at,
        pillar: None,
        brief: String::new(),
        evergreen_category: Some(k),
    };
    app.store
        .replace_open_slots(
            WorkspaceId(w),
            now,
            now + chrono::Duration::days(10),
            &[],
            &[slot(soon), slot(later)],
            now,
        )
        .await
        .unwrap();
    let pass = || herald_web::plan::evergreen::evergreen_pass(&app.state, now);
    assert_eq!(pass().await.unwrap(), 1, "the slot due within a day");
    assert_eq!(pass().await.unwrap(), 0, "filled once");

    let slots = app
        .store
        .plan_slots(WorkspaceId(w), now, now + chrono::Duration::days(10))
        .await
        .unwrap();
    let filled: Vec<_> = slots.iter().filter(|s| s.post.is_some()).collect();
    assert_eq!(filled.len(), 1);
    assert_eq!(filled[0].at.timestamp(), soon.timestamp());
    let copy = filled[0].post.unwrap().0;
    assert_ne!(copy, p, "a copy, not the original");
    let (_, read) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{w}/posts/{copy}"),
            &t,
            None,
        )
        .await;
    assert_eq!(read["text"], "A tip worth repeating");
    assert_eq!(read["status"], "scheduled", "{read}");
    let (_, members) = app
        .call(Method::GET, &format!("{base}/{k}/posts"), &t, None)
        .await;
    assert_eq!(members[0]["use_count"], 1, "{members}");
    let (_, cats) = app.call(Method::GET, &base, &t, None).await;
    assert_eq!(
        (cats[0]["name"].as_str(), cats[0]["posts"].as_i64()),
        (Some("Tips"), Some(1))
    );
}

//! The import page and the calendar feed on the settings page, sent as a browser sends them:
//! a file with bad rows lists each line and column and writes nothing; a Hootsuite file goes
//! in for the ticked channel; the feed URL is shown once, serves the calendar, and stops
//! working when revoked.

use crate::compose::{multipart, owner_with_workspace, sandbox};
use crate::helpers::*;

#[tokio::test]
async fn import_page_and_calendar_feed_settings() {
    let app = spawn_app().await;
    let (v, ws) = owner_with_workspace(&app).await;
    let main = sandbox(&app, &v, ws, "Main").await;
    let path = format!("/w/{}/import", ws.0);
    let page = v.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Import posts from CSV"));
    let csrf = v.csrf(&path).await;
    let main_id = main.0.to_string();

    // Two bad rows: both named with line and column; nothing written.
    let bad = "scheduled_at,channels,text\n2027-01-10 09:00,Main,fine\n2027-02-30 09:00,Main,no such day\n2027-01-11 09:00,Elsewhere,unknown channel\n";
    let (ct, body) = multipart(&[("_csrf", &csrf)], Some(("bad.csv", bad.as_bytes())));
    let res = v.post_body(&path, &ct, body).await;
    assert_eq!(res.status, 422, "{}", res.body);
    assert!(res.body.contains("id=\"import-problems\""));
    for cell in [
        "<td class=\"nowrap\">3</td>",
        "<code>scheduled_at</code>",
        "<td class=\"nowrap\">4</td>",
        "<code>channels</code>",
        "no channel &#39;Elsewhere&#39;",
    ] {
        assert!(res.body.contains(cell), "no {cell} in the page");
    }
    assert!(!res.body.contains("<td class=\"nowrap\">2</td>"));
    let far = chrono::Utc::now() + chrono::Duration::days(3650);
    let stored = |app: &TestApp| {
        let store = app.store.clone();
        async move {
            store
                .posts(
                    ws,
                    chrono::Utc::now() - chrono::Duration::days(1),
                    far,
                    true,
                )
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(stored(&app).await, 0);

    // A Hootsuite file for the ticked channel.
    let hoot = "10/01/2027 09:00,First from Hootsuite,\n11/01/2027 18:30,\"Second, with a link\",https://example.com\n";
    let (ct, body) = multipart(
        &[
            ("_csrf", &csrf),
            ("channels", &main_id),
            ("date_order", "dmy"),
        ],
        Some(("hootsuite.csv", hoot.as_bytes())),
    );
    let res = v.post_body(&path, &ct, body).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res
        .body
        .contains("<strong id=\"imported-count\">2</strong>"));
    assert_eq!(stored(&app).await, 2);

    // The calendar feed: made on the settings page, shown once, served, revoked.
    let settings = format!("/w/{}/settings", ws.0);
    let page = v.get(&settings).await;
    assert!(page.body.contains("There is no calendar feed."));
    let csrf = v.csrf(&settings).await;
    let res = v
        .post(
            &format!("/w/{}/calendar-feed/rotate", ws.0),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, 303);
    assert_eq!(res.location, format!("{settings}?done=calendar_created"));
    let page = v.get(&res.location).await;
    let url = page
        .body
        .split("id=\"calendar-url\" type=\"text\" readonly value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the new address is shown")
        .to_string();
    let feed_path = format!("/ical/{}", url.rsplit("/ical/").next().unwrap());
    let again = v.get(&settings).await;
    assert!(!again.body.contains("calendar-url"), "shown only once");
    assert!(again.body.contains("The feed is on"));
    let ics = app.http.get(app.url(&feed_path)).send().await.unwrap();
    assert_eq!(ics.status(), 200);
    let ics = ics.text().await.unwrap();
    // Moscow is UTC+3 all year: 09:00 is 06:00Z.
    assert!(ics.contains("DTSTART:20270110T060000Z"), "{ics}");
    assert!(
        ics.contains("SUMMARY:Second, with a link")
            || ics.contains("SUMMARY:Second\\, with a link")
    );
    let res = v
        .post(
            &format!("/w/{}/calendar-feed/revoke", ws.0),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, 303);
    let gone = app.http.get(app.url(&feed_path)).send().await.unwrap();
    assert_eq!(gone.status(), 404);

    // Without the CSRF token nothing happens.
    let res = v
        .post(
            &format!("/w/{}/calendar-feed/rotate", ws.0),
            &[("_csrf", "nope")],
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(app.store.calendar_feed(ws).await.unwrap().is_none());
}

//! Import, export and the calendar feed over HTTP: a `text/csv` Hootsuite file goes in whole; a
//! multipart upload with bad rows answers 422 with every line and column and writes nothing;
//! the export is the import's columns; the feed URL serves the calendar, rotates and revokes.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

async fn post_count(app: &TestApp, token: &str, ws: i64) -> usize {
    let (s, posts) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{ws}/exports/posts"),
            token,
            None,
        )
        .await;
    assert_eq!(s, 200, "{posts}");
    posts.as_array().unwrap().len()
}

#[tokio::test]
async fn import_export_and_calendar_feed_over_http() {
    scenario(spawn_app().await).await;
}

#[tokio::test]
async fn import_export_and_calendar_feed_over_http_on_postgres() {
    if let Some(app) =
        spawn_app_postgres("import_export_and_calendar_feed_over_http_on_postgres").await
    {
        scenario(app).await;
    }
}

async fn scenario(app: TestApp) {
    app.user("ann@example.com", false).await;
    let ann = app.token("ann@example.com").await;
    let (_, ws) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &ann,
            Some(json!({"name": "Bakery", "timezone": "Europe/Berlin"})),
        )
        .await;
    let ws = ws["id"].as_i64().unwrap();
    let (s, ch) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{ws}/channels"),
            &ann,
            Some(json!({"platform": "sandbox", "name": "Main"})),
        )
        .await;
    assert_eq!(s, 201, "{ch}");

    // Hootsuite's layout with a header row and month/day order, as text/csv.
    let res = app
        .http
        .post(app.url(&format!(
            "/api/v1/workspaces/{ws}/imports?channels=Main&date_order=mdy"
        )))
        .bearer_auth(&ann)
        .header("content-type", "text/csv")
        .body("Date,Message,Link\n03/27/2027 09:00,Before the change,\n03/29/2027 09:00,After the change,https://bakery.example\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["imported"], 2);
    assert_eq!(post_count(&app, &ann, ws).await, 2);

    // A multipart upload with three bad rows: 422, every problem listed, nothing written.
    let csv = "scheduled_at,channels,text\n2027-03-28 02:30,Main,gap\n2027-04-01 09:00,Nope,x\n2027-04-01 09:00,Main,\n2027-04-02 09:00,Main,fine\n";
    let boundary = "herald-test-boundary";
    let form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"posts.csv\"\r\nContent-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    );
    let res = app
        .http
        .post(app.url(&format!("/api/v1/workspaces/{ws}/imports")))
        .bearer_auth(&ann)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"]["field"], "file");
    let rows: Vec<(i64, String)> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_i64().unwrap(),
                r["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (2, "scheduled_at".to_string()),
            (3, "channels".to_string()),
            (4, "text".to_string())
        ],
        "{body}"
    );
    assert_eq!(post_count(&app, &ann, ws).await, 2);

    // An unknown --channels option names the field.
    let (s, e) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{ws}/imports?channels=Nowhere"),
            &ann,
            None,
        )
        .await;
    assert_eq!(s, 422, "{e}");

    // CSV export: the import's columns.
    let res = app
        .http
        .get(app.url(&format!("/api/v1/workspaces/{ws}/exports/posts?format=csv")))
        .bearer_auth(&ann)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.starts_with(
        "id,status,scheduled_at,channels,text,link,first_comment,pillar,media,labels\n"
    ));
    assert!(csv.contains("2027-03-29T07:00:00Z,Main,After the change,https://bakery.example"));

    // The calendar feed: created, served, rotated, revoked.
    let feed = format!("/api/v1/workspaces/{ws}/calendar-feed");
    let (s, status) = app.call(Method::GET, &feed, &ann, None).await;
    assert_eq!((s, status["active"].clone()), (200, json!(false)));
    let (s, made) = app.call(Method::POST, &feed, &ann, None).await;
    assert_eq!(s, 201, "{made}");
    let path = |v: &serde_json::Value| {
        let url = v["url"].as_str().unwrap();
        format!("/ical/{}", url.rsplit("/ical/").next().unwrap())
    };
    let first = path(&made);
    let res = app.http.get(app.url(&first)).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let ics = res.text().await.unwrap();
    assert!(ics.contains("DTSTART:20270327T080000Z"), "{ics}");
    assert!(ics.contains("DTSTART:20270329T070000Z"), "{ics}");
    assert!(ics.contains("SUMMARY:After the change"));
    let (_, rotated) = app.call(Method::POST, &feed, &ann, None).await;
    let second = path(&rotated);
    assert_ne!(first, second);
    let old = app.http.get(app.url(&first)).send().await.unwrap();
    assert_eq!(old.status(), 404, "the rotated URL stops working");
    let new = app.http.get(app.url(&second)).send().await.unwrap();
    assert_eq!(new.status(), 200);
    let (s, _) = app.call(Method::DELETE, &feed, &ann, None).await;
    assert_eq!(s, 204);
    let gone = app.http.get(app.url(&second)).send().await.unwrap();
    assert_eq!(gone.status(), 404, "the revoked URL stops working");
    let (s, _) = app.call(Method::DELETE, &feed, &ann, None).await;
    assert_eq!(s, 404);
    let bogus = app
        .http
        .get(app.url("/ical/nonsense.ics"))
        .send()
        .await
        .unwrap();
    assert_eq!(bogus.status(), 404);
}

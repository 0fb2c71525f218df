//! The post page with a failed delivery and Retry, uploads from the composer, and who may
//! do what.

use super::{compose, multipart, owner_with_workspace, post_id, sandbox, PNG};
use crate::helpers::*;
use crate::ui::{add_member, Visitor};
use base64::Engine as _;
use chrono::{Duration, Utc};
use herald_domain::publishing::DeliveryState;
use herald_domain::Role;
use herald_store::Outcome;

#[tokio::test]
async fn post_page_explains_a_failure_and_retries_it() {
    let app = spawn_app().await;
    let (v, ws) = owner_with_workspace(&app).await;
    let id = ws.0;
    let a = sandbox(&app, &v, ws, "Sandbox A").await;
    let res = compose(
        &v,
        ws,
        None,
        &[
            ("text", "Скидка 20% до воскресенья"),
            ("channels", &a.0.to_string()),
            ("intent", "now"),
        ],
    )
    .await;
    assert!(
        res.location.ends_with("?done=post_publishing"),
        "{}",
        res.location
    );
    let pid = post_id(&res.location);
    let page = v.get(&format!("/w/{id}/posts/{pid}")).await;
    assert!(page.body.contains("Sandbox A") && page.body.contains("state-scheduled"));
    assert!(!page.body.contains("/retry"), "nothing to retry yet");

    // The publisher (played here through the store) tries and the platform refuses.
    let now = Utc::now() + Duration::seconds(1);
    let claims = app
        .store
        .claim_due("w-test", now, now + Duration::seconds(60), 10)
        .await
        .unwrap();
    assert_eq!(claims.len(), 1);
    app.store
        .mark_sending(&claims[..1], "w-test", now, now + Duration::seconds(60))
        .await
        .unwrap()
        .remove(0)
        .unwrap();
    let why = "the platform refused the post: links to this domain are not allowed";
    let failed = Outcome::Failed {
        error: why.to_string(),
    };
    assert!(
        app.store
            .complete(&[(claims[0].clone(), failed)], "w-test", now)
            .await
            .unwrap()[0]
    );

    let page = v.get(&format!("/w/{id}/posts/{pid}")).await;
    assert!(page.body.contains("Why it did not go out"));
    assert!(page.body.contains(why));
    assert!(page
        .body
        .contains("The platform refused this post; nothing was posted."));
    assert!(page.body.contains("status-failed") && page.body.contains("state-failed"));
    assert!(page.body.contains("Refused"), "the attempt is listed");
    let retry = format!("/w/{id}/posts/{pid}/deliveries/{}/retry", claims[0].id.0);
    assert!(page.body.contains(&retry));

    // Retry needs the form's token, then schedules it again now.
    assert_eq!(v.post(&retry, &[]).await.status, 403);
    let csrf = v.csrf(&format!("/w/{id}/posts/{pid}")).await;
    let res = v.post(&retry, &[("_csrf", &csrf)]).await;
    assert_eq!(res.location, format!("/w/{id}/posts/{pid}?done=retrying"));
    let ds = app
        .store
        .deliveries(ws, herald_domain::publishing::PostId(pid))
        .await
        .unwrap();
    assert_eq!(ds[0].state, DeliveryState::Scheduled);
    let page = v.get(&res.location).await;
    assert!(page.body.contains("Trying again now."));
    let res = v.post(&retry, &[("_csrf", &csrf)]).await;
    assert_eq!(
        res.location,
        format!("/w/{id}/posts/{pid}?problem=not_retryable")
    );

    // A delivery of another post is not reachable through this one.
    let other = format!(
        "/w/{id}/posts/{}/deliveries/{}/retry",
        pid + 1,
        claims[0].id.0
    );
    assert_eq!(v.post(&other, &[("_csrf", &csrf)]).await.status, 404);
}

#[tokio::test]
async fn compose_uploads_a_file_and_keeps_what_was_written() {
    let app = spawn_app().await;
    let (v, ws) = owner_with_workspace(&app).await;
    let id = ws.0;
    let a = sandbox(&app, &v, ws, "Sandbox A").await;
    let csrf = v.csrf(&format!("/w/{id}/compose")).await;
    let png = base64::engine::general_purpose::STANDARD
        .decode(PNG)
        .unwrap();
    let one = a.0.to_string();
    let fields = [
        ("_csrf", csrf.as_str()),
        ("text", "С фото"),
        ("channels", one.as_str()),
        ("intent", "upload"),
    ];
    let (ct, body) = multipart(&fields, Some(("C:\\photos\\cup.png", &png)));
    let res = v.post_body(&format!("/w/{id}/compose"), &ct, body).await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert!(res.body.contains("Uploaded and attached: cup.png"));
    assert!(res.body.contains(">С фото</textarea>"), "the text is kept");
    let media = app.store.media(ws).await.unwrap();
    assert_eq!(media.len(), 1);
    let mid = media[0].id.0;
    assert!(res.body.contains(&format!(
        r#"id="media-{mid}" name="media" value="{mid}" checked"#
    )));
    assert!(res
        .body
        .contains(&format!("/api/v1/workspaces/{id}/media/{mid}/file")));

    // Upload without a file: said next to the field.
    let (ct, body) = multipart(&fields, None);
    let res = v.post_body(&format!("/w/{id}/compose"), &ct, body).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains(r#"id="file-error">Choose a file first."#));

    // Not an image: refused, nothing added.
    let (ct, body) = multipart(&fields, Some(("notes.png", b"just text")));
    let res = v.post_body(&format!("/w/{id}/compose"), &ct, body).await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Herald cannot use this file:"));
    assert_eq!(app.store.media(ws).await.unwrap().len(), 1);

    // The post goes out with the chosen media, from the same multipart form.
    let mid_s = mid.to_string();
    let fields = [
        ("_csrf", csrf.as_str()),
        ("text", "С фото"),
        ("channels", one.as_str()),
        ("media", mid_s.as_str()),
        ("intent", "draft"),
    ];
    let (ct, body) = multipart(&fields, None);
    let res = v.post_body(&format!("/w/{id}/compose"), &ct, body).await;
    assert_eq!(res.status, 303, "{}", res.body);
    let post = app
        .store
        .post(
            ws,
            herald_domain::publishing::PostId(post_id(&res.location)),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(post.media, [media[0].id]);
}

#[tokio::test]
async fn compose_needs_the_form_token_and_an_editing_role() {
    let app = spawn_app().await;
    let (v, ws) = owner_with_workspace(&app).await;
    let id = ws.0;
    let a = sandbox(&app, &v, ws, "Sandbox A").await;
    let one = a.0.to_string();

    // No token: refused before anything happens.
    let res = v
        .post(
            &format!("/w/{id}/compose"),
            &[("text", "Hi"), ("channels", &one), ("intent", "now")],
        )
        .await;
    assert_eq!(res.status, 403);
    let res = v
        .post(&format!("/w/{id}/channels"), &[("platform", "sandbox")])
        .await;
    assert_eq!(res.status, 403);
    let (from, to) = (
        Utc::now() - Duration::days(1),
        Utc::now() + Duration::days(1),
    );
    assert!(app
        .store
        .posts(ws, from, to, true)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(app.store.channels(ws).await.unwrap().len(), 1);

    // A client sees posts and channels, but cannot write or connect.
    let owner = app
        .store
        .user_by_email(&herald_domain::Email::parse("owner@agency.example").unwrap())
        .await
        .unwrap()
        .unwrap();
    let client = app.user("client@zerno-coffee.example", false).await;
    add_member(&app, ws, &owner, &client, Role::Client).await;
    let c = Visitor::new(&app);
    c.login("client@zerno-coffee.example", PASSWORD).await;
    assert_eq!(c.get(&format!("/w/{id}/compose")).await.status, 403);
    let posts = c.get(&format!("/w/{id}/posts")).await;
    assert_eq!(posts.status, 200);
    assert!(
        !posts.body.contains(&format!("/w/{id}/compose")),
        "no compose link for a client"
    );
    let csrf = c.csrf(&format!("/w/{id}/posts")).await;
    let res = c
        .post(
            &format!("/w/{id}/compose"),
            &[
                ("_csrf", &csrf),
                ("text", "Hi"),
                ("channels", &one),
                ("intent", "now"),
            ],
        )
        .await;
    assert_eq!(res.status, 403);
    let chans = c.get(&format!("/w/{id}/channels")).await;
    assert_eq!(chans.status, 200);
    assert!(chans.body.contains("Sandbox A"));
    assert!(!chans.body.contains("Connect a channel") && !chans.body.contains("/disconnect"));
    let res = c
        .post(
            &format!("/w/{id}/channels"),
            &[("_csrf", &csrf), ("platform", "sandbox")],
        )
        .await;
    assert_eq!(res.status, 403);
    let res = c
        .post(
            &format!("/w/{id}/channels/{}/disconnect", a.0),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(app
        .store
        .posts(ws, from, to, true)
        .await
        .unwrap()
        .is_empty());

    // A stranger gets 404 everywhere.
    app.user("stranger@example.com", false).await;
    let s = Visitor::new(&app);
    s.login("stranger@example.com", PASSWORD).await;
    for path in [
        "/posts",
        "/compose",
        "/channels",
        &format!("/channels/{}/feed", a.0),
    ] {
        assert_eq!(s.get(&format!("/w/{id}{path}")).await.status, 404, "{path}");
    }

    // The owner disconnects (a manager's right).
    let csrf = v.csrf(&format!("/w/{id}/channels")).await;
    let res = v
        .post(
            &format!("/w/{id}/channels/{}/disconnect", a.0),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(res.location, format!("/w/{id}/channels?done=disconnected"));
    assert!(app.store.channels(ws).await.unwrap().is_empty());
}

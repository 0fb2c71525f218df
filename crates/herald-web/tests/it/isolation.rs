//! Tenant isolation: every `/api/v1` route, read from the OpenAPI document (so a new route is
//! covered the day it is added), called by a member of workspace A with the ids of workspace
//! B's resources, answers 403 or 404 and changes nothing of B's.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

/// Routes without path parameters act on the caller's own account; each is listed here with
/// why it cannot reach another tenant. A new unparameterised route fails the test until it is
/// added with its reason.
const ACCOUNT_ROUTES: &[(&str, &str, &str)] = &[
    (
        "post",
        "/api/v1/auth/token",
        "creates a token for the credentials given",
    ),
    (
        "post",
        "/api/v1/users",
        "instance admins only; creates a new user",
    ),
    ("get", "/api/v1/me", "the caller"),
    ("patch", "/api/v1/me", "the caller"),
    ("post", "/api/v1/me/password", "the caller"),
    ("get", "/api/v1/me/tokens", "the caller's tokens"),
    ("post", "/api/v1/me/tokens", "the caller's tokens"),
    (
        "get",
        "/api/v1/workspaces",
        "the caller's memberships only (checked below)",
    ),
    (
        "post",
        "/api/v1/workspaces",
        "creates a workspace owned by the caller",
    ),
    ("get", "/api/v1/openapi.json", "public document"),
    (
        "get",
        "/api/v1/platforms",
        "the same public list for everyone",
    ),
    (
        "post",
        "/api/v1/text/check",
        "counts the text sent; reads nothing stored",
    ),
    (
        "get",
        "/api/v1/me/tasks",
        "tasks assigned to the caller (checked below)",
    ),
    (
        "get",
        "/api/v1/me/notifications",
        "the caller's notifications (checked below)",
    ),
    (
        "post",
        "/api/v1/me/notifications/read-all",
        "the caller's notifications",
    ),
    ("get", "/api/v1/me/notification-settings", "the caller"),
    ("put", "/api/v1/me/notification-settings", "the caller"),
    (
        "post",
        "/api/v1/admin/test-email",
        "instance admins only; reads nothing stored",
    ),
];

async fn isolation(app: TestApp) {
    app.user("alice@a.example", false).await;
    app.user("bob@b.example", false).await;
    let alice = app.token("alice@a.example").await;
    let bob = app.token("bob@b.example").await;

    let (_, wa) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &alice,
            Some(json!({"name": "Alpha", "timezone": "UTC"})),
        )
        .await;
    let (_, wb) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &bob,
            Some(json!({"name": "Bravo-secret", "timezone": "Asia/Tokyo"})),
        )
        .await;
    let (a_id, b_id) = (wa["id"].as_i64().unwrap(), wb["id"].as_i64().unwrap());
    // B has a second member, a pending invitation and a token of its own.
    app.user("bea@b.example", false).await;
    let (_, inv) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{b_id}/invitations"),
            &bob,
            Some(json!({"email": "bea@b.example", "role": "editor"})),
        )
        .await;
    let b_token_link = inv["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let bea = app.token("bea@b.example").await;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/invitations/{b_token_link}/accept"),
            &bea,
            None,
        )
        .await;
    assert_eq!(s, 200);
    let (_, inv2) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{b_id}/invitations"),
            &bob,
            Some(json!({"email": "carl@b.example", "role": "client"})),
        )
        .await;
    let b_invitation_id = inv2["id"].as_i64().unwrap();
    let b_invite_token = inv2["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let (_, members) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{b_id}/members"),
            &bob,
            None,
        )
        .await;
    let bea_id = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "bea@b.example")
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let (_, btokens) = app.call(Method::GET, "/api/v1/me/tokens", &bob, None).await;
    let b_token_id = btokens[0]["id"].as_i64().unwrap();
    // B has a channel, a scheduled post and its delivery.
    let (s, ch) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{b_id}/channels"),
            &bob,
            Some(json!({"platform": "sandbox", "name": "Bravo sandbox"})),
        )
        .await;
    assert_eq!(s, 201, "{ch}");
    let b_channel = ch["id"].as_i64().unwrap();
    let at = (chrono::Utc::now() + chrono::Duration::days(3)).to_rfc3339();
    let (s, post) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{b_id}/posts"),
            &bob,
            Some(json!({"text": "Bravo-secret plan", "channels": [b_channel], "scheduled_at": at})),
        )
        .await;
    assert_eq!(s, 201, "{post}");
    let b_post = post["id"].as_i64().unwrap();
    let (_, ds) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{b_id}/posts/{b_post}/deliveries"),
            &bob,
            None,
        )
        .await;
    let b_delivery = ds[0]["id"].as_i64().unwrap();
    // ...and a file in its media library.
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
        .unwrap();
    let res = app
        .http
        .post(app.url(&format!("/api/v1/workspaces/{b_id}/media?filename=dot.png")))
        .bearer_auth(&bob)
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let b_media = res.json::<serde_json::Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    // ...and a strategy: a persona, a goal, a pillar, a tone and a competitor.
    let mut strategy_ids = vec![];
    for (kind, body) in [
        ("personas", json!({"name": "Bravo-secret persona"})),
        (
            "goals",
            json!({"name": "Bravo-secret goal", "metric": "reach", "target": 1, "start": "2026-01-01", "due": "2026-02-01"}),
        ),
        (
            "pillars",
            json!({"name": "Bravo-secret pillar", "share_percent": 50}),
        ),
        (
            "competitors",
            json!({"name": "Bravo-secret rival", "accounts": [{"platform": "vk", "handle": "rival"}]}),
        ),
    ] {
        let (s, item) = app
            .call(
                Method::POST,
                &format!("/api/v1/workspaces/{b_id}/strategy/{kind}"),
                &bob,
                Some(body),
            )
            .await;
        assert_eq!(s, 201, "{item}");
        strategy_ids.push(item["id"].as_i64().unwrap().to_string());
    }
    let (s, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/workspaces/{b_id}/strategy/tone"),
            &bob,
            Some(json!({"summary": "Bravo-secret tone"})),
        )
        .await;
    assert_eq!(s, 200);
    // ...and a task for Bea, which notified her.
    let (s, task) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{b_id}/tasks"),
            &bob,
            Some(json!({"title": "Bravo-secret task", "kind": "design", "assignee_id": bea_id})),
        )
        .await;
    assert_eq!(s, 201, "{task}");
    let b_task = task["id"].as_i64().unwrap();
    let (_, notes) = app
        .call(Method::GET, "/api/v1/me/notifications", &bea, None)
        .await;
    let b_notification = notes["items"][0]["id"].as_i64().unwrap();
    // ...and a share link.
    let (s, link) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{b_id}/share-links"),
            &bob,
            Some(json!({"label": "Bravo-secret link", "post_id": b_post})),
        )
        .await;
    assert_eq!(s, 201, "{link}");
    let b_link = link["id"].as_i64().unwrap();
    // B has a plan: a rule on its channel and a generated month with a slot.
    let (s, r) = app
        .call(
            Method::PUT,
            &format!("/api/v1/workspaces/{b_id}/plan/rules/{b_channel}"),
            &bob,
            Some(json!({"per_week": 3, "weekdays": ["mon", "wed", "fri"], "windows": [{"start": "09:00", "end": "18:00"}]})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (s, r) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{b_id}/plan/generate"),
            &bob,
            Some(json!({"year": 2030, "month": 1})),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let (_, b_slots) = app
        .call(
            Method::GET,
            &format!("/api/v1/workspaces/{b_id}/plan/slots?year=2030&month=1"),
            &bob,
            None,
        )
        .await;
    let b_slot = b_slots[0]["id"].as_i64().unwrap();
    // ...and an evergreen category holding B's post.
    let (s, cat) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{b_id}/evergreen"),
            &bob,
            Some(json!({"name": "Bravo-secret evergreen"})),
        )
        .await;
    assert_eq!(s, 201, "{cat}");
    let b_category = cat["id"].as_i64().unwrap();
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{b_id}/evergreen/{b_category}/posts"),
            &bob,
            Some(json!({"post_id": b_post})),
        )
        .await;
    assert_eq!(s, 204);
    let before = snapshot(&app, &bob, b_id).await;

    let doc: serde_json::Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut probed = 0;
    for (path, ops) in paths {
        for (method, _) in ops.as_object().unwrap() {
            if !path.contains('{') {
                assert!(
                    ACCOUNT_ROUTES.iter().any(|(m, p, _)| m == method && p == path),
                    "{method} {path} has no path parameter and is not in ACCOUNT_ROUTES: decide how it is isolated"
                );
                continue;
            }
            let concrete = path
                .replace("{id}", &b_id.to_string())
                .replace("{user_id}", &bea_id.to_string())
                .replace("{invitation_id}", &b_invitation_id.to_string())
                .replace("{token_id}", &b_token_id.to_string())
                .replace("{token}", &b_invite_token)
                .replace("{channel_id}", &b_channel.to_string())
                .replace("{post_id}", &b_post.to_string())
                .replace("{delivery_id}", &b_delivery.to_string())
                .replace("{media_id}", &b_media.to_string())
                .replace("{persona_id}", &strategy_ids[0])
                .replace("{goal_id}", &strategy_ids[1])
                .replace("{pillar_id}", &strategy_ids[2])
                .replace("{competitor_id}", &strategy_ids[3])
                .replace("{task_id}", &b_task.to_string())
                .replace("{notification_id}", &b_notification.to_string())
                .replace("{link_id}", &b_link.to_string())
                .replace("{slot_id}", &b_slot.to_string())
                .replace("{category_id}", &b_category.to_string());
            assert!(
                !concrete.contains('{'),
                "unknown path parameter in {path}: teach this test its B-side value"
            );
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let body = (m != Method::GET && m != Method::DELETE).then(|| json!({}));
            let (status, answer) = app.call(m.clone(), &concrete, &alice, body).await;
            assert!(
                status == 403 || status == 404,
                "{method} {concrete} answered {status} to a member of another workspace: {answer}"
            );
            assert!(
                !answer.to_string().contains("Bravo-secret")
                    && !answer.to_string().contains("bea@b.example")
            );
            probed += 1;
        }
    }
    assert!(probed >= 10, "only {probed} parameterised routes probed");

    // The unparameterised reads show only A's own data.
    let (_, list) = app
        .call(Method::GET, "/api/v1/workspaces", &alice, None)
        .await;
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![a_id]);
    let (_, tokens) = app
        .call(Method::GET, "/api/v1/me/tokens", &alice, None)
        .await;
    assert!(tokens
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t["id"].as_i64() != Some(b_token_id)));

    let (_, mine) = app
        .call(Method::GET, "/api/v1/me/tasks", &alice, None)
        .await;
    assert_eq!(mine, json!([]));
    let (_, notes) = app
        .call(Method::GET, "/api/v1/me/notifications", &alice, None)
        .await;
    assert_eq!(notes["items"], json!([]));
    let (_, unread) = app
        .call(Method::GET, "/api/v1/me/notifications", &bea, None)
        .await;
    assert_eq!(unread["unread"], 1, "Bea's notification is still unread");

    // Nothing of B's changed, and B's token still works.
    assert_eq!(snapshot(&app, &bob, b_id).await, before);
}

/// B's visible state, to compare before and after the probes.
async fn snapshot(app: &TestApp, bob: &str, b_id: i64) -> Vec<serde_json::Value> {
    let mut out = vec![];
    for p in [
        "",
        "/members",
        "/invitations",
        "/channels",
        "/posts",
        "/media",
        "/strategy",
        "/tasks",
        "/plan/rules",
        "/plan/settings",
        "/plan/slots?year=2030&month=1",
        "/evergreen",
    ] {
        let (s, v) = app
            .call(
                Method::GET,
                &format!("/api/v1/workspaces/{b_id}{p}"),
                bob,
                None,
            )
            .await;
        assert_eq!(s, 200);
        out.push(v);
    }
    let (s, v) = app.call(Method::GET, "/api/v1/me/tokens", bob, None).await;
    assert_eq!(s, 200);
    out.push(
        v.as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].clone())
            .collect(),
    );
    out
}

#[tokio::test]
async fn no_workspace_reaches_another_on_sqlite() {
    isolation(spawn_app().await).await;
}

#[tokio::test]
async fn no_workspace_reaches_another_on_postgres() {
    if let Some(app) = spawn_app_postgres("no_workspace_reaches_another_on_postgres").await {
        isolation(app).await;
    }
}

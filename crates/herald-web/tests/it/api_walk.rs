//! The API walk: a user, a token, a workspace, invitations with roles, and the role limits.

use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

async fn walk(app: TestApp) {
    app.user("owner@agency.example", true).await;
    let owner = app.token("owner@agency.example").await;

    // An admin adds a user through the API; a non-admin cannot.
    let (s, body) = app
        .call(
            Method::POST,
            "/api/v1/users",
            &owner,
            Some(json!({"email": "ed@agency.example", "password": PASSWORD})),
        )
        .await;
    assert_eq!(s, 201, "{body}");
    assert_eq!(body["email"], "ed@agency.example");
    assert!(body.get("password_hash").is_none() && !body.to_string().contains("argon2"));
    let editor = app.token("ed@agency.example").await;
    let (s, body) = app
        .call(
            Method::POST,
            "/api/v1/users",
            &editor,
            Some(json!({"email": "x@agency.example", "password": PASSWORD})),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );

    // The workspace: 201 with its id at the top level.
    let (s, ws) = app
        .call(
            Method::POST,
            "/api/v1/workspaces",
            &owner,
            Some(json!({"name": "Кофейня", "timezone": "Europe/Moscow"})),
        )
        .await;
    assert_eq!(s, 201, "{ws}");
    let id = ws["id"].as_i64().unwrap();
    assert_eq!(
        (
            ws["name"].as_str(),
            ws["timezone"].as_str(),
            ws["role"].as_str()
        ),
        (Some("Кофейня"), Some("Europe/Moscow"), Some("owner"))
    );
    let wsp = format!("/api/v1/workspaces/{id}");

    // Invite an editor (existing account), a client and an analyst (new accounts).
    let mut links = vec![];
    for (email, role) in [
        ("ed@agency.example", "editor"),
        ("client@brand.example", "client"),
        ("analyst@agency.example", "analyst"),
    ] {
        let (s, inv) = app
            .call(
                Method::POST,
                &format!("{wsp}/invitations"),
                &owner,
                Some(json!({"email": email, "role": role})),
            )
            .await;
        assert_eq!(s, 201, "{inv}");
        assert_eq!(
            (inv["role"].as_str(), inv["state"].as_str()),
            (Some(role), Some("pending"))
        );
        let url = inv["url"].as_str().unwrap().to_string();
        assert!(url.starts_with(&format!("{}/invite/", app.base)), "{url}");
        links.push(url.rsplit('/').next().unwrap().to_string());
    }
    // The list never shows links again.
    let (_, list) = app
        .call(Method::GET, &format!("{wsp}/invitations"), &owner, None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i.get("url").is_none()));

    // The editor accepts with their token; someone else's token cannot take the invitation.
    let (s, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/invitations/{}/accept", links[1]),
            &editor,
            None,
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "wrong invitee"
    );
    let (s, body) = app
        .call(
            Method::POST,
            &format!("/api/v1/invitations/{}/accept", links[0]),
            &editor,
            None,
        )
        .await;
    assert_eq!((s, body["role"].as_str()), (200, Some("editor")), "{body}");
    let (s, _) = app
        .call(
            Method::POST,
            &format!("/api/v1/invitations/{}/accept", links[0]),
            &editor,
            None,
        )
        .await;
    assert_eq!(s, 409, "an invitation is used once");

    // New people accept anonymously by choosing a password.
    for (link, email) in [
        (&links[1], "client@brand.example"),
        (&links[2], "analyst@agency.example"),
    ] {
        let res = app
            .http
            .post(app.url(&format!("/api/v1/invitations/{link}/accept")))
            .json(&json!({"password": "short"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"]["field"], "password");
        let res = app
            .http
            .post(app.url(&format!("/api/v1/invitations/{link}/accept")))
            .json(&json!({"password": PASSWORD, "display_name": "New person"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{email}");
    }
    let client = app.token("client@brand.example").await;
    let analyst = app.token("analyst@agency.example").await;

    let (_, members) = app
        .call(Method::GET, &format!("{wsp}/members"), &owner, None)
        .await;
    let roles: Vec<(String, String)> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["email"].as_str().unwrap().to_string(),
                m["role"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(roles.len(), 4);
    assert!(roles.contains(&("client@brand.example".into(), "client".into())));

    // Role limits: everyone may read; clients and analysts may not write.
    for t in [&editor, &client, &analyst] {
        let (s, _) = app.call(Method::GET, &wsp, t, None).await;
        assert_eq!(s, 200);
    }
    for t in [&client, &analyst, &editor] {
        let (s, body) = app
            .call(Method::PATCH, &wsp, t, Some(json!({"name": "Hacked"})))
            .await;
        assert_eq!(
            (s, body["error"]["code"].as_str()),
            (403, Some("forbidden"))
        );
        let (s, _) = app
            .call(
                Method::POST,
                &format!("{wsp}/invitations"),
                t,
                Some(json!({"email": "z@x.example", "role": "editor"})),
            )
            .await;
        assert_eq!(s, 403);
        let (s, _) = app
            .call(Method::GET, &format!("{wsp}/audit"), t, None)
            .await;
        assert_eq!(s, 403, "only owners and managers read the audit log");
        let (s, _) = app.call(Method::DELETE, &wsp, t, None).await;
        assert_eq!(s, 403);
    }
    let (s, _) = app
        .call(
            Method::PATCH,
            &wsp,
            &owner,
            Some(json!({"name": "Кофейня «Зерно»"})),
        )
        .await;
    assert_eq!(s, 200);

    // A manager may invite and change roles below owner, never grant or take owner.
    let ed_id = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "ed@agency.example")
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("{wsp}/members/{ed_id}"),
            &owner,
            Some(json!({"role": "manager"})),
        )
        .await;
    assert_eq!(s, 204);
    let manager = &editor;
    let (s, _) = app
        .call(
            Method::POST,
            &format!("{wsp}/invitations"),
            manager,
            Some(json!({"email": "w@x.example", "role": "owner"})),
        )
        .await;
    assert_eq!(s, 403, "a manager cannot invite an owner");
    let owner_id = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["email"] == "owner@agency.example")
        .unwrap()["user_id"]
        .as_i64()
        .unwrap();
    let (s, _) = app
        .call(
            Method::PATCH,
            &format!("{wsp}/members/{owner_id}"),
            manager,
            Some(json!({"role": "editor"})),
        )
        .await;
    assert_eq!(s, 403, "a manager cannot demote the owner");
    let (s, body) = app
        .call(
            Method::PATCH,
            &format!("{wsp}/members/{owner_id}"),
            &owner,
            Some(json!({"role": "editor"})),
        )
        .await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (409, Some("conflict")),
        "the last owner stays"
    );

    // The audit log tells who did what.
    let (s, log) = app
        .call(Method::GET, &format!("{wsp}/audit"), &owner, None)
        .await;
    assert_eq!(s, 200);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.first(), Some(&"member.role_changed"));
    assert!(actions.contains(&"workspace.updated") && actions.contains(&"invitation.accepted"));
    assert_eq!(actions.last(), Some(&"workspace.created"));

    // Tokens: list shows no secrets; a revoked token stops working.
    let (_, tokens) = app
        .call(Method::GET, "/api/v1/me/tokens", &client, None)
        .await;
    let tid = tokens[0]["id"].as_i64().unwrap();
    assert!(!tokens.to_string().contains(&client));
    let (s, _) = app
        .call(
            Method::DELETE,
            &format!("/api/v1/me/tokens/{tid}"),
            &client,
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, body) = app.call(Method::GET, "/api/v1/me", &client, None).await;
    assert_eq!(
        (s, body["error"]["code"].as_str()),
        (401, Some("unauthenticated"))
    );
}

#[tokio::test]
async fn api_walk_on_sqlite() {
    walk(spawn_app().await).await;
}

#[tokio::test]
async fn api_walk_on_postgres() {
    if let Some(app) = spawn_app_postgres("api_walk_on_postgres").await {
        walk(app).await;
    }
}

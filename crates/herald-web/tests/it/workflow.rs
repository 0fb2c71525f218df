//! The team workflow over HTTP: approval settings, submit / approve / request changes by role,
//! comments with @mentions, the notification hook (audit entries), share links through the
//! API, the share pages for guests (CSRF, comment, approve), and expired or revoked links.

use crate::helpers::*;
use crate::ui::{add_member, csrf_of, workspace, Visitor};
use chrono::{Duration, Utc};
use herald_domain::publishing::PostId;
use herald_domain::workflow::WorkflowStatus;
use herald_domain::{Role, WorkspaceId};
use reqwest::Method;
use serde_json::{json, Value};

/// A workspace with an owner (Olga Owner), a client and an analyst (API tokens for each), a
/// sandbox channel and a post scheduled two days ahead.
pub struct World {
    pub app: TestApp,
    pub ws: WorkspaceId,
    pub owner: String,
    pub client: String,
    pub analyst: String,
    pub owner_id: i64,
    pub post: i64,
    pub channel: i64,
}

pub async fn world(app: TestApp) -> World {
    let owner = app.user("owner@w.example", false).await;
    let client = app.user("client@w.example", false).await;
    let analyst = app.user("analyst@w.example", false).await;
    app.store
        .update_profile(owner.id, "Olga Owner", None, Utc::now())
        .await
        .unwrap();
    let ws = workspace(&app, &owner, "Workflow").await;
    add_member(&app, ws, &owner, &client, Role::Client).await;
    add_member(&app, ws, &owner, &analyst, Role::Analyst).await;
    let (o, c, a) = (
        app.token("owner@w.example").await,
        app.token("client@w.example").await,
        app.token("analyst@w.example").await,
    );
    let (s, ch) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{}/channels", ws.0),
            &o,
            Some(json!({"platform": "sandbox", "name": "Sandbox"})),
        )
        .await;
    assert_eq!(s, 201, "{ch}");
    let at = (Utc::now() + Duration::days(2)).to_rfc3339();
    let (s, post) = app
        .call(
            Method::POST,
            &format!("/api/v1/workspaces/{}/posts", ws.0),
            &o,
            Some(json!({"text": "Winter sale starts", "channels": [ch["id"]], "scheduled_at": at})),
        )
        .await;
    assert_eq!(s, 201, "{post}");
    World {
        ws,
        owner: o,
        client: c,
        analyst: a,
        owner_id: owner.id.0,
        post: post["id"].as_i64().unwrap(),
        channel: ch["id"].as_i64().unwrap(),
        app,
    }
}

impl World {
    fn p(&self, sub: &str) -> String {
        format!("/api/v1/workspaces/{}{sub}", self.ws.0)
    }

    pub async fn call(&self, m: Method, sub: &str, who: &str, body: Option<Value>) -> (u16, Value) {
        self.app.call(m, &self.p(sub), who, body).await
    }

    async fn audit_actions(&self) -> Vec<String> {
        self.app
            .store
            .audit_log(self.ws, None, 200)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect()
    }
}

async fn api_flow(w: World) {
    let post = w.post;
    // Settings: members read them; only managers change them; bad input names the field.
    let (s, v) = w
        .call(Method::GET, "/approval-settings", &w.client, None)
        .await;
    assert_eq!((s, v["mode"].as_str()), (200, Some("none")));
    let (s, _) = w
        .call(
            Method::PUT,
            "/approval-settings",
            &w.client,
            Some(json!({"mode": "required"})),
        )
        .await;
    assert_eq!(s, 403);
    let (s, v) = w
        .call(
            Method::PUT,
            "/approval-settings",
            &w.owner,
            Some(json!({"mode": "always"})),
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("mode")));
    let (s, v) = w
        .call(
            Method::PUT,
            "/approval-settings",
            &w.owner,
            Some(json!({"mode": "multi_level", "approvers": [999999]})),
        )
        .await;
    assert_eq!(s, 409, "{v}");
    let (s, _) = w
        .call(
            Method::PUT,
            "/approval-settings",
            &w.owner,
            Some(json!({"mode": "required"})),
        )
        .await;
    assert_eq!(s, 200);

    // A draft-status post in a workspace that requires approval may not go out.
    let (s, v) = w
        .call(
            Method::GET,
            &format!("/posts/{post}/workflow"),
            &w.analyst,
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (v["status"].as_str(), v["may_publish"].as_bool()),
        (Some("draft"), Some(false))
    );

    // Roles: a client may not submit; an analyst may not approve or comment.
    let (s, _) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/submit"),
            &w.client,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 403);
    let (s, _) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/approve"),
            &w.owner,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 409, "nothing to approve before submission");
    let (s, v) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/submit"),
            &w.owner,
            Some(json!({})),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("in_review")));
    let (s, _) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/approve"),
            &w.analyst,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 403);
    let (s, v) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/request-changes"),
            &w.client,
            Some(json!({"note": "Say -20%"})),
        )
        .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("changes_requested")));
    w.call(
        Method::POST,
        &format!("/posts/{post}/submit"),
        &w.owner,
        Some(json!({})),
    )
    .await;
    let (s, v) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/approve"),
            &w.client,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        (v["status"].as_str(), v["may_publish"].as_bool()),
        (Some("scheduled"), Some(true))
    );
    let decisions: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["decision"].as_str().unwrap())
        .collect();
    assert_eq!(
        decisions,
        ["submitted", "changes_requested", "submitted", "approved"]
    );
    assert_eq!(v["history"][1]["note"], "Say -20%");

    // Idea and draft moves.
    let (s, v) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/move"),
            &w.owner,
            Some(json!({"action": "to_idea"})),
        )
        .await;
    assert_eq!(s, 409, "an approved post is not an idea: {v}");
    let (s, v) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/move"),
            &w.owner,
            Some(json!({"action": "fly"})),
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("action")));
    // Editing the approved text sends it back to review.
    let (s, p) = w
        .call(Method::GET, &format!("/posts/{post}"), &w.owner, None)
        .await;
    assert_eq!(s, 200);
    let body = json!({"text": "Winter sale starts today", "channels": p["channels"], "scheduled_at": p["scheduled_at"]});
    let (s, _) = w
        .call(Method::PUT, &format!("/posts/{post}"), &w.owner, Some(body))
        .await;
    assert_eq!(s, 200);
    let (_, v) = w
        .call(
            Method::GET,
            &format!("/posts/{post}/workflow"),
            &w.owner,
            None,
        )
        .await;
    assert_eq!(v["status"], "in_review");
    // The client cannot edit.
    let body =
        json!({"text": "mine now", "channels": p["channels"], "scheduled_at": p["scheduled_at"]});
    assert_eq!(
        w.call(
            Method::PUT,
            &format!("/posts/{post}"),
            &w.client,
            Some(body)
        )
        .await
        .0,
        403
    );

    // Comments: mentions by display name or e-mail local part; the analyst may not comment.
    let (s, c) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/comments"),
            &w.client,
            Some(json!({"body": "@Olga Owner and @analyst: see the price"})),
        )
        .await;
    assert_eq!(s, 201, "{c}");
    assert_eq!(c["mentions"].as_array().unwrap().len(), 2);
    assert_eq!(c["mentions"][0], w.owner_id);
    let (s, v) = w
        .call(
            Method::POST,
            &format!("/posts/{post}/comments"),
            &w.client,
            Some(json!({"body": "  "})),
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("body")));
    assert_eq!(
        w.call(
            Method::POST,
            &format!("/posts/{post}/comments"),
            &w.analyst,
            Some(json!({"body": "hi"}))
        )
        .await
        .0,
        403
    );
    let (s, list) = w
        .call(
            Method::GET,
            &format!("/posts/{post}/comments"),
            &w.analyst,
            None,
        )
        .await;
    assert_eq!((s, list.as_array().unwrap().len()), (200, 1));

    // Every notification went through the one hook, into the audit log.
    let actions = w.audit_actions().await;
    for kind in [
        "submitted_for_review",
        "approved",
        "changes_requested",
        "mentioned",
        "client_comment",
    ] {
        assert!(
            actions
                .iter()
                .any(|a| a == &format!("workflow.notify.{kind}")),
            "{kind} missing in {actions:?}"
        );
    }
    // ...and reached the people concerned as notifications: the owner, mentioned by the
    // client in a comment on the owner's post, is told once for the mention and once for the
    // client's comment, with who and which post, in words.
    let (s, notes) = w
        .app
        .call(Method::GET, "/api/v1/me/notifications", &w.owner, None)
        .await;
    assert_eq!(s, 200, "{notes}");
    let items = notes["items"].as_array().unwrap();
    let of = |kind: &str| {
        items
            .iter()
            .filter(|n| n["kind"] == kind)
            .cloned()
            .collect::<Vec<Value>>()
    };
    let mentioned = of("workflow.mentioned");
    assert_eq!(mentioned.len(), 1, "{notes}");
    assert!(
        mentioned[0]["text"]
            .as_str()
            .unwrap()
            .contains("Winter sale starts"),
        "{mentioned:?}"
    );
    assert_eq!(mentioned[0]["link"], format!("/w/{}/posts/{post}", w.ws.0));
    assert!(!of("workflow.client_comment").is_empty(), "{notes}");
    // Nobody is told about what they did themselves.
    assert!(of("workflow.submitted_for_review")
        .iter()
        .all(|n| !n["params"]["actor"]
            .as_str()
            .unwrap_or_default()
            .contains("Olga")));

    // Share links: created (URL once), listed (no URL), revoked once; clients may not manage them.
    let (s, link) = w
        .call(
            Method::POST,
            "/share-links",
            &w.owner,
            Some(json!({"label": "For ACME", "post_id": post, "days": 7})),
        )
        .await;
    assert_eq!(s, 201, "{link}");
    assert!(link["url"].as_str().unwrap().contains("/share/"));
    let (s, list) = w.call(Method::GET, "/share-links", &w.owner, None).await;
    assert_eq!(s, 200);
    assert!(list[0].get("url").is_none(), "the URL is shown once");
    assert_eq!(
        w.call(Method::GET, "/share-links", &w.client, None).await.0,
        403
    );
    let (s, v) = w
        .call(
            Method::POST,
            "/share-links",
            &w.owner,
            Some(json!({"days": 365})),
        )
        .await;
    assert_eq!((s, v["error"]["field"].as_str()), (422, Some("days")));
    let id = link["id"].as_i64().unwrap();
    assert_eq!(
        w.call(
            Method::DELETE,
            &format!("/share-links/{id}"),
            &w.owner,
            None
        )
        .await
        .0,
        204
    );
    assert_eq!(
        w.call(
            Method::DELETE,
            &format!("/share-links/{id}"),
            &w.owner,
            None
        )
        .await
        .0,
        404
    );
}

#[tokio::test]
async fn workflow_api_on_sqlite() {
    api_flow(world(spawn_app().await).await).await;
}

#[tokio::test]
async fn workflow_api_on_postgres() {
    if let Some(app) = spawn_app_postgres("workflow_api_on_postgres").await {
        api_flow(world(app).await).await;
    }
}

/// The token at the end of a share URL.
pub fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn a_guest_comments_and_approves_through_a_share_link() {
    let w = world(spawn_app().await).await;
    let post = w.post;
    w.call(
        Method::PUT,
        "/approval-settings",
        &w.owner,
        Some(json!({"mode": "required"})),
    )
    .await;
    w.call(
        Method::POST,
        &format!("/posts/{post}/submit"),
        &w.owner,
        Some(json!({})),
    )
    .await;
    let (_, link) = w
        .call(
            Method::POST,
            "/share-links",
            &w.owner,
            Some(json!({"days": 3})),
        )
        .await;
    let token = token_of(link["url"].as_str().unwrap());

    let guest = Visitor::new(&w.app);
    let page = guest.get(&format!("/share/{token}")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Winter sale starts") && page.body.contains("Workflow"));
    assert!(
        page.body.contains("value=\"approve\""),
        "the guest may approve"
    );
    let csrf = csrf_of(&page.body);

    // Without the double-submit cookie's token the form is refused.
    let res = guest
        .post(
            &format!("/share/{token}/posts/{post}/comment"),
            &[("_csrf", "forged"), ("name", "Ann"), ("body", "x")],
        )
        .await;
    assert_eq!(res.status, 403);
    // No name: asked for one. With a name: the comment is added, mentions highlighted.
    let res = guest
        .post(
            &format!("/share/{token}/posts/{post}/comment"),
            &[("_csrf", &csrf), ("name", " "), ("body", "x")],
        )
        .await;
    assert!(
        res.location.contains("problem=guest_name"),
        "{}",
        res.location
    );
    let res = guest
        .post(
            &format!("/share/{token}/posts/{post}/comment"),
            &[
                ("_csrf", &csrf),
                ("name", "Ann from ACME"),
                ("body", "Looks good, @owner"),
            ],
        )
        .await;
    assert_eq!(res.status, 303);
    let page = guest.get(&format!("/share/{token}")).await;
    assert!(
        page.body.contains("<mark class=\"mention\">@owner</mark>"),
        "{}",
        page.body
    );

    let res = guest
        .post(
            &format!("/share/{token}/posts/{post}/decide"),
            &[
                ("_csrf", &csrf),
                ("name", "Ann from ACME"),
                ("action", "approve"),
                ("body", ""),
            ],
        )
        .await;
    assert!(res.location.contains("done=approved"), "{}", res.location);
    let wf = w
        .app
        .store
        .post_workflow(w.ws, PostId(post))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(wf.state.status, WorkflowStatus::Scheduled);
    let history = w
        .app
        .store
        .workflow_history(w.ws, PostId(post))
        .await
        .unwrap();
    assert_eq!(
        history.last().unwrap().guest_name.as_deref(),
        Some("Ann from ACME")
    );

    // A post the link does not cover (a draft, outside its range) cannot be touched.
    let (_, other) = w
        .call(
            Method::POST,
            "/posts",
            &w.owner,
            Some(json!({"text": "secret draft", "channels": [w.channel]})),
        )
        .await;
    let other = other["id"].as_i64().unwrap();
    let res = guest
        .post(
            &format!("/share/{token}/posts/{other}/comment"),
            &[("_csrf", &csrf), ("name", "Ann"), ("body", "x")],
        )
        .await;
    assert_eq!(res.status, 404);
    assert!(!guest
        .get(&format!("/share/{token}"))
        .await
        .body
        .contains("secret draft"));
}

#[tokio::test]
async fn expired_and_revoked_links_say_so() {
    let w = world(spawn_app().await).await;
    let guest = Visitor::new(&w.app);
    // Unknown: 404.
    let res = guest.get(&format!("/share/{}", "A".repeat(43))).await;
    assert_eq!(res.status, 404);
    // Revoked: 410 with its own words, for pages and forms alike.
    let (_, link) = w
        .call(
            Method::POST,
            "/share-links",
            &w.owner,
            Some(json!({"post_id": w.post})),
        )
        .await;
    let token = token_of(link["url"].as_str().unwrap());
    let page = guest.get(&format!("/share/{token}")).await;
    assert_eq!(page.status, 200);
    let csrf = csrf_of(&page.body);
    let id = link["id"].as_i64().unwrap();
    w.call(
        Method::DELETE,
        &format!("/share-links/{id}"),
        &w.owner,
        None,
    )
    .await;
    let res = guest.get(&format!("/share/{token}")).await;
    assert_eq!(res.status, 410);
    assert!(res.body.contains("withdrawn"), "{}", res.body);
    assert!(!res.body.contains("Winter sale"));
    let res = guest
        .post(
            &format!("/share/{token}/posts/{}/decide", w.post),
            &[("_csrf", &csrf), ("name", "Ann"), ("action", "approve")],
        )
        .await;
    assert_eq!(res.status, 410);
    // Expired: 410, in Russian for a Russian browser.
    let token = herald_web::auth::secret_token::generate();
    w.app
        .store
        .create_share_link(
            w.ws,
            herald_domain::UserId(w.owner_id),
            herald_store::NewShareLink {
                token_hash: &herald_web::auth::secret_token::digest(&token),
                label: "",
                post: None,
                from: None,
                to: None,
                expires_at: Utc::now() - Duration::minutes(1),
            },
            Utc::now() - Duration::days(1),
        )
        .await
        .unwrap();
    let res = Visitor::new(&w.app)
        .russian()
        .get(&format!("/share/{token}"))
        .await;
    assert_eq!(res.status, 410);
    assert!(
        res.body.contains("Срок действия ссылки истёк"),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn the_post_page_shows_review_and_the_list_shows_waiting_posts() {
    let w = world(spawn_app().await).await;
    let post = w.post;
    w.call(
        Method::PUT,
        "/approval-settings",
        &w.owner,
        Some(json!({"mode": "required"})),
    )
    .await;
    w.call(
        Method::POST,
        &format!("/posts/{post}/submit"),
        &w.owner,
        Some(json!({})),
    )
    .await;

    let client = Visitor::new(&w.app);
    assert_eq!(client.login("client@w.example", PASSWORD).await.status, 303);
    let list = client.get(&format!("/w/{}/posts", w.ws.0)).await;
    assert!(list.body.contains("Waiting for approval"), "{}", list.body);
    let page = client.get(&format!("/w/{}/posts/{post}", w.ws.0)).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("value=\"approve\"") && page.body.contains("value=\"request_changes\"")
    );
    assert!(!page.body.contains("/edit\""), "a client does not edit");
    let csrf = csrf_of(&page.body);
    let res = client
        .post(
            &format!("/w/{}/posts/{post}/comments", w.ws.0),
            &[("_csrf", &csrf), ("body", "Ping @Olga Owner")],
        )
        .await;
    assert_eq!(res.status, 303);
    let res = client
        .post(
            &format!("/w/{}/posts/{post}/review", w.ws.0),
            &[("_csrf", &csrf), ("action", "approve"), ("note", "")],
        )
        .await;
    assert!(res.location.contains("done=approved"), "{}", res.location);
    let page = client.get(&format!("/w/{}/posts/{post}", w.ws.0)).await;
    assert!(page
        .body
        .contains("<mark class=\"mention\">@Olga Owner</mark>"));
    assert!(page.body.contains("Approved and scheduled"));
    assert!(!client
        .get(&format!("/w/{}/posts", w.ws.0))
        .await
        .body
        .contains("Waiting for approval"));
    // An editor makes a share link for the post on its page; the URL shows once.
    let owner = Visitor::new(&w.app);
    owner.login("owner@w.example", PASSWORD).await;
    let page = owner.get(&format!("/w/{}/posts/{post}", w.ws.0)).await;
    let csrf = csrf_of(&page.body);
    let res = owner
        .post(
            &format!("/w/{}/posts/{post}/share", w.ws.0),
            &[("_csrf", &csrf), ("days", "7"), ("label", "ACME")],
        )
        .await;
    assert!(
        res.location.contains("done=share_created"),
        "{}",
        res.location
    );
    let page = owner.get(&format!("/w/{}/posts/{post}", w.ws.0)).await;
    let at = page.body.find("/share/").expect("the new link is shown");
    let token: String = page.body[at + 7..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    assert_eq!(token.len(), 43);
    assert!(
        !owner
            .get(&format!("/w/{}/posts/{post}", w.ws.0))
            .await
            .body
            .contains(&token),
        "shown once"
    );
    assert_eq!(
        Visitor::new(&w.app)
            .get(&format!("/share/{token}"))
            .await
            .status,
        200
    );
    let link = w.app.store.share_links(w.ws).await.unwrap()[0].id;
    let res = owner
        .post(
            &format!("/w/{}/share-links/{link}/revoke", w.ws.0),
            &[("_csrf", &csrf), ("back", &post.to_string())],
        )
        .await;
    assert!(
        res.location.contains("done=share_revoked"),
        "{}",
        res.location
    );
    assert_eq!(
        Visitor::new(&w.app)
            .get(&format!("/share/{token}"))
            .await
            .status,
        410
    );
    // Only managers see the approval settings form.
    let settings = client.get(&format!("/w/{}/settings", w.ws.0)).await;
    assert!(settings.body.contains("Required") && !settings.body.contains("name=\"mode\""));
    let settings = owner.get(&format!("/w/{}/settings", w.ws.0)).await;
    let csrf = csrf_of(&settings.body);
    let res = owner
        .post(
            &format!("/w/{}/approval", w.ws.0),
            &[
                ("_csrf", &csrf),
                ("mode", "multi_level"),
                ("level", &w.owner_id.to_string()),
                ("level", "0"),
            ],
        )
        .await;
    assert!(
        res.location.contains("done=approval_saved"),
        "{}",
        res.location
    );
    assert_eq!(
        w.app.store.approval_mode(w.ws).await.unwrap(),
        herald_domain::workflow::ApprovalMode::MultiLevel(vec![herald_domain::UserId(w.owner_id)])
    );
}

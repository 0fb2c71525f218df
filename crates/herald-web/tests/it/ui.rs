//! The server-rendered UI over plain HTTP: login through the form, the workspace pages, CSRF
//! on every form, login throttling, what each role sees, languages, invitation links, the
//! profile and API tokens. A tiny cookie jar stands in for the browser.

use crate::helpers::*;
use chrono::{Duration, Utc};
use herald_domain::{Email, Language, Role, Timezone, WorkspaceId, WorkspaceName};
use std::collections::BTreeMap;
use std::sync::Mutex;

/// An answer: status, `Location`, body.
pub struct Res {
    pub status: u16,
    pub location: String,
    pub body: String,
}

/// A visitor with their own cookies; redirects are not followed.
pub struct Visitor {
    base: String,
    http: reqwest::Client,
    cookies: Mutex<BTreeMap<String, String>>,
    accept_language: Option<&'static str>,
}

impl Visitor {
    pub fn new(app: &TestApp) -> Self {
        Self {
            base: app.base.clone(),
            http: app.http.clone(),
            cookies: Mutex::new(BTreeMap::new()),
            accept_language: None,
        }
    }

    pub fn russian(mut self) -> Self {
        self.accept_language = Some("ru-RU,ru;q=0.9,en;q=0.5");
        self
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().unwrap().get(name).cloned()
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Res {
        let jar: Vec<String> = self
            .cookies
            .lock()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let mut req = req;
        if !jar.is_empty() {
            req = req.header("cookie", jar.join("; "));
        }
        if let Some(l) = self.accept_language {
            req = req.header("accept-language", l);
        }
        let res = req.send().await.unwrap();
        for c in res.headers().get_all("set-cookie") {
            let c = c.to_str().unwrap();
            let (pair, attrs) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            let mut jar = self.cookies.lock().unwrap();
            if v.is_empty() || attrs.contains("Max-Age=0") {
                jar.remove(k);
            } else {
                jar.insert(k.to_string(), v.to_string());
            }
        }
        Res {
            status: res.status().as_u16(),
            location: res
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default(),
            body: res.text().await.unwrap(),
        }
    }

    pub async fn get(&self, path: &str) -> Res {
        self.send(self.http.get(format!("{}{path}", self.base)))
            .await
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Res {
        self.send(self.http.post(format!("{}{path}", self.base)).form(form))
            .await
    }

    /// Posts a body of the given content type (a multipart form, say).
    pub async fn post_body(&self, path: &str, content_type: &str, body: Vec<u8>) -> Res {
        self.send(
            self.http
                .post(format!("{}{path}", self.base))
                .header("content-type", content_type)
                .body(body),
        )
        .await
    }

    /// Logs in through the form, as a person would.
    pub async fn login(&self, email: &str, password: &str) -> Res {
        let page = self.get("/login").await;
        assert_eq!(page.status, 200);
        let csrf = csrf_of(&page.body);
        self.post(
            "/login",
            &[("email", email), ("password", password), ("_csrf", &csrf)],
        )
        .await
    }

    /// The `_csrf` of the page at `path`.
    pub async fn csrf(&self, path: &str) -> String {
        let page = self.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        csrf_of(&page.body)
    }
}

/// The value of the first hidden `_csrf` field in a page.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find(r#"name="_csrf" value=""#)
        .expect("the page has a form with _csrf");
    let rest = &html[at + r#"name="_csrf" value=""#.len()..];
    rest[..rest.find('"').unwrap()].to_string()
}

/// A workspace owned by `owner`, made straight in the store.
pub async fn workspace(app: &TestApp, owner: &herald_domain::User, name: &str) -> WorkspaceId {
    app.store
        .create_workspace(
            owner.id,
            &WorkspaceName::parse(name).unwrap(),
            Timezone::parse("Europe/Moscow").unwrap(),
            Language::Ru,
            Utc::now(),
        )
        .await
        .unwrap()
        .id
}

/// Makes `user` a member of `ws` with `role`, straight in the store.
pub async fn add_member(
    app: &TestApp,
    ws: WorkspaceId,
    by: &herald_domain::User,
    user: &herald_domain::User,
    role: Role,
) {
    let now = Utc::now();
    let inv = app
        .store
        .create_invitation(
            by.id,
            ws,
            &user.email,
            role,
            &format!("test-{}-{}", ws.0, user.id.0),
            now,
            now + Duration::days(1),
        )
        .await
        .unwrap();
    app.store
        .accept_invitation(inv.id, user.id, now)
        .await
        .unwrap();
}

fn id_after(location: &str, prefix: &str) -> i64 {
    let rest = location
        .strip_prefix(prefix)
        .unwrap_or_else(|| panic!("{location}"));
    rest.split(['?', '/']).next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn ui_login_form_and_the_workspace_pages() {
    let app = spawn_app().await;
    app.user("owner@agency.example", false).await;
    let v = Visitor::new(&app);

    assert_eq!(v.get("/w/1").await.location, "/login");
    let res = v.login("owner@agency.example", PASSWORD).await;
    assert_eq!((res.status, res.location.as_str()), (303, "/"));
    assert_eq!(v.get("/").await.location, "/workspaces/new");

    // Create a workspace: errors next to the fields first.
    let csrf = v.csrf("/workspaces/new").await;
    let page = v.get("/workspaces/new").await;
    assert!(page.body.contains(r#"<option value="Europe/Moscow""#));
    let res = v
        .post(
            "/workspaces/new",
            &[
                ("_csrf", &csrf),
                ("name", "  "),
                ("timezone", "Mars/Olympus"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains(r#"id="name-error""#) && res.body.contains("Enter a name"));
    assert!(res.body.contains("Choose a time zone from the list."));
    let res = v
        .post(
            "/workspaces/new",
            &[
                ("_csrf", &csrf),
                ("name", "Кофейня «Зерно»"),
                ("timezone", "Europe/Moscow"),
                ("language", "ru"),
            ],
        )
        .await;
    assert_eq!(res.status, 303, "{}", res.body);
    let id = id_after(&res.location, "/w/");
    assert!(res.location.ends_with("?done=created"), "{}", res.location);

    let page = v.get(&res.location).await;
    assert_eq!(page.status, 200);
    for text in [
        "The workspace is ready.",
        "Кофейня «Зерно»",
        "Europe/Moscow",
        "Owner",
        "Next steps",
        r#"aria-current="page">Overview"#,
    ] {
        assert!(page.body.contains(text), "overview lacks {text}");
    }
    for (path, text) in [
        ("settings", "Delete this workspace"),
        ("members", "owner@agency.example"),
        ("invitations", "Invite by e-mail"),
        ("audit", "Workspace created"),
    ] {
        let page = v.get(&format!("/w/{id}/{path}")).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains(text), "{path} lacks {text}");
        assert!(page
            .body
            .contains(&format!(r#"href="/w/{id}/{path}" data-key="#)));
    }

    // Settings: saved, then shown with a notice.
    let res = v
        .post(
            &format!("/w/{id}/settings"),
            &[
                ("_csrf", &csrf),
                ("name", "Зерно"),
                ("timezone", "Asia/Yekaterinburg"),
                ("language", "ru"),
            ],
        )
        .await;
    assert_eq!(res.location, format!("/w/{id}/settings?done=saved"));
    let page = v.get(&res.location).await;
    assert!(page.body.contains("Saved.") && page.body.contains(r#"value="Зерно""#));
    let ws = app.store.workspace(WorkspaceId(id)).await.unwrap().unwrap();
    assert_eq!(ws.timezone.name(), "Asia/Yekaterinburg");

    // An invitation's link is shown once.
    let res = v
        .post(
            &format!("/w/{id}/invitations"),
            &[
                ("_csrf", &csrf),
                ("email", "not an address"),
                ("role", "client"),
                ("days", "7"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Enter a valid e-mail address"));
    let res = v
        .post(
            &format!("/w/{id}/invitations"),
            &[
                ("_csrf", &csrf),
                ("email", "client@brand.example"),
                ("role", "client"),
                ("days", "7"),
            ],
        )
        .await;
    assert_eq!(res.location, format!("/w/{id}/invitations?done=invited"));
    assert!(
        !res.location.contains("invite/"),
        "the secret stays out of the URL"
    );
    let page = v.get(&res.location).await;
    let link = format!("{}/invite/", app.base);
    assert!(page.body.contains(&link), "the link is shown");
    assert!(page.body.contains("Pending") && page.body.contains("client@brand.example"));
    assert!(page.body.contains("data-copy=\"new-link\""));
    let again = v.get(&res.location).await;
    assert!(!again.body.contains(&link), "only once");

    // Revoke it.
    let inv = app.store.invitations(WorkspaceId(id)).await.unwrap()[0]
        .id
        .0;
    let res = v
        .post(
            &format!("/w/{id}/invitations/{inv}/revoke"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(res.location, format!("/w/{id}/invitations?done=revoked"));
    assert!(v.get(&res.location).await.body.contains("Revoked"));

    // The audit log pages by 50.
    for n in 0..60 {
        app.store
            .record_audit(
                WorkspaceId(id),
                None,
                "test.bulk",
                &format!("thing:{n}"),
                &serde_json::json!({"n": n}),
                Utc::now(),
            )
            .await
            .unwrap();
    }
    let page = v.get(&format!("/w/{id}/audit")).await;
    assert_eq!(page.body.matches("<tr>").count(), 51, "header and 50 rows");
    let at = page.body.find("?before=").expect("an older page");
    let before: String = page.body[at + 8..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let older = v.get(&format!("/w/{id}/audit?before={before}")).await;
    assert_eq!(older.status, 200);
    assert!(older.body.contains("Newest") && older.body.contains("Invitation revoked"));
    assert!(!older.body.contains("?before="), "the last page");

    // Deleting needs the name typed exactly.
    let res = v
        .post(
            &format!("/w/{id}/delete"),
            &[("_csrf", &csrf), ("confirm", "зерно")],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Type the workspace name exactly"));
    let res = v
        .post(
            &format!("/w/{id}/delete"),
            &[("_csrf", &csrf), ("confirm", "Зерно")],
        )
        .await;
    assert_eq!(res.location, "/workspaces/new?done=deleted");
    assert!(app
        .store
        .workspace(WorkspaceId(id))
        .await
        .unwrap()
        .is_none());
    assert_eq!(v.get(&format!("/w/{id}")).await.status, 404);
}

#[tokio::test]
async fn ui_form_without_csrf_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let owner = app.user("owner@agency.example", false).await;
    let id = workspace(&app, &owner, "Кофейня").await.0;
    let v = Visitor::new(&app);
    v.login("owner@agency.example", PASSWORD).await;
    let path = format!("/w/{id}/settings");
    let csrf = v.csrf(&path).await;
    let rename = [("name", "Renamed"), ("timezone", "UTC"), ("language", "en")];

    let res = v.post(&path, &rename).await;
    assert_eq!(res.status, 403);
    assert!(res.body.contains("The form expired"));
    let mut forged = rename.to_vec();
    forged.push(("_csrf", "forged-token"));
    assert_eq!(v.post(&path, &forged).await.status, 403);
    let ws = app.store.workspace(WorkspaceId(id)).await.unwrap().unwrap();
    assert_eq!(ws.name.as_str(), "Кофейня", "nothing changed");

    for (form_path, fields) in [
        ("/logout".to_string(), vec![]),
        (format!("/w/{id}/delete"), vec![("confirm", "Кофейня")]),
        ("/profile/tokens".to_string(), vec![("name", "x")]),
        (
            format!("/w/{id}/invitations"),
            vec![("email", "a@b.example"), ("role", "client")],
        ),
    ] {
        assert_eq!(v.post(&form_path, &fields).await.status, 403, "{form_path}");
    }
    assert!(app
        .store
        .workspace(WorkspaceId(id))
        .await
        .unwrap()
        .is_some());
    assert!(app
        .store
        .invitations(WorkspaceId(id))
        .await
        .unwrap()
        .is_empty());

    let mut signed = rename.to_vec();
    signed.push(("_csrf", &csrf));
    let res = v.post(&path, &signed).await;
    assert_eq!(
        (res.status, res.location.as_str()),
        (303, format!("{path}?done=saved").as_str())
    );
    let ws = app.store.workspace(WorkspaceId(id)).await.unwrap().unwrap();
    assert_eq!(ws.name.as_str(), "Renamed");
}

#[tokio::test]
async fn ui_login_is_throttled_after_five_wrong_passwords() {
    let app = spawn_app().await;
    app.user("anna@agency.example", false).await;
    let v = Visitor::new(&app);
    for _ in 0..5 {
        let res = v.login("anna@agency.example", "wrong password!").await;
        assert_eq!(res.status, 401);
        assert!(res.body.contains("Wrong e-mail or password."));
    }
    let res = v.login("anna@agency.example", PASSWORD).await;
    assert_eq!(res.status, 429, "even the right password waits");
    assert!(res.body.contains("Too many attempts"));
    assert!(v.cookie("herald_session").is_none());
}

#[tokio::test]
async fn ui_roles_decide_what_is_shown_and_allowed() {
    let app = spawn_app().await;
    let owner = app.user("owner@agency.example", false).await;
    let client = app.user("client@brand.example", false).await;
    app.user("stranger@else.example", false).await;
    let ws = workspace(&app, &owner, "Кофейня").await;
    add_member(&app, ws, &owner, &client, Role::Client).await;
    let id = ws.0;

    let v = Visitor::new(&app);
    v.login("client@brand.example", PASSWORD).await;
    let csrf = v.csrf(&format!("/w/{id}")).await;
    let settings = v.get(&format!("/w/{id}/settings")).await;
    assert_eq!(settings.status, 200);
    assert!(settings
        .body
        .contains("Only owners and managers can change these settings."));
    assert!(!settings
        .body
        .contains(&format!(r#"action="/w/{id}/settings""#)));
    assert!(!settings
        .body
        .contains(&format!(r#"action="/w/{id}/delete""#)));
    let members = v.get(&format!("/w/{id}/members")).await;
    assert_eq!(members.status, 200);
    assert!(members.body.contains("Owner") && members.body.contains("Client"));
    assert!(!members.body.contains("/role\""), "no role forms");
    assert!(!members
        .body
        .contains(&format!("/members/{}/remove", owner.id.0)));
    assert!(
        members
            .body
            .contains(&format!("/members/{}/remove", client.id.0)),
        "may leave"
    );
    let overview = v.get(&format!("/w/{id}")).await;
    assert!(!overview.body.contains(&format!("/w/{id}/invitations")));
    assert!(!overview.body.contains(&format!("/w/{id}/audit")));
    assert_eq!(v.get(&format!("/w/{id}/invitations")).await.status, 403);
    assert_eq!(v.get(&format!("/w/{id}/audit")).await.status, 403);

    let res = v
        .post(
            &format!("/w/{id}/settings"),
            &[
                ("_csrf", &csrf),
                ("name", "Mine now"),
                ("timezone", "UTC"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(res.status, 403);
    assert!(res
        .body
        .contains("Your role in this workspace does not allow this."));
    let res = v
        .post(
            &format!("/w/{id}/members/{}/role", client.id.0),
            &[("_csrf", &csrf), ("role", "owner")],
        )
        .await;
    assert_eq!(res.status, 403);
    let res = v
        .post(
            &format!("/w/{id}/members/{}/remove", owner.id.0),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status, 403);
    let res = v
        .post(
            &format!("/w/{id}/invitations"),
            &[
                ("_csrf", &csrf),
                ("email", "x@y.example"),
                ("role", "client"),
            ],
        )
        .await;
    assert_eq!(res.status, 403);
    assert_eq!(
        app.store
            .workspace(ws)
            .await
            .unwrap()
            .unwrap()
            .name
            .as_str(),
        "Кофейня"
    );
    assert_eq!(
        app.store.role_of(ws, client.id).await.unwrap(),
        Some(Role::Client)
    );

    // Someone who is not a member learns nothing.
    let s = Visitor::new(&app);
    s.login("stranger@else.example", PASSWORD).await;
    let csrf = s.csrf("/workspaces/new").await;
    for path in ["", "/settings", "/members", "/invitations", "/audit"] {
        let res = s.get(&format!("/w/{id}{path}")).await;
        assert_eq!(res.status, 404, "{path}");
        assert!(!res.body.contains("Кофейня"));
    }
    let res = s
        .post(
            &format!("/w/{id}/settings"),
            &[
                ("_csrf", &csrf),
                ("name", "Mine"),
                ("timezone", "UTC"),
                ("language", "en"),
            ],
        )
        .await;
    assert_eq!(res.status, 404);
    assert_eq!(s.get("/w/not-a-number/members").await.status, 404);
}

#[tokio::test]
async fn ui_speaks_the_browsers_language_and_switches_on_request() {
    let app = spawn_app().await;
    let owner = app.user("owner@agency.example", false).await;
    let id = workspace(&app, &owner, "Кофейня").await.0;

    let ru = Visitor::new(&app).russian();
    let page = ru.get("/login").await;
    assert!(page.body.contains(r#"<html lang="ru">"#));
    assert!(page.body.contains("Вход в Herald") && page.body.contains("Пароль"));
    let res = ru.login("owner@agency.example", "неверный пароль").await;
    assert!(res.body.contains("Неверная почта или пароль."));

    // Before login, the switch sets a cookie.
    let anon = Visitor::new(&app);
    let csrf = anon.csrf("/login").await;
    let res = anon
        .post(
            "/language",
            &[("_csrf", &csrf), ("language", "ru"), ("back", "/login")],
        )
        .await;
    assert_eq!(res.location, "/login");
    assert!(anon.get("/login").await.body.contains("Вход в Herald"));

    // After login, it is saved on the account.
    let v = Visitor::new(&app);
    v.login("owner@agency.example", PASSWORD).await;
    let page = v.get(&format!("/w/{id}")).await;
    assert!(page.body.contains(">Members<") && page.body.contains("Sign out"));
    assert!(page
        .body
        .contains(&format!(r#"name="back" value="/w/{id}""#)));
    let csrf = csrf_of(&page.body);
    let res = v
        .post(
            "/language",
            &[
                ("_csrf", &csrf),
                ("language", "ru"),
                ("back", &format!("/w/{id}")),
            ],
        )
        .await;
    assert_eq!(res.location, format!("/w/{id}"));
    let page = v.get(&format!("/w/{id}")).await;
    for text in [
        "Участники",
        "Настройки",
        "Выйти",
        "Местное время",
        "Владелец",
    ] {
        assert!(page.body.contains(text), "lacks {text}");
    }
    let me = app.store.user(owner.id).await.unwrap().unwrap();
    assert_eq!(me.language, Some(Language::Ru));
}

#[tokio::test]
async fn ui_invitation_links_join_new_and_existing_accounts() {
    let app = spawn_app().await;
    let owner = app.user("owner@agency.example", false).await;
    let editor = app.user("ed@agency.example", false).await;
    app.user("other@agency.example", false).await;
    let ws = workspace(&app, &owner, "Кофейня").await;
    let id = ws.0;
    let o = Visitor::new(&app);
    o.login("owner@agency.example", PASSWORD).await;
    let csrf = o.csrf(&format!("/w/{id}/invitations")).await;

    let mut tokens = vec![];
    for email in ["new@brand.example", "ed@agency.example"] {
        let res = o
            .post(
                &format!("/w/{id}/invitations"),
                &[
                    ("_csrf", &csrf),
                    ("email", email),
                    ("role", "client"),
                    ("days", "7"),
                ],
            )
            .await;
        assert_eq!(res.status, 303);
        let page = o.get(&res.location).await;
        let at = page.body.find("/invite/").unwrap();
        let token: String = page.body[at + 8..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        tokens.push(token);
    }

    // A newcomer creates their account on the invitation page.
    let n = Visitor::new(&app).russian();
    let path = format!("/invite/{}", tokens[0]);
    let page = n.get(&path).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Кофейня") && page.body.contains("Клиент"));
    assert!(page
        .body
        .contains("Создать учётную запись и присоединиться"));
    let csrf_n = csrf_of(&page.body);
    let res = n
        .post(
            &path,
            &[
                ("_csrf", ""),
                ("display_name", "Нина"),
                ("password", "long enough pw"),
                ("repeat_password", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(
        res.status, 403,
        "anonymous forms need the cookie's token too"
    );
    let res = n
        .post(
            &path,
            &[
                ("_csrf", &csrf_n),
                ("display_name", "Нина"),
                ("password", "long enough pw"),
                ("repeat_password", "other pw here"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("Пароли не совпадают."));
    let res = n
        .post(
            &path,
            &[
                ("_csrf", &csrf_n),
                ("display_name", "Нина"),
                ("password", "short"),
                ("repeat_password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status, 422);
    assert!(res.body.contains("не короче 10 символов"));
    let res = n
        .post(
            &path,
            &[
                ("_csrf", &csrf_n),
                ("display_name", "Нина"),
                ("password", "long enough pw"),
                ("repeat_password", "long enough pw"),
            ],
        )
        .await;
    assert_eq!(
        (res.status, res.location.clone()),
        (303, format!("/w/{id}?done=joined"))
    );
    assert!(n.cookie("herald_session").is_some(), "logged in");
    let page = n.get(&res.location).await;
    assert!(page.body.contains("Добро пожаловать!") && page.body.contains("Нина"));
    let used = n.get(&path).await;
    assert_eq!(used.status, 410);
    assert!(used.body.contains("уже использовано"));
    assert_eq!(Visitor::new(&app).get("/invite/nonsense").await.status, 404);

    // An existing account is sent to log in, and comes back to accept.
    let path = format!("/invite/{}", tokens[1]);
    let e = Visitor::new(&app);
    let page = e.get(&path).await;
    assert!(page.body.contains(&format!("/login?next={path}")));
    let w = Visitor::new(&app);
    w.login("other@agency.example", PASSWORD).await;
    let page = w.get(&path).await;
    assert!(page.body.contains("This invitation is for another address"));
    let res = w.post(&path, &[("_csrf", &csrf_of(&page.body))]).await;
    assert_eq!(res.location, path, "refused, back to the explanation");
    let page = e.get(&format!("/login?next={path}")).await;
    let res = e
        .post(
            "/login",
            &[
                ("email", "ed@agency.example"),
                ("password", PASSWORD),
                ("_csrf", &csrf_of(&page.body)),
                ("next", &path),
            ],
        )
        .await;
    assert_eq!(res.location, path);
    let page = e.get(&path).await;
    assert!(page.body.contains("Accept invitation"));
    let res = e.post(&path, &[("_csrf", &csrf_of(&page.body))]).await;
    assert_eq!(res.location, format!("/w/{id}?done=joined"));
    assert_eq!(
        app.store.role_of(ws, editor.id).await.unwrap(),
        Some(Role::Client)
    );

    // The owner promotes them, and cannot leave as the last owner.
    let res = o
        .post(
            &format!("/w/{id}/members/{}/role", editor.id.0),
            &[("_csrf", &csrf), ("role", "editor")],
        )
        .await;
    assert_eq!(res.location, format!("/w/{id}/members?done=role_changed"));
    assert_eq!(
        app.store.role_of(ws, editor.id).await.unwrap(),
        Some(Role::Editor)
    );
    let res = o
        .post(
            &format!("/w/{id}/members/{}/remove", owner.id.0),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(res.location, format!("/w/{id}/members?problem=last_owner"));
    let page = o.get(&res.location).await;
    assert!(page.body.contains("at least one owner"));
    let audit = o.get(&format!("/w/{id}/audit")).await;
    assert!(audit.body.contains("Role changed") && audit.body.contains("ed@agency.example"));
}

#[tokio::test]
async fn ui_profile_password_and_api_tokens() {
    let app = spawn_app().await;
    app.user("anna@agency.example", false).await;
    let v = Visitor::new(&app);
    v.login("anna@agency.example", PASSWORD).await;
    let csrf = v.csrf("/profile").await;

    let res = v
        .post(
            "/profile",
            &[
                ("_csrf", &csrf),
                ("display_name", "Анна"),
                ("language", "ru"),
            ],
        )
        .await;
    assert_eq!(res.location, "/profile?done=profile");
    let page = v.get(&res.location).await;
    assert!(page.body.contains("Профиль сохранён.") && page.body.contains(r#"value="Анна""#));
    let res = v
        .post(
            "/profile",
            &[("_csrf", &csrf), ("display_name", "Анна"), ("language", "")],
        )
        .await;
    assert_eq!(res.status, 303);
    assert!(
        v.get(&res.location)
            .await
            .body
            .contains("Your profile has been saved."),
        "follows the browser again"
    );

    // The password: mismatch, wrong current, too short, then right.
    let res = change(&v, &csrf, PASSWORD, "a brand new pw", "a brand new pX").await;
    assert!(res.status == 422 && res.body.contains("The passwords do not match."));
    let res = change(
        &v,
        &csrf,
        "not my password",
        "a brand new pw",
        "a brand new pw",
    )
    .await;
    assert!(res.status == 422 && res.body.contains("The current password is wrong."));
    let res = change(&v, &csrf, PASSWORD, "short", "short").await;
    assert!(res.status == 422 && res.body.contains("Use at least 10 characters."));
    let res = change(&v, &csrf, PASSWORD, "a brand new pw", "a brand new pw").await;
    assert_eq!(res.location, "/profile?done=password");
    assert!(v
        .get(&res.location)
        .await
        .body
        .contains("Your password has been changed."));
    let again = Visitor::new(&app);
    assert_eq!(
        again
            .login("anna@agency.example", "a brand new pw")
            .await
            .status,
        303
    );

    // Tokens: the secret is shown once and works.
    let res = v
        .post("/profile/tokens", &[("_csrf", &csrf), ("name", "  ")])
        .await;
    assert_eq!(res.status, 422);
    let res = v
        .post("/profile/tokens", &[("_csrf", &csrf), ("name", "reports")])
        .await;
    assert_eq!(res.location, "/profile/tokens?done=token_created");
    let page = v.get(&res.location).await;
    let at = page.body.find("value=\"hld_").expect("the token is shown");
    let secret: String = page.body[at + 7..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    assert!(page.body.contains("shown only this once") && page.body.contains("reports"));
    let (s, me) = app
        .call(reqwest::Method::GET, "/api/v1/me", &secret, None)
        .await;
    assert_eq!(
        (s, me["email"].as_str()),
        (200, Some("anna@agency.example"))
    );
    let page = v.get("/profile/tokens").await;
    assert!(!page.body.contains(&secret), "only once");
    let tok = app
        .store
        .api_tokens(me_id(&app, "anna@agency.example").await)
        .await
        .unwrap()[0]
        .id
        .0;
    let res = v
        .post(
            &format!("/profile/tokens/{tok}/revoke"),
            &[("_csrf", &csrf)],
        )
        .await;
    assert_eq!(res.location, "/profile/tokens?done=token_revoked");
    let (s, _) = app
        .call(reqwest::Method::GET, "/api/v1/me", &secret, None)
        .await;
    assert_eq!(s, 401);
}

async fn me_id(app: &TestApp, email: &str) -> herald_domain::UserId {
    app.store
        .user_by_email(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .unwrap()
        .id
}

async fn change(v: &Visitor, csrf: &str, current: &str, new: &str, repeat: &str) -> Res {
    v.post(
        "/profile/password",
        &[
            ("_csrf", csrf),
            ("current_password", current),
            ("new_password", new),
            ("repeat_password", repeat),
        ],
    )
    .await
}

//! The UI in a real headless Chromium, driven through chromedriver with fantoccini: log in,
//! land on the workspace, walk its pages, switch to Russian with the footer form, and use the
//! keyboard. Screenshots go to `target/ui-screenshots/` for a person to look at.
//!
//! chromedriver comes from `HERALD_TEST_CHROMEDRIVER` (default `/usr/bin/chromedriver`) and
//! Chromium from `HERALD_TEST_CHROMIUM` (default `/usr/bin/chromium`). Without them the test
//! prints a SKIP line, except under `CI=true`, where it fails.

mod calendar;
mod publishing;
mod review;
mod strategy;
mod tasks;

use crate::helpers::*;
use crate::ui::{add_member, workspace};
use chrono::{Duration, Utc};
use fantoccini::{Client, ClientBuilder, Locator};
use herald_domain::{Email, Role};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

/// chromedriver (in its own process group, with the browsers it starts) and the fresh
/// profile folder; both go away when this is dropped, also when the test panics.
struct Driver {
    child: Child,
    profile: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-TERM", "--", &group])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn tool(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

/// Starts chromedriver and a headless Chromium session (with `extra` flags), or says why not.
async fn start(test: &str, extra: &[&str]) -> Option<(Driver, Client)> {
    let driver = tool("HERALD_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
    let chromium = tool("HERALD_TEST_CHROMIUM", "/usr/bin/chromium");
    for path in [&driver, &chromium] {
        if !path.exists() {
            let why = format!("{} is missing", path.display());
            if std::env::var("CI").as_deref() == Ok("true") {
                panic!("{test}: {why}, and CI=true requires the browser test");
            }
            eprintln!("SKIP {test}: {why} (set HERALD_TEST_CHROMEDRIVER / HERALD_TEST_CHROMIUM)");
            return None;
        }
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let profile =
        std::env::temp_dir().join(format!("herald-chromium-{}-{port}", std::process::id()));
    std::fs::create_dir_all(&profile).unwrap();
    use std::os::unix::process::CommandExt;
    let child = Command::new(&driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("{test}: cannot start {}: {e}", driver.display()));
    let guard = Driver { child, profile };

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{test}: chromedriver did not listen on {port}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    let mut args: Vec<String> = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    .iter()
    .chain(extra)
    .map(|a| a.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", guard.profile.display()));
    let caps = serde_json::json!({
        "goog:chromeOptions": { "binary": chromium, "args": args }
    });
    let caps = caps.as_object().unwrap().clone();
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| panic!("{test}: no browser session: {e}"));
    Some((guard, client))
}

/// Saves a screenshot as `target/ui-screenshots/<name>.png`; failures only warn.
async fn shot(c: &Client, name: &str) {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../target")))
        .join("ui-screenshots");
    let _ = std::fs::create_dir_all(&dir);
    match c.screenshot().await {
        Ok(png) => {
            let _ = std::fs::write(dir.join(format!("{name}.png")), png);
        }
        Err(e) => eprintln!("screenshot {name}: {e}"),
    }
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// Fills in and sends the login form of the current page.
async fn log_in(c: &Client, email: &str) {
    let field = |css: &'static str| c.find(Locator::Css(css));
    field("#email")
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    field("#password")
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    field("form[action='/login'] button[type='submit']")
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Clicks the element `css` selects.
async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Switches the interface language with the footer form and waits for the page in it.
async fn switch_language(c: &Client, code: &str) {
    c.find(Locator::Css("#lang"))
        .await
        .unwrap()
        .select_by_value(code)
        .await
        .unwrap();
    click(c, "form.lang-switch button[type='submit']").await;
    c.wait()
        .for_element(Locator::Css(&format!("html[lang='{code}']")))
        .await
        .unwrap();
}

async fn path_of(c: &Client) -> String {
    c.current_url().await.unwrap().path().to_string()
}

#[tokio::test]
async fn browser_login_walk_and_switch_to_russian() {
    let test = "browser_login_walk_and_switch_to_russian";
    let app = spawn_app().await;
    let Some((_driver, c)) = start(test, &[]).await else {
        return;
    };
    let owner = app.user("owner@agency.example", false).await;
    let ws = workspace(&app, &owner, "Кофейня «Зерно»").await;
    for (email, role) in [
        ("maria.editor@agency.example", Role::Editor),
        ("client@zerno-coffee.example", Role::Client),
    ] {
        let u = app.user(email, false).await;
        add_member(&app, ws, &owner, &u, role).await;
    }
    let now = Utc::now();
    app.store
        .create_invitation(
            owner.id,
            ws,
            &Email::parse("analyst@agency.example").unwrap(),
            Role::Analyst,
            "browser-test",
            now,
            now + Duration::days(7),
        )
        .await
        .unwrap();
    let id = ws.0;
    let url = |p: &str| app.url(p);

    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&url("/login")).await.unwrap();
    assert_eq!(text_of(&c, "h1").await, "Sign in to Herald");
    shot(&c, "login-en").await;

    log_in(&c, "owner@agency.example").await;
    c.wait()
        .for_element(Locator::Css("nav.side"))
        .await
        .unwrap();
    assert_eq!(path_of(&c).await, format!("/w/{id}"));
    assert_eq!(text_of(&c, "h1").await, "Кофейня «Зерно»");
    shot(&c, "overview-en").await;

    // On a page without autofocus, the first Tab reaches the skip link.
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("\u{E004}")
        .await
        .ok();
    let focused = c
        .execute("return document.activeElement.className", vec![])
        .await
        .unwrap();
    assert_eq!(focused.as_str(), Some("skip"), "the skip link comes first");

    for page in ["members", "invitations", "settings", "audit"] {
        c.goto(&url(&format!("/w/{id}/{page}"))).await.unwrap();
        let current = text_of(&c, ".side a[aria-current='page']").await;
        assert!(!current.is_empty(), "{page} is marked in the sidebar");
        shot(&c, &format!("{page}-en")).await;
    }
    c.goto(&url("/workspaces/new")).await.unwrap();
    shot(&c, "new-workspace-en").await;

    // A shortcut: g then m opens the members.
    c.goto(&url(&format!("/w/{id}"))).await.unwrap();
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("gm")
        .await
        .ok();
    c.wait().for_element(Locator::Css("table")).await.unwrap();
    assert_eq!(path_of(&c).await, format!("/w/{id}/members"));

    // Switch to Russian with the footer form.
    c.goto(&url(&format!("/w/{id}"))).await.unwrap();
    switch_language(&c, "ru").await;
    assert_eq!(path_of(&c).await, format!("/w/{id}"), "back where it was");
    let side = text_of(&c, "nav.side").await;
    assert!(
        side.contains("Участники") && side.contains("Настройки"),
        "{side}"
    );
    assert_eq!(text_of(&c, "form[action='/logout'] button").await, "Выйти");
    assert!(text_of(&c, "main").await.contains("Местное время"));
    shot(&c, "overview-ru").await;
    for page in ["members", "invitations", "settings", "audit"] {
        c.goto(&url(&format!("/w/{id}/{page}"))).await.unwrap();
        shot(&c, &format!("{page}-ru")).await;
    }
    c.goto(&url("/profile")).await.unwrap();
    shot(&c, "profile-ru").await;

    // Secrets shown once: a new API token and a new invitation link, with copy buttons.
    c.goto(&url("/profile/tokens")).await.unwrap();
    c.find(Locator::Css("#token-name"))
        .await
        .unwrap()
        .send_keys("Скрипт отчётов")
        .await
        .unwrap();
    c.find(Locator::Css(
        "form[action='/profile/tokens'] button[type='submit']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let secret = c
        .wait()
        .for_element(Locator::Css("#new-token"))
        .await
        .unwrap();
    let secret = secret.prop("value").await.unwrap().unwrap_or_default();
    assert!(secret.starts_with("hld_"), "{secret}");
    let copy = c
        .find(Locator::Css("button[data-copy='new-token']"))
        .await
        .unwrap();
    assert!(
        copy.is_displayed().await.unwrap(),
        "the copy button shows with JS"
    );
    shot(&c, "tokens-new-ru").await;

    c.goto(&url(&format!("/w/{id}/invitations"))).await.unwrap();
    c.find(Locator::Css("#email"))
        .await
        .unwrap()
        .send_keys("designer@agency.example")
        .await
        .unwrap();
    c.find(Locator::Css("#role"))
        .await
        .unwrap()
        .select_by_value("editor")
        .await
        .unwrap();
    click(&c, "form.grid-form button[type='submit']").await;
    let link = c
        .wait()
        .for_element(Locator::Css("#new-link"))
        .await
        .unwrap();
    let link = link.prop("value").await.unwrap().unwrap_or_default();
    assert!(link.starts_with(&app.url("/invite/")), "{link}");
    shot(&c, "invitation-link-ru").await;

    // Phone width: nothing wider than the screen.
    c.set_window_size(390, 844).await.unwrap();
    for (page, name) in [
        ("", "overview"),
        ("/members", "members"),
        ("/audit", "audit"),
    ] {
        c.goto(&url(&format!("/w/{id}{page}"))).await.unwrap();
        shot(&c, &format!("{name}-ru-phone")).await;
        let overflow = c
            .execute(
                "return document.documentElement.scrollWidth > window.innerWidth",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(overflow.as_bool(), Some(false), "{name} fits a phone");
    }

    // The invitee opens the link without a session: the sign-up form.
    c.delete_all_cookies().await.unwrap();
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&link).await.unwrap();
    c.wait()
        .for_element(Locator::Css("#repeat_password"))
        .await
        .unwrap();
    shot(&c, "invite-signup").await;

    c.close().await.unwrap();
}

#[tokio::test]
async fn browser_follows_a_dark_color_scheme() {
    let test = "browser_follows_a_dark_color_scheme";
    let app = spawn_app().await;
    let Some((_driver, c)) = start(test, &["--force-dark-mode"]).await else {
        return;
    };
    let owner = app.user("owner@agency.example", false).await;
    let id = workspace(&app, &owner, "Кофейня «Зерно»").await.0;
    c.set_window_size(1280, 900).await.unwrap();
    c.goto(&app.url("/login")).await.unwrap();
    log_in(&c, "owner@agency.example").await;
    c.wait()
        .for_element(Locator::Css("nav.side"))
        .await
        .unwrap();
    let bg = c
        .execute(
            "return getComputedStyle(document.body).backgroundColor",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(bg.as_str(), Some("rgb(18, 20, 25)"), "the dark palette");
    shot(&c, "overview-dark").await;
    c.goto(&app.url(&format!("/w/{id}/settings")))
        .await
        .unwrap();
    shot(&c, "settings-dark").await;
    c.close().await.unwrap();
}

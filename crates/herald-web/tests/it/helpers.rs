//! `spawn_app`: a real Herald server on 127.0.0.1:0 with a fresh database, plus helpers to
//! create users and call the API. `spawn_app_with_engine` also runs the publisher.

#![allow(dead_code)]

use chrono::Utc;
use herald_domain::{Email, User};
use herald_store::{NewUser, SecretKey, Store};
use herald_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;

pub const PASSWORD: &str = "correct horse battery staple";

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub store: Arc<dyn Store>,
    /// The server's connectors, credential key and publisher wake-up, for a test that runs
    /// the engine beside it.
    pub registry: Arc<herald_platforms::Registry>,
    pub secret_key: SecretKey,
    pub wake: Arc<tokio::sync::Notify>,
    /// The server's state, for tests that run its jobs (the due reminders) directly.
    pub state: AppState,
    /// A client without cookies or redirects.
    pub http: reqwest::Client,
    _dir: TempDir,
}

/// Removes the test's folder when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unique() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "{}_{}_{:x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        nanos
    )
}

/// A server on a fresh SQLite database.
pub async fn spawn_app() -> TestApp {
    let dir = std::env::temp_dir().join(format!("herald-web-it-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("herald.db").display());
    let store = herald_store::connect(&url).await.unwrap();
    spawn_with(store, TempDir(dir), None).await
}

/// A server on a fresh SQLite database that sends notification e-mail through `smtp`.
pub async fn spawn_app_with_smtp(smtp: herald_engine::mail::SmtpSettings) -> TestApp {
    let dir = std::env::temp_dir().join(format!("herald-web-it-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("herald.db").display());
    let store = herald_store::connect(&url).await.unwrap();
    spawn_with(store, TempDir(dir), Some(smtp)).await
}

/// A server on a fresh PostgreSQL database, or `None` (with a SKIP line) when
/// `HERALD_TEST_POSTGRES_URL` is unset; under `CI=true` that is a failure.
pub async fn spawn_app_postgres(test: &str) -> Option<TestApp> {
    let Ok(base) = std::env::var("HERALD_TEST_POSTGRES_URL") else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{test}: HERALD_TEST_POSTGRES_URL is not set, and CI=true requires PostgreSQL");
        }
        eprintln!("SKIP {test}: set HERALD_TEST_POSTGRES_URL to run it on PostgreSQL");
        return None;
    };
    use sqlx::Connection;
    let name = format!("herald_web_{}", unique());
    let mut admin = sqlx::PgConnection::connect(&base).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .unwrap();
    let (head, _) = base.split_once('?').unwrap_or((&base, ""));
    let root = &head[..head.rfind('/').unwrap()];
    let store = herald_store::connect(&format!("{root}/{name}"))
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("herald-web-it-{}", unique()));
    std::fs::create_dir_all(&dir).unwrap();
    Some(spawn_with(store, TempDir(dir), None).await)
}

async fn spawn_with(
    store: Arc<dyn Store>,
    dir: TempDir,
    smtp: Option<herald_engine::mail::SmtpSettings>,
) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let registry = Arc::new(herald_platforms::Registry::new(
        std::time::Duration::from_secs(5),
    ));
    let secret_key = SecretKey::generate();
    let wake = Arc::new(tokio::sync::Notify::new());
    let state = AppState {
        store: store.clone(),
        config: Arc::new(WebConfig {
            public_url: base.clone(),
            trust_proxy: false,
            smtp,
        }),
        metrics: Arc::new(herald_web::metrics::Metrics::new()),
        secret_key: secret_key.clone(),
        wake: wake.clone(),
        registry: registry.clone(),
        media: herald_media::MediaLibrary::open(&dir.0.join("media")).unwrap(),
    };
    tokio::spawn(herald_web::serve(
        listener,
        state.clone(),
        std::future::pending(),
    ));
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        addr,
        base,
        store,
        registry,
        secret_key,
        wake,
        state,
        http,
        _dir: dir,
    }
}

/// A server on a fresh SQLite database with the engine (the publisher) running beside it on
/// the same store, connectors, key and wake-up, as `herald serve` runs them. Shut the engine
/// down at the end of the test.
pub async fn spawn_app_with_engine() -> (TestApp, herald_engine::Engine) {
    let app = spawn_app().await;
    let engine = herald_engine::Engine::start(herald_engine::EngineDeps {
        store: app.store.clone(),
        registry: app.registry.clone(),
        key: app.secret_key.clone(),
        media: None,
        publisher: herald_engine::PublisherConfig::new("browser-test"),
        wake: app.wake.clone(),
    });
    (app, engine)
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The SQLite file of a [`spawn_app`] server, for rows no API writes yet.
    pub fn sqlite_url(&self) -> String {
        format!("sqlite://{}", self._dir.0.join("herald.db").display())
    }

    /// Creates a user with [`PASSWORD`] straight in the store.
    pub async fn user(&self, email: &str, admin: bool) -> User {
        let hash = herald_web::auth::password::hash(PASSWORD).await.unwrap();
        self.store
            .create_user(
                NewUser {
                    email: &Email::parse(email).unwrap(),
                    password_hash: &hash,
                    display_name: "",
                    is_admin: admin,
                },
                Utc::now(),
            )
            .await
            .unwrap()
    }

    /// An API token for `email`, obtained through the API itself.
    pub async fn token(&self, email: &str) -> String {
        let res = self
            .http
            .post(self.url("/api/v1/auth/token"))
            .json(&serde_json::json!({"email": email, "password": PASSWORD, "name": "test"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "token for {email}");
        let body: serde_json::Value = res.json().await.unwrap();
        body["token"].as_str().unwrap().to_string()
    }

    /// Sends a JSON request with a bearer token; returns status and body (Null when empty).
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        let json = if text.is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text))
        };
        (status, json)
    }
}

//! `herald serve`: opens the database, loads the secret key, starts the workers and the web
//! server, and shuts both down cleanly on Ctrl-C or SIGTERM.

use crate::cli::{open, ServeArgs};
use crate::config::Config;
use anyhow::{Context, Result};
use herald_store::{SecretKey, Store};
use herald_web::{AppState, WebConfig};
use std::io::Write;
use std::sync::Arc;
use tracing_subscriber::EnvFilter;

pub fn app_state(config: &Config, store: Arc<dyn Store>) -> Result<AppState> {
    Ok(AppState {
        store,
        config: Arc::new(WebConfig {
            public_url: config.public_url.clone(),
            trust_proxy: config.trust_proxy,
            smtp: config.smtp.clone(),
        }),
        metrics: Arc::new(herald_web::metrics::Metrics::new()),
        secret_key: secret_key(config)?,
        wake: Arc::new(tokio::sync::Notify::new()),
        registry: Arc::new(herald_platforms::Registry::new(config.http_timeout)),
        media: herald_media::MediaLibrary::open(&config.data_dir.join("media")).with_context(
            || {
                format!(
                    "cannot open the media folder in {}",
                    config.data_dir.display()
                )
            },
        )?,
    })
}

/// The key from the configuration, or the one generated into the data folder.
pub fn secret_key(config: &Config) -> Result<SecretKey> {
    match &config.secret_key {
        Some(hex) => {
            SecretKey::from_hex(hex.expose()).map_err(|e| anyhow::anyhow!("secret_key: {e}"))
        }
        None => {
            std::fs::create_dir_all(&config.data_dir)?;
            SecretKey::load_or_create(&config.data_dir).with_context(|| {
                format!(
                    "cannot read or create {}/secret.key",
                    config.data_dir.display()
                )
            })
        }
    }
}

fn init_logs(json: bool) {
    let filter = EnvFilter::try_from_env("HERALD_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

pub async fn run(config: Config, args: ServeArgs) -> Result<()> {
    init_logs(config.json_logs);
    let store = open(&config).await?;
    let state = app_state(&config, store.clone())?;
    let engine = (!args.no_workers).then(|| {
        let mut publisher = herald_engine::PublisherConfig::new(worker_id());
        publisher.lease = config.publish_lease;
        publisher.concurrency = config.publish_concurrency;
        herald_engine::Engine::start(herald_engine::EngineDeps {
            store: store.clone(),
            registry: state.registry.clone(),
            key: state.secret_key.clone(),
            media: Some(Arc::new(crate::media::LibraryResolver::new(
                store.clone(),
                state.registry.clone(),
                &config.data_dir,
            ))),
            publisher,
            wake: state.wake.clone(),
        })
    });

    // Notifications' background work: the due reminders, and the outbox when SMTP is set.
    let (notify_stop, notify_rx) = tokio::sync::watch::channel(false);
    let mut notify_tasks = vec![];
    if !args.no_workers {
        notify_tasks.push(herald_web::notify::spawn_reminders(
            state.clone(),
            notify_rx.clone(),
        ));
        // Evergreen categories' slots, filled a day ahead.
        notify_tasks.push(herald_web::plan::evergreen::spawn(
            state.clone(),
            notify_rx.clone(),
        ));
        if let Some(smtp) = &config.smtp {
            let mailer =
                herald_engine::mail::Mailer::new(smtp).map_err(|e| anyhow::anyhow!("smtp: {e}"))?;
            notify_tasks.push(herald_engine::mail::spawn_outbox(
                store.clone(),
                mailer,
                worker_id(),
                notify_rx,
            ));
        }
    }

    if args.no_web {
        tracing::info!(
            database = store.backend().as_str(),
            "workers running without the web server"
        );
        shutdown_signal().await;
    } else {
        let listener = tokio::net::TcpListener::bind(&config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        // Written with errors ignored: a closed stdout (a supervisor that stopped reading)
        // must not take the server down, as println! would.
        let mut out = std::io::stdout();
        let _ = writeln!(
            out,
            "Herald is listening on http://{addr} (open {})",
            config.public_url
        );
        if store.count_users().await? == 0 {
            let _ = writeln!(out, "No users yet. Create the first one:");
            let _ = writeln!(
                out,
                "  herald user add you@example.com --password-stdin --admin"
            );
        }
        let _ = out.flush();
        herald_web::serve(listener, state, shutdown_signal()).await?;
    }
    let _ = notify_stop.send(true);
    for t in notify_tasks {
        let _ = t.await;
    }
    if let Some(engine) = engine {
        engine.shutdown().await;
    }
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// This process's fence id: host, process id and a random suffix, so a restarted process
/// never mistakes an old claim for its own.
fn worker_id() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "herald".into());
    let suffix = &herald_web::auth::secret_token::generate()[..8];
    format!("{host}-{}-{suffix}", std::process::id())
}

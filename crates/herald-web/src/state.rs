//! Shared state handed to every handler.

use crate::metrics::Metrics;
use herald_store::Store;
use std::sync::Arc;

/// Settings the web layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The address people and platforms reach Herald at, e.g. `https://herald.example.com`;
    /// used in invitation links. When it is `https`, cookies are marked `Secure`.
    pub public_url: String,
    /// Honour `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy in front.
    pub trust_proxy: bool,
    /// The instance's SMTP server; `None` keeps notifications in the app only.
    pub smtp: Option<herald_engine::mail::SmtpSettings>,
}

impl WebConfig {
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    /// Encrypts platform credentials at rest.
    pub secret_key: herald_store::SecretKey,
    /// Wakes this process's publisher when something was scheduled.
    pub wake: Arc<tokio::sync::Notify>,
    /// The connectors, for the platform list, connect checks and text rules.
    pub registry: Arc<herald_platforms::Registry>,
    /// The media library in the data folder.
    pub media: herald_media::MediaLibrary,
}

//! E-mail: the SMTP settings, a [`Mailer`] over lettre (tokio + rustls, no second runtime or
//! TLS stack), and the outbox worker that sends what the web layer queued.
//!
//! Notifications write their e-mail into the `email_outbox` table in the same transaction as
//! the notification, so nothing is lost across a crash. The worker claims due rows with a
//! lease, sends each, and marks it sent only after the SMTP server accepted it; a refusal is
//! retried with exponential backoff, a permanent one (5xx) or the last attempt gives up. A
//! worker that dies after the server accepted but before marking leaves the row to be sent
//! again when its lease expires: the only case a mail can go twice. Each outbox row keeps the
//! same `Message-ID` on every attempt, so a receiving server can recognise a repeat.
//!
//! The worker sleeps until the next due row, or until [`wake`] is called in this process
//! (the web layer calls it after queuing); other processes' mail is picked up within
//! [`IDLE`] at most.

use chrono::{DateTime, Utc};
use herald_domain::Secret;
use herald_store::{Mail, Store};
use lettre::message::{header::ContentType, Mailbox};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

/// The longest the worker sleeps with nothing due.
pub const IDLE: Duration = Duration::from_secs(30);
/// Attempts before an outbox row is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// How long a claim lasts; longer than the SMTP timeout, so a live worker never loses one.
const LEASE: Duration = Duration::from_secs(120);
/// Rows claimed per pass.
const BATCH: i64 = 16;

/// How the connection to the SMTP server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text (a local relay or a test sink only).
    None,
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    StartTls,
    /// TLS from the first byte (usually port 465).
    Tls,
}

impl TlsMode {
    pub fn parse(s: &str) -> Option<TlsMode> {
        match s {
            "none" => Some(TlsMode::None),
            "starttls" => Some(TlsMode::StartTls),
            "tls" => Some(TlsMode::Tls),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::None => "none",
            TlsMode::StartTls => "starttls",
            TlsMode::Tls => "tls",
        }
    }

    /// The port a mode usually uses.
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 25,
            TlsMode::StartTls => 587,
            TlsMode::Tls => 465,
        }
    }
}

/// The instance's SMTP settings.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<Secret<String>>,
    /// The sender, `Herald <herald@example.com>` or a bare address.
    pub from: String,
    pub tls: TlsMode,
    /// How long one SMTP conversation may take.
    pub timeout: Duration,
}

/// Why a mail did not go.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct MailError {
    /// The server refused it for good (5xx) or the mail itself is malformed: retrying will
    /// not help.
    pub permanent: bool,
    pub message: String,
}

impl MailError {
    fn permanent(message: impl Into<String>) -> Self {
        Self {
            permanent: true,
            message: message.into(),
        }
    }
}

/// Sends mail through the configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// Checks the settings (the sender address, the TLS host name) and builds the transport;
    /// nothing is contacted yet.
    pub fn new(s: &SmtpSettings) -> Result<Mailer, MailError> {
        let from: Mailbox = s
            .from
            .parse()
            .map_err(|e| MailError::permanent(format!("smtp from '{}': {e}", s.from)))?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_string())
                .map_err(|e| MailError::permanent(format!("smtp TLS for '{host}': {e}")))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
            .port(s.port)
            .timeout(Some(s.timeout));
        builder = match s.tls {
            TlsMode::None => builder.tls(Tls::None),
            TlsMode::StartTls => builder.tls(Tls::Required(tls(&s.host)?)),
            TlsMode::Tls => builder.tls(Tls::Wrapper(tls(&s.host)?)),
        };
        if let Some(user) = &s.username {
            let pass = s
                .password
                .as_ref()
                .map(|p| p.expose().clone())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), pass));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
        })
    }

    /// Sends one plain-text mail; returns once the server accepted it.
    pub async fn send(&self, mail: &Mail, message_id: Option<String>) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| MailError::permanent(format!("recipient '{}': {e}", mail.to)))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(message_id)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| MailError::permanent(format!("cannot build the message: {e}")))?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| MailError {
                permanent: e.is_permanent(),
                message: e.to_string(),
            })
    }
}

static WAKE: OnceLock<Notify> = OnceLock::new();

fn wake_signal() -> &'static Notify {
    WAKE.get_or_init(Notify::new)
}

/// Tells this process's outbox worker that mail was queued.
pub fn wake() {
    wake_signal().notify_one();
}

/// The wait before attempt `attempts + 1`: 30 s, doubling, at most an hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let exp = attempts.clamp(1, 8) - 1;
    chrono::Duration::seconds((30_i64 << exp).min(3600))
}

/// Claims and sends one batch of due mail; returns how many rows it handled.
pub async fn outbox_pass(
    store: &dyn Store,
    mailer: &Mailer,
    worker: &str,
) -> herald_store::Result<usize> {
    let now = Utc::now();
    let lease = chrono::Duration::from_std(LEASE).unwrap_or(chrono::Duration::seconds(120));
    let claimed = store.claim_mail(worker, now, now + lease, BATCH).await?;
    for c in &claimed {
        let id = Some(format!("<outbox.{}@herald.invalid>", c.id));
        match mailer.send(&c.mail, id).await {
            Ok(()) => {
                if !store.mail_sent(c.id, worker, Utc::now()).await? {
                    tracing::warn!(outbox = c.id, "mail sent after its lease expired");
                }
            }
            Err(e) => {
                let now = Utc::now();
                let give_up = e.permanent || c.attempts >= MAX_ATTEMPTS;
                let retry = (!give_up).then(|| now + backoff(c.attempts));
                tracing::warn!(outbox = c.id, attempt = c.attempts, give_up, error = %e, "mail not sent");
                store
                    .mail_failed(c.id, worker, &e.message, retry, now)
                    .await?;
            }
        }
    }
    Ok(claimed.len())
}

/// Starts the outbox worker; it stops when `stop` turns true.
pub fn spawn_outbox(
    store: Arc<dyn Store>,
    mailer: Mailer,
    worker: String,
    mut stop: watch::Receiver<bool>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let handled = match outbox_pass(store.as_ref(), &mailer, &worker).await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox pass failed; will retry");
                    0
                }
            };
            if handled as i64 == BATCH {
                continue;
            }
            let sleep = match store.next_mail_due().await {
                Ok(Some(at)) => until(at),
                _ => IDLE,
            };
            tokio::select! {
                _ = tokio::time::sleep(sleep) => {}
                _ = wake_signal().notified() => {}
                _ = stop.changed() => return,
            }
            if *stop.borrow() {
                return;
            }
        }
    })
}

fn until(at: DateTime<Utc>) -> Duration {
    (at - Utc::now())
        .to_std()
        .unwrap_or(Duration::ZERO)
        .clamp(Duration::from_millis(50), IDLE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1).num_seconds(), 30);
        assert_eq!(backoff(2).num_seconds(), 60);
        assert_eq!(backoff(3).num_seconds(), 120);
        assert_eq!(backoff(8).num_seconds(), 3600);
        assert_eq!(backoff(50).num_seconds(), 3600);
    }

    #[test]
    fn tls_modes_are_words() {
        for m in [TlsMode::None, TlsMode::StartTls, TlsMode::Tls] {
            assert_eq!(TlsMode::parse(m.as_str()), Some(m));
        }
        assert_eq!(TlsMode::parse("ssl"), None);
    }

    #[test]
    fn a_bad_sender_is_refused_before_anything_is_sent() {
        let s = SmtpSettings {
            host: "127.0.0.1".into(),
            port: 25,
            username: None,
            password: None,
            from: "not an address".into(),
            tls: TlsMode::None,
            timeout: Duration::from_secs(5),
        };
        assert!(Mailer::new(&s).is_err());
    }
}

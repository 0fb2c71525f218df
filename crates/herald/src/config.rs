//! Configuration in layers: built-in defaults, then `herald.toml`, then `HERALD_*`
//! environment variables, then command-line flags; each layer overrides the one before.

use anyhow::{bail, Context, Result};
use herald_domain::Secret;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings `herald.toml` may hold. Unknown keys are an error that names the key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<String>,
    pub database_url: Option<String>,
    pub secret_key: Option<String>,
    pub public_url: Option<String>,
    pub trust_proxy: Option<bool>,
    pub log_format: Option<String>,
    pub http_timeout_secs: Option<u64>,
    pub publish_lease_secs: Option<u64>,
    pub publish_concurrency: Option<usize>,
    pub smtp: Option<SmtpFile>,
}

/// The `[smtp]` table of `herald.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpFile {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    /// Prefer `password_file` or `HERALD_SMTP_PASSWORD`, so the secret is not in this file.
    pub password: Option<String>,
    pub password_file: Option<PathBuf>,
    pub from: Option<String>,
    /// none, starttls or tls.
    pub tls: Option<String>,
    pub timeout_secs: Option<u64>,
}

/// Values given on the command line (all optional).
#[derive(Debug, Default, Clone, clap::Args)]
pub struct Overrides {
    /// Folder for the SQLite database, media and the generated secret key [default: ./data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB [default: sqlite in the data folder].
    #[arg(long, global = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// A herald.toml to read [default: ./herald.toml when present].
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub listen: String,
    pub database_url: String,
    pub secret_key: Option<Secret<String>>,
    pub public_url: String,
    pub trust_proxy: bool,
    pub json_logs: bool,
    /// How long a call to a platform may take before its outcome counts as unknown.
    pub http_timeout: std::time::Duration,
    /// How long a worker's claim on a delivery lasts; always longer than `http_timeout`.
    pub publish_lease: std::time::Duration,
    /// Deliveries in flight at once per process.
    pub publish_concurrency: usize,
    /// The SMTP server for notification e-mails; `None` when no host is set.
    pub smtp: Option<herald_engine::mail::SmtpSettings>,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

impl Config {
    /// Resolves every layer. `listen` is the `serve --listen` flag, if given.
    pub fn load(flags: &Overrides, listen: Option<&str>) -> Result<Config> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let file_path = flags
            .config
            .clone()
            .or_else(|| env("HERALD_CONFIG").map(PathBuf::from))
            .or_else(|| Some(PathBuf::from("herald.toml")).filter(|p| p.exists()));
        let file = match &file_path {
            Some(p) => read_file(p)?,
            None => FileConfig::default(),
        };

        let data_dir = flags
            .data_dir
            .clone()
            .or_else(|| env("HERALD_DATA_DIR").map(PathBuf::from))
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let listen = listen
            .map(str::to_string)
            .or_else(|| env("HERALD_LISTEN"))
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let database_url = flags
            .database_url
            .clone()
            .or_else(|| env("HERALD_DATABASE_URL"))
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("herald.db").display()));
        let secret_key = env("HERALD_SECRET_KEY")
            .or(file.secret_key)
            .map(Secret::new);
        let public_url = env("HERALD_PUBLIC_URL")
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        let trust_proxy = match env("HERALD_TRUST_PROXY") {
            Some(v) => parse_bool("HERALD_TRUST_PROXY", &v)?,
            None => file.trust_proxy.unwrap_or(false),
        };
        let log_format = env("HERALD_LOG_FORMAT")
            .or(file.log_format)
            .unwrap_or_else(|| "text".into());
        let json_logs = match log_format.as_str() {
            "json" => true,
            "text" => false,
            other => bail!("log_format: '{other}' is not one of: text, json"),
        };
        let num = |name: &str, file: Option<u64>, default: u64| -> Result<u64> {
            match env(name) {
                Some(v) => v
                    .parse()
                    .with_context(|| format!("{name}: '{v}' is not a whole number")),
                None => Ok(file.unwrap_or(default)),
            }
        };
        let http_timeout = num("HERALD_HTTP_TIMEOUT_SECS", file.http_timeout_secs, 30)?;
        let publish_lease = num("HERALD_PUBLISH_LEASE_SECS", file.publish_lease_secs, 90)?;
        let publish_concurrency = num(
            "HERALD_PUBLISH_CONCURRENCY",
            file.publish_concurrency.map(|c| c as u64),
            32,
        )?;
        if http_timeout == 0 || publish_lease < http_timeout + 2 {
            bail!("publish_lease_secs ({publish_lease}) must exceed http_timeout_secs ({http_timeout}) by at least 2 seconds, so a live worker never loses a delivery mid-call");
        }
        if publish_concurrency == 0 || publish_concurrency > 1024 {
            bail!("publish_concurrency: must be between 1 and 1024");
        }
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            bail!("public_url: '{public_url}' must start with http:// or https://");
        }
        let smtp = smtp_settings(file.smtp.unwrap_or_default(), &env)?;
        Ok(Config {
            smtp,
            data_dir,
            listen,
            database_url,
            secret_key,
            public_url,
            trust_proxy,
            json_logs,
            http_timeout: std::time::Duration::from_secs(http_timeout),
            publish_lease: std::time::Duration::from_secs(publish_lease),
            publish_concurrency: publish_concurrency as usize,
        })
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// The SMTP settings: `HERALD_SMTP_*` over the `[smtp]` table. No host means no e-mail.
fn smtp_settings(
    file: SmtpFile,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<herald_engine::mail::SmtpSettings>> {
    use herald_engine::mail::{SmtpSettings, TlsMode};
    let Some(host) = env("HERALD_SMTP_HOST").or(file.host) else {
        return Ok(None);
    };
    let tls_raw = env("HERALD_SMTP_TLS")
        .or(file.tls)
        .unwrap_or_else(|| "starttls".into());
    let Some(tls) = TlsMode::parse(&tls_raw) else {
        bail!("smtp.tls: '{tls_raw}' is not one of: none, starttls, tls");
    };
    let port = match env("HERALD_SMTP_PORT") {
        Some(v) => v
            .parse()
            .with_context(|| format!("HERALD_SMTP_PORT: '{v}' is not a port number"))?,
        None => file.port.unwrap_or(tls.default_port()),
    };
    let password_file = env("HERALD_SMTP_PASSWORD_FILE")
        .map(PathBuf::from)
        .or(file.password_file);
    let password = match (env("HERALD_SMTP_PASSWORD"), password_file) {
        (Some(p), _) => Some(p),
        (None, Some(path)) => Some(
            std::fs::read_to_string(&path)
                .with_context(|| format!("smtp.password_file: cannot read {}", path.display()))?
                .trim_end_matches(['\r', '\n'])
                .to_string(),
        ),
        (None, None) => file.password,
    };
    let Some(from) = env("HERALD_SMTP_FROM").or(file.from) else {
        bail!("smtp.from: set the sender address (e.g. \"Herald <herald@example.com>\") when smtp.host is set");
    };
    let timeout = file.timeout_secs.unwrap_or(30);
    if timeout == 0 || timeout > 90 {
        bail!("smtp.timeout_secs: must be between 1 and 90 (the outbox lease is 120 s)");
    }
    let settings = SmtpSettings {
        host,
        port,
        username: env("HERALD_SMTP_USERNAME").or(file.username),
        password: password.map(Secret::new),
        from,
        tls,
        timeout: std::time::Duration::from_secs(timeout),
    };
    // Checks the sender address and the TLS host name now rather than at the first mail.
    herald_engine::mail::Mailer::new(&settings).map_err(|e| anyhow::anyhow!("smtp: {e}"))?;
    Ok(Some(settings))
}

fn read_file(path: &Path) -> Result<FileConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("{} is not a valid Herald configuration", path.display()))
}

fn parse_bool(name: &str, v: &str) -> Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("{name}: '{v}' is not true or false"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_in_the_file_are_named() {
        let err = toml::from_str::<FileConfig>("listn = \"x\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("listn"), "{err}");
    }

    #[test]
    fn smtp_settings_come_from_the_file_and_env_wins() {
        let f: FileConfig = toml::from_str(
            "[smtp]\nhost = \"mail.example\"\nfrom = \"Herald <h@example.com>\"\npassword = \"file\"\n",
        )
        .unwrap();
        let env = |k: &str| (k == "HERALD_SMTP_PASSWORD").then(|| "env".to_string());
        let s = smtp_settings(f.smtp.unwrap(), &env).unwrap().unwrap();
        assert_eq!(s.port, 587, "starttls by default, on its port");
        assert_eq!(s.password.unwrap().expose(), "env");
        assert!(format!("{:?}", s.host).contains("mail.example"));
        let none = |_: &str| None;
        assert!(smtp_settings(SmtpFile::default(), &none).unwrap().is_none());
        let bad = SmtpFile {
            host: Some("h".into()),
            from: Some("x".into()),
            tls: Some("ssl".into()),
            ..Default::default()
        };
        let err = smtp_settings(bad, &none).unwrap_err().to_string();
        assert!(err.contains("smtp.tls"), "{err}");
    }

    #[test]
    fn file_values_are_read() {
        let f: FileConfig =
            toml::from_str("listen = \"0.0.0.0:9000\"\ntrust_proxy = true").unwrap();
        assert_eq!(f.listen.as_deref(), Some("0.0.0.0:9000"));
        assert_eq!(f.trust_proxy, Some(true));
    }
}

//! The command line: parsing with clap and one function per command.

use crate::config::{Config, Overrides};
use anyhow::{bail, Context, Result};
use chrono::Utc;
use clap::{Parser, Subcommand};
use herald_domain::{DisplayName, Email, Password};
use herald_store::{NewUser, Store};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser, Debug)]
#[command(
    name = "herald",
    version,
    about = "Self-hosted social media marketing in one binary"
)]
pub struct Cli {
    #[command(flatten)]
    pub overrides: Overrides,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web UI and API and run the workers.
    Serve(ServeArgs),
    /// Apply the database migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Check post text against a platform's rules.
    #[command(subcommand)]
    Text(TextCommand),
    /// Work with a workspace's strategy.
    #[command(subcommand)]
    Strategy(StrategyCommand),
    /// Create a demo workspace with sandbox channels and a week of scheduled posts.
    Demo {
        /// Make this existing user the demo workspace's owner (default: create demo@example.com).
        #[arg(long)]
        email: Option<String>,
    },
    /// Import posts into a workspace.
    #[command(subcommand)]
    Import(crate::exchange::ImportCommand),
    /// Export a workspace's posts (CSV, JSON) or its calendar (iCalendar) to standard output.
    #[command(subcommand)]
    Export(crate::exchange::ExportCommand),
    /// Copy the SQLite database to FILE while Herald keeps running.
    Backup {
        /// The file to write; it must not exist yet.
        file: PathBuf,
    },
}

#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Do not serve HTTP (a worker-only process).
    #[arg(long)]
    pub no_web: bool,
    /// Do not run background workers (a web-only process).
    #[arg(long)]
    pub no_workers: bool,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        email: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
        /// Make the user an instance administrator.
        #[arg(long)]
        admin: bool,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TextCommand {
    /// Read text on standard input and print one JSON object: platform, length, limit, ok, unit.
    Check {
        /// vk, ok, telegram, bluesky, mastodon, x, threads, instagram, facebook, linkedin,
        /// youtube, pinterest, reddit or tiktok.
        #[arg(long)]
        platform: String,
        /// Telegram: the text is a media caption (1,024) rather than a message (4,096).
        #[arg(long)]
        caption: bool,
        /// Mastodon: the instance's own limit (from /api/v2/instance).
        #[arg(long)]
        instance_limit: Option<usize>,
    },
    /// Read one message on standard input and print one JSON object: language, is_question,
    /// sentiment (positive, neutral or negative), as the inbox classifies it.
    Classify,
}

#[derive(Subcommand, Debug)]
pub enum StrategyCommand {
    /// Write the workspace's one-page strategy brief to FILE, as HTML or PDF.
    Brief {
        /// The workspace's id.
        #[arg(long)]
        workspace: i64,
        /// html or pdf.
        #[arg(long, value_parser = ["html", "pdf"])]
        format: String,
        /// The file to write (replaced when it exists).
        #[arg(long)]
        out: PathBuf,
        /// en or ru [default: the workspace's language].
        #[arg(long)]
        language: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for a user and print only the token.
    Create {
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

pub async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(args) => {
            let config = Config::load(&cli.overrides, args.listen.as_deref())?;
            crate::serve::run(config, args).await
        }
        Command::Migrate => {
            let config = Config::load(&cli.overrides, None)?;
            let store = open(&config).await?;
            eprintln!("Migrations applied ({}).", store.backend().as_str());
            Ok(())
        }
        Command::User(UserCommand::Add {
            email,
            password_stdin: _,
            admin,
            name,
        }) => {
            let config = Config::load(&cli.overrides, None)?;
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("{e}"))?;
            let password = read_password_stdin()?;
            let password = Password::parse(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            let name = DisplayName::parse(name.as_deref().unwrap_or(""))
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let store = open(&config).await?;
            let hash = herald_web::auth::password::hash(password.expose())
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let user = store
                .create_user(
                    NewUser {
                        email: &email,
                        password_hash: &hash,
                        display_name: name.as_str(),
                        is_admin: admin,
                    },
                    Utc::now(),
                )
                .await
                .map_err(|e| anyhow::anyhow!("cannot add {email}: {e}"))?;
            eprintln!(
                "Added {} (id {}{}).",
                user.email,
                user.id,
                if admin { ", admin" } else { "" }
            );
            Ok(())
        }
        Command::Token(TokenCommand::Create { email, name }) => {
            let config = Config::load(&cli.overrides, None)?;
            let email = Email::parse(&email).map_err(|e| anyhow::anyhow!("{e}"))?;
            let store = open(&config).await?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            let state = crate::serve::app_state(&config, store)?;
            let (_, token) = herald_web::api::issue_token(&state, &user, &name)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            println!("{token}");
            Ok(())
        }
        Command::Text(TextCommand::Check {
            platform,
            caption,
            instance_limit,
        }) => {
            let platform =
                herald_domain::Platform::parse(&platform).map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the text from standard input")?;
            // A trailing newline from `echo` or a file is not part of the post.
            let text = text.strip_suffix('\n').unwrap_or(&text);
            let text = text.strip_suffix('\r').unwrap_or(text);
            let ctx = herald_domain::text::TextContext {
                telegram_caption: caption,
                mastodon_limit: instance_limit,
                ..Default::default()
            };
            let check = herald_domain::text::check_text(platform, text, &ctx);
            println!("{}", serde_json::to_string(&check)?);
            Ok(())
        }
        Command::Strategy(StrategyCommand::Brief {
            workspace,
            format,
            out,
            language,
        }) => {
            let config = Config::load(&cli.overrides, None)?;
            let store = open(&config).await?;
            crate::strategy::brief(store, workspace, &format, &out, language.as_deref()).await
        }
        Command::Text(TextCommand::Classify) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the message from standard input")?;
            let classification = herald_domain::classify::classify(text.trim_end());
            println!("{}", serde_json::to_string(&classification)?);
            Ok(())
        }
        Command::Demo { email } => {
            let config = Config::load(&cli.overrides, None)?;
            crate::demo::run(&config, email.as_deref()).await
        }
        Command::Import(command) => {
            let config = Config::load(&cli.overrides, None)?;
            crate::exchange::import(&config, command).await
        }
        Command::Export(command) => {
            let config = Config::load(&cli.overrides, None)?;
            crate::exchange::export(&config, command).await
        }
        Command::Backup { file } => {
            let config = Config::load(&cli.overrides, None)?;
            if !config.is_sqlite() {
                bail!(
                    "backup copies the SQLite database; on PostgreSQL run: pg_dump --format=custom --file=herald.dump \"$HERALD_DATABASE_URL\""
                );
            }
            let store = open(&config).await?;
            store
                .backup(&file)
                .await
                .with_context(|| format!("cannot write the backup to {}", file.display()))?;
            eprintln!("Backup written to {}.", file.display());
            Ok(())
        }
    }
}

/// Opens the database (creating the data folder for SQLite) and runs the migrations.
pub async fn open(config: &Config) -> Result<Arc<dyn Store>> {
    if config.is_sqlite() {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!(
                "cannot create the data folder {}",
                config.data_dir.display()
            )
        })?;
    }
    herald_store::connect(&config.database_url)
        .await
        .with_context(|| {
            format!(
                "cannot open the database {}",
                redact_url(&config.database_url)
            )
        })
}

/// The URL with any password replaced, for messages.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:[redacted]{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

fn read_password_stdin() -> Result<String> {
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .context("cannot read the password from standard input")?;
    let pw = buf.strip_suffix('\n').unwrap_or(&buf);
    let pw = pw.strip_suffix('\r').unwrap_or(pw);
    Ok(pw.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_lose_their_passwords() {
        assert_eq!(
            super::redact_url("postgres://u:secret@h/db"),
            "postgres://u:[redacted]@h/db"
        );
        assert_eq!(super::redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(
            super::redact_url("sqlite://data/herald.db"),
            "sqlite://data/herald.db"
        );
    }
}

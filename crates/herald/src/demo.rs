//! `herald demo`: a workspace anyone can try with no platform accounts — two sandbox
//! channels and a week of scheduled posts, twice a day, in the workspace's time zone.

use crate::cli::open;
use crate::config::Config;
use anyhow::{Context, Result};
use chrono::{Datelike, Duration, NaiveTime, TimeZone, Utc};
use herald_domain::publishing::ChannelId;
use herald_domain::{Email, Language, Timezone, WorkspaceName};
use herald_store::{NewChannel, NewUser, PostDraft};

const POSTS: &[&str] = &[
    "Доброе утро! Новый сорт из Эфиопии уже на полке — с нотами черники и жасмина. ☕",
    "Вечером — каппинг для всех желающих, 19:00. Приходите пробовать! #каппинг",
    "How we roast: small batches, every Tuesday, and we taste every one before it ships.",
    "Weekend brunch menu is live: shakshuka, cardamom buns and our seasonal filter. 🥐",
    "Совет бариста: молоть зерно лучше прямо перед завариванием — аромат сохраняется.",
    "Thank you for 1,000 followers! A free cup for everyone who shows this post today. 🎉",
    "Новое в меню: раф с халвой. Уже пробовали? Напишите в комментариях!",
];

pub async fn run(config: &Config, email: Option<&str>) -> Result<()> {
    let store = open(config).await?;
    let key = crate::serve::secret_key(config)?;
    let now = Utc::now();
    let (user, password) = match email {
        Some(e) => {
            let email = Email::parse(e).map_err(|e| anyhow::anyhow!("{e}"))?;
            let user = store
                .user_by_email(&email)
                .await?
                .with_context(|| format!("no user with e-mail {email}"))?;
            (user, None)
        }
        None => {
            let email = Email::parse("demo@example.com").map_err(|e| anyhow::anyhow!("{e}"))?;
            match store.user_by_email(&email).await? {
                Some(u) => (u, None),
                None => {
                    let password = herald_web::auth::secret_token::generate()[..16].to_string();
                    let hash = herald_web::auth::password::hash(&password)
                        .await
                        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
                    let user = store
                        .create_user(
                            NewUser {
                                email: &email,
                                password_hash: &hash,
                                display_name: "Demo",
                                is_admin: true,
                            },
                            now,
                        )
                        .await?;
                    (user, Some(password))
                }
            }
        }
    };
    let tz = Timezone::parse("Europe/Moscow").map_err(|e| anyhow::anyhow!("{e}"))?;
    let name = WorkspaceName::parse("Demo: Кофейня «Зерно»").map_err(|e| anyhow::anyhow!("{e}"))?;
    let ws = store
        .create_workspace(user.id, &name, tz, Language::Ru, now)
        .await?;
    let empty = key.encrypt("{}")?;
    let settings = serde_json::json!({});
    let mut channels: Vec<ChannelId> = vec![];
    for title in ["Sandbox · VK", "Sandbox · Telegram"] {
        let ch = store
            .create_channel(
                ws.id,
                NewChannel {
                    platform: "sandbox",
                    name: title,
                    external_id: "",
                    settings: &settings,
                    credentials_encrypted: &empty,
                },
                now,
            )
            .await?;
        channels.push(ch.id);
    }
    // A week, twice a day at 10:00 and 18:00 Moscow time, starting with the next slot.
    let local_today = now.with_timezone(&tz.tz()).date_naive();
    let mut made = 0;
    for day in 0..8 {
        let date = local_today + Duration::days(day);
        for hour in [10, 18] {
            let Some(at) = NaiveTime::from_hms_opt(hour, 0, 0) else {
                continue;
            };
            let Some(local) = tz.tz().from_local_datetime(&date.and_time(at)).earliest() else {
                continue;
            };
            let at = local.with_timezone(&Utc);
            if at <= now || made >= 14 {
                continue;
            }
            let text = POSTS[(date.ordinal() as usize * 2 + hour as usize) % POSTS.len()];
            let draft = PostDraft {
                text: text.to_string(),
                labels: vec!["demo".into()],
                channels: channels.clone(),
                scheduled_at: Some(at),
                ..Default::default()
            };
            store.create_post(ws.id, user.id, &draft, now).await?;
            made += 1;
        }
    }
    println!(
        "Demo workspace {} created (id {}) with 2 sandbox channels and {made} scheduled posts.",
        name.as_str(),
        ws.id
    );
    match password {
        Some(p) => println!("Log in as demo@example.com with password {p}"),
        None => println!("Log in as {} to see it.", user.email),
    }
    println!(
        "Start Herald with: herald serve  — the posts appear in the sandbox feeds as they go out."
    );
    Ok(())
}

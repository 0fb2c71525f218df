//! [`Notifications`](crate::Notifications) for both backends: in-app notifications, each
//! person's preference, and the e-mail outbox with its leases. The outbox claim differs per
//! dialect only in its row locking (`$skip_locked`), as the deliveries' claim does.

use crate::time::{from_ms, from_ms_opt};
use crate::StoreError;
use herald_domain::tasks::{Notification, NotificationId};
use herald_domain::{UserId, WorkspaceId};

pub(crate) const NOTIFICATION_COLUMNS: &str =
    "id, user_id, workspace_id, kind, params, link, created_at, read_at, emailed_at";

#[derive(sqlx::FromRow)]
pub(crate) struct NotificationRow {
    id: i64,
    user_id: i64,
    workspace_id: i64,
    kind: String,
    params: String,
    link: String,
    created_at: i64,
    read_at: Option<i64>,
    emailed_at: Option<i64>,
}

impl TryFrom<NotificationRow> for Notification {
    type Error = StoreError;
    fn try_from(r: NotificationRow) -> Result<Self, StoreError> {
        Ok(Notification {
            id: NotificationId(r.id),
            user: UserId(r.user_id),
            workspace_id: WorkspaceId(r.workspace_id),
            kind: r.kind,
            params: serde_json::from_str(&r.params)
                .map_err(|e| super::corrupt("notifications", e))?,
            link: r.link,
            created_at: from_ms(r.created_at),
            read_at: from_ms_opt(r.read_at),
            emailed_at: from_ms_opt(r.emailed_at),
        })
    }
}

/// Expands `impl Notifications for SqlStore<$db>`.
macro_rules! notifications_impl {
    ($db:ty, $skip_locked:literal) => {
        #[async_trait::async_trait]
        impl $crate::Notifications for $crate::SqlStore<$db> {
            async fn recipients(
                &self,
                ws: herald_domain::WorkspaceId,
                users: &[herald_domain::UserId],
            ) -> $crate::Result<Vec<$crate::Recipient>> {
                let mut out = vec![];
                for u in users {
                    let row: Option<(i64, String, String, Option<String>, String, Option<String>)> =
                        sqlx::query_as(
                            "SELECT u.id, u.email, u.display_name, u.language, w.language, p.channel FROM memberships m \
                             JOIN users u ON u.id = m.user_id JOIN workspaces w ON w.id = m.workspace_id \
                             LEFT JOIN notification_prefs p ON p.user_id = u.id \
                             WHERE m.workspace_id = $1 AND m.user_id = $2",
                        )
                        .bind(ws.0)
                        .bind(u.0)
                        .fetch_optional(&self.pool)
                        .await?;
                    let Some((id, email, name, lang, ws_lang, channel)) = row else {
                        continue;
                    };
                    if out.iter().any(|r: &$crate::Recipient| r.user.0 == id) {
                        continue;
                    }
                    out.push($crate::Recipient {
                        user: herald_domain::UserId(id),
                        email: herald_domain::Email::parse(&email)
                            .map_err(|e| $crate::sql::corrupt("users", e))?,
                        display_name: name,
                        language: lang
                            .as_deref()
                            .and_then(herald_domain::Language::from_code)
                            .or_else(|| herald_domain::Language::from_code(&ws_lang))
                            .unwrap_or_default(),
                        channel: channel
                            .as_deref()
                            .and_then(herald_domain::tasks::NotifyChannel::parse)
                            .unwrap_or(herald_domain::tasks::NotifyChannel::Email),
                    });
                }
                Ok(out)
            }

            async fn notify(
                &self,
                ws: herald_domain::WorkspaceId,
                to: &[(herald_domain::UserId, Option<$crate::Mail>)],
                n: &$crate::NewNotification,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Vec<(herald_domain::UserId, herald_domain::tasks::NotificationId)>> {
                let at = $crate::time::to_ms(now);
                let params = n.params.to_string();
                let mut out = vec![];
                let mut tx = self.pool.begin().await?;
                for (user, mail) in to {
                    // Members only; a recipient who already has this key gets nothing.
                    let id: Option<i64> = sqlx::query_scalar(
                        "INSERT INTO notifications (user_id, workspace_id, kind, params, link, dedupe_key, created_at) \
                         SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS \
                           (SELECT 1 FROM memberships WHERE workspace_id = $2 AND user_id = $1) \
                         ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id",
                    )
                    .bind(user.0)
                    .bind(ws.0)
                    .bind(&n.kind)
                    .bind(&params)
                    .bind(&n.link)
                    .bind(n.dedupe_key.as_deref())
                    .bind(at)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(id) = id else { continue };
                    if let Some(m) = mail {
                        sqlx::query(
                            "INSERT INTO email_outbox (notification_id, to_address, subject, body, created_at, due_at) \
                             VALUES ($1, $2, $3, $4, $5, $5)",
                        )
                        .bind(id)
                        .bind(&m.to)
                        .bind(&m.subject)
                        .bind(&m.body)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                    }
                    out.push((*user, herald_domain::tasks::NotificationId(id)));
                }
                tx.commit().await?;
                Ok(out)
            }

            async fn notifications(
                &self,
                user: herald_domain::UserId,
                before: Option<i64>,
                limit: i64,
            ) -> $crate::Result<Vec<herald_domain::tasks::Notification>> {
                let sql = format!(
                    "SELECT {} FROM notifications WHERE user_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3",
                    $crate::sql::notifications::NOTIFICATION_COLUMNS
                );
                let rows: Vec<$crate::sql::notifications::NotificationRow> = sqlx::query_as(&sql)
                    .bind(user.0)
                    .bind(before.unwrap_or(i64::MAX))
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                $crate::sql::convert(rows)
            }

            async fn unread_count(&self, user: herald_domain::UserId) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar(
                    "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
                )
                .bind(user.0)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn mark_read(
                &self,
                user: herald_domain::UserId,
                id: herald_domain::tasks::NotificationId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<bool> {
                let r = sqlx::query(
                    "UPDATE notifications SET read_at = $3 WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
                )
                .bind(id.0)
                .bind(user.0)
                .bind($crate::time::to_ms(now))
                .execute(&self.pool)
                .await?;
                Ok(r.rows_affected() == 1)
            }

            async fn mark_all_read(
                &self,
                user: herald_domain::UserId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<u64> {
                let r = sqlx::query(
                    "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
                )
                .bind(user.0)
                .bind($crate::time::to_ms(now))
                .execute(&self.pool)
                .await?;
                Ok(r.rows_affected())
            }

            async fn notify_channel(
                &self,
                user: herald_domain::UserId,
            ) -> $crate::Result<herald_domain::tasks::NotifyChannel> {
                let raw: Option<String> =
                    sqlx::query_scalar("SELECT channel FROM notification_prefs WHERE user_id = $1")
                        .bind(user.0)
                        .fetch_optional(&self.pool)
                        .await?;
                Ok(raw
                    .as_deref()
                    .and_then(herald_domain::tasks::NotifyChannel::parse)
                    .unwrap_or(herald_domain::tasks::NotifyChannel::Email))
            }

            async fn set_notify_channel(
                &self,
                user: herald_domain::UserId,
                channel: herald_domain::tasks::NotifyChannel,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO notification_prefs (user_id, channel) VALUES ($1, $2) \
                     ON CONFLICT (user_id) DO UPDATE SET channel = excluded.channel",
                )
                .bind(user.0)
                .bind(channel.as_str())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn claim_mail(
                &self,
                worker: &str,
                now: chrono::DateTime<chrono::Utc>,
                lease_until: chrono::DateTime<chrono::Utc>,
                limit: i64,
            ) -> $crate::Result<Vec<$crate::ClaimedMail>> {
                let at = $crate::time::to_ms(now);
                let sql = concat!(
                    "UPDATE email_outbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1 \
                     WHERE sent_at IS NULL AND failed_at IS NULL AND id IN (SELECT o.id FROM email_outbox o \
                       WHERE o.sent_at IS NULL AND o.failed_at IS NULL AND o.due_at <= $3 \
                       AND (o.claimed_until IS NULL OR o.claimed_until <= $3) ORDER BY o.due_at, o.id LIMIT $4",
                    $skip_locked,
                    ") RETURNING id, to_address, subject, body, attempts"
                );
                let rows: Vec<(i64, String, String, String, i32)> = sqlx::query_as(sql)
                    .bind(worker)
                    .bind($crate::time::to_ms(lease_until))
                    .bind(at)
                    .bind(limit)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows
                    .into_iter()
                    .map(|(id, to, subject, body, attempts)| $crate::ClaimedMail {
                        id,
                        mail: $crate::Mail { to, subject, body },
                        attempts,
                    })
                    .collect())
            }

            async fn mail_sent(
                &self,
                id: i64,
                worker: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<bool> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let notification: Option<Option<i64>> = sqlx::query_scalar(
                    "UPDATE email_outbox SET sent_at = $3, claimed_by = NULL, claimed_until = NULL, last_error = NULL \
                     WHERE id = $1 AND claimed_by = $2 AND sent_at IS NULL RETURNING notification_id",
                )
                .bind(id)
                .bind(worker)
                .bind(at)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(notification) = notification else {
                    return Ok(false);
                };
                if let Some(n) = notification {
                    sqlx::query("UPDATE notifications SET emailed_at = $2 WHERE id = $1")
                        .bind(n)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn mail_failed(
                &self,
                id: i64,
                worker: &str,
                error: &str,
                retry_at: Option<chrono::DateTime<chrono::Utc>>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<bool> {
                // A retry moves the due time; giving up stamps failed_at.
                let (due, failed) = match retry_at {
                    Some(t) => (Some($crate::time::to_ms(t)), None),
                    None => (None, Some($crate::time::to_ms(now))),
                };
                let r = sqlx::query(
                    "UPDATE email_outbox SET due_at = COALESCE($3, due_at), failed_at = $4, last_error = $5, \
                     claimed_by = NULL, claimed_until = NULL WHERE id = $1 AND claimed_by = $2 AND sent_at IS NULL",
                )
                .bind(id)
                .bind(worker)
                .bind(due)
                .bind(failed)
                .bind(error)
                .execute(&self.pool)
                .await?;
                Ok(r.rows_affected() == 1)
            }

            async fn next_mail_due(&self) -> $crate::Result<Option<chrono::DateTime<chrono::Utc>>> {
                let next: Option<i64> = sqlx::query_scalar(
                    "SELECT MIN(CASE WHEN claimed_until IS NOT NULL AND claimed_until > due_at THEN claimed_until ELSE due_at END) \
                     FROM email_outbox WHERE sent_at IS NULL AND failed_at IS NULL",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::time::from_ms_opt(next))
            }

            async fn outbox_counts(&self) -> $crate::Result<$crate::OutboxCounts> {
                let (pending, sent, failed): (i64, i64, i64) = sqlx::query_as(
                    "SELECT COALESCE(SUM(CASE WHEN sent_at IS NULL AND failed_at IS NULL THEN 1 ELSE 0 END), 0), \
                     COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0), \
                     COALESCE(SUM(CASE WHEN failed_at IS NOT NULL THEN 1 ELSE 0 END), 0) FROM email_outbox",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok($crate::OutboxCounts {
                    pending,
                    sent,
                    failed,
                })
            }
        }
    };
}

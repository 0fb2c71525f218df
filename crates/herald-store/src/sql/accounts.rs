//! [`Accounts`](crate::Accounts) for both backends: users, sessions, API tokens and the
//! login throttle.

/// Expands `impl Accounts for SqlStore<$db>`.
macro_rules! accounts_impl {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::Accounts for $crate::SqlStore<$db> {
            async fn create_user(
                &self,
                new: $crate::NewUser<'_>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::User> {
                let at = $crate::time::to_ms(now);
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO users (email, email_lower, password_hash, display_name, is_admin, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
                )
                .bind(new.email.as_str())
                .bind(new.email.as_str().to_lowercase())
                .bind(new.password_hash)
                .bind(new.display_name)
                .bind(new.is_admin)
                .bind(at)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| $crate::error::unique(e, "a user with this e-mail already exists"))?;
                self.user(herald_domain::UserId(id))
                    .await?
                    .ok_or($crate::StoreError::NotFound)
            }

            async fn user(&self, id: herald_domain::UserId) -> $crate::Result<Option<herald_domain::User>> {
                let sql = format!("SELECT {} FROM users u WHERE u.id = $1", $crate::sql::USER_COLUMNS);
                let row: Option<$crate::sql::UserRow> =
                    sqlx::query_as(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn user_by_email(
                &self,
                email: &herald_domain::Email,
            ) -> $crate::Result<Option<herald_domain::User>> {
                let sql = format!("SELECT {} FROM users u WHERE u.email_lower = $1", $crate::sql::USER_COLUMNS);
                let row: Option<$crate::sql::UserRow> = sqlx::query_as(&sql)
                    .bind(email.as_str().to_lowercase())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn count_users(&self) -> $crate::Result<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(&self.pool).await?)
            }

            async fn password_hash(&self, id: herald_domain::UserId) -> $crate::Result<Option<String>> {
                Ok(sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?)
            }

            async fn set_password_hash(
                &self,
                id: herald_domain::UserId,
                hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let done = sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
                    .bind(hash)
                    .bind($crate::time::to_ms(now))
                    .bind(id.0)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn update_profile(
                &self,
                id: herald_domain::UserId,
                display_name: &str,
                language: Option<herald_domain::Language>,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let done = sqlx::query(
                    "UPDATE users SET display_name = $1, language = $2, updated_at = $3 WHERE id = $4",
                )
                .bind(display_name)
                .bind(language.map(|l| l.code()))
                .bind($crate::time::to_ms(now))
                .bind(id.0)
                .execute(&self.pool)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn create_session(
                &self,
                user: herald_domain::UserId,
                token_hash: &str,
                csrf_token: &str,
                now: chrono::DateTime<chrono::Utc>,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                sqlx::query(
                    "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token_hash)
                .bind(user.0)
                .bind(csrf_token)
                .bind($crate::time::to_ms(now))
                .bind($crate::time::to_ms(expires_at))
                .execute(&self.pool)
                .await?;
                // Expired sessions are swept whenever a new one starts: no separate job needed.
                sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind($crate::time::to_ms(now))
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Option<$crate::SessionRecord>> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    #[sqlx(flatten)]
                    user: $crate::sql::UserRow,
                    csrf_token: String,
                    expires_at: i64,
                }
                let sql = format!(
                    "SELECT {}, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
                     WHERE s.token_hash = $1 AND s.expires_at > $2",
                    $crate::sql::USER_COLUMNS
                );
                let row: Option<Row> = sqlx::query_as(&sql)
                    .bind(token_hash)
                    .bind($crate::time::to_ms(now))
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| {
                    Ok($crate::SessionRecord {
                        user: r.user.try_into()?,
                        csrf_token: r.csrf_token,
                        expires_at: $crate::time::from_ms(r.expires_at),
                    })
                })
                .transpose()
            }

            async fn delete_session(&self, token_hash: &str) -> $crate::Result<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_other_sessions(
                &self,
                user: herald_domain::UserId,
                keep_token_hash: &str,
            ) -> $crate::Result<()> {
                sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
                    .bind(user.0)
                    .bind(keep_token_hash)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn create_api_token(
                &self,
                user: herald_domain::UserId,
                name: &str,
                prefix: &str,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::ApiToken> {
                let row: $crate::sql::ApiTokenRow = sqlx::query_as(
                    "INSERT INTO api_tokens (user_id, name, prefix, token_hash, created_at) VALUES ($1, $2, $3, $4, $5) \
                     RETURNING id, name, prefix, created_at, last_used_at",
                )
                .bind(user.0)
                .bind(name)
                .bind(prefix)
                .bind(token_hash)
                .bind($crate::time::to_ms(now))
                .fetch_one(&self.pool)
                .await?;
                Ok(row.into())
            }

            async fn api_tokens(&self, user: herald_domain::UserId) -> $crate::Result<Vec<herald_domain::ApiToken>> {
                let rows: Vec<$crate::sql::ApiTokenRow> = sqlx::query_as(
                    "SELECT id, name, prefix, created_at, last_used_at FROM api_tokens \
                     WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id DESC",
                )
                .bind(user.0)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }

            async fn revoke_api_token(
                &self,
                user: herald_domain::UserId,
                id: herald_domain::ApiTokenId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<bool> {
                let done = sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
                )
                .bind($crate::time::to_ms(now))
                .bind(id.0)
                .bind(user.0)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn user_by_api_token(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<Option<herald_domain::User>> {
                let user_id: Option<i64> = sqlx::query_scalar(
                    "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL RETURNING user_id",
                )
                .bind($crate::time::to_ms(now))
                .bind(token_hash)
                .fetch_optional(&self.pool)
                .await?;
                match user_id {
                    Some(id) => self.user(herald_domain::UserId(id)).await,
                    None => Ok(None),
                }
            }

            async fn login_failures(
                &self,
                key: &str,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<i64> {
                let n: Option<i64> = sqlx::query_scalar(
                    "SELECT failures FROM login_throttle WHERE key = $1 AND window_start > $2",
                )
                .bind(key)
                .bind($crate::time::to_ms(since))
                .fetch_optional(&self.pool)
                .await?;
                Ok(n.unwrap_or(0))
            }

            async fn record_login_failure(
                &self,
                key: &str,
                now: chrono::DateTime<chrono::Utc>,
                window_start_after: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<i64> {
                // One statement, so concurrent failures from several processes all count.
                Ok(sqlx::query_scalar(
                    "INSERT INTO login_throttle (key, failures, window_start) VALUES ($1, 1, $2) \
                     ON CONFLICT (key) DO UPDATE SET \
                       failures = CASE WHEN login_throttle.window_start > $3 THEN login_throttle.failures + 1 ELSE 1 END, \
                       window_start = CASE WHEN login_throttle.window_start > $3 THEN login_throttle.window_start ELSE $2 END \
                     RETURNING failures",
                )
                .bind(key)
                .bind($crate::time::to_ms(now))
                .bind($crate::time::to_ms(window_start_after))
                .fetch_one(&self.pool)
                .await?)
            }

            async fn clear_login_failures(&self, key: &str) -> $crate::Result<()> {
                sqlx::query("DELETE FROM login_throttle WHERE key = $1")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
        }
    };
}

//! [`Workspaces`](crate::Workspaces) for both backends: workspaces, memberships, invitations
//! and the audit log. Every statement carries the workspace id.

/// Writes one audit entry on the given executor (usually the open transaction).
macro_rules! insert_audit {
    ($exec:expr, $ws:expr, $actor:expr, $action:expr, $target:expr, $details:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO audit_log (workspace_id, actor_user_id, action, target, details, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind($ws)
        .bind($actor)
        .bind($action)
        .bind($target)
        .bind($details.to_string())
        .bind($at)
        .execute($exec)
        .await
    };
}

/// Counts the owners of a workspace on the given executor.
macro_rules! owner_count {
    ($exec:expr, $ws:expr) => {
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM memberships WHERE workspace_id = $1 AND role = 'owner'",
        )
        .bind($ws)
        .fetch_one($exec)
        .await
    };
}

/// Takes the workspace row's write lock first, so concurrent membership changes of one
/// workspace run one after the other and the "at least one owner" check cannot be raced.
/// (On SQLite the first write of a transaction takes the database's write lock.)
macro_rules! lock_workspace {
    ($exec:expr, $ws:expr) => {
        sqlx::query("UPDATE workspaces SET updated_at = updated_at WHERE id = $1")
            .bind($ws)
            .execute($exec)
            .await
    };
}

/// Expands `impl Workspaces for SqlStore<$db>`.
macro_rules! workspaces_impl {
    ($db:ty) => {
        #[async_trait::async_trait]
        impl $crate::Workspaces for $crate::SqlStore<$db> {
            async fn create_workspace(
                &self,
                owner: herald_domain::UserId,
                name: &herald_domain::WorkspaceName,
                timezone: herald_domain::Timezone,
                language: herald_domain::Language,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::Workspace> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO workspaces (name, timezone, language, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id",
                )
                .bind(name.as_str())
                .bind(timezone.name())
                .bind(language.code())
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                sqlx::query("INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
                    .bind(id)
                    .bind(owner.0)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                insert_audit!(
                    &mut *tx, id, Some(owner.0), "workspace.created", format!("workspace:{id}"),
                    serde_json::json!({"name": name.as_str(), "timezone": timezone.name(), "language": language.code()}), at
                )?;
                tx.commit().await?;
                self.workspace(herald_domain::WorkspaceId(id))
                    .await?
                    .ok_or($crate::StoreError::NotFound)
            }

            async fn workspace(
                &self,
                id: herald_domain::WorkspaceId,
            ) -> $crate::Result<Option<herald_domain::Workspace>> {
                let sql = format!("SELECT {} FROM workspaces w WHERE w.id = $1", $crate::sql::WORKSPACE_COLUMNS);
                let row: Option<$crate::sql::WorkspaceRow> =
                    sqlx::query_as(&sql).bind(id.0).fetch_optional(&self.pool).await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn workspaces_of(
                &self,
                user: herald_domain::UserId,
            ) -> $crate::Result<Vec<(herald_domain::Workspace, herald_domain::Role)>> {
                let sql = format!(
                    "SELECT {}, m.role FROM workspaces w JOIN memberships m ON m.workspace_id = w.id \
                     WHERE m.user_id = $1 ORDER BY LOWER(w.name), w.id",
                    $crate::sql::WORKSPACE_COLUMNS
                );
                let rows: Vec<$crate::sql::WorkspaceRoleRow> =
                    sqlx::query_as(&sql).bind(user.0).fetch_all(&self.pool).await?;
                $crate::sql::convert(rows)
            }

            async fn role_of(
                &self,
                ws: herald_domain::WorkspaceId,
                user: herald_domain::UserId,
            ) -> $crate::Result<Option<herald_domain::Role>> {
                let raw: Option<String> = sqlx::query_scalar(
                    "SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2",
                )
                .bind(ws.0)
                .bind(user.0)
                .fetch_optional(&self.pool)
                .await?;
                raw.map(|r| {
                    herald_domain::Role::parse(&r).ok_or($crate::StoreError::Corrupt {
                        table: "memberships",
                        message: format!("unknown role '{r}'"),
                    })
                })
                .transpose()
            }

            async fn update_workspace(
                &self,
                actor: herald_domain::UserId,
                ws: herald_domain::WorkspaceId,
                name: &herald_domain::WorkspaceName,
                timezone: herald_domain::Timezone,
                language: herald_domain::Language,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::Workspace> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE workspaces SET name = $1, timezone = $2, language = $3, updated_at = $4 WHERE id = $5",
                )
                .bind(name.as_str())
                .bind(timezone.name())
                .bind(language.code())
                .bind(at)
                .bind(ws.0)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                insert_audit!(
                    &mut *tx, ws.0, Some(actor.0), "workspace.updated", format!("workspace:{}", ws.0),
                    serde_json::json!({"name": name.as_str(), "timezone": timezone.name(), "language": language.code()}), at
                )?;
                tx.commit().await?;
                self.workspace(ws).await?.ok_or($crate::StoreError::NotFound)
            }

            async fn delete_workspace(&self, ws: herald_domain::WorkspaceId) -> $crate::Result<()> {
                let done = sqlx::query("DELETE FROM workspaces WHERE id = $1")
                    .bind(ws.0)
                    .execute(&self.pool)
                    .await?;
                if done.rows_affected() == 0 {
                    return Err($crate::StoreError::NotFound);
                }
                Ok(())
            }

            async fn members(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<herald_domain::Member>> {
                let rows: Vec<$crate::sql::MemberRow> = sqlx::query_as(
                    "SELECT m.user_id, u.email, u.display_name, m.role, m.created_at FROM memberships m \
                     JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 ORDER BY m.created_at, m.user_id",
                )
                .bind(ws.0)
                .fetch_all(&self.pool)
                .await?;
                $crate::sql::convert(rows)
            }

            async fn set_member_role(
                &self,
                actor: herald_domain::UserId,
                ws: herald_domain::WorkspaceId,
                user: herald_domain::UserId,
                role: herald_domain::Role,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                lock_workspace!(&mut *tx, ws.0)?;
                let old: Option<String> = sqlx::query_scalar(
                    "SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2",
                )
                .bind(ws.0)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
                sqlx::query("UPDATE memberships SET role = $1 WHERE workspace_id = $2 AND user_id = $3")
                    .bind(role.as_str())
                    .bind(ws.0)
                    .bind(user.0)
                    .execute(&mut *tx)
                    .await?;
                let Some(old) = old else {
                    return Err($crate::StoreError::NotFound);
                };
                if owner_count!(&mut *tx, ws.0)? == 0 {
                    return Err($crate::StoreError::Conflict("a workspace must keep at least one owner"));
                }
                insert_audit!(
                    &mut *tx, ws.0, Some(actor.0), "member.role_changed", format!("user:{}", user.0),
                    serde_json::json!({"from": old, "to": role.as_str()}), at
                )?;
                tx.commit().await?;
                Ok(())
            }

            async fn remove_member(
                &self,
                actor: herald_domain::UserId,
                ws: herald_domain::WorkspaceId,
                user: herald_domain::UserId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                lock_workspace!(&mut *tx, ws.0)?;
                let old: Option<String> = sqlx::query_scalar(
                    "DELETE FROM memberships WHERE workspace_id = $1 AND user_id = $2 RETURNING role",
                )
                .bind(ws.0)
                .bind(user.0)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(old) = old else {
                    return Err($crate::StoreError::NotFound);
                };
                if owner_count!(&mut *tx, ws.0)? == 0 {
                    return Err($crate::StoreError::Conflict("a workspace must keep at least one owner"));
                }
                insert_audit!(
                    &mut *tx, ws.0, Some(actor.0), "member.removed", format!("user:{}", user.0),
                    serde_json::json!({"role": old}), at
                )?;
                tx.commit().await?;
                Ok(())
            }

            async fn create_invitation(
                &self,
                actor: herald_domain::UserId,
                ws: herald_domain::WorkspaceId,
                email: &herald_domain::Email,
                role: herald_domain::Role,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::Invitation> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let sql = format!(
                    "INSERT INTO invitations (workspace_id, email, role, token_hash, invited_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {}",
                    $crate::sql::INVITATION_COLUMNS
                );
                let row: $crate::sql::InvitationRow = sqlx::query_as(&sql)
                    .bind(ws.0)
                    .bind(email.as_str())
                    .bind(role.as_str())
                    .bind(token_hash)
                    .bind(actor.0)
                    .bind(at)
                    .bind($crate::time::to_ms(expires_at))
                    .fetch_one(&mut *tx)
                    .await?;
                insert_audit!(
                    &mut *tx, ws.0, Some(actor.0), "invitation.created", format!("invitation:{}", row.id),
                    serde_json::json!({"email": email.as_str(), "role": role.as_str()}), at
                )?;
                tx.commit().await?;
                row.try_into()
            }

            async fn invitations(
                &self,
                ws: herald_domain::WorkspaceId,
            ) -> $crate::Result<Vec<herald_domain::Invitation>> {
                let sql = format!(
                    "SELECT {} FROM invitations WHERE workspace_id = $1 ORDER BY id DESC",
                    $crate::sql::INVITATION_COLUMNS
                );
                let rows: Vec<$crate::sql::InvitationRow> =
                    sqlx::query_as(&sql).bind(ws.0).fetch_all(&self.pool).await?;
                $crate::sql::convert(rows)
            }

            async fn revoke_invitation(
                &self,
                actor: herald_domain::UserId,
                ws: herald_domain::WorkspaceId,
                id: herald_domain::InvitationId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<bool> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                let done = sqlx::query(
                    "UPDATE invitations SET revoked_at = $1 WHERE id = $2 AND workspace_id = $3 \
                     AND revoked_at IS NULL AND accepted_at IS NULL",
                )
                .bind(at)
                .bind(id.0)
                .bind(ws.0)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                insert_audit!(
                    &mut *tx, ws.0, Some(actor.0), "invitation.revoked", format!("invitation:{}", id.0),
                    serde_json::json!({}), at
                )?;
                tx.commit().await?;
                Ok(true)
            }

            async fn invitation_by_token(
                &self,
                token_hash: &str,
            ) -> $crate::Result<Option<herald_domain::Invitation>> {
                let sql = format!("SELECT {} FROM invitations WHERE token_hash = $1", $crate::sql::INVITATION_COLUMNS);
                let row: Option<$crate::sql::InvitationRow> =
                    sqlx::query_as(&sql).bind(token_hash).fetch_optional(&self.pool).await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn accept_invitation(
                &self,
                id: herald_domain::InvitationId,
                user: herald_domain::UserId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<herald_domain::Role> {
                let at = $crate::time::to_ms(now);
                let mut tx = self.pool.begin().await?;
                // The conditional UPDATE is the claim: of two concurrent accepts only one wins.
                let claimed: Option<(i64, String)> = sqlx::query_as(
                    "UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3 \
                     AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $1 RETURNING workspace_id, role",
                )
                .bind(at)
                .bind(user.0)
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((ws, role)) = claimed else {
                    return Err($crate::StoreError::Conflict("the invitation is expired, revoked or already used"));
                };
                sqlx::query(
                    "INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (workspace_id, user_id) DO NOTHING",
                )
                .bind(ws)
                .bind(user.0)
                .bind(&role)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                let effective: String = sqlx::query_scalar(
                    "SELECT role FROM memberships WHERE workspace_id = $1 AND user_id = $2",
                )
                .bind(ws)
                .bind(user.0)
                .fetch_one(&mut *tx)
                .await?;
                insert_audit!(
                    &mut *tx, ws, Some(user.0), "invitation.accepted", format!("invitation:{}", id.0),
                    serde_json::json!({"role": effective}), at
                )?;
                tx.commit().await?;
                herald_domain::Role::parse(&effective).ok_or($crate::StoreError::Corrupt {
                    table: "memberships",
                    message: format!("unknown role '{effective}'"),
                })
            }

            async fn record_audit(
                &self,
                ws: herald_domain::WorkspaceId,
                actor: Option<herald_domain::UserId>,
                action: &str,
                target: &str,
                details: &serde_json::Value,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::Result<()> {
                insert_audit!(
                    &self.pool, ws.0, actor.map(|a| a.0), action, target, details, $crate::time::to_ms(now)
                )?;
                Ok(())
            }

            async fn audit_log(
                &self,
                ws: herald_domain::WorkspaceId,
                before: Option<i64>,
                limit: i64,
            ) -> $crate::Result<Vec<herald_domain::AuditEntry>> {
                let rows: Vec<$crate::sql::AuditRow> = sqlx::query_as(
                    "SELECT a.id, a.workspace_id, a.actor_user_id, u.email AS actor_email, a.action, a.target, \
                     a.details, a.created_at FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user_id \
                     WHERE a.workspace_id = $1 AND a.id < $2 ORDER BY a.id DESC LIMIT $3",
                )
                .bind(ws.0)
                .bind(before.unwrap_or(i64::MAX))
                .bind(limit.clamp(1, 500))
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }
    };
}

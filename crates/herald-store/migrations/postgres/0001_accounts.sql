-- Accounts, workspaces, memberships, invitations, API tokens, sessions, audit log.
-- Every instant is stored as BIGINT milliseconds since the Unix epoch (UTC), the same in both
-- dialects, so comparisons and ordering are exact and the SQL stays identical.

CREATE TABLE users (
    id              BIGSERIAL PRIMARY KEY,
    email           TEXT    NOT NULL,
    email_lower     TEXT    NOT NULL UNIQUE,
    password_hash   TEXT    NOT NULL,
    display_name    TEXT    NOT NULL DEFAULT '',
    language        TEXT,
    is_admin        BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE sessions (
    id              BIGSERIAL PRIMARY KEY,
    token_hash      TEXT    NOT NULL UNIQUE,
    user_id         BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token      TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    prefix          TEXT    NOT NULL,
    token_hash      TEXT    NOT NULL UNIQUE,
    created_at      BIGINT  NOT NULL,
    last_used_at    BIGINT,
    revoked_at      BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE workspaces (
    id              BIGSERIAL PRIMARY KEY,
    name            TEXT    NOT NULL,
    timezone        TEXT    NOT NULL,
    language        TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE memberships (
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id         BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE invitations (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email           TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    token_hash      TEXT    NOT NULL UNIQUE,
    invited_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL,
    accepted_at     BIGINT,
    accepted_by     BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    revoked_at      BIGINT
);
CREATE INDEX invitations_workspace ON invitations(workspace_id);

CREATE TABLE audit_log (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    actor_user_id   BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    action          TEXT    NOT NULL,
    target          TEXT    NOT NULL,
    details         TEXT    NOT NULL DEFAULT '{}',
    created_at      BIGINT  NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log(workspace_id, id);

-- Failed-login counters per key ('account:<email>' or 'ip:<addr>'), shared by every process.
CREATE TABLE login_throttle (
    key             TEXT    PRIMARY KEY,
    failures        BIGINT  NOT NULL,
    window_start    BIGINT  NOT NULL
);

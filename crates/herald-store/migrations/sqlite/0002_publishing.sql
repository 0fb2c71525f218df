-- Channels, posts with per-channel variants, media, and deliveries with their attempts.
-- A delivery is one post going to one channel; its row is the unit the engine claims.

CREATE TABLE channels (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    platform        TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    external_id     TEXT    NOT NULL DEFAULT '',
    settings        TEXT    NOT NULL DEFAULT '{}',
    -- AES-256-GCM under the instance key; never leaves the server.
    credentials     TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'ok',
    status_reason   TEXT,
    not_before      BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX channels_workspace ON channels(workspace_id);

CREATE TABLE media (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    sha256          TEXT    NOT NULL,
    filename        TEXT    NOT NULL,
    mime            TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    bytes           BIGINT  NOT NULL,
    width           BIGINT,
    height          BIGINT,
    duration_ms     BIGINT,
    alt_text        TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    UNIQUE (workspace_id, sha256)
);

CREATE TABLE posts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    status          TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    link            TEXT,
    first_comment   TEXT,
    labels          TEXT    NOT NULL DEFAULT '[]',
    media           TEXT    NOT NULL DEFAULT '[]',
    scheduled_at    BIGINT,
    created_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    deleted_at      BIGINT
);
CREATE INDEX posts_workspace_time ON posts(workspace_id, scheduled_at);

CREATE TABLE post_channels (
    post_id         BIGINT  NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id      BIGINT  NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    workspace_id    BIGINT  NOT NULL,
    -- The variant: NULL keeps the post's own value.
    text            TEXT,
    link            TEXT,
    first_comment   TEXT,
    media           TEXT,
    PRIMARY KEY (post_id, channel_id)
);

CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id         BIGINT  NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    channel_id      BIGINT  NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    state           TEXT    NOT NULL,
    due_at          BIGINT  NOT NULL,
    attempt         INTEGER NOT NULL DEFAULT 0,
    worker          TEXT,
    lease_until     BIGINT,
    -- Set when an outcome was unknown: the next claim must reconcile before sending.
    needs_reconcile BOOLEAN NOT NULL DEFAULT FALSE,
    -- When it was first marked sending: reconciliation looks for the post from then on.
    first_sent_at   BIGINT,
    -- Stable for the delivery's whole life: the platform idempotency key and our marker.
    idempotency_key TEXT    NOT NULL UNIQUE,
    remote_id       TEXT,
    remote_url      TEXT,
    error           TEXT,
    published_at    BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (post_id, channel_id)
);
CREATE INDEX deliveries_due ON deliveries(state, due_at);
CREATE INDEX deliveries_lease ON deliveries(state, lease_until);

CREATE TABLE delivery_attempts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id     BIGINT  NOT NULL REFERENCES deliveries(id) ON DELETE CASCADE,
    workspace_id    BIGINT  NOT NULL,
    attempt         INTEGER NOT NULL,
    worker          TEXT    NOT NULL,
    started_at      BIGINT  NOT NULL,
    finished_at     BIGINT  NOT NULL,
    outcome         TEXT    NOT NULL,
    detail          TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts(delivery_id, id);

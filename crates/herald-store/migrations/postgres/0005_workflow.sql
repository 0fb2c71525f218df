-- Team workflow: each workspace's approval mode, each post's workflow status (beside the
-- delivery-driven `status`), the approval history, comments with their mentions, and share
-- links for clients without an account.
--
-- The publishing gate reads `workflow_settings.mode` and `posts.workflow_status` inside the
-- statement that marks a delivery `sending` (sql/deliveries.rs). `approval_version` counts
-- every change of a post's workflow state; the delivery records the version it was sent
-- under (`sent_approval_version`), so the history proves what the gate saw.

CREATE TABLE workflow_settings (
    workspace_id    BIGINT  PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    -- none | optional | required | multi_level
    mode            TEXT    NOT NULL DEFAULT 'none',
    -- JSON array of user ids, in approval order (multi_level only).
    approvers       TEXT    NOT NULL DEFAULT '[]',
    updated_at      BIGINT  NOT NULL
);

ALTER TABLE posts ADD COLUMN workflow_status TEXT NOT NULL DEFAULT 'draft';
-- Levels approved in the current review round (multi-level chains).
ALTER TABLE posts ADD COLUMN approval_level INTEGER NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN approval_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE deliveries ADD COLUMN sent_approval_version BIGINT;

CREATE TABLE workflow_history (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id         BIGINT  NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    -- The post's approval_version after this change.
    version         BIGINT  NOT NULL,
    from_status     TEXT    NOT NULL,
    to_status       TEXT    NOT NULL,
    decision        TEXT    NOT NULL,
    level           INTEGER,
    actor_user_id   BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    guest_name      TEXT,
    note            TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL
);
CREATE INDEX workflow_history_post ON workflow_history(post_id, id);

CREATE TABLE post_comments (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    post_id         BIGINT  NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    author_user_id  BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    guest_name      TEXT,
    body            TEXT    NOT NULL,
    -- JSON array of mentioned user ids.
    mentions        TEXT    NOT NULL DEFAULT '[]',
    created_at      BIGINT  NOT NULL
);
CREATE INDEX post_comments_post ON post_comments(post_id, id);

CREATE TABLE share_links (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- SHA-256 of the token; the token itself is shown once.
    token_hash      TEXT    NOT NULL UNIQUE,
    label           TEXT    NOT NULL DEFAULT '',
    -- What the link covers: one post, or posts scheduled in [from_at, to_at), or all.
    post_id         BIGINT  REFERENCES posts(id) ON DELETE CASCADE,
    from_at         BIGINT,
    to_at           BIGINT,
    expires_at      BIGINT  NOT NULL,
    revoked_at      BIGINT,
    created_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX share_links_workspace ON share_links(workspace_id, id);

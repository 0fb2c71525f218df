-- Tasks for the team (copywriting, design, review) and the notification system: in-app
-- notifications, each person's delivery preference, and the e-mail outbox that a worker
-- sends from. An e-mail is written to the outbox in the same transaction as its
-- notification, so none is lost across a crash.

CREATE TABLE tasks (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    -- copywriting, design, review, other
    kind            TEXT    NOT NULL,
    -- todo, in_progress, done
    status          TEXT    NOT NULL DEFAULT 'todo',
    assignee_id     BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    due_at          BIGINT,
    post_id         BIGINT  REFERENCES posts(id) ON DELETE SET NULL,
    plan_slot_id    BIGINT  REFERENCES plan_slots(id) ON DELETE SET NULL,
    created_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    done_at         BIGINT
);
CREATE INDEX tasks_workspace_due ON tasks(workspace_id, status, due_at);
CREATE INDEX tasks_assignee ON tasks(assignee_id, status, due_at);

CREATE TABLE notifications (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    -- A word such as 'task.assigned'; the UI renders 'notif.<kind>' with params.
    kind            TEXT    NOT NULL,
    params          TEXT    NOT NULL DEFAULT '{}',
    link            TEXT    NOT NULL DEFAULT '',
    -- Set by callers that must never notify twice for the same event (NULLs never collide).
    dedupe_key      TEXT,
    created_at      BIGINT  NOT NULL,
    read_at         BIGINT,
    emailed_at      BIGINT,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user ON notifications(user_id, id);

-- How each person wants notifications; no row means the default ('email').
CREATE TABLE notification_prefs (
    user_id         BIGINT  PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    channel         TEXT    NOT NULL
);

CREATE TABLE email_outbox (
    id              BIGSERIAL PRIMARY KEY,
    notification_id BIGINT  REFERENCES notifications(id) ON DELETE SET NULL,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    -- When the next attempt may start (backoff after a failure).
    due_at          BIGINT  NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    -- The worker holding it and until when; an expired lease returns it to the queue.
    claimed_by      TEXT,
    claimed_until   BIGINT,
    sent_at         BIGINT,
    failed_at       BIGINT
);
CREATE INDEX email_outbox_due ON email_outbox(sent_at, failed_at, due_at);

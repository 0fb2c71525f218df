-- Planning foundation: the strategy's content pillars, each post's pillar and assignee, and
-- the slots of the content plan. A slot is one place in the month on one channel; a post
-- fills it, or it stays open (a task for the team). Further strategy tables (personas,
-- goals, tone, competitors) and the workflow come in later migrations.

CREATE TABLE content_pillars (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    purpose         TEXT    NOT NULL DEFAULT '',
    -- The pillar's target share of posts, 0..=100.
    share_percent   INTEGER NOT NULL DEFAULT 0,
    -- A CSS colour (#rrggbb) for the calendar.
    colour          TEXT    NOT NULL DEFAULT '#6b7280',
    promotional     BOOLEAN NOT NULL DEFAULT FALSE,
    position        INTEGER NOT NULL DEFAULT 0,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (workspace_id, name)
);

ALTER TABLE posts ADD COLUMN pillar_id BIGINT REFERENCES content_pillars(id) ON DELETE SET NULL;
ALTER TABLE posts ADD COLUMN assignee_id BIGINT REFERENCES users(id) ON DELETE SET NULL;

CREATE TABLE plan_slots (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    channel_id      BIGINT  NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    -- The slot's instant, milliseconds since the epoch, UTC.
    at              BIGINT  NOT NULL,
    pillar_id       BIGINT  REFERENCES content_pillars(id) ON DELETE SET NULL,
    brief           TEXT    NOT NULL DEFAULT '',
    -- The post that fills the slot; NULL while it is open.
    post_id         BIGINT  REFERENCES posts(id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX plan_slots_workspace_time ON plan_slots(workspace_id, at);
CREATE INDEX plan_slots_post ON plan_slots(post_id);

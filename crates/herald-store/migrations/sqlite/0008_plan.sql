-- The content plan's settings and its evergreen recycling. Per workspace: blackout dates and
-- the persona/goal text woven into briefs; per channel: the frequency rule the generator
-- expands (JSON of herald_domain::plan::FrequencyRule without the channel). Slots gain
-- `edited` (changed by hand: kept on regeneration like a filled slot) and an evergreen
-- category whose posts recycle into them.

CREATE TABLE plan_settings (
    workspace_id    BIGINT  PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    -- JSON array of local dates, "YYYY-MM-DD".
    blackout_dates  TEXT    NOT NULL DEFAULT '[]',
    persona         TEXT    NOT NULL DEFAULT '',
    goal            TEXT    NOT NULL DEFAULT '',
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE evergreen_categories (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    -- fifo | lifo | random
    pick_order      TEXT    NOT NULL DEFAULT 'fifo',
    max_reuse       INTEGER NOT NULL DEFAULT 3,
    min_gap_days    INTEGER NOT NULL DEFAULT 30,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE evergreen_posts (
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    category_id     BIGINT  NOT NULL REFERENCES evergreen_categories(id) ON DELETE CASCADE,
    post_id         BIGINT  NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    use_count       INTEGER NOT NULL DEFAULT 0,
    last_used_at    BIGINT,
    added_at        BIGINT  NOT NULL,
    PRIMARY KEY (category_id, post_id)
);

CREATE TABLE plan_rules (
    channel_id      BIGINT  PRIMARY KEY REFERENCES channels(id) ON DELETE CASCADE,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    rule            TEXT    NOT NULL,
    -- Slots generated from this rule recycle this category's posts.
    evergreen_category_id BIGINT REFERENCES evergreen_categories(id) ON DELETE SET NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX plan_rules_workspace ON plan_rules(workspace_id);

ALTER TABLE plan_slots ADD COLUMN edited BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE plan_slots ADD COLUMN evergreen_category_id BIGINT REFERENCES evergreen_categories(id) ON DELETE SET NULL;
CREATE INDEX plan_slots_channel_time ON plan_slots(channel_id, at);

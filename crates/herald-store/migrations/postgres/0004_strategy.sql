-- The rest of a workspace's strategy (pillars are in 0003): audience personas, goals with
-- their KPIs, the tone of voice (one per workspace) and competitors with their accounts.
-- Lists of short items are JSON arrays of strings in TEXT; dates are 'YYYY-MM-DD'.

CREATE TABLE personas (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    demographics    TEXT    NOT NULL DEFAULT '',
    interests       TEXT    NOT NULL DEFAULT '[]',
    pains           TEXT    NOT NULL DEFAULT '[]',
    online          TEXT    NOT NULL DEFAULT '[]',
    formats         TEXT    NOT NULL DEFAULT '[]',
    times           TEXT    NOT NULL DEFAULT '[]',
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE goals (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    -- followers, engagement_rate, reach, clicks, posts, response_time, custom
    metric          TEXT    NOT NULL,
    baseline        DOUBLE PRECISION,
    target          DOUBLE PRECISION NOT NULL,
    unit            TEXT    NOT NULL DEFAULT '',
    start_date      TEXT    NOT NULL,
    due_date        TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX goals_workspace ON goals(workspace_id, due_date);

CREATE TABLE tones (
    workspace_id    BIGINT  PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    summary         TEXT    NOT NULL DEFAULT '',
    words_to_use    TEXT    NOT NULL DEFAULT '[]',
    words_to_avoid  TEXT    NOT NULL DEFAULT '[]',
    examples        TEXT    NOT NULL DEFAULT '[]',
    updated_at      BIGINT  NOT NULL
);

CREATE TABLE competitors (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name            TEXT    NOT NULL,
    strengths       TEXT    NOT NULL DEFAULT '[]',
    weaknesses      TEXT    NOT NULL DEFAULT '[]',
    notes           TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (workspace_id, name)
);

-- One row per account, so the analytics collector can list every tracked account at once.
CREATE TABLE competitor_accounts (
    id              BIGSERIAL PRIMARY KEY,
    workspace_id    BIGINT  NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    competitor_id   BIGINT  NOT NULL REFERENCES competitors(id) ON DELETE CASCADE,
    platform        TEXT    NOT NULL,
    handle          TEXT    NOT NULL,
    position        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX competitor_accounts_competitor ON competitor_accounts(competitor_id, position);

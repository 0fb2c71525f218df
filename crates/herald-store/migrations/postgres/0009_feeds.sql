-- A workspace's calendar feed: one secret URL (/ical/{token}.ics) that calendar apps poll.
-- Only the token's SHA-256 is kept; rotating replaces it (the old URL stops working at once),
-- revoking deletes the row.

CREATE TABLE calendar_feeds (
    workspace_id    BIGINT  PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    token_hash      TEXT    NOT NULL UNIQUE,
    created_by      BIGINT  REFERENCES users(id) ON DELETE SET NULL,
    -- When the current token was made, milliseconds since the epoch, UTC.
    created_at      BIGINT  NOT NULL
);

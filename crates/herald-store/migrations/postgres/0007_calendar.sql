-- The calendar: one index that answers a month of one workspace on its own (an index-only
-- scan). A calendar card needs a post's time, status, pillar, assignee and the start of its
-- text; with those in the index, a month is a few neighbouring index pages instead of one
-- heap page per post (the posts of a month are scattered over the table in the order they
-- were written). `calendar_text` is kept by PostgreSQL from `text`.

ALTER TABLE posts ADD COLUMN calendar_text TEXT GENERATED ALWAYS AS (substr(text, 1, 81)) STORED;
CREATE INDEX posts_calendar ON posts(workspace_id, scheduled_at)
    INCLUDE (id, status, pillar_id, assignee_id, calendar_text)
    WHERE deleted_at IS NULL;

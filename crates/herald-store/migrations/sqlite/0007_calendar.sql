-- The calendar: one index that answers a month of one workspace on its own. A calendar card
-- needs a post's time, status, pillar, assignee and the start of its text; with those in the
-- index, a month is a few neighbouring index pages instead of one table page per post (the
-- posts of a month are scattered over the table in the order they were written).
-- The start of the text is an indexed expression, which the calendar's query names exactly
-- (`substr(p.text, 1, 81)`), so SQLite reads it from the index. (An index on a VIRTUAL
-- generated column was not used for this by SQLite 3.46.)

CREATE INDEX posts_calendar ON posts(workspace_id, scheduled_at, deleted_at, status, pillar_id, assignee_id, substr(text, 1, 81));

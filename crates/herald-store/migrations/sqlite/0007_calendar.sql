-- The calendar needs no new SQLite index: its month query walks posts_workspace_time
-- (0002) and post_channels' primary key, and with the database memory-mapped that met the
-- goal on 1M posts (docs/calendar.md). An index holding every card column, the start of the
-- text as an expression included, was tried: SQLite 3.46 kept choosing posts_workspace_time,
-- and forcing it saved no measurable time once pages were cached, so it would only have
-- cost writes. PostgreSQL's 0007 adds the covering index its index-only scan uses.
SELECT 1;

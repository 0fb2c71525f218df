-- Indexes for the publishing engine's hot statements, so that their cost does not grow with
-- the number of deliveries stored or waiting.
--
-- * `ready_at` is a delivery's due time while it waits to be claimed (`scheduled`, or
--   `unknown` awaiting reconciliation) and NULL otherwise. The claim takes the earliest
--   `ready_at` in order and stops at its LIMIT. With only (state, due_at), both databases
--   read and sorted every waiting delivery on each claim, which made draining a backlog
--   quadratic. A computed column (rather than a partial index on `state IN (…)`) because
--   SQLite's planner, without statistics, preferred the state index and sorted anyway.
-- * Completion and marking find a worker's own in-flight rows; without an index on `worker`
--   PostgreSQL scanned the whole table for each batch. Rows not in flight have no worker, so
--   the partial index holds only the few in flight.
ALTER TABLE deliveries ADD COLUMN ready_at BIGINT
    GENERATED ALWAYS AS (CASE WHEN state IN ('scheduled', 'unknown') THEN due_at END) STORED;
CREATE INDEX deliveries_ready ON deliveries(ready_at, id) WHERE ready_at IS NOT NULL;
CREATE INDEX deliveries_worker ON deliveries(worker) WHERE worker IS NOT NULL;
DROP INDEX deliveries_due;

-- migrate: no-transaction
-- The list at any size: its counts and its validator (a change counter) kept by triggers as
-- todos are written, whoever writes them (the API, psql, a CronJob), and an index for each
-- filter. Online: the indexes are built CONCURRENTLY (writes go on), and the counters are filled
-- in one short transaction that holds writes back only while it counts the table.
-- Run statement by statement outside a transaction (crates/migrate); every step may run again
-- if an earlier attempt stopped halfway.

-- `?done=true` and `?done=false` walk only their own todos, newest first, from any `before=`;
-- without them a filter that matches few todos reads the whole table to fill a page. A build
-- that failed leaves an invalid index behind: dropped and built again.
DROP INDEX CONCURRENTLY IF EXISTS todos_done_id;
CREATE INDEX CONCURRENTLY todos_done_id ON todos (id) WHERE done;
DROP INDEX CONCURRENTLY IF EXISTS todos_open_id;
CREATE INDEX CONCURRENTLY todos_open_id ON todos (id) WHERE NOT done;

BEGIN;

-- How many todos there are, how many of them are done, and how many changes the table has seen,
-- spread over 64 rows: a writing transaction adds its deltas to the row of its backend process
-- (pg_backend_pid() % 64), so concurrent creates on different connections lock different rows,
-- and one transaction never locks two (no deadlock between writers). Readers sum the 64 rows.
-- `changes` only grows: in any snapshot its sum says exactly which committed writes are visible
-- (a later snapshot sees the same writes and more), so equal sums mean an unchanged table.
CREATE TABLE IF NOT EXISTS todo_counts (
    shard   SMALLINT PRIMARY KEY CHECK (shard BETWEEN 0 AND 63),
    todos   BIGINT NOT NULL,
    done    BIGINT NOT NULL,
    changes BIGINT NOT NULL
) WITH (fillfactor = 50); -- room for HOT updates: the rows are rewritten by every write

-- Statement-level triggers with transition tables: a bulk write from psql updates the counters
-- once, not once per row. They run as part of the writing statement, in its transaction.
CREATE OR REPLACE FUNCTION todo_counts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE todo_counts
    SET todos = todos + added.n, done = done + added.n_done, changes = changes + 1
    FROM (SELECT count(*) AS n, count(*) FILTER (WHERE done) AS n_done FROM inserted) AS added
    WHERE shard = pg_backend_pid() % 64 AND added.n > 0;
    RETURN NULL;
END $$;

-- An update that changes no column (an idempotent create's replay) is no change.
CREATE OR REPLACE FUNCTION todo_counts_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE todo_counts
    SET done = done + (SELECT count(*) FILTER (WHERE done) FROM updated)
                    - (SELECT count(*) FILTER (WHERE done) FROM replaced),
        changes = changes + 1
    WHERE shard = pg_backend_pid() % 64
      AND EXISTS (SELECT * FROM updated EXCEPT SELECT * FROM replaced);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION todo_counts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE todo_counts
    SET todos = todos - removed.n, done = done - removed.n_done, changes = changes + 1
    FROM (SELECT count(*) AS n, count(*) FILTER (WHERE done) AS n_done FROM deleted) AS removed
    WHERE shard = pg_backend_pid() % 64 AND removed.n > 0;
    RETURN NULL;
END $$;

-- TRUNCATE holds the table exclusively: no other writer is between its write and its commit.
CREATE OR REPLACE FUNCTION todo_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE todo_counts SET todos = 0, done = 0, changes = changes + 1;
    RETURN NULL;
END $$;

-- No write between the count below and the triggers taking over (reads go on). Writers queue
-- behind a waiting lock: if a long transaction holds the table, give up (and run again) rather
-- than hold every write back.
SET LOCAL lock_timeout = '5s';
LOCK TABLE todos IN SHARE ROW EXCLUSIVE MODE;

CREATE OR REPLACE TRIGGER todo_counts_insert AFTER INSERT ON todos
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION todo_counts_insert();
CREATE OR REPLACE TRIGGER todo_counts_update AFTER UPDATE ON todos
    REFERENCING OLD TABLE AS replaced NEW TABLE AS updated
    FOR EACH STATEMENT EXECUTE FUNCTION todo_counts_update();
CREATE OR REPLACE TRIGGER todo_counts_delete AFTER DELETE ON todos
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION todo_counts_delete();
CREATE OR REPLACE TRIGGER todo_counts_truncate AFTER TRUNCATE ON todos
    FOR EACH STATEMENT EXECUTE FUNCTION todo_counts_truncate();

-- The todos already there go to shard 0; a run again keeps `changes` growing.
INSERT INTO todo_counts (shard, todos, done, changes)
SELECT shard, 0, 0, 0 FROM generate_series(0, 63) AS shard
ON CONFLICT (shard) DO UPDATE SET todos = 0, done = 0, changes = todo_counts.changes + 1;
UPDATE todo_counts
SET todos = existing.n, done = existing.n_done
FROM (SELECT count(*) AS n, count(*) FILTER (WHERE done) AS n_done FROM todos) AS existing
WHERE shard = 0;

COMMIT;

-- The list's page, its counts and the change counter (what `store::list` reads) as one function.
-- Why a function: Spin prepares every statement it sends anew, so the database plans it on every
-- request, and planning the list's statement (two tables, a join, an aggregate) cost more than
-- running it. A PL/pgSQL function keeps its statements' plans for the life of the connection,
-- and Spin keeps its connections in a pool: each connection plans the page once, not each request
-- (BENCHMARKS.md: the list against the floor).
--
-- One snapshot: a STABLE function runs all its statements in the snapshot of the query that
-- called it, so the page, the counts and the change counter agree with each other, as they did
-- in one statement.
--
-- One plan for any values (`plan_cache_mode`): left to choose, PostgreSQL plans each call anew
-- when the plan for any values looks dearer than one for the call's values, and with the page's
-- size unknown it does look dearer on a large table (it assumes a tenth of the rows), so a table
-- of 1,000,000 todos would be planned on every call and one of 1,000 not. Each filter has its own
-- statement, the filter written out, so that the plan still sees which partial index
-- (`todos_done_id`, `todos_open_id`) holds its rows; the plans at 1,000,000 todos are tested
-- (crates/todo-core/tests/it). Every row carries the counts; an empty page is one row with the
-- counts and no todo.
-- `reader` is the caller's author hash (empty without a session, which no author equals), for
-- `mine`.
CREATE FUNCTION todo_list_page(before BIGINT, page_size BIGINT, reader BYTEA, only_done BOOLEAN)
RETURNS TABLE (id BIGINT, task TEXT, done BOOLEAN, created_at TIMESTAMP, mine BOOLEAN,
               total BIGINT, done_total BIGINT, changes BIGINT)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_generic_plan
AS $$
#variable_conflict use_column
DECLARE
    all_todos BIGINT;
    done_todos BIGINT;
    seen_changes BIGINT;
BEGIN
    -- The 64 counter rows the triggers of migration 0002 keep.
    SELECT sum(c.todos), sum(c.done), sum(c.changes) INTO all_todos, done_todos, seen_changes
    FROM todo_counts AS c;
    IF only_done IS NULL THEN
        RETURN QUERY
        SELECT t.id, t.task, t.done, t.created_at AT TIME ZONE 'UTC', coalesce(t.author = reader, false),
               all_todos, done_todos, seen_changes
        FROM todos AS t WHERE t.id < before ORDER BY t.id DESC LIMIT page_size;
    ELSIF only_done THEN
        RETURN QUERY
        SELECT t.id, t.task, t.done, t.created_at AT TIME ZONE 'UTC', coalesce(t.author = reader, false),
               all_todos, done_todos, seen_changes
        FROM todos AS t WHERE t.id < before AND t.done ORDER BY t.id DESC LIMIT page_size;
    ELSE
        RETURN QUERY
        SELECT t.id, t.task, t.done, t.created_at AT TIME ZONE 'UTC', coalesce(t.author = reader, false),
               all_todos, done_todos, seen_changes
        FROM todos AS t WHERE t.id < before AND NOT t.done ORDER BY t.id DESC LIMIT page_size;
    END IF;
    IF NOT FOUND THEN
        RETURN QUERY SELECT NULL::BIGINT, NULL::TEXT, NULL::BOOLEAN, NULL::TIMESTAMP, NULL::BOOLEAN,
                            all_todos, done_todos, seen_changes;
    END IF;
END $$;

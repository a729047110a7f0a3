-- migrate: no-transaction
-- A session's own todos, open or done, in id order: what the bulk operations on them (mark all
-- done or open, clear the done ones) walk, a bounded batch at a time, and what counts them up to
-- a bound. Todos without an author (from before sessions) are nobody's and stay out of it.
-- Built CONCURRENTLY (writes go on); a build that failed leaves an invalid index behind: dropped
-- and built again when the migration runs again.
DROP INDEX CONCURRENTLY IF EXISTS todos_author_done_id;
CREATE INDEX CONCURRENTLY todos_author_done_id ON todos (author, done, id) WHERE author IS NOT NULL;

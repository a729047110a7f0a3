-- A session's own todos, open or done, in id order: what the bulk operations on them (mark all
-- done or open, clear the done ones) walk, a bounded batch at a time, and what counts them up to
-- a bound. Todos without an author (from before sessions) are nobody's and stay out of it.
CREATE INDEX IF NOT EXISTS todos_author_done_id ON todos (author, done, id) WHERE author IS NOT NULL;

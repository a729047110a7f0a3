-- Authorship: only the session that created a todo may change or delete it, and idempotency
-- keys belong to the session that sent them, for 24 hours.

-- The SHA-256 of the session that created the todo (crates/todo-core/src/session.rs), never
-- the session itself. Todos created before sessions existed have none: nobody may change them.
ALTER TABLE todos ADD COLUMN author BYTEA CHECK (octet_length(author) = 32);

-- The keys of creates, per session: a retry within 24 hours gets the todo of the first request
-- (the answer it would have had), a key reused for another task is refused. An expired key is
-- replaced by the next create that uses it, and each create with a key deletes up to two
-- expired ones, oldest first, through the index below: the table holds about one day of keys,
-- without a scan or a scheduled job.
CREATE TABLE idempotency_keys (
    author     BYTEA NOT NULL CHECK (octet_length(author) = 32),
    key        TEXT NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
    task       TEXT NOT NULL CHECK (char_length(task) BETWEEN 1 AND 140),
    todo_id    BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (author, key)
);
CREATE INDEX idempotency_keys_oldest_first ON idempotency_keys (created_at);

-- Keys shared by every client and kept for ever: whoever presented one got its todo, and their
-- index only grew. Dropped (with that index); a retry of a create from before this migration
-- makes a new todo.
ALTER TABLE todos DROP COLUMN idempotency_key;

-- A key answers for its todo only while the todo exists: deleting todos (through the API, in
-- bulk or in psql) forgets their keys, so a retry after a delete makes a new todo instead of
-- answering with one that is gone. One statement trigger per delete, an index lookup per row.
CREATE INDEX idempotency_keys_by_todo ON idempotency_keys (todo_id);

CREATE FUNCTION forget_keys_of_deleted_todos() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM idempotency_keys WHERE todo_id IN (SELECT id FROM deleted_todos);
    RETURN NULL;
END $$;
CREATE TRIGGER todos_deleted_forget_their_keys AFTER DELETE ON todos
    REFERENCING OLD TABLE AS deleted_todos FOR EACH STATEMENT EXECUTE FUNCTION forget_keys_of_deleted_todos();

CREATE FUNCTION forget_every_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM idempotency_keys;
    RETURN NULL;
END $$;
CREATE TRIGGER todos_truncated_forget_every_key AFTER TRUNCATE ON todos
    FOR EACH STATEMENT EXECUTE FUNCTION forget_every_key();

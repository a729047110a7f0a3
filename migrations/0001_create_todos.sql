-- The todos of the API. Limits mirror the domain rules of crates/todo-core (TaskText), so
-- the database refuses what the API would refuse even if written by another client.
CREATE TABLE todos (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task            TEXT NOT NULL CHECK (char_length(task) BETWEEN 1 AND 140),
    done            BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    -- Set when the client sent an Idempotency-Key: a retried create finds its todo here.
    idempotency_key TEXT UNIQUE CHECK (char_length(idempotency_key) BETWEEN 1 AND 255)
);

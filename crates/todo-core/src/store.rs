//! The SQL of the API: one parameterised statement per request (the list's `304`: one smaller
//! one instead). Every statement that returns todos says, per todo, whether the caller wrote it
//! (`mine`). The list's page is the one statement kept in the database, as a function
//! (migrations/0005), for its plans' sake.

use crate::body::TodoEdit;
use crate::db::{StoreError, decode, query};
use crate::idempotency::IdempotencyKey;
use crate::page::ListQuery;
use crate::session::Author;
use crate::task::TaskText;
use crate::todo::{CreatedAt, Todo, TodoId};
use spin_sdk::pg4::{Connection, DbValue, ParameterValue, RowSet};

/// The columns of a [`Todo`], in the order `decode_todo` reads them; `$caller` is the parameter
/// holding the caller's [`Author`] (empty bytes without a session, which no author equals).
/// `created_at` is read as a TIMESTAMP in UTC: Spin's pg4 can read that type but not
/// TIMESTAMPTZ, and a binary timestamp is cheaper for the database than formatting text with
/// `to_char`. `todo_list_page` (migrations/0005) returns the same columns, the same way.
macro_rules! todo_columns {
    ($caller:literal) => {
        concat!(
            "id, task, done, created_at AT TIME ZONE 'UTC' AS created_at, coalesce(author = ",
            $caller,
            ", false) AS mine"
        )
    };
}

/// A page, the counts of all todos and the change counter in one call, from one snapshot:
/// `todo_list_page` (migrations/0005) runs the page's statement for the filter `$4` (NULL: all
/// todos) and sums `todo_counts`, the 64 rows that triggers keep as todos are written
/// (migrations/0002), which costs the same at any table size. Every row carries the counts, and
/// an empty page is one row of the counts alone. A function rather than a statement here,
/// because the database keeps a function's plans for the life of a connection, and Spin plans
/// every statement it sends: planning the page, the join and the sums cost more than running
/// them (BENCHMARKS.md). Public, for the test of the function's plans (tests/it).
pub const LIST: &str =
    "SELECT id, task, done, created_at, mine, total, done_total, changes FROM todo_list_page($1, $2, $3, $4)";

/// The change counter alone: what a client's `If-None-Match` is checked against before any page
/// is read (64 rows, one or two pages of a table that triggers keep small).
pub const CHANGES: &str = "SELECT sum(changes)::int8 FROM todo_counts";

/// A todo written by `$2`, created without an idempotency key.
const CREATE: &str = concat!("INSERT INTO todos (task, author) VALUES ($1, $2) RETURNING ", todo_columns!("$2"));

/// A create with the idempotency key `$3` of the session `$2`, in one statement:
/// - `next` draws the id the todo will have if this request is the key's first;
/// - `claim` records the key with that id, or, when the session used the key before, takes the
///   stored id back (same task, within 24 hours), or gives the key to this request (expired);
///   a key in use for another task matches no row (`409`). `DO UPDATE` rather than `DO NOTHING`
///   so a create racing another with the same key waits for it and still gets its row back;
/// - `created` inserts the todo when the claim kept the id drawn here;
/// - otherwise the answer is the first request's todo as it was created, from the claim (its
///   row is read even when the first request committed after this statement began). A replay
///   writes no todo, so the change counter stays (the list's `ETag` with it);
/// - `swept` deletes up to two expired keys of any session, oldest first, skipping those other
///   requests hold: each create with a key removes more than it adds, so the table stays about
///   a day of keys deep, without a scan.
const CREATE_WITH_KEY: &str = concat!(
    "WITH next AS (SELECT nextval(pg_get_serial_sequence('todos', 'id')) AS id), ",
    "claim AS (INSERT INTO idempotency_keys (author, key, task, todo_id) SELECT $2, $3, $1, next.id FROM next ",
    "ON CONFLICT (author, key) DO UPDATE SET ",
    "todo_id = CASE WHEN idempotency_keys.created_at > now() - interval '24 hours' ",
    "THEN idempotency_keys.todo_id ELSE EXCLUDED.todo_id END, ",
    "created_at = CASE WHEN idempotency_keys.created_at > now() - interval '24 hours' ",
    "THEN idempotency_keys.created_at ELSE EXCLUDED.created_at END, ",
    "task = EXCLUDED.task ",
    "WHERE idempotency_keys.task = EXCLUDED.task OR idempotency_keys.created_at <= now() - interval '24 hours' ",
    "RETURNING todo_id, task, created_at), ",
    "created AS (INSERT INTO todos (id, task, author) OVERRIDING SYSTEM VALUE ",
    "SELECT claim.todo_id, claim.task, $2 FROM claim JOIN next ON claim.todo_id = next.id RETURNING ",
    todo_columns!("$2"),
    "), ",
    "swept AS (DELETE FROM idempotency_keys WHERE (author, key) IN (SELECT author, key FROM idempotency_keys ",
    "WHERE created_at <= now() - interval '24 hours' AND NOT (author = $2 AND key = $3) ",
    "ORDER BY created_at LIMIT 2 FOR UPDATE SKIP LOCKED)) ",
    "SELECT * FROM created UNION ALL ",
    "SELECT claim.todo_id, claim.task, false, claim.created_at AT TIME ZONE 'UTC', true ",
    "FROM claim JOIN next ON claim.todo_id <> next.id"
);

/// Changes the task when `$1`, `done` when `$3`, of todo `$5` if `$6` wrote it; one row lock, so
/// a racing delete either comes first (no row: 404) or after (the edit is returned, then the
/// todo is gone). The first column says whose it is: a row `true` and the todo when edited;
/// one `false` row when someone else wrote the todo (403); no row when there is no such todo,
/// also when it was the caller's and a racing delete took it.
const UPDATE: &str = concat!(
    "WITH updated AS (UPDATE todos SET task = CASE WHEN $1 THEN $2 ELSE task END, ",
    "done = CASE WHEN $3 THEN $4 ELSE done END WHERE id = $5 AND author = $6 RETURNING ",
    todo_columns!("$6"),
    ") SELECT true, updated.* FROM updated UNION ALL ",
    "SELECT false, NULL, NULL, NULL, NULL, NULL FROM todos WHERE id = $5 AND author IS DISTINCT FROM $6"
);

/// Deletes todo `$1` if `$2` wrote it: `true` when deleted, `false` when someone else wrote it,
/// no row when there is no such todo (as for `UPDATE`).
const DELETE: &str = concat!(
    "WITH deleted AS (DELETE FROM todos WHERE id = $1 AND author = $2 RETURNING id) ",
    "SELECT true FROM deleted UNION ALL ",
    "SELECT false FROM todos WHERE id = $1 AND author IS DISTINCT FROM $2"
);

/// The one-row query, for the benchmark floor (bench/floor).
pub const PING: &str = "SELECT 1";

/// How many todos there are in all, open and done (whatever page or filter was asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub all: i64,
    pub open: i64,
    pub done: i64,
}

/// How many committed writes of todos a snapshot sees: it only grows, so an equal value means
/// the same todos (see migrations/0002). The list's validator is made from it (`list_etag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Changes(pub i64);

/// One page of the list as one snapshot saw it.
#[derive(Debug)]
pub struct ListPage {
    pub todos: Vec<Todo>,
    pub counts: Counts,
    pub changes: Changes,
}

/// Columns of a todo in a row, `mine` included.
const TODO_COLUMNS: usize = 5;

/// What a change asked of a todo came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Change<T> {
    Made(T),
    /// Someone else wrote the todo (or nobody did: it predates sessions).
    NotTheAuthor,
    NoSuchTodo,
}

/// The caller as a statement parameter: its author hash, or empty bytes without a session
/// (never equal to a stored author, which has 32 bytes).
fn caller(author: Option<&Author>) -> ParameterValue {
    ParameterValue::Binary(author.map_or_else(Vec::new, |author| author.as_bytes().to_vec()))
}

/// The newest todos of a page, newest first, each saying whether `reader` wrote it, the counts
/// and the change counter.
pub fn list(db: &Connection, page: ListQuery, reader: Option<&Author>) -> Result<ListPage, StoreError> {
    let before = page.before.map_or(i64::MAX, TodoId::get);
    let only_done = page.done.map_or(ParameterValue::DbNull, ParameterValue::Boolean);
    let params = [before.into(), page.limit.into(), caller(reader), only_done];
    let mut totals = None;
    let mut todos = Vec::with_capacity(page.limit.try_into().unwrap_or_default());
    for mut row in query(db, LIST, &params)?.rows {
        let total_columns = row.split_off(row.len().min(TODO_COLUMNS));
        if totals.is_none() {
            totals = Some(decode_totals(&total_columns)?);
        }
        if !matches!(row.first(), None | Some(DbValue::DbNull)) {
            todos.push(decode_todo(row)?);
        }
    }
    let (counts, changes) = totals.ok_or_else(|| StoreError::Fault("the list query returned no counts row".into()))?;
    Ok(ListPage { todos, counts, changes })
}

/// The change counter now (one read of the counter rows).
pub fn changes(db: &Connection) -> Result<Changes, StoreError> {
    let rows = query(db, CHANGES, &[])?.rows;
    let [value] = rows.first().map(Vec::as_slice).unwrap_or_default() else {
        return Err(StoreError::Fault("the change counter query returned no single value".into()));
    };
    Ok(Changes(decode(value)?))
}

/// Stores a new todo written by `author`, or, for a key the author used before (within 24
/// hours, for the same task), returns the todo the first request created.
pub fn create(
    db: &Connection,
    task: &TaskText,
    author: &Author,
    key: Option<&IdempotencyKey>,
) -> Result<Todo, StoreError> {
    let mut params = vec![task.as_str().to_owned().into(), caller(Some(author))];
    let statement = match key {
        Some(key) => {
            params.push(key.as_str().to_owned().into());
            CREATE_WITH_KEY
        }
        None => CREATE,
    };
    decode_todos(query(db, statement, &params)?)?.pop().ok_or(StoreError::KeyReused)
}

/// Applies an edit, if `author` wrote the todo.
pub fn update(db: &Connection, id: TodoId, edit: &TodoEdit, author: &Author) -> Result<Change<Todo>, StoreError> {
    let task = edit.task.as_ref().map_or("", TaskText::as_str).to_owned();
    let params = [
        edit.task.is_some().into(),
        task.into(),
        edit.done.is_some().into(),
        edit.done.unwrap_or(false).into(),
        id.get().into(),
        caller(Some(author)),
    ];
    let Some(mut row) = query(db, UPDATE, &params)?.rows.pop() else {
        return Ok(Change::NoSuchTodo);
    };
    let todo = row.split_off(1);
    match row.first().map(decode::<bool>).transpose()? {
        Some(true) => Ok(Change::Made(decode_todo(todo)?)),
        _ => Ok(Change::NotTheAuthor),
    }
}

/// Removes a todo, if `author` wrote it.
pub fn delete(db: &Connection, id: TodoId, author: &Author) -> Result<Change<()>, StoreError> {
    let rows = query(db, DELETE, &[id.get().into(), caller(Some(author))])?.rows;
    match rows.first().and_then(|row| row.first()).map(decode::<bool>).transpose()? {
        Some(true) => Ok(Change::Made(())),
        Some(false) => Ok(Change::NotTheAuthor),
        None => Ok(Change::NoSuchTodo),
    }
}

fn decode_totals(columns: &[DbValue]) -> Result<(Counts, Changes), StoreError> {
    let [all, done, changes] = columns else {
        return Err(StoreError::Fault(format!("the counts have {} columns, not 3", columns.len())));
    };
    let (all, done): (i64, i64) = (decode(all)?, decode(done)?);
    Ok((Counts { all, open: all - done, done }, Changes(decode(changes)?)))
}

/// Takes the rows apart rather than copying out of them: the tasks' strings are moved.
fn decode_todos(rows: RowSet) -> Result<Vec<Todo>, StoreError> {
    rows.rows.into_iter().map(decode_todo).collect()
}

fn decode_todo(row: Vec<DbValue>) -> Result<Todo, StoreError> {
    let columns = row.len();
    let Ok([id, task, done, created_at, mine]) = <[DbValue; TODO_COLUMNS]>::try_from(row) else {
        return Err(StoreError::Fault(format!("a todo row has {columns} columns, not {TODO_COLUMNS}")));
    };
    Ok(Todo {
        id: decode(&id)?,
        task: match task {
            DbValue::Str(task) => task,
            other => decode(&other)?,
        },
        done: decode(&done)?,
        created_at: CreatedAt(decode(&created_at)?),
        mine: decode(&mine)?,
    })
}

// --- one todo, and the caller's own todos in bulk ---------------------------------------------

/// One todo by its primary key, saying whether `$2` wrote it.
const GET: &str = concat!("SELECT ", todo_columns!("$2"), " FROM todos WHERE id = $1");

/// Sets `done = $2` on at most `$3` of `$1`'s todos that are not so yet, oldest first, through
/// the index on (author, done, id); `batch` looks one todo further, so the answer can say
/// whether more remain. The update checks author and state again: a todo changed or deleted by a
/// racing request since `batch` read it is left alone and not counted.
const MARK_OWN: &str = concat!(
    "WITH batch AS (SELECT id FROM todos WHERE author = $1 AND done = NOT $2 ORDER BY id LIMIT $3::bigint + 1), ",
    "changed AS (UPDATE todos SET done = $2 WHERE id IN (SELECT id FROM batch ORDER BY id LIMIT $3) ",
    "AND author = $1 AND done = NOT $2 RETURNING 1) ",
    "SELECT (SELECT count(*) FROM changed), (SELECT count(*) FROM batch) > $3"
);

/// Deletes at most `$2` of `$1`'s done todos, oldest first, as [`MARK_OWN`] marks them.
const CLEAR_OWN_DONE: &str = concat!(
    "WITH batch AS (SELECT id FROM todos WHERE author = $1 AND done ORDER BY id LIMIT $2::bigint + 1), ",
    "removed AS (DELETE FROM todos WHERE id IN (SELECT id FROM batch ORDER BY id LIMIT $2) ",
    "AND author = $1 AND done RETURNING 1) ",
    "SELECT (SELECT count(*) FROM removed), (SELECT count(*) FROM batch) > $2"
);

/// How many of `$1`'s todos are open and done, each counted up to `$2` (an index range read of
/// at most `$2` entries each, whatever the table's size).
const COUNT_OWN: &str = concat!(
    "SELECT (SELECT count(*) FROM (SELECT FROM todos WHERE author = $1 AND NOT done LIMIT $2) AS open), ",
    "(SELECT count(*) FROM (SELECT FROM todos WHERE author = $1 AND done LIMIT $2) AS done)"
);

/// The most todos one bulk request changes: on 1,000,000 todos of one author a batch takes
/// tens of milliseconds (BENCHMARKS.md), far below the statement timeout.
pub const BULK_BATCH: i64 = 1000;
/// The most todos of one author [`count_own`] counts of each state.
pub const OWN_COUNT_BOUND: i64 = 1000;

/// What one bulk request did: how many todos it changed, and whether more are left to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Batch {
    pub changed: i64,
    pub more: bool,
}

/// The caller's todos by state, each counted up to `counted_up_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct OwnCounts {
    pub open: i64,
    pub done: i64,
    pub counted_up_to: i64,
}

/// One todo, saying whether `reader` wrote it; `None` when there is no such todo.
pub fn get(db: &Connection, id: TodoId, reader: Option<&Author>) -> Result<Option<Todo>, StoreError> {
    Ok(decode_todos(query(db, GET, &[id.get().into(), caller(reader)])?)?.pop())
}

/// Marks up to [`BULK_BATCH`] of `author`'s todos done (or open).
pub fn mark_own(db: &Connection, author: &Author, done: bool) -> Result<Batch, StoreError> {
    let params = [caller(Some(author)), done.into(), BULK_BATCH.into()];
    decode_batch(query(db, MARK_OWN, &params)?)
}

/// Deletes up to [`BULK_BATCH`] of `author`'s done todos.
pub fn clear_own_done(db: &Connection, author: &Author) -> Result<Batch, StoreError> {
    decode_batch(query(db, CLEAR_OWN_DONE, &[caller(Some(author)), BULK_BATCH.into()])?)
}

/// How many of `author`'s todos are open and done, up to [`OWN_COUNT_BOUND`] each.
pub fn count_own(db: &Connection, author: &Author) -> Result<OwnCounts, StoreError> {
    let rows = query(db, COUNT_OWN, &[caller(Some(author)), OWN_COUNT_BOUND.into()])?.rows;
    let Some([open, done]) = rows.first().map(Vec::as_slice) else {
        return Err(StoreError::Fault("the own counts are not one row of 2 columns".into()));
    };
    Ok(OwnCounts { open: decode(open)?, done: decode(done)?, counted_up_to: OWN_COUNT_BOUND })
}

fn decode_batch(rows: RowSet) -> Result<Batch, StoreError> {
    let Some([changed, more]) = rows.rows.first().map(Vec::as_slice) else {
        return Err(StoreError::Fault("a bulk change did not answer one row of 2 columns".into()));
    };
    Ok(Batch { changed: decode(changed)?, more: decode(more)? })
}

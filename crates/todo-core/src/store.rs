//! The only SQL of the API: one parameterised statement per request.

use crate::body::TodoEdit;
use crate::db::{decode, query};
use crate::idempotency::IdempotencyKey;
use crate::page::ListQuery;
use crate::task::TaskText;
use crate::todo::{CreatedAt, Todo, TodoId};
use http_layer::ApiError;
use spin_sdk::pg4::{Connection, DbValue, ParameterValue, RowSet};

/// The columns of a [`Todo`], in the order `decode_todo` reads them. `created_at` is read as a
/// TIMESTAMP in UTC: Spin's pg4 can read that type but not TIMESTAMPTZ, and a binary timestamp
/// is cheaper for the database than formatting text with `to_char`.
macro_rules! todo_columns {
    () => {
        "id, task, done, created_at AT TIME ZONE 'UTC' AS created_at"
    };
}

/// A page and the counts of all todos in one statement (one snapshot, one round trip): the
/// counts row is always there, joined to the page's rows, or to one row of NULLs when the page
/// is empty. `$3` says whether to filter on `done = $4` (booleans rather than a typed NULL).
/// Public for the benchmark floor (bench/floor), which runs it with nothing around it.
pub const LIST: &str = concat!(
    "WITH counts AS (SELECT count(*) AS total, count(*) FILTER (WHERE done) AS done_total FROM todos), ",
    "page AS (SELECT ",
    todo_columns!(),
    " FROM todos WHERE id < $1 AND (NOT $3 OR done = $4) ORDER BY id DESC LIMIT $2) ",
    "SELECT page.id, page.task, page.done, page.created_at, counts.total, counts.done_total ",
    "FROM counts LEFT JOIN page ON true ORDER BY page.id DESC"
);

/// Inserts, or with a key already used for the same task returns that todo. `DO UPDATE` (not
/// `DO NOTHING`) so a create racing another with the same key waits for it and still gets the
/// row back; a key already used for a different task matches no row. NULL keys never conflict.
const CREATE: &str = concat!(
    "INSERT INTO todos (task, idempotency_key) VALUES ($1, $2) ",
    "ON CONFLICT (idempotency_key) DO UPDATE SET idempotency_key = EXCLUDED.idempotency_key ",
    "WHERE todos.task = EXCLUDED.task ",
    "RETURNING ",
    todo_columns!()
);

/// Changes the task when `$1`, `done` when `$3`; one row lock, so a racing delete either comes
/// first (no row: 404) or after (the edit is returned, then the todo is gone).
const UPDATE: &str = concat!(
    "UPDATE todos SET task = CASE WHEN $1 THEN $2 ELSE task END, done = CASE WHEN $3 THEN $4 ELSE done END ",
    "WHERE id = $5 RETURNING ",
    todo_columns!()
);

const DELETE: &str = "DELETE FROM todos WHERE id = $1 RETURNING id";

/// One todo by its primary key.
const GET: &str = concat!("SELECT ", todo_columns!(), " FROM todos WHERE id = $1");

pub const PING: &str = "SELECT 1";

/// How many todos there are in all, open and done (whatever page or filter was asked for).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    pub all: i64,
    pub open: i64,
    pub done: i64,
}

/// The newest todos of a page, newest first, and the counts.
pub fn list(db: &Connection, page: ListQuery) -> Result<(Vec<Todo>, Counts), ApiError> {
    let before = page.before.map_or(i64::MAX, TodoId::get);
    let params = [before.into(), page.limit.into(), page.done.is_some().into(), page.done.unwrap_or(false).into()];
    let mut counts = None;
    let mut todos = Vec::new();
    for mut row in query(db, LIST, &params)?.rows {
        let count_columns = row.split_off(row.len().min(4));
        if counts.is_none() {
            counts = Some(decode_counts(&count_columns)?);
        }
        if !matches!(row.first(), None | Some(DbValue::DbNull)) {
            todos.push(decode_todo(row)?);
        }
    }
    let counts = counts.ok_or_else(|| ApiError::internal("the list query returned no counts row"))?;
    Ok((todos, counts))
}

/// Stores a new todo, or returns the one created earlier with the same idempotency key.
pub fn create(db: &Connection, task: &TaskText, key: Option<&IdempotencyKey>) -> Result<Todo, ApiError> {
    let key = key.map_or(ParameterValue::DbNull, |key| key.as_str().to_owned().into());
    let rows = query(db, CREATE, &[task.as_str().to_owned().into(), key])?;
    decode_todos(rows)?
        .pop()
        .ok_or_else(|| ApiError::conflict("Idempotency-Key was already used for a different task."))
}

/// Applies an edit; `None` when there is no such todo.
pub fn update(db: &Connection, id: TodoId, edit: &TodoEdit) -> Result<Option<Todo>, ApiError> {
    let task = edit.task.as_ref().map_or("", TaskText::as_str).to_owned();
    let params = [
        edit.task.is_some().into(),
        task.into(),
        edit.done.is_some().into(),
        edit.done.unwrap_or(false).into(),
        id.get().into(),
    ];
    let rows = query(db, UPDATE, &params)?;
    Ok(decode_todos(rows)?.pop())
}

/// One todo; `None` when there is no such todo.
pub fn get(db: &Connection, id: TodoId) -> Result<Option<Todo>, ApiError> {
    Ok(decode_todos(query(db, GET, &[id.get().into()])?)?.pop())
}

/// Removes a todo; `false` when there was none with this id.
pub fn delete(db: &Connection, id: TodoId) -> Result<bool, ApiError> {
    Ok(!query(db, DELETE, &[id.get().into()])?.rows.is_empty())
}

/// A round trip to the database.
pub fn ping(db: &Connection) -> Result<(), ApiError> {
    query(db, PING, &[])?;
    Ok(())
}

fn decode_counts(columns: &[DbValue]) -> Result<Counts, ApiError> {
    let [all, done] = columns else {
        return Err(ApiError::internal(format!("the counts have {} columns, not 2", columns.len())));
    };
    let (all, done): (i64, i64) = (decode(all)?, decode(done)?);
    Ok(Counts { all, open: all - done, done })
}

/// Takes the rows apart rather than copying out of them: the tasks' strings are moved.
fn decode_todos(rows: RowSet) -> Result<Vec<Todo>, ApiError> {
    rows.rows.into_iter().map(decode_todo).collect()
}

fn decode_todo(row: Vec<DbValue>) -> Result<Todo, ApiError> {
    let columns = row.len();
    let Ok([id, task, done, created_at]) = <[DbValue; 4]>::try_from(row) else {
        return Err(ApiError::internal(format!("a todo row has {columns} columns, not 4")));
    };
    Ok(Todo {
        id: decode(&id)?,
        task: match task {
            DbValue::Str(task) => task,
            other => decode(&other)?,
        },
        done: decode(&done)?,
        created_at: CreatedAt(decode(&created_at)?),
    })
}

//! The only SQL of the API: one parameterised statement per request.

use crate::db::{decode, query};
use crate::idempotency::IdempotencyKey;
use crate::page::PageQuery;
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

const LIST: &str = concat!("SELECT ", todo_columns!(), " FROM todos WHERE id < $1 ORDER BY id DESC LIMIT $2");

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

const SET_DONE: &str = concat!("UPDATE todos SET done = $1 WHERE id = $2 RETURNING ", todo_columns!());

const PING: &str = "SELECT 1";

/// The newest todos of a page, newest first.
pub fn list(db: &Connection, page: PageQuery) -> Result<Vec<Todo>, ApiError> {
    let before = page.before.map_or(i64::MAX, TodoId::get);
    let rows = query(db, LIST, &[before.into(), page.limit.into()])?;
    decode_todos(rows)
}

/// Stores a new todo, or returns the one created earlier with the same idempotency key.
pub fn create(db: &Connection, task: &TaskText, key: Option<&IdempotencyKey>) -> Result<Todo, ApiError> {
    let key = key.map_or(ParameterValue::DbNull, |key| key.as_str().to_owned().into());
    let rows = query(db, CREATE, &[task.as_str().to_owned().into(), key])?;
    decode_todos(rows)?
        .pop()
        .ok_or_else(|| ApiError::conflict("Idempotency-Key was already used for a different task."))
}

/// Marks a todo done or not done; `None` when there is no such todo.
pub fn set_done(db: &Connection, id: TodoId, done: bool) -> Result<Option<Todo>, ApiError> {
    let rows = query(db, SET_DONE, &[done.into(), id.get().into()])?;
    Ok(decode_todos(rows)?.pop())
}

/// A round trip to the database.
pub fn ping(db: &Connection) -> Result<(), ApiError> {
    query(db, PING, &[])?;
    Ok(())
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

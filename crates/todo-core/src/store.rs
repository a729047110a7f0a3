//! The only SQL of the API: one parameterised statement per request (the list's `304`: one
//! smaller one instead).

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

/// A page, the counts of all todos and the change counter in one statement (one snapshot, one
/// round trip): the counts row is always there, joined to the page's rows, or to one row of NULLs
/// when the page is empty. The counts are the sums of `todo_counts`, the 64 rows that triggers
/// keep as todos are written (migrations/0002): reading them costs the same at any table size.
/// One statement per filter, the filter written out, so that the planner sees which partial index
/// (`todos_done_id`, `todos_open_id`) holds the page's rows whatever the parameters.
macro_rules! list_statement {
    ($filter:literal) => {
        concat!(
            "WITH counts AS (SELECT sum(todos)::int8 AS total, sum(done)::int8 AS done_total, ",
            "sum(changes)::int8 AS changes FROM todo_counts), ",
            "page AS (SELECT ",
            todo_columns!(),
            " FROM todos WHERE id < $1",
            $filter,
            " ORDER BY id DESC LIMIT $2) ",
            "SELECT page.id, page.task, page.done, page.created_at, counts.total, counts.done_total, counts.changes ",
            "FROM counts LEFT JOIN page ON true ORDER BY page.id DESC"
        )
    };
}
/// Public, like the statements below, for the test of their plans (tests/it).
pub const LIST: &str = list_statement!("");
pub const LIST_DONE: &str = list_statement!(" AND done");
pub const LIST_OPEN: &str = list_statement!(" AND NOT done");

/// The change counter alone: what a client's `If-None-Match` is checked against before any page
/// is read (64 rows, one or two pages of a table that triggers keep small).
pub const CHANGES: &str = "SELECT sum(changes)::int8 FROM todo_counts";

/// Inserts a todo created without an idempotency key. Not the statement below with a NULL key:
/// an `ON CONFLICT DO UPDATE` also fires the table's UPDATE triggers, a counter update for nothing.
const CREATE: &str = concat!("INSERT INTO todos (task) VALUES ($1) RETURNING ", todo_columns!());

/// Inserts, or with a key already used for the same task returns that todo. `DO UPDATE` (not
/// `DO NOTHING`) so a create racing another with the same key waits for it and still gets the
/// row back; a key already used for a different task matches no row. The replay changes no
/// column, so the change counter stays (the list's `ETag` with it).
const CREATE_IDEMPOTENT: &str = concat!(
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

/// The newest todos of a page, newest first, the counts and the change counter.
pub fn list(db: &Connection, page: ListQuery) -> Result<ListPage, ApiError> {
    let statement = match page.done {
        None => LIST,
        Some(true) => LIST_DONE,
        Some(false) => LIST_OPEN,
    };
    let before = page.before.map_or(i64::MAX, TodoId::get);
    let mut totals = None;
    let mut todos = Vec::new();
    for mut row in query(db, statement, &[before.into(), page.limit.into()])?.rows {
        let total_columns = row.split_off(row.len().min(4));
        if totals.is_none() {
            totals = Some(decode_totals(&total_columns)?);
        }
        if !matches!(row.first(), None | Some(DbValue::DbNull)) {
            todos.push(decode_todo(row)?);
        }
    }
    let (counts, changes) = totals.ok_or_else(|| ApiError::internal("the list query returned no counts row"))?;
    Ok(ListPage { todos, counts, changes })
}

/// The change counter now (one read of the counter rows).
pub fn changes(db: &Connection) -> Result<Changes, ApiError> {
    let rows = query(db, CHANGES, &[])?.rows;
    let [value] = rows.first().map(Vec::as_slice).unwrap_or_default() else {
        return Err(ApiError::internal("the change counter query returned no single value"));
    };
    Ok(Changes(decode(value)?))
}

/// Stores a new todo, or returns the one created earlier with the same idempotency key.
pub fn create(db: &Connection, task: &TaskText, key: Option<&IdempotencyKey>) -> Result<Todo, ApiError> {
    let task = ParameterValue::from(task.as_str().to_owned());
    let rows = match key {
        None => query(db, CREATE, &[task])?,
        Some(key) => query(db, CREATE_IDEMPOTENT, &[task, key.as_str().to_owned().into()])?,
    };
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

/// Removes a todo; `false` when there was none with this id.
pub fn delete(db: &Connection, id: TodoId) -> Result<bool, ApiError> {
    Ok(!query(db, DELETE, &[id.get().into()])?.rows.is_empty())
}

/// A round trip to the database.
pub fn ping(db: &Connection) -> Result<(), ApiError> {
    query(db, PING, &[])?;
    Ok(())
}

fn decode_totals(columns: &[DbValue]) -> Result<(Counts, Changes), ApiError> {
    let [all, done, changes] = columns else {
        return Err(ApiError::internal(format!("the counts have {} columns, not 3", columns.len())));
    };
    let (all, done): (i64, i64) = (decode(all)?, decode(done)?);
    Ok((Counts { all, open: all - done, done }, Changes(decode(changes)?)))
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

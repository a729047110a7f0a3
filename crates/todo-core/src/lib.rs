//! What the todo components share, on top of `http-layer`.
//!
//! The domain types (`TaskText`, `ListQuery`, `IdempotencyKey`, `TodoId`, `Session`) parse raw
//! input into values that are valid by construction; `session` says who a request comes from;
//! `store` holds the only SQL and answers with its own `StoreError`; `error` is the one place
//! where domain and store errors become HTTP statuses; `list_etag` is the list's validator.

mod body;
mod db;
mod error;
mod etag;
mod idempotency;
mod number;
mod own;
mod page;
mod request;
mod response;
mod session;
pub mod store;
mod task;
mod todo;

pub use body::{InvalidEdit, NewTodo, TodoEdit, TodoPatch};
pub use db::{StoreError, connect, database_configured};
pub use etag::{list_etag, todo_etag};
pub use idempotency::{IdempotencyKey, InvalidIdempotencyKey};
pub use own::{MarkOwn, NotDoneOnly, clears_done_only};
pub use page::{InvalidListQuery, ListQuery};
pub use request::{idempotency_key, over_https, session};
pub use response::{created, status_ok, todo_list};
pub use session::{Author, Session};
pub use store::{Batch, Change, Changes, Counts, ListPage, OwnCounts};
pub use task::{InvalidTask, TaskText};
pub use todo::{CreatedAt, InvalidTodoId, Todo, TodoId};

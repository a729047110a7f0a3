//! What the todo components share, on top of `http-layer`.
//!
//! The domain types (`TaskText`, `ListQuery`, `IdempotencyKey`, `TodoId`, `Session`) parse raw
//! input into values that are valid by construction; `session` says who a request comes from;
//! `store` holds the only SQL; `db` maps database failures to 503 (unreachable) or 500 (our
//! fault); `list_etag` is the list's validator.

mod body;
mod db;
mod error;
mod etag;
mod idempotency;
mod number;
mod own;
mod page;
mod response;
mod session;
pub mod store;
mod task;
mod todo;

pub use body::{NewTodo, TodoEdit, TodoPatch};
pub use db::{connect, database_configured};
pub use etag::{list_etag, todo_etag};
pub use idempotency::{IdempotencyKey, InvalidIdempotencyKey, idempotency_key};
pub use own::{MarkOwn, clears_done_only};
pub use page::{InvalidListQuery, ListQuery};
pub use response::{created, status_ok, todo_list};
pub use session::{Author, Session, over_https, session};
pub use store::{Batch, Change, Changes, Counts, ListPage, OwnCounts};
pub use task::{InvalidTask, TaskText};
pub use todo::{CreatedAt, InvalidTodoId, Todo, TodoId};

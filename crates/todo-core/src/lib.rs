//! Shared logic of the todo components.
//!
//! The domain types (`TaskText`, `PageQuery`, `IdempotencyKey`, `TodoId`) parse raw input into
//! values that are valid by construction; `store` holds the only SQL; `serve` wraps every
//! handler with the method check, error rendering and the one log line per request.

mod body;
mod db;
mod error;
mod idempotency;
mod log;
mod number;
mod page;
mod response;
mod serve;
pub mod store;
mod task;
mod todo;

pub use body::{NewTodo, TodoPatch, read_json};
pub use db::connect;
pub use error::ApiError;
pub use idempotency::{IdempotencyKey, InvalidIdempotencyKey};
pub use page::{InvalidPageQuery, PageQuery};
pub use response::{created, json, status_ok, todo_list};
pub use serve::{Endpoint, header, serve};
pub use task::{InvalidTask, MAX_TASK_CHARS, TaskText};
pub use todo::{CreatedAt, InvalidTodoId, Todo, TodoId};

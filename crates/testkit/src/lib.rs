//! Helpers shared by the integration tests: real services on 127.0.0.1, nothing mocked.

mod paths;
mod postgres;

pub use paths::{free_port, wasm, workspace_root};
pub use postgres::{Postgres, shared_postgres};

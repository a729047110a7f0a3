//! Helpers shared by the integration tests: real services on 127.0.0.1, nothing mocked.

mod paths;
mod postgres;
mod process;
mod sidecar;

pub use paths::{free_port, wasm, workspace_root};
pub use postgres::{Database, Postgres, shared_postgres};
pub use process::{
    capture_lines, kill_process_group, process_group_members, spawn_process_group, spawn_tied_to_process,
};
pub use sidecar::{HttpResponse, PictureSource, Reply, Sidecar, fake_picture, http_request, sidecar_binary};

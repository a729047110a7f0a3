//! The devhost integration tests: one binary (it links wasmtime once), one module per area.

mod cli;
mod common;
mod contract;
mod isolation;
mod limits;
mod outbound_http;
mod postgres;
mod routing;
mod startup_errors;
mod variables;

//! The outbound-pg integration tests: one binary (it links wasmtime once), one module per area.

mod common;
mod errors;
mod linker;
mod pooling;
mod types;

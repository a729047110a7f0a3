//! A small Spin-compatible host for this project's tests and `make up`.
//!
//! It runs the same `wasm32-wasip2` components that Spin 3.6 runs on SpinKube: it reads a
//! version 2 `spin.toml`, routes HTTP requests like Spin's HTTP trigger, and gives every
//! request a fresh instance of the component (pre-instantiated, pooling allocator), with the
//! imports of `wit/world.wit`: WASI 0.2, outbound HTTP and PostgreSQL restricted to the
//! component's `allowed_outbound_hosts`, and `fermyon:spin/variables`.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! let host = devhost::start(devhost::HostOptions {
//!     manifest: "spin.toml".into(),
//!     listen: "127.0.0.1:0".parse()?,
//!     variables: [("db_url".to_string(), "postgres://...".to_string())].into(),
//!     limits: devhost::GuestLimits::default(),
//! })
//! .await?;
//! println!("serving on http://{}", host.addr());
//! host.shutdown().await;
//! # Ok(()) }
//! ```

mod allowed_hosts;
mod app;
pub mod contract;
mod engine;
mod headers;
mod instance;
mod limits;
mod manifest;
mod outbound_http;
mod routes;
mod server;
mod stdio;
mod template;
mod variables;

pub use limits::{GuestLimits, parse_duration};
pub use server::{HostOptions, RunningHost, SHUTDOWN_GRACE, start};
pub use variables::overrides_from_env;

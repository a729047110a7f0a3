//! The host side of `spin:postgres/postgres@4.0.0` for the project's Spin-compatible host.
//!
//! It mirrors Spin 3.6's `factor-outbound-pg`: one `deadpool-postgres` pool per address
//! (at most 64 connections, `Clean` recycling, TLS unless `sslmode=disable`), the address
//! checked against the component's `allowed_outbound_hosts` before any connection, and the
//! full parameter/row mapping of `spin_sdk::pg4`.
//!
//! Use: keep one [`Pools`] for the whole process; give each request's store data a
//! [`PgState::new(pools.clone(), allowed)`](PgState::new), where `allowed` answers whether the
//! component may reach `postgres://host:port` (port 5432 when the address names none); link
//! once with [`add_to_linker`]. Dropping the store returns the request's connections.
//!
//! Like Spin, it adds no time limits of its own: the address's `connect_timeout`, keepalives
//! and `options=-c statement_timeout=...` are the bounds, so they hold on Spin too.
//!
//! Deliberate differences from Spin, each stricter or quieter, never more permissive:
//! `hostaddr` and addresses without a host are refused (Spin connects to them unchecked);
//! a lone port given for several hosts must be allowed with each host as well as the 5432
//! Spin checks; a connection failure reaches the guest as Spin words it (`{:?}`: message and
//! `Caused by:` list) but never with the backtrace Spin adds under `RUST_BACKTRACE`; and a range
//! parameter whose bound cannot
//! be normalised is a parameter error rather than a host panic.

// The error type is the WIT `error` variant, whose size the interface dictates.
#![allow(clippy::result_large_err)]

mod address;
mod bindings;
mod error_text;
mod host;
mod pools;
mod statement;
mod types;

pub use bindings::spin::postgres::postgres as wit;
pub use host::{AllowedHosts, PgState, add_to_linker};
pub use pools::Pools;

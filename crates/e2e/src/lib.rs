//! The end-to-end harness: the app (by default the repository's spin.toml) served by real
//! Spin 3.6.3 (`spin up`, the runtime SpinKube's shim embeds) on a port of 127.0.0.1 it picked
//! itself, with a fresh migrated database on a real PostgreSQL, and a typed client for it.
//!
//! `spawn_app().await` is the usual start of a test; [`TestApp::spawn`] takes any
//! [`AppConfig`], and [`TestApp::spawn_deployment`] serves the app shaped as the deployment
//! (one Spin per SpinApp of k8s/base/spinapps behind the Ingress's routes).

mod app;
mod client;
pub mod deployment;

pub use app::{AppConfig, TestApp};
pub use client::Reply;

/// A `db_url` for apps whose tested routes never reach the database: the manifest requires
/// the variable, and nothing listens on port 1.
pub(crate) const UNUSED_DB_URL: &str = "postgres://unused@127.0.0.1:1/none";

/// A new database on `postgres` with the schema of `migrations/`.
pub async fn migrated_database(postgres: &testkit::Postgres) -> testkit::Database {
    let database = postgres.create_database();
    migrate::run(&database.url).await.expect("migrate the test database");
    database
}

/// The root spin.toml on Spin with a fresh migrated database of the shared PostgreSQL.
pub async fn spawn_app() -> TestApp {
    spawn_app_on(testkit::shared_postgres()).await
}

/// Like [`spawn_app`], on a PostgreSQL of the test's own (one it may stop and start).
pub async fn spawn_app_on(postgres: &'static testkit::Postgres) -> TestApp {
    TestApp::spawn(AppConfig::with_database(postgres, migrated_database(postgres).await))
}

/// One app for the whole test binary: the root spin.toml with a `db_url` that reaches nothing,
/// for tests of routes that never touch the database.
pub fn app_without_database() -> &'static TestApp {
    static APP: std::sync::OnceLock<TestApp> = std::sync::OnceLock::new();
    APP.get_or_init(|| TestApp::spawn(AppConfig::without_database()))
}

//! The end-to-end harness: an app (by default the repository's spin.toml) served by a real
//! runtime process, Spin 3.6.3 or the project's host, on a port of 127.0.0.1 it picked itself,
//! and fresh migrated databases on a real PostgreSQL.
//!
//! Tests are written once, taking a [`Runtime`], and [`on_each_runtime!`] runs each of them on
//! each: `on_spin::<test>`, `on_spinkube::<test>` and `on_devhost::<test>`.

mod app;
mod runtime;
pub mod spinkube;

pub use app::{AppConfig, TestApp};
pub use runtime::Runtime;

/// A `db_url` for apps whose tested routes never reach the database: the manifest requires
/// the variable, and nothing listens on port 1.
pub(crate) const UNUSED_DB_URL: &str = "postgres://unused@127.0.0.1:1/none";

/// A new database on `postgres` with the schema of `migrations/`: its URL.
pub async fn migrated_database(postgres: &testkit::Postgres) -> String {
    let url = postgres.create_database();
    migrate::run(&url).await.expect("migrate the test database");
    url
}

/// For each named `async fn test(runtime: Runtime)` of the calling module, a test on Spin
/// (`on_spin::test`), on Spin shaped as the deployment (`on_spinkube::test`), both skipped with a
/// note where Spin is not installed and failing under CI, and one on the project's host
/// (`on_devhost::test`).
#[macro_export]
macro_rules! on_each_runtime {
    ($($test:ident),+ $(,)?) => {
        $crate::on_runtime!(on_spin, Spin, $($test),+);
        $crate::on_runtime!(on_spinkube, SpinKube, $($test),+);
        $crate::on_runtime!(on_devhost, Devhost, $($test),+);
    };
}

/// Like [`on_each_runtime!`] without `on_spinkube`, for tests of what one runtime process does
/// with a connection's bytes and its own memory, which the Ingress stand-in in front of the
/// SpinApps would hide.
#[macro_export]
macro_rules! on_each_runtime_process {
    ($($test:ident),+ $(,)?) => {
        $crate::on_runtime!(on_spin, Spin, $($test),+);
        $crate::on_runtime!(on_devhost, Devhost, $($test),+);
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! on_runtime {
    ($module:ident, $runtime:ident, $($test:ident),+) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    if let Some(runtime) = $crate::Runtime::$runtime.available() {
                        super::$test(runtime).await
                    }
                }
            )+
        }
    };
}

/// One app per runtime for the whole test binary: the root spin.toml with a `db_url` that
/// reaches nothing, for tests of routes that never touch the database.
pub fn app_without_database(runtime: Runtime) -> &'static TestApp {
    static SPIN: std::sync::OnceLock<TestApp> = std::sync::OnceLock::new();
    static SPINKUBE: std::sync::OnceLock<TestApp> = std::sync::OnceLock::new();
    static DEVHOST: std::sync::OnceLock<TestApp> = std::sync::OnceLock::new();
    let app = match runtime {
        Runtime::Spin => &SPIN,
        Runtime::SpinKube => &SPINKUBE,
        Runtime::Devhost => &DEVHOST,
    };
    app.get_or_init(|| TestApp::spawn(runtime, AppConfig::without_database()))
}

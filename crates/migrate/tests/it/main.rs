//! Against a real throwaway PostgreSQL (testkit): apply once, concurrently, and refuse drift.

mod list_counts;
mod no_transaction;

use migrate::{Migration, Report};
use testkit::{Database, shared_postgres};

fn count(database: &Database, sql: &str) -> i64 {
    psql(database, sql).trim().parse().unwrap()
}

fn psql(database: &Database, sql: &str) -> String {
    shared_postgres().psql(&database.name, sql)
}

fn versions() -> Vec<String> {
    migrate::embedded().iter().map(|migration| migration.version.to_owned()).collect()
}

#[tokio::test]
async fn applies_the_schema_once_then_reports_up_to_date() {
    let database = shared_postgres().create_database();
    let url = &database.url;
    let first = migrate::run(url).await.unwrap();
    assert_eq!(first, Report { applied: versions(), already_applied: 0 });
    let second = migrate::run(url).await.unwrap();
    assert_eq!(second, Report { applied: vec![], already_applied: migrate::embedded().len() });
    assert_eq!(count(&database, "SELECT count(*) FROM todos"), 0);
}

#[tokio::test]
async fn two_concurrent_runs_both_succeed_and_apply_once() {
    let database = shared_postgres().create_database();
    let url = &database.url;
    let (a, b) = tokio::join!(migrate::run(url), migrate::run(url));
    let (a, b) = (a.unwrap(), b.unwrap());
    let total = migrate::embedded().len();
    assert_eq!(a.applied.len() + b.applied.len(), total, "{a:?} {b:?}");
    assert_eq!(count(&database, "SELECT count(*) FROM schema_migrations"), total as i64);
}

#[tokio::test]
async fn concurrent_processes_of_the_binary_apply_once() {
    let database = shared_postgres().create_database();
    let url = &database.url;
    let runs: Vec<_> = (0..4)
        .map(|_| {
            std::process::Command::new(env!("CARGO_BIN_EXE_migrate"))
                .env("DATABASE_URL", url)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied_by = 0;
    for run in runs {
        let output = run.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        applied_by += usize::from(String::from_utf8_lossy(&output.stdout).contains("applied 0001"));
    }
    assert_eq!(applied_by, 1, "exactly one process applies the schema");
    assert_eq!(count(&database, "SELECT count(*) FROM schema_migrations"), migrate::embedded().len() as i64);
}

#[tokio::test]
async fn a_failing_migration_leaves_nothing_behind() {
    let database = shared_postgres().create_database();
    let url = &database.url;
    let migrations = [
        Migration { version: "0001_ok", sql: "CREATE TABLE ok (id INT)" },
        Migration { version: "0002_broken", sql: "CREATE TABLE broken (id INT REFERENCES nowhere)" },
    ];
    let error = migrate::run_migrations(url, &migrations).await.unwrap_err();
    assert!(format!("{error:#}").contains("0002_broken"), "{error:#}");
    assert_eq!(count(&database, "SELECT count(*) FROM pg_tables WHERE tablename = 'ok'"), 0);
    assert_eq!(count(&database, "SELECT count(*) FROM schema_migrations"), 0);
}

#[tokio::test]
async fn a_changed_applied_migration_is_an_error() {
    let database = shared_postgres().create_database();
    let url = &database.url;
    let original = [Migration { version: "0001_a", sql: "CREATE TABLE a (id INT)" }];
    migrate::run_migrations(url, &original).await.unwrap();
    let edited = [Migration { version: "0001_a", sql: "CREATE TABLE a (id BIGINT)" }];
    let error = migrate::run_migrations(url, &edited).await.unwrap_err();
    assert!(error.to_string().contains("changed after it was applied"), "{error:#}");
}

#[tokio::test]
async fn an_unreachable_database_is_a_clear_error() {
    let url = format!("postgres://postgres@127.0.0.1:{}/none?connect_timeout=2", testkit::free_port());
    let error = migrate::run(&url).await.unwrap_err();
    assert!(format!("{error:#}").contains("connecting to the database"), "{error:#}");
}

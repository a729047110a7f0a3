//! A migration marked `-- migrate: no-transaction`: statement by statement, recorded when done.

use crate::{count, psql};
use migrate::{Migration, Report};
use testkit::shared_postgres;

const TABLE: Migration = Migration { version: "0001_table", sql: "CREATE TABLE t (id INT, done BOOLEAN)" };
const INDEX: Migration = Migration {
    version: "0002_index",
    sql: "-- migrate: no-transaction\n\
          CREATE INDEX CONCURRENTLY t_done ON t (id) WHERE done;\n\
          BEGIN;\nCREATE TABLE u (id INT);\nINSERT INTO u VALUES (1);\nCOMMIT;\n",
};
const LATER: Migration = Migration { version: "0003_later", sql: "CREATE TABLE v (id INT)" };

#[test]
fn only_a_marked_first_line_takes_a_migration_out_of_transactions() {
    assert!(!INDEX.in_transaction());
    assert!(TABLE.in_transaction());
    assert!(Migration { version: "0004_x", sql: "SELECT 1;\n-- migrate: no-transaction\n" }.in_transaction());
    assert!(Migration { version: "0005_x", sql: "" }.in_transaction());
}

#[tokio::test]
async fn runs_concurrently_built_indexes_between_transactional_migrations() {
    let database = shared_postgres().create_database();
    let url = &database.url;
    let report = migrate::run_migrations(url, &[TABLE, INDEX, LATER]).await.unwrap();
    assert_eq!(report.applied, ["0001_table", "0002_index", "0003_later"]);
    assert_eq!(
        count(&database, "SELECT count(*) FROM pg_index WHERE indexrelid = 't_done'::regclass AND indisvalid"),
        1
    );
    assert_eq!(count(&database, "SELECT count(*) FROM u"), 1);
    let again = migrate::run_migrations(url, &[TABLE, INDEX, LATER]).await.unwrap();
    assert_eq!(again, Report { applied: vec![], already_applied: 3 });
}

#[tokio::test]
async fn stopped_halfway_it_is_not_recorded_and_runs_again() {
    let database = shared_postgres().create_database();
    let url = &database.url;
    psql(&database, "CREATE TABLE ready (id INT)");
    let halting = Migration {
        version: "0001_halting",
        sql: "-- migrate: no-transaction\n\
              CREATE TABLE IF NOT EXISTS first_step (id INT);\n\
              SELECT 1 / count(*) FROM ready; -- division by zero while ready is empty\n\
              CREATE TABLE last_step (id INT);\n",
    };
    let error = migrate::run_migrations(url, &[halting]).await.unwrap_err();
    assert!(format!("{error:#}").contains("applying migration 0001_halting"), "{error:#}");
    assert_eq!(count(&database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('first_step', 'last_step')"), 1);
    assert_eq!(count(&database, "SELECT count(*) FROM schema_migrations"), 0);

    psql(&database, "INSERT INTO ready VALUES (1)");
    let report = migrate::run_migrations(url, &[halting]).await.unwrap();
    assert_eq!(report.applied, ["0001_halting"]);
    assert_eq!(count(&database, "SELECT count(*) FROM pg_tables WHERE tablename IN ('first_step', 'last_step')"), 2);
}

/// The copy that waits for the lock holds no snapshot for `CREATE INDEX CONCURRENTLY` to wait on.
#[tokio::test]
async fn concurrent_runs_with_a_concurrent_index_both_finish() {
    let database = shared_postgres().create_database();
    let migrations = [TABLE, INDEX, LATER];
    let run = || migrate::run_migrations(&database.url, &migrations);
    let (a, b) = tokio::join!(run(), run());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.applied.len() + b.applied.len(), 3, "{a:?} {b:?}");
    assert_eq!(count(&database, "SELECT count(*) FROM schema_migrations"), 3);
}

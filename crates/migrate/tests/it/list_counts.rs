//! The list's counters (migrations/0002): filled from the todos already there, kept by triggers
//! through every kind of write, and the migration online under concurrent writes.

use crate::{count, psql};
use migrate::Report;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use testkit::{Database, shared_postgres};
use tokio_postgres::NoTls;

/// `todos done` by counting, then as the counters say.
const COUNTED: &str = "SELECT count(*) || ' ' || count(*) FILTER (WHERE done) FROM todos";
const KEPT: &str = "SELECT sum(todos) || ' ' || sum(done) FROM todo_counts";
const CHANGES: &str = "SELECT sum(changes) FROM todo_counts";

fn assert_counts_exact(database: &Database, after: &str) {
    assert_eq!(psql(database, KEPT), psql(database, COUNTED), "after {after}");
}

/// A database at the first migration only, as production was before the counters.
async fn at_first_migration() -> Database {
    let database = shared_postgres().create_database();
    migrate::run_migrations(&database.url, &migrate::embedded()[..1]).await.unwrap();
    database
}

#[tokio::test]
async fn counts_the_todos_already_there_and_a_later_run_is_a_no_op() {
    let database = at_first_migration().await;
    let url = &database.url;
    psql(&database, "INSERT INTO todos (task, done) SELECT 'old ' || n, n % 3 = 0 FROM generate_series(1, 5000) n");
    psql(&database, "DELETE FROM todos WHERE id % 10 = 0");
    let report = migrate::run(url).await.unwrap();
    assert_eq!(report.already_applied, 1);
    assert!(report.applied.iter().any(|version| version.starts_with("0002_")), "{report:?}");
    assert_eq!(psql(&database, KEPT).trim(), "4500 1500");
    assert_counts_exact(&database, "the migration");
    let valid = "SELECT count(*) FROM pg_index WHERE indisvalid AND indexrelid::regclass::text IN ('todos_done_id', 'todos_open_id')";
    assert_eq!(count(&database, valid), 2);

    let changes = count(&database, CHANGES);
    let again = migrate::run(url).await.unwrap();
    assert_eq!(again, Report { applied: vec![], already_applied: migrate::embedded().len() });
    assert_eq!(count(&database, CHANGES), changes, "a no-op run changes nothing");
}

#[tokio::test]
async fn every_kind_of_write_keeps_the_counts_and_moves_the_change_counter() {
    let database = shared_postgres().create_database();
    let url = &database.url;
    migrate::run(url).await.unwrap();
    let mut changes = count(&database, CHANGES);
    let mut write = |sql: &str, changed: bool| {
        psql(&database, sql);
        assert_counts_exact(&database, sql);
        let now = count(&database, CHANGES);
        assert_eq!(now > changes, changed, "changes {changes} -> {now} after {sql}");
        changes = now;
    };
    write("INSERT INTO todos (task) SELECT 't' || n FROM generate_series(1, 300) n", true);
    write("UPDATE todos SET done = true WHERE id % 4 = 0", true);
    write("UPDATE todos SET done = true WHERE id % 4 = 0", false);
    write("UPDATE todos SET task = 'edited' WHERE id = 1", true);
    write("UPDATE todos SET done = done WHERE id < 0", false);
    write("INSERT INTO todos (task, author) VALUES ('authored', sha256('a session'::bytea))", true);
    write("UPDATE todos SET task = task, author = author WHERE author IS NOT NULL", false);
    write("DELETE FROM todos WHERE id % 5 = 0", true);
    write("DELETE FROM todos WHERE id < 0", false);
    write("BEGIN; INSERT INTO todos (task) VALUES ('rolled back'); ROLLBACK", false);
    write(
        "WITH gone AS (DELETE FROM todos WHERE id < 20 RETURNING task) INSERT INTO todos (task, done) SELECT task, true FROM gone",
        true,
    );
    write("COPY todos (task, done) FROM PROGRAM 'printf \"copied\\tt\\ncopied\\tf\\n\"'", true);
    write("TRUNCATE todos", true);
    write("INSERT INTO todos (task, done) VALUES ('after truncate', true)", true);
}

/// Writers on several connections at once, each burst checked against count(*) once it is done.
#[tokio::test]
async fn concurrent_bursts_of_writes_keep_exact_counts() {
    let database = shared_postgres().create_database();
    let url = &database.url;
    migrate::run(url).await.unwrap();
    let bursts = [
        "INSERT INTO todos (task, done) VALUES ('burst', random() < 0.3)",
        "UPDATE todos SET done = NOT done WHERE id = (SELECT max(id) FROM todos) - (random() * 50)::int",
        "DELETE FROM todos WHERE id = (SELECT max(id) FROM todos) - (random() * 50)::int",
        "INSERT INTO todos (task) SELECT 'bulk' FROM generate_series(1, 20)",
    ];
    for round in 0..3 {
        let writers = (0..8).map(|writer| {
            let url = url.clone();
            tokio::spawn(async move {
                let client = connect(&url).await;
                for n in 0..60 {
                    client.batch_execute(bursts[(writer + n) % bursts.len()]).await.unwrap();
                }
            })
        });
        for writer in writers.collect::<Vec<_>>() {
            writer.await.unwrap();
        }
        assert_counts_exact(&database, &format!("burst {round}"));
        if round == 1 {
            psql(&database, "TRUNCATE todos");
            assert_counts_exact(&database, "TRUNCATE");
        }
    }
}

/// The migration on a table that is being written: nothing is lost or counted twice, and the
/// writers go on (the counters' fill holds writes back only while it counts).
#[tokio::test]
async fn the_migration_under_concurrent_writes_counts_exactly() {
    let database = at_first_migration().await;
    let url = &database.url;
    psql(&database, "INSERT INTO todos (task, done) SELECT 'old ' || n, n % 7 = 0 FROM generate_series(1, 50000) n");
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (url, stop) = (url.clone(), stop.clone());
            tokio::spawn(async move {
                let client = connect(&url).await;
                let mut writes = 0;
                while !stop.load(Ordering::Relaxed) {
                    let sql = match writes % 3 {
                        0 => "INSERT INTO todos (task, done) VALUES ('during', true)",
                        1 => "UPDATE todos SET done = NOT done WHERE id = (random() * 50000)::int",
                        _ => "DELETE FROM todos WHERE id = (random() * 50000)::int",
                    };
                    client.batch_execute(sql).await.unwrap();
                    writes += 1;
                }
                writes
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let report = migrate::run(url).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let mut writes = 0;
    for writer in writers {
        writes += writer.await.unwrap();
    }
    assert!(report.applied.iter().any(|version| version.starts_with("0002_")), "{report:?}");
    assert!(writes > 100, "the writers kept writing ({writes} writes)");
    assert_counts_exact(&database, "the migration under writes");
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

//! Connection pooling as in Spin 3.6: one pool per address, at most 64 connections, each
//! returned when the guest drops it or the request ends, and reset (`Clean`) before reuse.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use outbound_pg::Pools;
use outbound_pg::wit::DbValue;

#[tokio::test]
async fn dropped_connection_is_reused_by_the_next_request() {
    let url = testkit::shared_postgres().create_database();
    let pools = Pools::default();
    let mut backends = std::collections::HashSet::new();
    // Far more than 64 sequential requests: each must get the connection the last one returned.
    for _ in 0..200 {
        let mut state = request(&pools);
        let connection = open(&mut state, &url).await;
        backends.insert(format!("{:?}", scalar(&mut state, &connection, "SELECT pg_backend_pid()").await));
        close(&mut state, connection).await;
    }
    assert_eq!(backends.len(), 1, "one server connection serves them all: {backends:?}");
}

#[tokio::test]
async fn ending_a_request_returns_all_its_connections() {
    let url = testkit::shared_postgres().create_database();
    let pools = Pools::default();
    let mut state = request(&pools);
    for _ in 0..64 {
        open(&mut state, &url).await; // never dropped by the guest
    }
    drop(state);

    let started = Instant::now();
    let mut state = request(&pools);
    for _ in 0..64 {
        open(&mut state, &url).await;
    }
    // Had they not been returned, the pool would be full and the first open would wait 10 s.
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_64_connections_per_address_under_concurrency() {
    let postgres = testkit::shared_postgres();
    let url = format!("{}&application_name=pool_limit", postgres.create_database());
    let pools = Pools::default();
    let requests: Vec<_> = (0..100)
        .map(|_| {
            let (pools, url) = (pools.clone(), url.clone());
            tokio::spawn(async move {
                let mut state = request(&pools);
                let connection = open(&mut state, &url).await;
                let open_now = scalar(
                    &mut state,
                    &connection,
                    "SELECT count(*) FROM pg_stat_activity, pg_sleep(0.3) \
                     WHERE application_name = 'pool_limit'",
                )
                .await;
                match open_now {
                    DbValue::Int64(n) => n,
                    other => panic!("count is an int8, got {other:?}"),
                }
            })
        })
        .collect();

    let mut most = 0;
    for request in requests {
        most = most.max(request.await.expect("every request succeeds"));
    }
    assert_eq!(most, 64, "the pool grows to 64 connections and no further");
}

#[tokio::test]
async fn returned_connection_is_cleaned_before_reuse() {
    let url = testkit::shared_postgres().create_database();
    let pools = Pools::default();
    let mut first = request(&pools);
    let connection = open(&mut first, &url).await;
    let backend = scalar(&mut first, &connection, "SELECT pg_backend_pid()").await;
    // The address's own `options` set it at connect time; the clean-up returns to that.
    let statement_timeout = scalar(&mut first, &connection, "SHOW statement_timeout").await;
    for dirty in [
        "SET statement_timeout = '4321ms'",
        "CREATE TEMP TABLE scratch (x int)",
        "SELECT pg_advisory_lock(42)",
        "LISTEN somewhere",
    ] {
        execute(&mut first, &connection, dirty, vec![]).await;
    }
    close(&mut first, connection).await;

    let mut second = request(&pools);
    let connection = open(&mut second, &url).await;
    assert_eq!(scalar(&mut second, &connection, "SELECT pg_backend_pid()").await, backend, "same connection");
    let checks = [
        ("SHOW statement_timeout", statement_timeout),
        ("SELECT to_regclass('pg_temp.scratch')::text", DbValue::DbNull),
        ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'", DbValue::Int64(0)),
        ("SELECT count(*) FROM pg_listening_channels()", DbValue::Int64(0)),
    ];
    for (sql, expected) in checks {
        assert_eq!(scalar(&mut second, &connection, sql).await, expected, "{sql}");
    }
}

#[tokio::test]
async fn each_address_has_its_own_pool() {
    let postgres = testkit::shared_postgres();
    let (one, two) = (postgres.create_database(), postgres.create_database());
    let pools = Pools::default();
    let mut state = request(&pools);
    let mut current_databases = Vec::new();
    for url in [&one, &two, &one] {
        let connection = open(&mut state, url).await;
        current_databases.push(scalar(&mut state, &connection, "SELECT current_database()::text").await);
        close(&mut state, connection).await;
    }
    assert_ne!(current_databases[0], current_databases[1]);
    assert_eq!(current_databases[0], current_databases[2]);
}

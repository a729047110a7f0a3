//! Errors reported like Spin 3.6's: statement failures, bad parameters, refused and failing
//! connections, and a database that is down failing fast.

use crate::common;

use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::*;
use outbound_pg::wit::{DbError, Error, HostConnection, ParameterValue as P, QueryError};
use outbound_pg::{PgState, Pools};

fn db_error(error: Error) -> DbError {
    match error {
        Error::QueryFailed(QueryError::DbError(db)) => db,
        other => panic!("expected a database error, got {other:?}"),
    }
}

fn query_text(text: &str) -> Error {
    Error::QueryFailed(QueryError::Text(text.to_owned()))
}

fn connection_failure(result: Result<impl std::fmt::Debug, Error>) -> String {
    match result {
        Err(Error::ConnectionFailed(message)) => message,
        other => panic!("expected a connection failure, got {other:?}"),
    }
}

#[tokio::test]
async fn statement_errors_carry_postgres_details() {
    let (mut state, connection) = connected().await;

    let syntax = db_error(try_query(&mut state, &connection, "SELEKT 1", vec![]).await.unwrap_err());
    assert_eq!((syntax.severity.as_str(), syntax.code.as_str()), ("ERROR", "42601"));
    assert!(syntax.message.contains("syntax error"), "{syntax:?}");
    assert!(syntax.as_text.contains("SELEKT") || syntax.as_text.contains("42601"), "{syntax:?}");

    execute(&mut state, &connection, "CREATE TABLE t (id int CONSTRAINT t_pk PRIMARY KEY)", vec![]).await;
    execute(&mut state, &connection, "INSERT INTO t VALUES (1)", vec![]).await;
    let duplicate = db_error(
        try_execute(&mut state, &connection, "INSERT INTO t VALUES ($1)", vec![P::Int32(1)]).await.unwrap_err(),
    );
    assert_eq!(duplicate.code, "23505");
    assert_eq!(duplicate.detail.as_deref(), Some("Key (id)=(1) already exists."));
    for expected in [("constraint", "t_pk"), ("table", "t"), ("schema", "public")] {
        let expected = (expected.0.to_owned(), expected.1.to_owned());
        assert!(duplicate.extras.contains(&expected), "{expected:?} in {:?}", duplicate.extras);
    }
}

#[tokio::test]
async fn unconvertible_parameters_are_refused_before_reaching_the_database() {
    let (mut state, connection) = connected().await;
    let bad_uuid = || vec![P::Uuid("not-a-uuid".into())];

    // Spin names the same mistake differently in `query` and `execute`.
    match try_query(&mut state, &connection, "SELECT $1::uuid", bad_uuid()).await {
        Err(Error::BadParameter(message)) => assert!(message.contains("invalid UUID not-a-uuid")),
        other => panic!("expected bad-parameter, got {other:?}"),
    }
    match try_execute(&mut state, &connection, "SELECT $1::uuid", bad_uuid()).await {
        Err(Error::ValueConversionFailed(message)) => assert!(message.contains("invalid UUID")),
        other => panic!("expected value-conversion-failed, got {other:?}"),
    }
    let bad_date = vec![P::Date((2023, 2, 29))];
    assert!(matches!(
        try_query(&mut state, &connection, "SELECT $1::date", bad_date).await,
        Err(Error::BadParameter(message)) if message.contains("invalid date")
    ));
    // The connection is still usable afterwards.
    assert_eq!(scalar(&mut state, &connection, "SELECT 1").await, outbound_pg::wit::DbValue::Int32(1));
}

#[tokio::test]
async fn parameter_of_the_wrong_type_or_count_is_a_query_failure() {
    let (mut state, connection) = connected().await;

    let wrong_type = try_query(&mut state, &connection, "SELECT $1::int4", vec![P::Str("1".into())]);
    match wrong_type.await {
        Err(Error::QueryFailed(QueryError::Text(text))) => {
            assert!(text.contains("ToSql(0)") && text.contains("WrongType"), "{text}")
        }
        other => panic!("expected a text query failure, got {other:?}"),
    }
    let missing = try_execute(&mut state, &connection, "SELECT $1::int4", vec![]).await;
    assert!(matches!(missing, Err(Error::QueryFailed(QueryError::Text(_)))), "{missing:?}");
}

#[tokio::test]
async fn address_not_allowed_is_refused_without_connecting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let asked = Arc::new(Mutex::new(Vec::<String>::new()));
    let recorder = asked.clone();
    let mut state = PgState::new(
        Pools::default(),
        Arc::new(move |url: &str| {
            recorder.lock().unwrap().push(url.to_owned());
            false
        }),
    );

    let refused = state.open(format!("postgres://postgres@127.0.0.1:{port}/db")).await;

    assert_eq!(connection_failure(refused), format!("address postgres://127.0.0.1:{port} is not permitted"));
    assert_eq!(*asked.lock().unwrap(), [format!("postgres://127.0.0.1:{port}")]);
    let accepted = listener.accept();
    assert!(accepted.is_err(), "no connection may be attempted: {accepted:?}");
}

#[tokio::test]
async fn tls_is_used_unless_sslmode_disable() {
    let postgres = testkit::shared_postgres();
    let database = postgres.create_database();
    let name = database.rsplit('/').next().unwrap().split('?').next().unwrap().to_owned();
    let base = format!("postgres://postgres@{}/{name}", postgres.host());
    let mut state = request(&Pools::default());

    // The test server has no certificate: `require` must fail on TLS, the default (`prefer`)
    // falls back to plain text after asking, `disable` never asks.
    let required = connection_failure(state.open(format!("{base}?sslmode=require")).await);
    assert!(required.to_lowercase().contains("tls"), "{required}");
    open(&mut state, &base).await;
    open(&mut state, &format!("{base}?sslmode=disable")).await;
}

#[tokio::test]
async fn missing_database_is_a_connection_failure() {
    let postgres = testkit::shared_postgres();
    let url = postgres.url("no_such_database");
    let message = connection_failure(request(&Pools::default()).open(url).await);
    assert!(message.contains("no_such_database"), "{message}");
}

#[tokio::test]
async fn nothing_listening_fails_at_once() {
    let url = format!("postgres://postgres@127.0.0.1:{}/db?sslmode=disable", testkit::free_port());
    let started = Instant::now();
    let message = connection_failure(request(&Pools::default()).open(url).await);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    // Exactly what Spin 3.6 reports when RUST_BACKTRACE is unset, as in production.
    assert_eq!(
        message,
        "Error occurred while creating a new object: error connecting to server: Connection refused (os error 111)\n\n\
         Caused by:\n    0: error connecting to server: Connection refused (os error 111)\n    \
         1: Connection refused (os error 111)"
    );
}

/// A server that never accepts (its listen queue is full, or a partition drops the packets):
/// `connect_timeout` in the address bounds the wait, on Spin as here.
#[tokio::test]
async fn connect_timeout_in_the_address_bounds_a_server_that_never_accepts() {
    let (addr, _listener, _queued) = listener_with_a_full_queue().await;
    let url = format!("postgres://postgres@{addr}/db?sslmode=disable&connect_timeout=1");
    let started = Instant::now();
    let message = connection_failure(request(&Pools::default()).open(url).await);
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3), "took {elapsed:?}");
    assert!(message.contains("timed out"), "{message}");
    assert!(!message.contains("Stack backtrace"), "no backtrace: {message}");
}

/// A listening socket that never accepts, with its accept queue full: the kernel drops
/// further connection attempts, as a partitioned or overloaded server's network does.
async fn listener_with_a_full_queue() -> (std::net::SocketAddr, TcpListener, Vec<tokio::net::TcpStream>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut queued = Vec::new();
    while let Ok(connected) =
        tokio::time::timeout(Duration::from_millis(200), tokio::net::TcpStream::connect(addr)).await
    {
        queued.push(connected.unwrap());
        assert!(queued.len() < 10_000, "the accept queue never filled");
    }
    (addr, listener, queued)
}

/// A server that accepts and then says nothing (a stopped process whose kernel still
/// completes the handshake) is bounded by nothing on Spin 3.6: tokio-postgres's
/// `connect_timeout` covers the TCP connect only, and Spin's pools set no time limit. This
/// host does the same, so a test that passes here does not promise a fast failure there.
#[tokio::test]
async fn a_server_that_accepts_and_never_answers_is_waited_for_as_on_spin() {
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("postgres://postgres@{}/db?sslmode=disable&connect_timeout=1", silent.local_addr().unwrap());
    let mut state = request(&Pools::default());
    let pending = tokio::time::timeout(Duration::from_secs(2), state.open(url)).await;
    assert!(pending.is_err(), "open returned within 2 s: {:?}", pending.map(|opened| opened.is_ok()));
}

/// A statement that runs too long (a stuck query, a server that is alive but overloaded)
/// ends at `statement_timeout` from the address's `options`, applied by PostgreSQL itself.
#[tokio::test]
async fn statement_timeout_in_the_address_ends_a_long_statement() {
    let url = format!("{}&options=-c%20statement_timeout%3D300", testkit::shared_postgres().url("postgres"));
    let mut state = request(&Pools::default());
    let connection = open(&mut state, &url).await;
    let started = Instant::now();
    let error = try_query(&mut state, &connection, "SELECT pg_sleep(10)", vec![]).await.unwrap_err();
    // As Spin 3.6.3 reports it (measured): met while reading rows, so text without SQLSTATE,
    // which our components count as "database unavailable" (503).
    assert_eq!(error, query_text("db error: ERROR: canceling statement due to statement timeout"));
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
}

/// A statement waiting for a lock another session holds ends at `lock_timeout`.
#[tokio::test]
async fn lock_timeout_in_the_address_ends_a_wait_for_a_lock() {
    let url = testkit::shared_postgres().create_database();
    let pools = Pools::default();
    let mut holder = request(&pools);
    let held = open(&mut holder, &url).await;
    execute(&mut holder, &held, "CREATE TABLE t (id int)", vec![]).await;
    execute(&mut holder, &held, "BEGIN", vec![]).await;
    execute(&mut holder, &held, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE", vec![]).await;

    let mut waiter = request(&pools);
    let waiting = open(&mut waiter, &format!("{url}&options=-c%20lock_timeout%3D300")).await;
    let started = Instant::now();
    let error = db_error(try_query(&mut waiter, &waiting, "SELECT * FROM t", vec![]).await.unwrap_err());
    assert_eq!(error.code, "55P03", "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "took {:?}", started.elapsed());
    execute(&mut holder, &held, "ROLLBACK", vec![]).await;
}

#[tokio::test]
async fn database_going_down_fails_fast_and_recovers_after_restart() {
    let postgres = testkit::Postgres::start();
    let url = postgres.url("postgres");
    let pools = Pools::default();
    let mut state = request(&pools);
    let connection = open(&mut state, &url).await;
    scalar(&mut state, &connection, "SELECT 1").await;
    close(&mut state, connection).await;

    postgres.stop();
    let started = Instant::now();
    connection_failure(request(&pools).open(url.clone()).await);
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());

    postgres.start_again();
    let mut state = request(&pools);
    let connection = open(&mut state, &url).await;
    assert_eq!(scalar(&mut state, &connection, "SELECT 2").await, outbound_pg::wit::DbValue::Int32(2));
}

#[tokio::test]
async fn unknown_connection_handle_is_reported() {
    let mut state = request(&Pools::default());
    let never_opened = wasmtime::component::Resource::new_borrow(77);
    let result = state.query(never_opened, "SELECT 1".into(), vec![]).await;
    assert_eq!(connection_failure(result), "no connection found");
}

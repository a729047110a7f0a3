//! `spin:postgres/postgres@4.0.0` through the host, against a real PostgreSQL.

use crate::common;

use common::{probe_manifest, start_app};
use http::StatusCode;

fn manifest(allowed: &str) -> String {
    probe_manifest(&format!("allowed_outbound_hosts = [\"{allowed}\"]"))
}

fn encoded(url: &str) -> String {
    url.replace('%', "%25").replace('&', "%26").replace('?', "%3F").replace('=', "%3D")
}

/// The probe, allowed to reach the shared test database, running `action` on it.
async fn probe_action_on_shared_database(action: &str) -> common::Reply {
    let pg = testkit::shared_postgres();
    let app = start_app(&manifest(&format!("postgres://{}", pg.host())), &[]).await.unwrap();
    let reply = app.get(&format!("/?action={action}&address={}", encoded(&pg.url("postgres")))).await;
    app.host.shutdown().await;
    reply
}

#[tokio::test]
async fn an_allowed_database_is_reachable() {
    let reply = probe_action_on_shared_database("pg").await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "[[DbValue::Int32(1)]]"));
}

#[tokio::test]
async fn other_databases_are_refused_before_connecting() {
    let pg = testkit::shared_postgres();
    let other_port = format!("postgres://127.0.0.1:{}", pg.port() + 1);
    for allowed in [other_port.as_str(), "postgres://db.example:5432", "http://*:*"] {
        let app = start_app(&manifest(allowed), &[]).await.unwrap();
        let reply = app.get(&format!("/?action=pg&address={}", encoded(&pg.url("postgres")))).await;
        assert_eq!(reply.status, StatusCode::BAD_GATEWAY, "{allowed}");
        assert!(reply.body.starts_with("Error::ConnectionFailed"), "{allowed}: {}", reply.body);
        app.host.shutdown().await;
    }
}

/// The database bounds come from the address, so they hold on Spin too: here a statement
/// that runs too long ends at the URL's `statement_timeout`, one line of error text reaching
/// the component.
#[tokio::test]
async fn a_stuck_statement_ends_at_the_statement_timeout_in_the_address() {
    let pg = testkit::shared_postgres();
    let app = start_app(&manifest(&format!("postgres://{}", pg.host())), &[]).await.unwrap();
    let address = format!("{}&options=-c%20statement_timeout%3D300", pg.url("postgres"));
    let started = std::time::Instant::now();
    let reply = app.get(&format!("/?action=pg&sql=SELECT%20pg_sleep(10)&address={}", encoded(&address))).await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY, "{}", reply.body);
    assert!(reply.body.contains("canceling statement due to statement timeout"), "{}", reply.body);
    assert!(started.elapsed() < std::time::Duration::from_secs(3), "took {:?}", started.elapsed());
    app.host.shutdown().await;
}

/// Spin checks only host names: the host-less address below reaches the database under Spin
/// 3.6.3 (measured) although only 127.0.0.2 is allowed; `hostaddr` is refused here in any form.
#[tokio::test]
async fn hostaddr_and_host_less_addresses_are_refused_before_connecting() {
    let pg = testkit::shared_postgres();
    let app = start_app(&manifest(&format!("postgres://127.0.0.2:{}", pg.port())), &[]).await.unwrap();
    let query = format!("sslmode=disable&user=postgres&port={}&hostaddr=127.0.0.1", pg.port());
    for address in [format!("postgres://127.0.0.2/postgres?{query}"), format!("postgres:///postgres?{query}")] {
        let reply = app.get(&format!("/?action=pg&address={}", encoded(&address))).await;
        assert_eq!(reply.status, StatusCode::BAD_GATEWAY, "{address}: {}", reply.body);
        assert!(reply.body.starts_with("Error::ConnectionFailed"), "{address}: {}", reply.body);
    }
    app.host.shutdown().await;
}

/// As Spin words it, with its `Caused by:` list, and never the backtrace Spin adds under
/// `RUST_BACKTRACE`.
#[tokio::test]
async fn a_connection_failure_reaches_the_component_as_on_spin_without_a_backtrace() {
    let nowhere = format!("postgres://postgres@127.0.0.1:{}/db?sslmode=disable", testkit::free_port());
    let app = start_app(&manifest("postgres://127.0.0.1:*"), &[]).await.unwrap();
    let reply = app.get(&format!("/?action=pg&address={}", encoded(&nowhere))).await;
    assert!(reply.body.contains("Connection refused") && reply.body.contains("Caused by:"), "{}", reply.body);
    assert!(!reply.body.contains("Stack backtrace"), "{}", reply.body);
    app.host.shutdown().await;
}

#[tokio::test]
async fn every_parameter_type_round_trips() {
    let reply = probe_action_on_shared_database("pg-types").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let columns = reply.json();
    let expected = [
        ("boolean", "Boolean", "Boolean(true)"),
        ("int16", "Int16", "Int16(-12)"),
        ("int32", "Int32", "Int32(123456)"),
        ("int64", "Int64", "Int64(-9007199254740993)"),
        ("floating32", "Floating32", "Floating32(1.5)"),
        ("floating64", "Floating64", "Floating64(-2.25)"),
        ("str", "Str", "Str(\"héllo ✓\")"),
        ("binary", "Binary", "Binary([0, 1, 255])"),
        ("date", "Date", "Date((2024, 2, 29))"),
        ("time", "Time", "Time((23, 59, 58, 123456000))"),
        ("datetime", "Datetime", "Datetime((2024, 2, 29, 23, 59, 58, 123456000))"),
        ("uuid", "Uuid", "Uuid(\"6f1c2a3e-0b5d-4c8e-9f7a-1b2c3d4e5f60\")"),
        // Stored as jsonb: keys reordered, whitespace gone.
        ("jsonb", "Jsonb", "Jsonb({\"a\":[1,2],\"b\":1})"),
        ("decimal", "Decimal", "Decimal(\"12345.6789\")"),
        // PostgreSQL normalises discrete ranges to [lower, upper).
        (
            "range_int32",
            "RangeInt32",
            "RangeInt32((Some((1, RangeBoundKind::Inclusive)), Some((11, RangeBoundKind::Exclusive))))",
        ),
        ("range_int64", "RangeInt64", "RangeInt64((Some((6, RangeBoundKind::Inclusive)), None))"),
        (
            "range_decimal",
            "RangeDecimal",
            "RangeDecimal((Some((\"1.5\", RangeBoundKind::Inclusive)), Some((\"2.5\", RangeBoundKind::Exclusive))))",
        ),
        ("array_int32", "ArrayInt32", "ArrayInt32([Some(1), None, Some(3)])"),
        ("array_int64", "ArrayInt64", "ArrayInt64([Some(-1)])"),
        ("array_decimal", "ArrayDecimal", "ArrayDecimal([Some(\"0.1\"), None])"),
        ("array_str", "ArrayStr", "ArrayStr([Some(\"a\"), None])"),
        ("interval", "Interval", "Interval(Interval { micros: 1500000, days: 2, months: 3 })"),
        ("null", "Str", "DbNull"),
    ];
    for (column, data_type, value) in expected {
        let got = &columns[column];
        assert_eq!(got[0], format!("DbDataType::{data_type}"), "{column}: {got}");
        assert_eq!(got[1], format!("DbValue::{value}"), "{column}: {got}");
    }
    assert_eq!(columns.as_object().unwrap().len(), expected.len());
}

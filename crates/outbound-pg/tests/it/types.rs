//! Every `spin_sdk::pg4` type written as a parameter and read back from a real PostgreSQL.

use crate::common;

use common::*;
use outbound_pg::Pools;
use outbound_pg::wit::{
    DbDataType as T, DbValue as V, Error, Interval, ParameterValue as P, QueryError,
    RangeBoundKind::{Exclusive, Inclusive},
};

/// Column name, SQL type, parameter written, value and type read back.
fn every_type() -> Vec<(&'static str, &'static str, P, V, T)> {
    let interval = Interval { micros: 3_723_000_004, days: 2, months: 14 };
    vec![
        ("b", "boolean", P::Boolean(true), V::Boolean(true), T::Boolean),
        ("i16", "int2", P::Int16(-32768), V::Int16(-32768), T::Int16),
        ("i32", "int4", P::Int32(2_147_483_647), V::Int32(2_147_483_647), T::Int32),
        ("i64", "int8", P::Int64(-9_000_000_000), V::Int64(-9_000_000_000), T::Int64),
        ("f32", "float4", P::Floating32(1.5), V::Floating32(1.5), T::Floating32),
        ("f64", "float8", P::Floating64(-2.25e300), V::Floating64(-2.25e300), T::Floating64),
        ("s", "text", P::Str("héllo 'world'".into()), V::Str("héllo 'world'".into()), T::Str),
        ("vc", "varchar(20)", P::Str("short".into()), V::Str("short".into()), T::Str),
        ("bc", "char(3)", P::Str("ab".into()), V::Str("ab ".into()), T::Str),
        ("bin", "bytea", P::Binary(vec![0, 255, 7]), V::Binary(vec![0, 255, 7]), T::Binary),
        ("d", "date", P::Date((2024, 2, 29)), V::Date((2024, 2, 29)), T::Date),
        ("t", "time", P::Time((13, 14, 15, 123_456_000)), V::Time((13, 14, 15, 123_456_000)), T::Time),
        (
            "dt",
            "timestamp",
            P::Datetime((1999, 12, 31, 23, 59, 59, 999_999_000)),
            V::Datetime((1999, 12, 31, 23, 59, 59, 999_999_000)),
            T::Datetime,
        ),
        (
            "u",
            "uuid",
            P::Uuid("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11".into()),
            V::Uuid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".into()),
            T::Uuid,
        ),
        (
            "j",
            "jsonb",
            P::Jsonb(br#"{"a":[1,2.5,null]}"#.to_vec()),
            V::Jsonb(br#"{"a":[1,2.5,null]}"#.to_vec()),
            T::Jsonb,
        ),
        ("n", "numeric", P::Decimal("-12345.678900".into()), V::Decimal("-12345.678900".into()), T::Decimal),
        (
            "r4",
            "int4range",
            P::RangeInt32((Some((1, Inclusive)), Some((10, Inclusive)))),
            V::RangeInt32((Some((1, Inclusive)), Some((11, Exclusive)))),
            T::RangeInt32,
        ),
        (
            "r8",
            "int8range",
            P::RangeInt64((Some((5_000_000_000, Exclusive)), None)),
            V::RangeInt64((Some((5_000_000_001, Inclusive)), None)),
            T::RangeInt64,
        ),
        (
            "rn",
            "numrange",
            P::RangeDecimal((Some(("1.5".into(), Exclusive)), Some(("2.25".into(), Inclusive)))),
            V::RangeDecimal((Some(("1.5".into(), Exclusive)), Some(("2.25".into(), Inclusive)))),
            T::RangeDecimal,
        ),
        (
            "a4",
            "int4[]",
            P::ArrayInt32(vec![Some(1), None, Some(-3)]),
            V::ArrayInt32(vec![Some(1), None, Some(-3)]),
            T::ArrayInt32,
        ),
        (
            "a8",
            "int8[]",
            P::ArrayInt64(vec![None, Some(1 << 40)]),
            V::ArrayInt64(vec![None, Some(1 << 40)]),
            T::ArrayInt64,
        ),
        (
            "an",
            "numeric[]",
            P::ArrayDecimal(vec![Some("0.1".into()), None]),
            V::ArrayDecimal(vec![Some("0.1".into()), None]),
            T::ArrayDecimal,
        ),
        (
            "at",
            "text[]",
            P::ArrayStr(vec![Some("x".into()), None, Some("".into())]),
            V::ArrayStr(vec![Some("x".into()), None, Some("".into())]),
            T::ArrayStr,
        ),
        ("iv", "interval", P::Interval(interval), V::Interval(interval), T::Interval),
        // int8 is PostgreSQL's one-byte "char", which has no db-value variant.
        ("c1", "\"char\"", P::Int8(65), V::Unsupported(vec![65]), T::Other("char".into())),
    ]
}

async fn table_of_every_type(
    state: &mut outbound_pg::PgState,
    url: &str,
) -> wasmtime::component::Resource<outbound_pg::wit::Connection> {
    let connection = open(state, url).await;
    let columns: Vec<String> = every_type().iter().map(|(name, sql_type, ..)| format!("{name} {sql_type}")).collect();
    execute(state, &connection, &format!("CREATE TABLE every_type ({})", columns.join(", ")), vec![]).await;
    connection
}

fn insert_statement() -> String {
    let names: Vec<&str> = every_type().iter().map(|(name, ..)| *name).collect();
    let placeholders: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
    format!("INSERT INTO every_type ({}) VALUES ({})", names.join(", "), placeholders.join(", "))
}

#[tokio::test]
async fn every_type_round_trips_through_parameters() {
    let url = testkit::shared_postgres().create_database();
    let mut state = request(&Pools::default());
    let connection = table_of_every_type(&mut state, &url).await;
    let params = every_type().into_iter().map(|(_, _, param, ..)| param).collect();

    assert_eq!(execute(&mut state, &connection, &insert_statement(), params).await, 1);

    let result = query(&mut state, &connection, "SELECT * FROM every_type", vec![]).await;
    assert_eq!(result.rows.len(), 1);
    for ((name, _, _, value, data_type), (column, read)) in
        every_type().into_iter().zip(result.columns.iter().zip(&result.rows[0]))
    {
        assert_eq!(column.name, name);
        assert_eq!(column.data_type, data_type, "type of {name}");
        assert_eq!(*read, value, "value of {name}");
    }
}

#[tokio::test]
async fn db_null_fits_every_type_and_reads_back_as_db_null() {
    let url = testkit::shared_postgres().create_database();
    let mut state = request(&Pools::default());
    let connection = table_of_every_type(&mut state, &url).await;
    let nulls = every_type().iter().map(|_| P::DbNull).collect();

    execute(&mut state, &connection, &insert_statement(), nulls).await;

    let result = query(&mut state, &connection, "SELECT * FROM every_type", vec![]).await;
    assert_eq!(result.rows, vec![vec![V::DbNull; every_type().len()]]);
    let types: Vec<T> = every_type().into_iter().map(|(.., data_type)| data_type).collect();
    let announced: Vec<T> = result.columns.into_iter().map(|c| c.data_type).collect();
    assert_eq!(announced, types, "NULL columns still announce their type");
}

#[tokio::test]
async fn timestamp_parameter_is_unix_seconds_into_timestamptz() {
    let (mut state, connection) = connected().await;
    let read = query(
        &mut state,
        &connection,
        "SELECT extract(epoch FROM $1::timestamptz)::int8, ($1::timestamptz AT TIME ZONE 'UTC')",
        vec![P::Timestamp(1_700_000_000)],
    )
    .await;
    assert_eq!(read.rows[0], vec![V::Int64(1_700_000_000), V::Datetime((2023, 11, 14, 22, 13, 20, 0))]);
}

/// Spin 3.6 announces a TIMESTAMPTZ column as `datetime` but cannot decode it; we match it,
/// so schemas read by components use `timestamp` (or cast).
#[tokio::test]
async fn timestamptz_column_cannot_be_read_as_in_spin() {
    let (mut state, connection) = connected().await;
    let error = try_query(&mut state, &connection, "SELECT now()", vec![]).await.unwrap_err();
    assert!(matches!(&error, Error::QueryFailed(QueryError::Text(text)) if text.contains("timestamptz")), "{error:?}");
    let cast = scalar(&mut state, &connection, "SELECT '2020-01-02 03:04:05+00'::timestamptz AT TIME ZONE 'UTC'").await;
    assert_eq!(cast, V::Datetime((2020, 1, 2, 3, 4, 5, 0)));
}

#[tokio::test]
async fn unsupported_types_come_back_as_raw_bytes_with_their_name() {
    let (mut state, connection) = connected().await;
    let result = query(&mut state, &connection, "SELECT 'abc'::name, '(1,2)'::point", vec![]).await;
    assert_eq!(result.columns[0].data_type, T::Other("name".into()));
    assert_eq!(result.rows[0][0], V::Unsupported(b"abc".to_vec()));
    assert_eq!(result.columns[1].data_type, T::Other("point".into()));
    let point = [1f64.to_be_bytes(), 2f64.to_be_bytes()].concat();
    assert_eq!(result.rows[0][1], V::Unsupported(point));
}

#[tokio::test]
async fn empty_result_has_no_columns_as_in_spin() {
    let (mut state, connection) = connected().await;
    let result = query(&mut state, &connection, "SELECT 1 AS one WHERE false", vec![]).await;
    assert!(result.columns.is_empty() && result.rows.is_empty());
}

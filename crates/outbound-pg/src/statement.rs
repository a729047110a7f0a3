//! Running one guest statement on a pooled connection, with Spin 3.6's error mapping.

use std::pin::pin;

use anyhow::bail;
use futures::TryStreamExt;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

use crate::error_text::one_line;
use crate::types::{self, SqlParameter};
use crate::wit::{Column, DbError, DbValue, Error, ParameterValue, QueryError, RowSet};

/// Runs a command and returns the number of rows it affected.
pub(crate) async fn execute(client: &Client, statement: &str, params: &[ParameterValue]) -> Result<u64, Error> {
    // Spin reports a bad parameter of `execute` as a value conversion failure.
    let params = sql_parameters(params).map_err(Error::ValueConversionFailed)?;
    client.execute(statement, &references(&params)).await.map_err(query_failed)
}

/// The most bytes of values a query may return, Spin's `MAX_HOST_BUFFERED_BYTES`.
const MAX_RESULT_BYTES: usize = 128 << 20;

/// Runs a query and returns its columns and rows (no columns when there are no rows), reading
/// them as Spin does: an error before the first row (a bad statement) keeps PostgreSQL's
/// details, one met while reading rows (a statement cancelled by its timeout, a connection
/// lost) is text without SQLSTATE, and a result beyond 128 MiB is refused.
pub(crate) async fn query(client: &Client, statement: &str, params: &[ParameterValue]) -> Result<RowSet, Error> {
    let params = sql_parameters(params).map_err(Error::BadParameter)?;
    let stream = client.query_raw(statement, references(&params)).await.map_err(query_failed)?;
    let mut stream = pin!(stream);
    let mut columns = None;
    let mut rows = Vec::new();
    let mut bytes = size_of::<RowSet>();
    async {
        while let Some(row) = stream.try_next().await? {
            columns.get_or_insert_with(|| columns_of(&row));
            let values = row_values(&row)?;
            bytes += values.iter().map(memory_size).sum::<usize>();
            if bytes > MAX_RESULT_BYTES {
                bail!("query result exceeds limit of {MAX_RESULT_BYTES} bytes");
            }
            rows.push(values);
        }
        Ok(())
    }
    .await
    .map_err(|e: anyhow::Error| Error::QueryFailed(QueryError::Text(one_line(&e))))?;
    Ok(RowSet { columns: columns.unwrap_or_default(), rows })
}

/// What a value counts towards [`MAX_RESULT_BYTES`], as Spin counts it.
fn memory_size(value: &DbValue) -> usize {
    let text = |items: &[Option<String>]| {
        items.iter().map(|item| size_of::<Option<String>>() + item.as_ref().map_or(0, String::len)).sum::<usize>()
    };
    size_of::<DbValue>()
        + match value {
            DbValue::ArrayInt32(items) => items.len() * size_of::<Option<i32>>(),
            DbValue::ArrayInt64(items) => items.len() * size_of::<Option<i64>>(),
            DbValue::ArrayDecimal(items) | DbValue::ArrayStr(items) => text(items),
            DbValue::Str(s) | DbValue::Uuid(s) | DbValue::Decimal(s) => s.len(),
            DbValue::Jsonb(b) | DbValue::Binary(b) | DbValue::Unsupported(b) => b.len(),
            _ => 0,
        }
}

fn sql_parameters(params: &[ParameterValue]) -> Result<Vec<SqlParameter>, String> {
    params.iter().map(types::sql_parameter).collect::<anyhow::Result<_>>().map_err(|e| one_line(&e))
}

fn references(params: &[SqlParameter]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

fn columns_of(row: &Row) -> Vec<Column> {
    row.columns()
        .iter()
        .map(|c| Column { name: c.name().to_owned(), data_type: types::column_type(c.type_()) })
        .collect()
}

fn row_values(row: &Row) -> anyhow::Result<Vec<crate::wit::DbValue>> {
    (0..row.len()).map(|index| types::row_value(row, index)).collect()
}

/// A failed statement: PostgreSQL's own error in structured form when there is one.
fn query_failed(error: tokio_postgres::Error) -> Error {
    let as_text = format!("{error:?}");
    Error::QueryFailed(match error.as_db_error() {
        None => QueryError::Text(as_text),
        Some(db) => QueryError::DbError(DbError {
            as_text,
            severity: db.severity().to_owned(),
            code: db.code().code().to_owned(),
            message: db.message().to_owned(),
            detail: db.detail().map(str::to_owned),
            extras: extras(db),
        }),
    })
}

/// The optional fields of a database error, named as Spin names them.
fn extras(db: &tokio_postgres::error::DbError) -> Vec<(String, String)> {
    let line = db.line().map(|line| line.to_string());
    [
        ("column", db.column()),
        ("constraint", db.constraint()),
        ("routine", db.routine()),
        ("hint", db.hint()),
        ("table", db.table()),
        ("datatype", db.datatype()),
        ("schema", db.schema()),
        ("file", db.file()),
        ("line", line.as_deref()),
        ("where_", db.where_()),
    ]
    .into_iter()
    .filter_map(|(name, value)| Some((name.to_owned(), value?.to_owned())))
    .collect()
}

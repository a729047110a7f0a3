//! Running one guest statement on a pooled connection, with Spin 3.6's error mapping.

use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, Row};

use crate::one_line::one_line;
use crate::types::{self, SqlParameter};
use crate::wit::{Column, DbError, Error, ParameterValue, QueryError, RowSet};

/// Runs a command and returns the number of rows it affected.
pub(crate) async fn execute(client: &Client, statement: &str, params: &[ParameterValue]) -> Result<u64, Error> {
    // Spin reports a bad parameter of `execute` as a value conversion failure.
    let params = sql_parameters(params).map_err(Error::ValueConversionFailed)?;
    client.execute(statement, &references(&params)).await.map_err(query_failed)
}

/// Runs a query and returns its columns and rows (no columns when there are no rows, as in
/// Spin).
pub(crate) async fn query(client: &Client, statement: &str, params: &[ParameterValue]) -> Result<RowSet, Error> {
    let params = sql_parameters(params).map_err(Error::BadParameter)?;
    let rows = client.query(statement, &references(&params)).await.map_err(query_failed)?;
    let Some(first) = rows.first() else {
        return Ok(RowSet { columns: vec![], rows: vec![] });
    };
    let columns = columns(first);
    let rows = rows
        .iter()
        .map(row_values)
        .collect::<anyhow::Result<_>>()
        .map_err(|e| Error::QueryFailed(QueryError::Text(one_line(&e))))?;
    Ok(RowSet { columns, rows })
}

fn sql_parameters(params: &[ParameterValue]) -> Result<Vec<SqlParameter>, String> {
    params.iter().map(types::sql_parameter).collect::<anyhow::Result<_>>().map_err(|e| one_line(&e))
}

fn references(params: &[SqlParameter]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p.as_ref() as &(dyn ToSql + Sync)).collect()
}

fn columns(row: &Row) -> Vec<Column> {
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

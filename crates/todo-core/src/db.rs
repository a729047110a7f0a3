use spin_sdk::pg4::{self, Connection, DbValue, Decode, ParameterValue, PgError, QueryError, RowSet};

/// The Spin variable holding the database URL (a secret, see spin.toml).
const DB_URL_VARIABLE: &str = "db_url";

/// Why the store could not answer; what each means for a client is decided at the HTTP edge
/// (`error.rs`). The details are for the log, never for the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The database cannot be reached right now: worth a retry.
    Unavailable(String),
    /// A fault in our SQL, our data or our configuration.
    Fault(String),
    /// The Idempotency-Key is in use for another task.
    KeyReused,
}

/// Opens the one connection a request uses.
pub fn connect() -> Result<Connection, StoreError> {
    Connection::open(&database_url()?).map_err(db_error)
}

/// Whether the database URL is set: what readiness checks, without a round trip.
pub fn database_configured() -> Result<(), StoreError> {
    database_url().map(drop)
}

fn database_url() -> Result<String, StoreError> {
    spin_sdk::variables::get(DB_URL_VARIABLE)
        .map_err(|error| StoreError::Fault(format!("variable {DB_URL_VARIABLE}: {error}")))
}

/// Runs one parameterised statement.
pub(crate) fn query(db: &Connection, sql: &str, params: &[ParameterValue]) -> Result<RowSet, StoreError> {
    db.query(sql, params).map_err(db_error)
}

/// Reads one column value.
pub(crate) fn decode<T: Decode>(value: &DbValue) -> Result<T, StoreError> {
    T::decode(value).map_err(|error| match error {
        pg4::Error::PgError(error) => db_error(error),
        pg4::Error::Decode(detail) => StoreError::Fault(format!("decoding a row: {detail}")),
    })
}

fn db_error(error: PgError) -> StoreError {
    let detail = format!("postgres: {error}");
    if is_unavailable(&error) { StoreError::Unavailable(detail) } else { StoreError::Fault(detail) }
}

/// Whether a failure means "the database is unreachable right now" (retryable 503) rather than
/// a fault in our SQL or data (500).
fn is_unavailable(error: &PgError) -> bool {
    match error {
        PgError::ConnectionFailed(_) => true,
        // No SQLSTATE: the connection broke (closed socket, I/O error) mid-statement.
        PgError::QueryFailed(QueryError::Text(_)) => true,
        PgError::QueryFailed(QueryError::DbError(db_error)) => is_unavailable_sqlstate(&db_error.code),
        PgError::BadParameter(_) | PgError::ValueConversionFailed(_) | PgError::Other(_) => false,
    }
}

/// Connection exceptions (08), shutdown / cannot connect now (57P01-57P03), too many
/// connections or out of resources (53).
fn is_unavailable_sqlstate(code: &str) -> bool {
    code.starts_with("08") || code.starts_with("53") || matches!(code, "57P01" | "57P02" | "57P03")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_connection_loss_sqlstates() {
        for code in ["08006", "08001", "57P01", "57P03", "53300"] {
            assert!(is_unavailable_sqlstate(code), "{code}");
        }
        for code in ["23505", "42601", "22001", "40001"] {
            assert!(!is_unavailable_sqlstate(code), "{code}");
        }
    }

    #[test]
    fn lost_connections_are_unavailable_and_sql_faults_ours() {
        let refused = db_error(PgError::ConnectionFailed("connection refused".into()));
        assert!(matches!(refused, StoreError::Unavailable(_)), "{refused:?}");
        let closed = db_error(PgError::QueryFailed(QueryError::Text("connection closed".into())));
        assert!(matches!(closed, StoreError::Unavailable(_)), "{closed:?}");
        let bad = db_error(PgError::BadParameter("oops".into()));
        assert!(matches!(bad, StoreError::Fault(_)), "{bad:?}");
    }
}

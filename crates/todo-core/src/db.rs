use http_layer::ApiError;
use spin_sdk::pg4::{self, Connection, DbValue, Decode, ParameterValue, PgError, QueryError, RowSet};

/// The Spin variable holding the database URL (a secret, see spin.toml).
const DB_URL_VARIABLE: &str = "db_url";
/// Seconds a client should wait before retrying while the database is unreachable.
const RETRY_AFTER_SECONDS: u32 = 1;

/// Opens the one connection a request uses.
pub fn connect() -> Result<Connection, ApiError> {
    Connection::open(&database_url()?).map_err(db_error)
}

/// Whether the database URL is set: what readiness checks, without a round trip.
pub fn database_configured() -> Result<(), ApiError> {
    database_url().map(drop)
}

fn database_url() -> Result<String, ApiError> {
    spin_sdk::variables::get(DB_URL_VARIABLE)
        .map_err(|error| ApiError::internal(format!("variable {DB_URL_VARIABLE}: {error}")))
}

/// Runs one parameterised statement.
pub(crate) fn query(db: &Connection, sql: &str, params: &[ParameterValue]) -> Result<RowSet, ApiError> {
    db.query(sql, params).map_err(db_error)
}

/// Reads one column value.
pub(crate) fn decode<T: Decode>(value: &DbValue) -> Result<T, ApiError> {
    T::decode(value).map_err(|error| match error {
        pg4::Error::PgError(error) => db_error(error),
        pg4::Error::Decode(detail) => ApiError::internal(format!("decoding a row: {detail}")),
    })
}

fn db_error(error: PgError) -> ApiError {
    let detail = format!("postgres: {error}");
    if is_unavailable(&error) {
        ApiError::unavailable("database unavailable, retry later", RETRY_AFTER_SECONDS, detail)
    } else {
        ApiError::internal(detail)
    }
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
    use http_layer::RequestId;

    fn request_id() -> RequestId {
        let traceparent = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_vec();
        RequestId::from_trace_context(&[traceparent], &[]).unwrap()
    }

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
    fn connection_failures_are_503_and_sql_faults_500() {
        let refused = db_error(PgError::ConnectionFailed("connection refused".into()));
        assert_eq!(refused.status(), 503);
        assert_eq!(refused.into_response(&request_id()).header("retry-after").unwrap().as_str(), Some("1"));
        let closed = db_error(PgError::QueryFailed(QueryError::Text("connection closed".into())));
        assert_eq!(closed.status(), 503);
        let bad = db_error(PgError::BadParameter("oops".into()));
        assert_eq!(bad.status(), 500);
    }
}

//! What the platform allows: `/floor/list` runs the original project's list statement (the 50
//! newest todos, nothing else: no counts, no validator) and `/floor/readyz` the readiness
//! `SELECT 1`, each on a connection opened per request as the endpoints do, with no parsing,
//! validation, logging or JSON around them. `make bench` divides each endpoint's throughput by
//! its floor's: the list's share of its floor is what its counts and validator cost on top.

use spin_sdk::http::{IncomingRequest, Response};
use spin_sdk::http_component;
use spin_sdk::pg4::{Connection, ParameterValue};
use todo_core::store::PING;

/// The original's statement, with the columns our list reads.
const ORIGINAL_LIST: &str =
    "SELECT id, task, done, created_at AT TIME ZONE 'UTC' AS created_at FROM todos ORDER BY id DESC LIMIT 50";

#[http_component]
fn handle(request: IncomingRequest) -> Response {
    let (statement, params): (&str, Vec<ParameterValue>) = match request.path_with_query().as_deref() {
        Some("/floor/list") => (ORIGINAL_LIST, Vec::new()),
        Some("/floor/readyz") => (PING, Vec::new()),
        _ => return Response::new(404, ()),
    };
    let rows = spin_sdk::variables::get("db_url")
        .map_err(|error| error.to_string())
        .and_then(|url| Connection::open(&url).map_err(|error| error.to_string()))
        .and_then(|db| db.query(statement, &params).map_err(|error| error.to_string()));
    match rows {
        Ok(rows) => Response::new(200, rows.rows.len().to_string()),
        Err(error) => Response::new(503, error),
    }
}

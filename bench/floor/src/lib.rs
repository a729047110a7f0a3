//! What the platform allows: `/floor/list` runs the list's statement (a page of 50 with the
//! counts) and `/floor/readyz` a one-row `SELECT 1`, each on a connection opened per request
//! as the endpoints do, with no parsing, validation, logging or JSON around them. `make bench`
//! divides each endpoint's throughput by its floor's.

use spin_sdk::http::{IncomingRequest, Response};
use spin_sdk::http_component;
use spin_sdk::pg4::{Connection, ParameterValue};
use todo_core::store::{LIST, PING};

#[http_component]
fn handle(request: IncomingRequest) -> Response {
    let (statement, params): (&str, Vec<ParameterValue>) = match request.path_with_query().as_deref() {
        // A reader without a session (empty bytes), as the benchmark's requests are.
        Some("/floor/list") => {
            (LIST, vec![i64::MAX.into(), 50i64.into(), false.into(), false.into(), ParameterValue::Binary(Vec::new())])
        }
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

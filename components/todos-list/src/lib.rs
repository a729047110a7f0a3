//! `GET /api/todos?limit=&before=&done=`: the newest todos first and the counts, one SELECT;
//! an `ETag`, so a polling client gets `304` while nothing changed.

use http_layer::{ApiError, Route, header_values, query, serve, tagged};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{ListQuery, store, todo_list};

const ROUTE: Route = Route { name: "/api/todos", methods: &[Method::Get] };
/// Shared by everyone: a cache must ask every time, and gets a cheap 304 when it may reuse.
const CACHE_CONTROL: &str = "no-cache";

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, list_todos).await
}

async fn list_todos(request: IncomingRequest) -> Result<Response, ApiError> {
    let list_query = ListQuery::parse(&query(&request))?;
    let (todos, counts) = store::list(&todo_core::connect()?, list_query)?;
    let mut response = tagged(&header_values(&request, "if-none-match"), todo_list(&todos, counts));
    response.set_header("cache-control", CACHE_CONTROL);
    Ok(response)
}

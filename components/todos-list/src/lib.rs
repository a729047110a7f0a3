//! `GET /api/todos?limit=&before=&done=`: the newest todos first and the counts, one SELECT;
//! each todo says whether it is the caller's (`mine`). An `ETag`, so a polling client gets
//! `304` while nothing it sees changed.

use http_layer::{ApiError, Route, header_values, query, serve, tagged};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{ListQuery, session, store, todo_list};

const ROUTE: Route = Route { name: "/api/todos", methods: &[Method::Get] };
/// A cache must ask every time, and gets a cheap 304 when it may reuse its copy.
const CACHE_CONTROL: &str = "no-cache";

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, list_todos).await
}

async fn list_todos(request: IncomingRequest) -> Result<Response, ApiError> {
    let list_query = ListQuery::parse(&query(&request))?;
    let reader = session(&request).map(|session| session.author());
    let (todos, counts) = store::list(&todo_core::connect()?, list_query, reader.as_ref())?;
    let mut response = tagged(&header_values(&request, "if-none-match"), todo_list(&todos, counts));
    response.set_header("cache-control", CACHE_CONTROL);
    // `mine` depends on the session: a shared cache keeps one copy per cookie.
    response.set_header("vary", "cookie");
    Ok(response)
}

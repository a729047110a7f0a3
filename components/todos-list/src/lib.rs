//! `GET /api/todos?limit=&before=`: the newest todos first, one SELECT.

use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{ApiError, Endpoint, PageQuery, serve, store, todo_list};

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    let endpoint = Endpoint { route: "/api/todos", method: Method::Get };
    serve(endpoint, request, list_todos).await
}

async fn list_todos(request: IncomingRequest) -> Result<Response, ApiError> {
    let path = request.path_with_query().unwrap_or_default();
    let query = path.split_once('?').map_or("", |(_, query)| query);
    let page = PageQuery::parse(query)?;
    let todos = store::list(&todo_core::connect()?, page)?;
    Ok(todo_list(&todos))
}

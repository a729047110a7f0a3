//! `GET /api/todos?limit=&before=`: the newest todos first, one SELECT.

use http_layer::{ApiError, Route, query, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{PageQuery, store, todo_list};

const ROUTE: Route = Route { name: "/api/todos", methods: &[Method::Get] };

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, list_todos).await
}

async fn list_todos(request: IncomingRequest) -> Result<Response, ApiError> {
    let page = PageQuery::parse(&query(&request))?;
    let todos = store::list(&todo_core::connect()?, page)?;
    Ok(todo_list(&todos))
}

//! `PATCH /api/todos/:id {"done": true|false}`: marks a todo done or not done.

use http_layer::{ApiError, Route, json, path, read_json, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{TodoId, TodoPatch, store};

const ROUTE: Route = Route { name: "/api/todos/:id", methods: &[Method::Patch] };
const ROUTE_PREFIX: &str = "/api/todos/";

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, update_todo).await
}

async fn update_todo(request: IncomingRequest) -> Result<Response, ApiError> {
    let id = TodoId::parse(id_segment(&path(&request)))?;
    let TodoPatch { done } = read_json(request).await?;
    match store::set_done(&todo_core::connect()?, id, done)? {
        Some(todo) => Ok(json(200, &todo)),
        None => Err(ApiError::not_found(format!("no todo with id {}", id.get()))),
    }
}

/// The `:id` of the route, read from the path (the same under Spin and the project's host).
fn id_segment(path: &str) -> &str {
    path.strip_prefix(ROUTE_PREFIX).unwrap_or_default()
}

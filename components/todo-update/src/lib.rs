//! `PATCH /api/todos/:id {"done": true|false}`: marks a todo done or not done.

use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{ApiError, Endpoint, TodoId, TodoPatch, json, read_json, serve, store};

const ROUTE_PREFIX: &str = "/api/todos/";

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    let endpoint = Endpoint { route: "/api/todos/:id", method: Method::Patch };
    serve(endpoint, request, update_todo).await
}

async fn update_todo(request: IncomingRequest) -> Result<Response, ApiError> {
    let id = TodoId::parse(&id_segment(&request))?;
    let TodoPatch { done } = read_json(request).await?;
    match store::set_done(&todo_core::connect()?, id, done)? {
        Some(todo) => Ok(json(200, &todo)),
        None => Err(ApiError::not_found(format!("no todo with id {}", id.get()))),
    }
}

/// The `:id` of the route, read from the path (the same under Spin and the project's host).
fn id_segment(request: &IncomingRequest) -> String {
    let path_and_query = request.path_with_query().unwrap_or_default();
    let path = path_and_query.split('?').next().unwrap_or_default();
    path.strip_prefix(ROUTE_PREFIX).unwrap_or_default().to_owned()
}

//! `PATCH /api/todos/:id {"task"?, "done"?}`: edits a todo. `DELETE /api/todos/:id`: removes it.

use http_layer::{ApiError, Route, json, path, read_json, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{TodoId, TodoPatch, store};

const ROUTE: Route = Route { name: "/api/todos/:id", methods: &[Method::Patch, Method::Delete] };
const ROUTE_PREFIX: &str = "/api/todos/";

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, write_todo).await
}

async fn write_todo(request: IncomingRequest) -> Result<Response, ApiError> {
    let id = TodoId::parse(id_segment(&path(&request)))?;
    if request.method() == Method::Delete {
        return delete_todo(id);
    }
    let edit = read_json::<TodoPatch>(request).await?.check()?;
    match store::update(&todo_core::connect()?, id, &edit)? {
        Some(todo) => Ok(json(200, &todo)),
        None => Err(no_such_todo(id)),
    }
}

/// 204, or 404 when it is gone already (see the OpenAPI document for why not 204).
fn delete_todo(id: TodoId) -> Result<Response, ApiError> {
    if !store::delete(&todo_core::connect()?, id)? {
        return Err(no_such_todo(id));
    }
    Ok(Response::builder().status(204).build())
}

fn no_such_todo(id: TodoId) -> ApiError {
    ApiError::not_found(format!("no todo with id {}", id.get()))
}

/// The `:id` of the route, read from the path.
fn id_segment(path: &str) -> &str {
    path.strip_prefix(ROUTE_PREFIX).unwrap_or_default()
}

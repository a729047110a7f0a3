//! `/api/todos/:id`: `GET` one todo (with an `ETag`, so a client revalidates with a cheap 304;
//! `HEAD` answered by `serve`), `PATCH {"task"?, "done"?}` edits it, `DELETE` removes it.

use http_layer::{ApiError, Route, header_values, json, path, read_json, serve, tagged};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{TodoId, TodoPatch, store};

const ROUTE: Route = Route { name: "/api/todos/:id", methods: &[Method::Get, Method::Patch, Method::Delete] };
const ROUTE_PREFIX: &str = "/api/todos/";
/// As for the list: anyone may change a todo, so a cache must ask every time.
const CACHE_CONTROL: &str = "no-cache";

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, todo).await
}

async fn todo(request: IncomingRequest) -> Result<Response, ApiError> {
    let id = TodoId::parse(id_segment(&path(&request)))?;
    match request.method() {
        Method::Delete => delete_todo(id),
        Method::Patch => edit_todo(id, request).await,
        _ => get_todo(id, &request),
    }
}

/// 200 with the todo and a strong `ETag` of it, or 304 when the client's copy is current.
fn get_todo(id: TodoId, request: &IncomingRequest) -> Result<Response, ApiError> {
    let todo = store::get(&todo_core::connect()?, id)?.ok_or_else(|| no_such_todo(id))?;
    let mut response = tagged(&header_values(request, "if-none-match"), json(200, &todo));
    response.set_header("cache-control", CACHE_CONTROL);
    Ok(response)
}

async fn edit_todo(id: TodoId, request: IncomingRequest) -> Result<Response, ApiError> {
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

/// The `:id` of the route, read from the path (the same under Spin and the project's host).
fn id_segment(path: &str) -> &str {
    path.strip_prefix(ROUTE_PREFIX).unwrap_or_default()
}

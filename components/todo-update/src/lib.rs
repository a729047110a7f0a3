//! `PATCH /api/todos/:id {"task"?, "done"?}`: edits a todo. `DELETE /api/todos/:id`: removes it.
//! Either only by its author: the session that created it (`403` for anyone else). A request
//! without a session is the author of nothing: it is refused without a database round trip.

use http_layer::{ApiError, Route, json, path, read_json, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{Author, Change, TodoId, TodoPatch, session, store};

const ROUTE: Route = Route { name: "/api/todos/:id", methods: &[Method::Patch, Method::Delete] };
const ROUTE_PREFIX: &str = "/api/todos/";

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, write_todo).await
}

async fn write_todo(request: IncomingRequest) -> Result<Response, ApiError> {
    let id = TodoId::parse(id_segment(&path(&request)))?;
    let author = session(&request).map(|session| session.author());
    if request.method() == Method::Delete {
        let author = author.ok_or_else(|| not_the_author(id, "delete"))?;
        return delete_todo(id, &author);
    }
    let edit = read_json::<TodoPatch>(request).await?.check()?;
    let author = author.ok_or_else(|| not_the_author(id, "change"))?;
    match store::update(&todo_core::connect()?, id, &edit, &author)? {
        Change::Made(todo) => Ok(json(200, &todo)),
        Change::NotTheAuthor => Err(not_the_author(id, "change")),
        Change::NoSuchTodo => Err(no_such_todo(id)),
    }
}

/// 204, or 404 when it is gone already (see the OpenAPI document for why not 204).
fn delete_todo(id: TodoId, author: &Author) -> Result<Response, ApiError> {
    match store::delete(&todo_core::connect()?, id, author)? {
        Change::Made(()) => Ok(Response::builder().status(204).build()),
        Change::NotTheAuthor => Err(not_the_author(id, "delete")),
        Change::NoSuchTodo => Err(no_such_todo(id)),
    }
}

/// 403, not 404: the todo is on the public list (or, without a session, whatever the id is:
/// such a request may change nothing); it is just not the caller's.
fn not_the_author(id: TodoId, action: &str) -> ApiError {
    ApiError::forbidden(format!("only the author of todo {} may {action} it", id.get()))
}

fn no_such_todo(id: TodoId) -> ApiError {
    ApiError::not_found(format!("no todo with id {}", id.get()))
}

/// The `:id` of the route, read from the path.
fn id_segment(path: &str) -> &str {
    path.strip_prefix(ROUTE_PREFIX).unwrap_or_default()
}

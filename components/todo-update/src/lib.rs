//! `/api/todos/:id`: `GET` one todo (with an `ETag`, so a client revalidates with a cheap 304;
//! `HEAD` answered by `serve`), `PATCH {"task"?, "done"?}` edits it, `DELETE` removes it; either
//! change only by its author, the session that created it (`403` for anyone else). A request
//! without a session is the author of nothing: a change is refused without a database round
//! trip.
//!
//! `/api/todos/mine` (the route's `:id` can be no id and `mine`): the caller's own todos at
//! once. `GET` counts them, `PATCH {"done": bool}` marks them done or open, `DELETE ?done=true`
//! clears the done ones; a bounded batch per request, whose answer says whether more remain.

use http_layer::{ApiError, Route, header_values, json, not_modified, path, query, read_json, serve, unchanged};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{
    Author, Batch, Change, MarkOwn, OwnCounts, TodoId, TodoPatch, clears_done_only, session, store, todo_etag,
};

const ROUTE: Route = Route { name: "/api/todos/:id", methods: &[Method::Get, Method::Patch, Method::Delete] };
const OWN_TODOS: Route = Route { name: "/api/todos/mine", methods: &[Method::Get, Method::Patch, Method::Delete] };
const ROUTE_PREFIX: &str = "/api/todos/";
const OWN_TODOS_SEGMENT: &str = "mine";
/// As for the list: a todo may change at any time, so a cache must ask every time.
const CACHE_CONTROL: &str = "no-cache";

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    if id_segment(&path(&request)) == OWN_TODOS_SEGMENT {
        serve(OWN_TODOS, request, own_todos).await
    } else {
        serve(ROUTE, request, todo).await
    }
}

async fn todo(request: IncomingRequest) -> Result<Response, ApiError> {
    let id = TodoId::parse(id_segment(&path(&request)))?;
    let author = session(&request).map(|session| session.author());
    match request.method() {
        Method::Delete => delete_todo(id, &author.ok_or_else(|| not_the_author(id, "delete"))?),
        Method::Patch => edit_todo(id, author.as_ref(), request).await,
        _ => get_todo(id, author.as_ref(), &request),
    }
}

/// 200 with the todo and a strong `ETag` of it, or 304 when the client's copy is current.
fn get_todo(id: TodoId, reader: Option<&Author>, request: &IncomingRequest) -> Result<Response, ApiError> {
    let todo = store::get(&todo_core::connect()?, id, reader)?.ok_or_else(|| no_such_todo(id))?;
    let etag = todo_etag(&todo);
    let mut response = if not_modified(&header_values(request, "if-none-match"), &etag) {
        unchanged(&etag)
    } else {
        let mut response = json(200, &todo);
        response.set_header("etag", etag);
        response
    };
    response.set_header("cache-control", CACHE_CONTROL);
    // `mine` depends on the session: a shared cache keeps one copy per cookie.
    response.set_header("vary", "cookie");
    Ok(response)
}

async fn edit_todo(id: TodoId, author: Option<&Author>, request: IncomingRequest) -> Result<Response, ApiError> {
    let edit = read_json::<TodoPatch>(request).await?.check()?;
    let author = author.ok_or_else(|| not_the_author(id, "change"))?;
    match store::update(&todo_core::connect()?, id, &edit, author)? {
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

/// A caller without a session has written nothing: nothing to count or change, no database
/// round trip.
async fn own_todos(request: IncomingRequest) -> Result<Response, ApiError> {
    let author = session(&request).map(|session| session.author());
    let mut response = match request.method() {
        Method::Patch => {
            let MarkOwn { done } = read_json(request).await?;
            let batch = match author {
                Some(author) => store::mark_own(&todo_core::connect()?, &author, done)?,
                None => Batch { changed: 0, more: false },
            };
            json(200, &batch)
        }
        Method::Delete => {
            clears_done_only(&query(&request))?;
            let batch = match author {
                Some(author) => store::clear_own_done(&todo_core::connect()?, &author)?,
                None => Batch { changed: 0, more: false },
            };
            json(200, &batch)
        }
        _ => {
            let counts = match author {
                Some(author) => store::count_own(&todo_core::connect()?, &author)?,
                None => OwnCounts { open: 0, done: 0, counted_up_to: store::OWN_COUNT_BOUND },
            };
            json(200, &counts)
        }
    };
    // The caller's own: never kept by a shared cache, nor reused without asking.
    response.set_header("cache-control", "private, no-store");
    Ok(response)
}

/// 403, not 404: the todo is on the public list; it is just not the caller's.
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

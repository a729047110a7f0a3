//! `POST /api/todo {"task": "..."}`: stores a todo, idempotently with an `Idempotency-Key`.
//! The todo is written by the request's session; a request without one gets a new session, as
//! a cookie, and every create renews the cookie's lifetime.

use http_layer::{ApiError, Route, read_json, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{NewTodo, Session, TaskText, created, idempotency_key, over_https, session, store};

const ROUTE: Route = Route { name: "/api/todo", methods: &[Method::Post] };

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, create_todo).await
}

async fn create_todo(request: IncomingRequest) -> Result<Response, ApiError> {
    let key = idempotency_key(&request)?;
    let (known_session, over_https) = (session(&request), over_https(&request));
    let NewTodo { task } = read_json(request).await?;
    let task = TaskText::parse(&task)?;
    let session = known_session.unwrap_or_else(Session::generate);
    let todo = store::create(&todo_core::connect()?, &task, &session.author(), key.as_ref())?;
    let mut response = created(&todo);
    response.set_header("set-cookie", session.set_cookie(over_https));
    Ok(response)
}

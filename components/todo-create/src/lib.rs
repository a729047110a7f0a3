//! `POST /api/todo {"task": "..."}`: stores a todo, idempotently with an `Idempotency-Key`.

use http_layer::{ApiError, Route, read_json, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{NewTodo, TaskText, created, idempotency_key, store};

const ROUTE: Route = Route { name: "/api/todo", methods: &[Method::Post] };

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, create_todo).await
}

async fn create_todo(request: IncomingRequest) -> Result<Response, ApiError> {
    let key = idempotency_key(&request)?;
    let NewTodo { task } = read_json(request).await?;
    let task = TaskText::parse(&task)?;
    let todo = store::create(&todo_core::connect()?, &task, key.as_ref())?;
    Ok(created(&todo))
}

//! `POST /api/todo {"task": "..."}`: stores a todo, idempotently with an `Idempotency-Key`.

use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{ApiError, Endpoint, IdempotencyKey, NewTodo, TaskText, created, header, read_json, serve, store};

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    let endpoint = Endpoint { route: "/api/todo", method: Method::Post };
    serve(endpoint, request, create_todo).await
}

async fn create_todo(request: IncomingRequest) -> Result<Response, ApiError> {
    let key = header(&request, "idempotency-key").map(|raw| IdempotencyKey::parse(&raw)).transpose()?;
    let NewTodo { task } = read_json(request).await?;
    let task = TaskText::parse(&task)?;
    let todo = store::create(&todo_core::connect()?, &task, key.as_ref())?;
    Ok(created(&todo))
}

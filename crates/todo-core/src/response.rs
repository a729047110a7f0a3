use crate::store::Counts;
use crate::todo::Todo;
use http_layer::json;
use spin_sdk::http::Response;

/// `201 Created` for a new todo, with its `Location`.
pub fn created(todo: &Todo) -> Response {
    let mut response = json(201, todo);
    response.set_header("location", format!("/api/todos/{}", todo.id));
    response
}

/// `200 {"todos": [...], "counts": {...}}`.
pub fn todo_list(todos: &[Todo], counts: Counts) -> Response {
    #[derive(serde::Serialize)]
    struct TodoList<'a> {
        todos: &'a [Todo],
        counts: Counts,
    }
    json(200, &TodoList { todos, counts })
}

/// `200 {"status": "ok"}`, the answer of the health probes.
pub fn status_ok() -> Response {
    json(200, &serde_json::json!({"status": "ok"}))
}

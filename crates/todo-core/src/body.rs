use serde::Deserialize;

/// Body of `POST /api/todo`; the task is checked afterwards by `TaskText::parse`.
#[derive(Debug, Deserialize)]
pub struct NewTodo {
    pub task: String,
}

/// Body of `PATCH /api/todos/:id`.
#[derive(Debug, Deserialize)]
pub struct TodoPatch {
    pub done: bool,
}

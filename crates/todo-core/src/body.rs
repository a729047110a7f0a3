use crate::task::TaskText;
use http_layer::ApiError;
use serde::{Deserialize, Deserializer};

/// Body of `POST /api/todo`; the task is checked afterwards by `TaskText::parse`.
#[derive(Debug, Deserialize)]
pub struct NewTodo {
    pub task: String,
}

/// Body of `PATCH /api/todos/:id`: `task`, `done` or both; any other field is refused (400).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TodoPatch {
    #[serde(default, deserialize_with = "present")]
    task: Option<String>,
    #[serde(default, deserialize_with = "present")]
    done: Option<bool>,
}

/// A checked patch: at least one change, the task valid as on create.
#[derive(Debug, PartialEq, Eq)]
pub struct TodoEdit {
    pub task: Option<TaskText>,
    pub done: Option<bool>,
}

impl TodoPatch {
    pub fn check(self) -> Result<TodoEdit, ApiError> {
        if self.task.is_none() && self.done.is_none() {
            return Err(ApiError::unprocessable("A patch needs task, done or both."));
        }
        let task = self.task.as_deref().map(TaskText::parse).transpose()?;
        Ok(TodoEdit { task, done: self.done })
    }
}

/// A field that is present must have its type: `null` is refused (400), not read as absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch(body: &str) -> Result<TodoEdit, u16> {
        let patch: TodoPatch = serde_json::from_str(body).map_err(|_| 400u16)?;
        patch.check().map_err(|error| error.status())
    }

    #[test]
    fn takes_task_done_or_both() {
        assert_eq!(patch(r#"{"done":true}"#).unwrap(), TodoEdit { task: None, done: Some(true) });
        let edit = patch(r#"{"task":"  fix typo ","done":false}"#).unwrap();
        assert_eq!((edit.task.unwrap().as_str(), edit.done), ("fix typo", Some(false)));
    }

    #[test]
    fn empty_or_invalid_task_is_422() {
        for body in ["{}", r#"{"task":"   "}"#, r#"{"task":"a\nb"}"#, &format!(r#"{{"task":"{}"}}"#, "x".repeat(141))] {
            assert_eq!(patch(body).unwrap_err(), 422, "{body}");
        }
    }

    #[test]
    fn unknown_fields_nulls_and_wrong_types_are_400() {
        for body in
            [r#"{"done":true,"id":3}"#, r#"{"task":null}"#, r#"{"done":null}"#, r#"{"done":"yes"}"#, r#"{"task":5}"#]
        {
            assert_eq!(patch(body).unwrap_err(), 400, "{body}");
        }
    }
}

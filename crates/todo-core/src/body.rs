use crate::task::{InvalidTask, TaskText};
use serde::{Deserialize, Deserializer};
use std::fmt;

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

/// Why a patch changes nothing valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidEdit {
    NoChange,
    Task(InvalidTask),
}

impl TodoPatch {
    pub fn check(self) -> Result<TodoEdit, InvalidEdit> {
        if self.task.is_none() && self.done.is_none() {
            return Err(InvalidEdit::NoChange);
        }
        let task = self.task.as_deref().map(TaskText::parse).transpose().map_err(InvalidEdit::Task)?;
        Ok(TodoEdit { task, done: self.done })
    }
}

impl fmt::Display for InvalidEdit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidEdit::NoChange => f.write_str("A patch needs task, done or both."),
            InvalidEdit::Task(invalid) => invalid.fmt(f),
        }
    }
}

/// A field that is present must have its type: `null` is refused (400), not read as absent.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(deserializer: D) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a body gives: a checked edit, `Err(None)` when it is malformed (a 400 at the edge),
    /// `Err(Some(invalid))` when it parses but edits nothing valid (a 422).
    fn patch(body: &str) -> Result<TodoEdit, Option<InvalidEdit>> {
        let patch: TodoPatch = serde_json::from_str(body).map_err(|_| None)?;
        patch.check().map_err(Some)
    }

    #[test]
    fn takes_task_done_or_both() {
        assert_eq!(patch(r#"{"done":true}"#).unwrap(), TodoEdit { task: None, done: Some(true) });
        let edit = patch(r#"{"task":"  fix typo ","done":false}"#).unwrap();
        assert_eq!((edit.task.unwrap().as_str(), edit.done), ("fix typo", Some(false)));
    }

    #[test]
    fn an_empty_patch_or_an_invalid_task_is_invalid() {
        assert_eq!(patch("{}").unwrap_err(), Some(InvalidEdit::NoChange));
        for body in [r#"{"task":"   "}"#, r#"{"task":"a\nb"}"#, &format!(r#"{{"task":"{}"}}"#, "x".repeat(141))] {
            assert!(matches!(patch(body).unwrap_err(), Some(InvalidEdit::Task(_))), "{body}");
        }
    }

    #[test]
    fn unknown_fields_nulls_and_wrong_types_are_malformed() {
        for body in
            [r#"{"done":true,"id":3}"#, r#"{"task":null}"#, r#"{"done":null}"#, r#"{"done":"yes"}"#, r#"{"task":5}"#]
        {
            assert_eq!(patch(body).unwrap_err(), None, "{body}");
        }
    }
}

//! Requests on the caller's own todos at once: `PATCH /api/todos/mine {"done": bool}` marks
//! them all done or open; `DELETE /api/todos/mine?done=true` clears the done ones.

use serde::Deserialize;
use std::fmt;

/// Body of `PATCH /api/todos/mine`: `done` and nothing else (tasks are not changed in bulk).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarkOwn {
    pub done: bool,
}

/// The query of `DELETE /api/todos/mine`: `done=true` and nothing else, so that no request
/// without it, or with a misspelt filter, deletes every todo of the caller.
pub fn clears_done_only(query: &str) -> Result<(), NotDoneOnly> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
    match pairs.as_slice() {
        [(name, value)] if name == "done" && value == "true" => Ok(()),
        _ => Err(NotDoneOnly),
    }
}

/// A clear of the caller's todos without `done=true` alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotDoneOnly;

impl fmt::Display for NotDoneOnly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DELETE /api/todos/mine clears done todos only: use ?done=true")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_done_true_clears() {
        assert!(clears_done_only("done=true").is_ok());
        for query in ["", "done=false", "done=true&done=true", "done=TRUE", "dnoe=true", "done=true&all=1"] {
            assert_eq!(clears_done_only(query), Err(NotDoneOnly), "{query:?}");
        }
    }

    #[test]
    fn marking_takes_done_alone() {
        assert!(serde_json::from_str::<MarkOwn>(r#"{"done":true}"#).unwrap().done);
        for body in [r#"{}"#, r#"{"done":"yes"}"#, r#"{"done":true,"task":"x"}"#, r#"{"done":null}"#] {
            assert!(serde_json::from_str::<MarkOwn>(body).is_err(), "{body}");
        }
    }
}

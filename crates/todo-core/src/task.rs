use std::fmt;

/// The longest task, in Unicode scalar values ("ä" counts once; the original counted bytes).
pub(crate) const MAX_TASK_CHARS: usize = 140;

/// The text of a todo: trimmed, not empty, at most [`MAX_TASK_CHARS`], no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskText(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidTask {
    Empty,
    TooLong(usize),
    ControlCharacter,
}

impl TaskText {
    pub fn parse(raw: &str) -> Result<Self, InvalidTask> {
        let task = raw.trim();
        if task.is_empty() {
            return Err(InvalidTask::Empty);
        }
        let length = task.chars().count();
        if length > MAX_TASK_CHARS {
            return Err(InvalidTask::TooLong(length));
        }
        if task.chars().any(char::is_control) {
            return Err(InvalidTask::ControlCharacter);
        }
        Ok(Self(task.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for InvalidTask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("Todo's task is empty."),
            Self::TooLong(length) => {
                write!(f, "Todo's length: {length} is over the limit {MAX_TASK_CHARS}.")
            }
            Self::ControlCharacter => f.write_str("Todo's task contains a control character."),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_surrounding_whitespace() {
        assert_eq!(TaskText::parse("  buy milk \n").unwrap().as_str(), "buy milk");
    }

    #[test]
    fn rejects_empty_and_whitespace_only() {
        assert_eq!(TaskText::parse(""), Err(InvalidTask::Empty));
        assert_eq!(TaskText::parse(" \t\n\u{3000} "), Err(InvalidTask::Empty));
    }

    #[test]
    fn counts_unicode_scalar_values_not_bytes() {
        let at_limit = "ä".repeat(MAX_TASK_CHARS);
        assert_eq!(at_limit.len(), 2 * MAX_TASK_CHARS);
        assert_eq!(TaskText::parse(&at_limit).unwrap().as_str(), at_limit);

        let over = "ä".repeat(MAX_TASK_CHARS + 1);
        let error = TaskText::parse(&over).unwrap_err();
        assert_eq!(error, InvalidTask::TooLong(141));
        assert_eq!(error.to_string(), "Todo's length: 141 is over the limit 140.");
    }

    #[test]
    fn length_is_measured_after_trimming() {
        let padded = format!("   {}   ", "x".repeat(MAX_TASK_CHARS));
        assert!(TaskText::parse(&padded).is_ok());
    }

    #[test]
    fn rejects_control_characters_inside() {
        for raw in ["a\nb", "a\u{0}b", "a\u{7f}b", "a\u{85}b", "tab\tinside"] {
            assert_eq!(TaskText::parse(raw), Err(InvalidTask::ControlCharacter), "{raw:?}");
        }
    }

    #[test]
    fn keeps_markup_and_sql_verbatim() {
        for raw in ["'; DROP TABLE todos; --", "<script>alert(1)</script>", "emoji 🦀 ok"] {
            assert_eq!(TaskText::parse(raw).unwrap().as_str(), raw);
        }
    }
}

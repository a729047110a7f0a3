use crate::number::parse_plain_integer;
use chrono::{Datelike, NaiveDateTime, Timelike};
use serde::{Serialize, Serializer};
use std::fmt;

/// A todo as stored and as returned by the API, to one caller: `mine` when the caller's session
/// wrote it (only then may the caller change or delete it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Todo {
    pub id: i64,
    pub task: String,
    pub done: bool,
    pub created_at: CreatedAt,
    pub mine: bool,
}

/// When a todo was created, in UTC to the microsecond (PostgreSQL's precision); written as
/// RFC 3339 with six fractional digits, e.g. `2024-01-02T03:04:05.000006Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreatedAt(pub NaiveDateTime);

/// The RFC 3339 text of a date in years 0-9999, which has a fixed length.
type Rfc3339 = [u8; 27];

impl CreatedAt {
    /// Writes the digits by hand: `core::fmt`'s padded integers cost several times more in a
    /// Wasm component, and every todo of a list has a date. `None` for a year outside 0-9999
    /// (PostgreSQL can store them), which `Display` writes the slow way.
    fn rfc3339(&self) -> Option<Rfc3339> {
        let t = self.0;
        let year = u32::try_from(t.year()).ok().filter(|year| *year <= 9999)?;
        let mut text = *b"0000-00-00T00:00:00.000000Z";
        for (digits, mut value) in [
            (0..4, year),
            (5..7, t.month()),
            (8..10, t.day()),
            (11..13, t.hour()),
            (14..16, t.minute()),
            (17..19, t.second()),
            (20..26, t.nanosecond() / 1_000),
        ] {
            for digit in text[digits].iter_mut().rev() {
                *digit = b'0' + (value % 10) as u8;
                value /= 10;
            }
        }
        Some(text)
    }
}

impl fmt::Display for CreatedAt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(text) = self.rfc3339() {
            return f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?);
        }
        let t = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
            t.year(),
            t.month(),
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.nanosecond() / 1_000
        )
    }
}

impl Serialize for CreatedAt {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.rfc3339() {
            // ASCII digits and separators: always UTF-8.
            Some(text) => serializer.serialize_str(std::str::from_utf8(&text).map_err(serde::ser::Error::custom)?),
            None => serializer.collect_str(self),
        }
    }
}

/// The id of a todo: a positive 64-bit integer written in plain decimal digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TodoId(i64);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidTodoId;

impl TodoId {
    pub fn parse(raw: &str) -> Result<Self, InvalidTodoId> {
        match parse_plain_integer(raw) {
            Some(id) if id > 0 => Ok(Self(id)),
            _ => Err(InvalidTodoId),
        }
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for InvalidTodoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a todo id is an integer from 1 to {}", i64::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_positive_integers() {
        assert_eq!(TodoId::parse("1").unwrap().get(), 1);
        assert_eq!(TodoId::parse("9223372036854775807").unwrap().get(), i64::MAX);
    }

    #[test]
    fn rejects_everything_else() {
        for raw in ["", "0", "-1", "+1", "1.0", " 1", "abc", "9223372036854775808", "1e3"] {
            assert_eq!(TodoId::parse(raw), Err(InvalidTodoId), "{raw:?}");
        }
    }

    #[test]
    fn serializes_with_the_api_field_names() {
        let created_at = "2024-01-02T03:04:05.000006".parse().unwrap();
        let todo = Todo { id: 7, task: "x".into(), done: false, created_at: CreatedAt(created_at), mine: true };
        assert_eq!(
            serde_json::to_value(&todo).unwrap(),
            serde_json::json!({"id": 7, "task": "x", "done": false, "created_at": "2024-01-02T03:04:05.000006Z", "mine": true})
        );
    }

    #[test]
    fn created_at_always_has_six_fractional_digits() {
        let at = |raw: &str| CreatedAt(raw.parse().unwrap()).to_string();
        assert_eq!(at("2024-12-31T23:59:59"), "2024-12-31T23:59:59.000000Z");
        assert_eq!(at("0999-01-02T03:04:05.123456"), "0999-01-02T03:04:05.123456Z");
        assert_eq!(at("9999-12-31T23:59:59.999999"), "9999-12-31T23:59:59.999999Z");
        // Beyond four digits of year (PostgreSQL allows them), written the slow way.
        let late =
            CreatedAt(chrono::NaiveDate::from_ymd_opt(12345, 6, 7).unwrap().and_hms_micro_opt(8, 9, 10, 11).unwrap());
        assert_eq!(late.to_string(), "12345-06-07T08:09:10.000011Z");
        assert_eq!(serde_json::to_value(late).unwrap(), "12345-06-07T08:09:10.000011Z");
    }
}

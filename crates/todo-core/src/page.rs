use crate::number::parse_plain_integer;
use crate::todo::TodoId;
use std::fmt;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 100;

/// One page of the list: at most `limit` todos with ids below `before`, newest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageQuery {
    pub limit: i64,
    pub before: Option<TodoId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidPageQuery(String);

impl PageQuery {
    /// Parses a raw query string (without `?`). Unknown parameters are ignored; a repeated or
    /// malformed `limit`/`before` is rejected rather than guessed at.
    pub fn parse(query: &str) -> Result<Self, InvalidPageQuery> {
        let mut limit = None;
        let mut before = None;
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "limit" => set_once(&mut limit, "limit", parse_limit(&value)?)?,
                "before" => set_once(&mut before, "before", parse_before(&value)?)?,
                _ => {}
            }
        }
        Ok(Self { limit: limit.unwrap_or(DEFAULT_LIMIT), before })
    }
}

fn parse_limit(raw: &str) -> Result<i64, InvalidPageQuery> {
    parse_plain_integer(raw)
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .ok_or_else(|| InvalidPageQuery(format!("limit must be an integer from 1 to {MAX_LIMIT}")))
}

fn parse_before(raw: &str) -> Result<TodoId, InvalidPageQuery> {
    TodoId::parse(raw).map_err(|invalid| InvalidPageQuery(format!("before: {invalid}")))
}

fn set_once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), InvalidPageQuery> {
    if slot.replace(value).is_some() {
        return Err(InvalidPageQuery(format!("{name} is given more than once")));
    }
    Ok(())
}

impl fmt::Display for InvalidPageQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_fifty_newest() {
        assert_eq!(PageQuery::parse("").unwrap(), PageQuery { limit: 50, before: None });
    }

    #[test]
    fn reads_limit_and_before() {
        let page = PageQuery::parse("limit=100&before=42&other=x").unwrap();
        assert_eq!(page.limit, 100);
        assert_eq!(page.before, Some(TodoId::parse("42").unwrap()));
        assert_eq!(PageQuery::parse("limit=%31").unwrap().limit, 1);
    }

    #[test]
    fn rejects_bad_values() {
        for query in [
            "limit=0",
            "limit=101",
            "limit=-1",
            "limit=",
            "limit=ten",
            "limit=+5",
            "limit=5.0",
            "before=0",
            "before=abc",
            "before=",
            "limit=5&limit=6",
            "before=1&before=2",
        ] {
            assert!(PageQuery::parse(query).is_err(), "{query}");
        }
    }

    #[test]
    fn explains_what_is_wrong() {
        let error = PageQuery::parse("limit=500").unwrap_err();
        assert_eq!(error.to_string(), "limit must be an integer from 1 to 100");
    }
}

use crate::number::parse_plain_integer;
use crate::todo::TodoId;
use std::fmt;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 100;

/// One page of the list: at most `limit` todos with ids below `before`, newest first, only
/// done or only open ones when `done` is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListQuery {
    pub limit: i64,
    pub before: Option<TodoId>,
    pub done: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidListQuery(String);

impl ListQuery {
    /// Parses a raw query string (without `?`). Unknown parameters are ignored; a repeated or
    /// malformed `limit`/`before`/`done` is rejected rather than guessed at.
    pub fn parse(query: &str) -> Result<Self, InvalidListQuery> {
        let mut limit = None;
        let mut before = None;
        let mut done = None;
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "limit" => set_once(&mut limit, "limit", parse_limit(&value)?)?,
                "before" => set_once(&mut before, "before", parse_before(&value)?)?,
                "done" => set_once(&mut done, "done", parse_done(&value)?)?,
                _ => {}
            }
        }
        Ok(Self { limit: limit.unwrap_or(DEFAULT_LIMIT), before, done })
    }
}

fn parse_limit(raw: &str) -> Result<i64, InvalidListQuery> {
    parse_plain_integer(raw)
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .ok_or_else(|| InvalidListQuery(format!("limit must be an integer from 1 to {MAX_LIMIT}")))
}

fn parse_before(raw: &str) -> Result<TodoId, InvalidListQuery> {
    TodoId::parse(raw).map_err(|invalid| InvalidListQuery(format!("before: {invalid}")))
}

fn parse_done(raw: &str) -> Result<bool, InvalidListQuery> {
    match raw {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(InvalidListQuery("done must be true or false".to_owned())),
    }
}

fn set_once<T>(slot: &mut Option<T>, name: &str, value: T) -> Result<(), InvalidListQuery> {
    if slot.replace(value).is_some() {
        return Err(InvalidListQuery(format!("{name} is given more than once")));
    }
    Ok(())
}

impl fmt::Display for InvalidListQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_fifty_newest() {
        assert_eq!(ListQuery::parse("").unwrap(), ListQuery { limit: 50, before: None, done: None });
    }

    #[test]
    fn reads_limit_and_before() {
        let page = ListQuery::parse("limit=100&before=42&other=x").unwrap();
        assert_eq!(page.limit, 100);
        assert_eq!(page.before, Some(TodoId::parse("42").unwrap()));
        assert_eq!(ListQuery::parse("limit=%31").unwrap().limit, 1);
        assert_eq!(ListQuery::parse("done=true").unwrap().done, Some(true));
        assert_eq!(ListQuery::parse("done=false&limit=2").unwrap().done, Some(false));
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
            "done=",
            "done=1",
            "done=TRUE",
            "done=yes",
            "done=true&done=false",
            "before=abc",
            "before=",
            "limit=5&limit=6",
            "before=1&before=2",
        ] {
            assert!(ListQuery::parse(query).is_err(), "{query}");
        }
    }

    #[test]
    fn explains_what_is_wrong() {
        let error = ListQuery::parse("limit=500").unwrap_err();
        assert_eq!(error.to_string(), "limit must be an integer from 1 to 100");
    }
}

//! The list's validator, made from the change counter rather than from a rendered body, so that
//! a `304` needs no page query.

use crate::page::ListQuery;
use crate::store::Changes;
use crate::todo::TodoId;

/// The shape of the list's JSON: raised whenever the body of the same todos would read
/// differently (a field added or renamed), so that no copy made by an older build matches.
const REPRESENTATION: u32 = 1;

/// The `ETag` of a list response: the same exactly when the body is. The body is fixed by which
/// writes the snapshot saw (`changes`) and by which page of them was asked for (`query`); an input
/// that shapes the body beyond those (a per-caller view) joins them here.
pub fn list_etag(changes: Changes, query: &ListQuery) -> String {
    let done = match query.done {
        None => "any",
        Some(true) => "done",
        Some(false) => "open",
    };
    let before = query.before.map_or(0, TodoId::get);
    format!("\"{REPRESENTATION}.{}.{}.{before}.{done}\"", changes.0, query.limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn etag(changes: i64, query: &str) -> String {
        list_etag(Changes(changes), &ListQuery::parse(query).unwrap())
    }

    #[test]
    fn the_same_for_the_same_writes_and_page() {
        assert_eq!(etag(7, ""), "\"1.7.50.0.any\"");
        assert_eq!(etag(7, "limit=50&other=x"), etag(7, ""));
    }

    #[test]
    fn differs_with_every_write_and_every_page_parameter() {
        let all = [
            etag(7, ""),
            etag(8, ""),
            etag(7, "limit=49"),
            etag(7, "before=5"),
            etag(7, "before=6"),
            etag(7, "done=true"),
            etag(7, "done=false"),
            etag(17, "limit=5"),
            etag(1, "limit=75"),
        ];
        let distinct: std::collections::HashSet<_> = all.iter().collect();
        assert_eq!(distinct.len(), all.len(), "{all:?}");
        assert!(
            all.iter().all(|tag| tag.starts_with('"') && tag.ends_with('"') && !tag[1..tag.len() - 1].contains('"'))
        );
    }
}

//! The list's validator, made from the change counter rather than from a rendered body, so that
//! a `304` needs no page query.

use crate::page::ListQuery;
use crate::session::Author;
use crate::store::Changes;
use crate::todo::{Todo, TodoId};
use http_layer::lower_hex;
use sha2::{Digest, Sha256};

/// The shape of the list's JSON: raised whenever the body of the same todos would read
/// differently (a field added or renamed), so that no copy made by an older build matches.
const REPRESENTATION: u32 = 2;

/// The `ETag` of a list response: the same exactly when the body is. The body is fixed by which
/// writes the snapshot saw (`changes`), by which page of them was asked for (`query`) and by who
/// asks (`reader`, whose todos say `mine`): a reader is named by 64 bits of a hash of its author
/// hash (`-` without a session), which tells nothing of the session.
pub fn list_etag(changes: Changes, query: &ListQuery, reader: Option<&Author>) -> String {
    let done = match query.done {
        None => "any",
        Some(true) => "done",
        Some(false) => "open",
    };
    let before = query.before.map_or(0, TodoId::get);
    let reader = reader.map_or_else(|| "-".to_owned(), |author| lower_hex(&Sha256::digest(author.as_bytes())[..8]));
    format!("\"{REPRESENTATION}.{}.{}.{before}.{done}.{reader}\"", changes.0, query.limit)
}

/// The `ETag` of one todo's response: 64 bits of a SHA-256 of its JSON body, the todo as this
/// caller sees it (`mine` included). The row is read for a `304` too: one primary-key lookup.
pub fn todo_etag(todo: &Todo) -> String {
    let body = serde_json::to_vec(todo).expect("a todo serializes to JSON");
    let digest = Sha256::digest(&body);
    format!("\"{}\"", lower_hex(&digest[..8]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Session;

    fn etag(changes: i64, query: &str) -> String {
        list_etag(Changes(changes), &ListQuery::parse(query).unwrap(), None)
    }

    fn author(session: char) -> Author {
        Session::parse(&session.to_string().repeat(64)).unwrap().author()
    }

    #[test]
    fn the_same_for_the_same_writes_page_and_reader() {
        assert_eq!(etag(7, ""), "\"2.7.50.0.any.-\"");
        assert_eq!(etag(7, "limit=50&other=x"), etag(7, ""));
        let page = ListQuery::parse("").unwrap();
        assert_eq!(list_etag(Changes(7), &page, Some(&author('a'))), list_etag(Changes(7), &page, Some(&author('a'))));
    }

    #[test]
    fn differs_by_reader_and_shows_nothing_of_the_session() {
        let page = ListQuery::parse("").unwrap();
        let (ann, bob) = (author('a'), author('b'));
        let tags = [
            list_etag(Changes(7), &page, None),
            list_etag(Changes(7), &page, Some(&ann)),
            list_etag(Changes(7), &page, Some(&bob)),
        ];
        assert!(tags[0] != tags[1] && tags[1] != tags[2] && tags[0] != tags[2], "{tags:?}");
        for (tag, author) in [(&tags[1], &ann), (&tags[2], &bob)] {
            assert!(!tag.contains(&lower_hex(&author.as_bytes()[..8])), "not the stored hash: {tag}");
            assert!(!tag.contains(&"a".repeat(16)) && !tag.contains(&"b".repeat(16)), "not the session: {tag}");
        }
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

    #[test]
    fn a_todo_tag_follows_its_body_and_who_reads_it() {
        let created_at = crate::todo::CreatedAt("2024-01-02T03:04:05".parse().unwrap());
        let todo = Todo { id: 7, task: "x".into(), done: false, created_at, mine: true };
        let tag = todo_etag(&todo);
        assert!(tag.len() == 18 && tag.starts_with('"') && tag.ends_with('"'), "{tag}");
        assert_eq!(todo_etag(&todo.clone()), tag);
        for other in [Todo { done: true, ..todo.clone() }, Todo { mine: false, ..todo.clone() }] {
            assert_ne!(todo_etag(&other), tag, "{other:?}");
        }
    }
}

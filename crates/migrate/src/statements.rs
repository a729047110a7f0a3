//! Splits a migration into its statements, for one that runs outside a transaction.
//!
//! A `;` ends a statement unless it is inside a string (`'...'`), a quoted name (`"..."`), a
//! dollar-quoted body (`$$...$$`, `$tag$...$tag$`) or a comment (`-- ...`, `/* ... */`).
//! Not understood: backslash escapes in `E'...'` strings and nested block comments; a migration
//! that needs them runs in a transaction.

/// The statements of `sql`, each with its `;`; comment-only stretches are left out.
pub(crate) fn statements(sql: &str) -> Vec<&str> {
    let bytes = sql.as_bytes();
    let mut statements = Vec::new();
    let (mut start, mut at, mut has_code) = (0, 0, false);
    while at < bytes.len() {
        let rest = &sql[at..];
        let skip = if rest.starts_with("--") {
            rest.find('\n').unwrap_or(rest.len())
        } else if rest.starts_with("/*") {
            rest.find("*/").map_or(rest.len(), |end| end + 2)
        } else {
            has_code |= !bytes[at].is_ascii_whitespace();
            match bytes[at] {
                quote @ (b'\'' | b'"') => closing(rest, 1, &[quote]),
                b'$' => dollar_tag(rest).map_or(1, |tag| closing(rest, tag.len(), tag.as_bytes())),
                b';' => {
                    statements.push(&sql[start..=at]);
                    (start, has_code) = (at + 1, false);
                    1
                }
                _ => 1,
            }
        };
        at += skip.max(1);
    }
    if has_code {
        statements.push(&sql[start..]);
    }
    statements.into_iter().map(str::trim).filter(|statement| !statement.is_empty()).collect()
}

/// Bytes from the start of `text` to just past the `close` that ends what opened it (`open`
/// bytes long); the whole text when it never closes.
fn closing(text: &str, open: usize, close: &[u8]) -> usize {
    text.as_bytes()[open..]
        .windows(close.len())
        .position(|window| window == close)
        .map_or(text.len(), |at| open + at + close.len())
}

/// `$$` or `$tag$` at the start of `text` (a tag is a name: letters, digits, `_`, not a digit
/// first); `None` for a `$1` parameter or a lone `$`.
fn dollar_tag(text: &str) -> Option<&str> {
    let end = text[1..].find('$')? + 1;
    let tag = &text[1..end];
    let is_name = tag.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
        && !tag.starts_with(|first: char| first.is_ascii_digit());
    is_name.then(|| &text[..=end])
}

#[cfg(test)]
mod tests {
    use super::statements;

    #[test]
    fn splits_at_semicolons_between_statements() {
        assert_eq!(statements("SELECT 1; SELECT 2;\nSELECT 3"), ["SELECT 1;", "SELECT 2;", "SELECT 3"]);
        assert_eq!(statements(""), Vec::<&str>::new());
        assert_eq!(statements("  ;; "), [";", ";"]);
    }

    #[test]
    fn semicolons_in_strings_names_and_comments_do_not_split() {
        let sql = "SELECT 'a;b', \"c;d\" -- e;f\n/* g;h */ FROM t; SELECT 'it''s;'";
        assert_eq!(statements(sql), ["SELECT 'a;b', \"c;d\" -- e;f\n/* g;h */ FROM t;", "SELECT 'it''s;'"]);
    }

    #[test]
    fn dollar_quoted_bodies_are_one_statement() {
        let function = "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n  UPDATE t SET n = 1;\n  RETURN NULL;\nEND $$;";
        let tagged = "DO $body$ BEGIN PERFORM 1; PERFORM '$$'; END $body$;";
        let sql = format!("{function}\n{tagged}\nSELECT $1;");
        assert_eq!(statements(&sql), [function, tagged, "SELECT $1;"]);
    }

    #[test]
    fn comment_only_stretches_are_no_statements() {
        let sql = "-- a header\n\nBEGIN;\n-- why\nLOCK TABLE t;\nCOMMIT;\n-- the end; nothing more\n/* ; */\n";
        assert_eq!(statements(sql), ["-- a header\n\nBEGIN;", "-- why\nLOCK TABLE t;", "COMMIT;"]);
    }

    #[test]
    fn an_unclosed_quote_runs_to_the_end() {
        assert_eq!(statements("SELECT 'a; SELECT 2;"), ["SELECT 'a; SELECT 2;"]);
        assert_eq!(statements("SELECT $$a; SELECT 2;"), ["SELECT $$a; SELECT 2;"]);
    }
}

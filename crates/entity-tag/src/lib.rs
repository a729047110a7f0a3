//! `If-None-Match` evaluation (RFC 9110 §13.1.2): weak comparison, `*`, lists over one or more
//! header lines. Works on bytes: an entity-tag may contain obs-text (bytes >= 0x80) and commas.
//! The one implementation for every component (through `http-layer`) and the image sidecar.

/// True when the client's cached copy matches `etag` (e.g. `"abc"` or `W/"abc"`), so a GET or
/// HEAD is answered 304. `if_none_match` holds the request's `If-None-Match` field lines.
pub fn not_modified<'a>(if_none_match: impl IntoIterator<Item = &'a [u8]>, etag: &str) -> bool {
    let current = opaque(etag.as_bytes());
    if_none_match.into_iter().any(|field| {
        let field = field.trim_ascii();
        field == b"*" || EntityTags(field).any(|tag| Some(tag) == current)
    })
}

/// The quoted part of an entity-tag, `W/` removed (weak comparison ignores it).
fn opaque(tag: &[u8]) -> Option<&[u8]> {
    let tag = tag.strip_prefix(b"W/").unwrap_or(tag);
    let well_formed =
        tag.len() >= 2 && tag[0] == b'"' && tag.ends_with(b"\"") && !tag[1..tag.len() - 1].contains(&b'"');
    well_formed.then_some(tag)
}

/// The opaque tags of a comma-separated list; stops at the first malformed member (whatever
/// follows it cannot be read reliably, so it never matches).
struct EntityTags<'a>(&'a [u8]);

impl<'a> Iterator for EntityTags<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let start = self.0.iter().position(|byte| !matches!(byte, b' ' | b'\t' | b','))?;
        let rest = &self.0[start..];
        let quoted = rest.strip_prefix(b"W/").unwrap_or(rest);
        let closing = match quoted.first() {
            Some(b'"') => quoted[1..].iter().position(|&byte| byte == b'"')? + 1,
            _ => {
                self.0 = &[];
                return None;
            }
        };
        let tag = &quoted[..=closing];
        let after = &quoted[closing + 1..];
        if !after.is_empty() && !matches!(after[0], b' ' | b'\t' | b',') {
            self.0 = &[];
            return None;
        }
        self.0 = after;
        Some(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::not_modified;

    const TAG: &str = "\"abc\"";

    fn matches(fields: &[&[u8]], etag: &str) -> bool {
        not_modified(fields.iter().copied(), etag)
    }

    #[test]
    fn weak_comparison_on_either_side() {
        assert!(matches(&[b"\"abc\""], TAG));
        assert!(matches(&[b"W/\"abc\""], TAG));
        assert!(matches(&[b"\"abc\""], "W/\"abc\""));
        assert!(matches(&[b"W/\"abc\""], "W/\"abc\""));
    }

    #[test]
    fn lists_star_and_several_header_lines() {
        assert!(matches(&[b"\"x\", \"abc\""], TAG));
        assert!(matches(&[b"\"x\",W/\"abc\" ,"], TAG));
        assert!(matches(&[b"\"x\"", b"\"abc\""], TAG));
        assert!(matches(&[b" * "], TAG));
    }

    #[test]
    fn commas_and_obs_text_inside_a_tag() {
        assert!(matches(&[b"\"a,b\""], "\"a,b\""));
        assert!(!matches(&[b"\"a,b\""], "\"a\""));
        assert!(!matches(&[b"\"a,b\""], "\"b\""));
        assert!(matches(&[b"\"x\xff\", \"abc\""], TAG));
    }

    #[test]
    fn no_match_for_absent_other_unquoted_or_malformed() {
        assert!(!matches(&[], TAG));
        assert!(!matches(&[b""], TAG));
        assert!(!matches(&[b"\"abd\""], TAG));
        assert!(!matches(&[b"abc"], TAG));
        assert!(!matches(&[b"w/\"abc\""], TAG), "W/ is case-sensitive");
        assert!(!matches(&[b"\"abc"], TAG));
        assert!(!matches(&[b"\"x\"\"abc\""], TAG), "members must be separated");
        assert!(!matches(&[b"*, \"x\""], TAG), "* only stands alone");
        assert!(!matches(&[b"\"abc\""], "abc"), "our own tag must be well formed");
    }
}

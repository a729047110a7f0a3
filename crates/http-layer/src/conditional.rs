//! `If-None-Match` evaluation (RFC 9110 §13.1.2): weak comparison, `*`, lists over one or more
//! header lines. Works on bytes: an entity-tag may contain obs-text (bytes >= 0x80) and commas.

use spin_sdk::http::Response;

/// Gives a response a strong `ETag` computed from its body, or answers `304` with that tag
/// (and no body) when the client's copy has it: the database is still read, the body is not
/// sent again.
pub fn tagged(if_none_match: &[Vec<u8>], mut response: Response) -> Response {
    let etag = format!("\"{:016x}\"", fnv1a(response.body()));
    if not_modified(if_none_match, &etag) {
        return Response::builder().status(304).header("etag", etag).build();
    }
    response.set_header("etag", etag);
    response
}

/// 64-bit FNV-1a: a fast, stable fingerprint (a validator, not a security boundary).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// True when the client's cached copy matches `etag` (e.g. `"abc"` or `W/"abc"`), so a GET or
/// HEAD is answered 304.
pub fn not_modified(if_none_match: &[Vec<u8>], etag: &str) -> bool {
    let current = opaque(etag.as_bytes());
    if_none_match.iter().any(|field| {
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
    use super::{Response, fnv1a, not_modified, tagged};

    const TAG: &str = "\"abc\"";

    fn matches(fields: &[&[u8]], etag: &str) -> bool {
        let fields: Vec<Vec<u8>> = fields.iter().map(|field| field.to_vec()).collect();
        not_modified(&fields, etag)
    }

    #[test]
    fn tagged_responses_carry_a_body_hash_and_turn_into_304() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let response = || Response::builder().status(200).body(r#"{"todos":[]}"#).build();
        let fresh = tagged(&[], response());
        let etag = fresh.header("etag").and_then(|value| value.as_str()).unwrap().to_owned();
        assert!(etag.len() == 18 && etag.starts_with('"'), "{etag}");
        let cached = tagged(&[format!("W/{etag}").into_bytes()], response());
        assert_eq!((*cached.status(), cached.body().len()), (304, 0));
        assert_eq!(cached.header("etag").and_then(|value| value.as_str()), Some(etag.as_str()));
        assert_eq!(*tagged(&[b"\"other\"".to_vec()], response()).status(), 200);
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

//! `If-None-Match` evaluation (RFC 9110 §13.1.2): weak comparison, `*`, comma lists.

/// True when the client's cached copy is current, i.e. the answer is 304.
pub fn not_modified(if_none_match: Option<&str>, etag: &str) -> bool {
    let Some(header) = if_none_match else {
        return false;
    };
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

#[cfg(test)]
mod tests {
    use super::not_modified;

    const TAG: &str = "\"abc\"";

    #[test]
    fn matches_exact_weak_listed_and_star() {
        assert!(not_modified(Some("\"abc\""), TAG));
        assert!(not_modified(Some("W/\"abc\""), TAG));
        assert!(not_modified(Some("\"x\", \"abc\""), TAG));
        assert!(not_modified(Some("*"), TAG));
    }

    #[test]
    fn rejects_absent_other_and_unquoted() {
        assert!(!not_modified(None, TAG));
        assert!(!not_modified(Some("\"abd\""), TAG));
        assert!(!not_modified(Some("abc"), TAG));
        assert!(!not_modified(Some(""), TAG));
    }
}

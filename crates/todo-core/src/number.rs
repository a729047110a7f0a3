/// Parses an integer written in plain decimal digits only: `i64::from_str` alone would also
/// take "+7" and "-0", which a URL should not need.
pub(crate) fn parse_plain_integer(raw: &str) -> Option<i64> {
    let digits_only = !raw.is_empty() && raw.bytes().all(|byte| byte.is_ascii_digit());
    digits_only.then(|| raw.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::parse_plain_integer;

    #[test]
    fn takes_digits_and_nothing_else() {
        assert_eq!(parse_plain_integer("0042"), Some(42));
        for raw in ["", "+1", "-1", " 1", "1 ", "1.0", "1e3", "9223372036854775808"] {
            assert_eq!(parse_plain_integer(raw), None, "{raw:?}");
        }
    }
}

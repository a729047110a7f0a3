//! Host errors as the guest sees them: one short line.

/// `error` and its causes on one line, each cause once (a pool error already ends with its
/// cause's message). It is the first line of Spin's `{:?}` text, without the `Caused by` list
/// and the backtrace that follow when `RUST_BACKTRACE` is set: components log these strings,
/// so every failing request during an outage would otherwise log kilobytes.
pub(crate) fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let cause = cause.to_string();
        if line.ends_with(&cause) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&cause);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_joined_once_on_one_line() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let repeating = anyhow::Error::new(io).context("connecting: refused");
        assert_eq!(one_line(&repeating), "connecting: refused");
        let chained = anyhow::anyhow!("refused").context("building pool");
        assert_eq!(one_line(&chained), "building pool: refused");
        assert!(!one_line(&chained.context("outer")).contains('\n'));
    }
}

//! Host errors as the guest sees them.

/// A connection failure as Spin 3.6 words it (`{:?}` of the host error: the message, then a
/// `Caused by:` list), without the backtrace Spin appends when `RUST_BACKTRACE` is set. Guests
/// log it; the components' request log keeps its first line only.
pub(crate) fn spin_text(error: &anyhow::Error) -> String {
    let text = format!("{error:?}");
    match text.split_once("\n\nStack backtrace:") {
        Some((without_backtrace, _)) => without_backtrace.to_owned(),
        None => text,
    }
}

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
    fn connection_failures_read_as_on_spin_without_a_backtrace() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let error = anyhow::Error::new(io).context("connecting: refused").context("creating a new object");
        assert_eq!(
            spin_text(&error),
            "creating a new object\n\nCaused by:\n    0: connecting: refused\n    1: refused"
        );
    }

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

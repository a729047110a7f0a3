use serde::Serialize;
use spin_sdk::http::Method;
use std::time::Duration;

/// Longest error detail logged: a host error may carry a whole backtrace (RUST_BACKTRACE=1),
/// and an outage must not flood the logs with it.
const MAX_DETAIL_CHARS: usize = 300;

/// The one structured log line written per request.
#[derive(Serialize)]
pub(crate) struct RequestLog<'a> {
    pub method: &'a str,
    pub route: &'a str,
    pub status: u16,
    pub duration_ms: f64,
    /// The trace id that finds the request's spans (see `RequestId`).
    pub request_id: &'a str,
    /// Why a request failed on the server side (5xx), never sent to the client.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'a str>,
}

impl RequestLog<'_> {
    pub fn write(&self) {
        // One line on stdout, collected by the platform (Spin log files, kubectl logs).
        if let Ok(line) = serde_json::to_string(self) {
            println!("{line}");
        }
    }
}

/// The method as logged: one of the methods HTTP defines (RFC 9110, PATCH of RFC 5789), else
/// `OTHER`, so a client cannot write what it likes, at any length, into the log.
pub(crate) fn logged_method(method: &Method) -> &'static str {
    match method {
        Method::Get => "GET",
        Method::Head => "HEAD",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Delete => "DELETE",
        Method::Connect => "CONNECT",
        Method::Options => "OPTIONS",
        Method::Trace => "TRACE",
        Method::Patch => "PATCH",
        Method::Other(_) => "OTHER",
    }
}

/// The first line of an error detail, at most [`MAX_DETAIL_CHARS`] characters.
pub(crate) fn short_detail(detail: &str) -> &str {
    let first_line = detail.lines().next().unwrap_or_default();
    match first_line.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((cut, _)) => &first_line[..cut],
        None => first_line,
    }
}

/// Milliseconds with microsecond precision, enough to compare requests.
pub(crate) fn millis(duration: Duration) -> f64 {
    (duration.as_micros() as f64) / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn is_one_json_object_without_absent_fields() {
        let log = RequestLog {
            method: "GET",
            route: "/api/todos",
            status: 200,
            duration_ms: millis(Duration::from_micros(1500)),
            request_id: "4bf92f3577b34da6a3ce929d0e0e4736",
            error: None,
        };
        assert_eq!(
            serde_json::to_string(&log).unwrap(),
            concat!(
                r#"{"method":"GET","route":"/api/todos","status":200,"duration_ms":1.5,"#,
                r#""request_id":"4bf92f3577b34da6a3ce929d0e0e4736"}"#
            )
        );
    }

    #[test]
    fn known_methods_are_logged_by_name_and_any_other_as_other() {
        assert_eq!(logged_method(&Method::Patch), "PATCH");
        assert_eq!(logged_method(&Method::Get), "GET");
        for other in ["PROPFIND", "get", &"X".repeat(300_000)] {
            assert_eq!(logged_method(&Method::Other(other.to_owned())), "OTHER", "{}", &other[..other.len().min(8)]);
        }
    }

    #[test]
    fn details_are_one_short_line() {
        assert_eq!(short_detail("connection refused\n\nStack backtrace:\n 0: ..."), "connection refused");
        let long = "ä".repeat(MAX_DETAIL_CHARS + 50);
        assert_eq!(short_detail(&long).chars().count(), MAX_DETAIL_CHARS);
        assert_eq!(short_detail(""), "");
    }
}

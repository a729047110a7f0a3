//! Every request's id: the W3C trace id (32 lowercase hex digits) of the trace it belongs to.
//!
//! Taken from the incoming `traceparent` when it is valid (Spin continues that trace, so the
//! id finds Spin's spans), else from the Google load balancer's `X-Cloud-Trace-Context`, else
//! made here from `wasi:random`. It goes into the log line, every JSON error body and the
//! `x-request-id` response header.

use crate::headers::header_values;
use crate::hex::lower_hex;
use spin_sdk::http::IncomingRequest;
use std::fmt;

/// The response header that carries the id.
pub(crate) const REQUEST_ID_HEADER: &str = "x-request-id";

const TRACE_ID_DIGITS: usize = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(String);

impl RequestId {
    /// The id of `request`: from its trace context, or a new one.
    pub fn of(request: &IncomingRequest) -> RequestId {
        let traceparent = header_values(request, "traceparent");
        let cloud_trace_context = header_values(request, "x-cloud-trace-context");
        RequestId::from_trace_context(&traceparent, &cloud_trace_context).unwrap_or_else(RequestId::random)
    }

    /// The trace id of a valid `traceparent`, else of a valid `X-Cloud-Trace-Context`; each
    /// header counts only when sent once (W3C: several `traceparent` values are invalid).
    pub fn from_trace_context(traceparent: &[Vec<u8>], cloud_trace_context: &[Vec<u8>]) -> Option<RequestId> {
        let from_traceparent = single_text(traceparent).and_then(traceparent_trace_id);
        let from_cloud = || single_text(cloud_trace_context).and_then(cloud_trace_id);
        from_traceparent.or_else(from_cloud).map(RequestId)
    }

    /// 128 random bits, as a trace id.
    fn random() -> RequestId {
        loop {
            let bytes = wasi::random::random::get_random_bytes(TRACE_ID_DIGITS as u64 / 2);
            let id = lower_hex(&bytes);
            if is_trace_id(&id) {
                return RequestId(id);
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.0)
    }
}

fn single_text(values: &[Vec<u8>]) -> Option<&str> {
    match values {
        [value] => std::str::from_utf8(value).ok(),
        _ => None,
    }
}

/// W3C Trace Context: `version-traceid-parentid-flags`, lowercase hex. Version `ff` is
/// invalid; version `00` has exactly four fields, a later version may append more after a `-`.
fn traceparent_trace_id(value: &str) -> Option<String> {
    let value = value.trim_matches([' ', '\t']);
    let mut fields = value.splitn(5, '-');
    let (version, trace_id, parent_id, flags) = (fields.next()?, fields.next()?, fields.next()?, fields.next()?);
    let rest = fields.next();
    let valid = is_lower_hex(version, 2)
        && version != "ff"
        && (version != "00" || rest.is_none())
        && is_trace_id(trace_id)
        && is_lower_hex(parent_id, 16)
        && parent_id.bytes().any(|digit| digit != b'0')
        && is_lower_hex(flags, 2);
    valid.then(|| trace_id.to_owned())
}

/// `X-Cloud-Trace-Context: TRACE_ID/SPAN_ID;o=OPTIONS`, the span and options optional; Google's
/// load balancers send the trace id as 32 hex digits.
fn cloud_trace_id(value: &str) -> Option<String> {
    let trace_id = value.trim().split(['/', ';']).next()?.to_ascii_lowercase();
    is_trace_id(&trace_id).then_some(trace_id)
}

fn is_trace_id(candidate: &str) -> bool {
    is_lower_hex(candidate, TRACE_ID_DIGITS) && candidate.bytes().any(|digit| digit != b'0')
}

fn is_lower_hex(candidate: &str, digits: usize) -> bool {
    candidate.len() == digits && candidate.bytes().all(|digit| matches!(digit, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    fn id(traceparent: &[&str], cloud: &[&str]) -> Option<String> {
        let values = |texts: &[&str]| texts.iter().map(|text| text.as_bytes().to_vec()).collect::<Vec<_>>();
        RequestId::from_trace_context(&values(traceparent), &values(cloud)).map(|id| id.as_str().to_owned())
    }

    #[test]
    fn a_valid_traceparent_gives_its_trace_id() {
        assert_eq!(id(&[&format!("00-{TRACE_ID}-00f067aa0ba902b7-01")], &[]).as_deref(), Some(TRACE_ID));
        assert_eq!(id(&[&format!("00-{TRACE_ID}-00f067aa0ba902b7-00")], &[]).as_deref(), Some(TRACE_ID));
        // A later version may carry more fields.
        assert_eq!(id(&[&format!("01-{TRACE_ID}-00f067aa0ba902b7-01-extra")], &[]).as_deref(), Some(TRACE_ID));
    }

    #[test]
    fn an_invalid_traceparent_is_ignored() {
        for invalid in [
            format!("ff-{TRACE_ID}-00f067aa0ba902b7-01"),
            format!("00-{TRACE_ID}-00f067aa0ba902b7-01-extra"),
            format!("00-{}-00f067aa0ba902b7-01", "0".repeat(32)),
            format!("00-{TRACE_ID}-0000000000000000-01"),
            format!("00-{}-00f067aa0ba902b7-01", TRACE_ID.to_uppercase()),
            format!("00-{TRACE_ID}-00f067aa0ba902b7"),
            format!("00-{}-00f067aa0ba902b7-01", &TRACE_ID[1..]),
            "00-xyz".to_owned(),
            String::new(),
        ] {
            assert_eq!(id(&[&invalid], &[]), None, "{invalid}");
        }
        let valid = format!("00-{TRACE_ID}-00f067aa0ba902b7-01");
        assert_eq!(id(&[&valid, &valid], &[]), None, "sent twice");
    }

    #[test]
    fn the_load_balancers_trace_context_is_next() {
        let cloud = "105445aa7843bc8bf206b12000100000/1;o=1";
        assert_eq!(id(&[], &[cloud]).as_deref(), Some("105445aa7843bc8bf206b12000100000"));
        assert_eq!(id(&["garbage"], &[cloud]).as_deref(), Some("105445aa7843bc8bf206b12000100000"));
        assert_eq!(id(&[], &["105445AA7843BC8BF206B12000100000"]).as_deref(), Some("105445aa7843bc8bf206b12000100000"));
        let traceparent = format!("00-{TRACE_ID}-00f067aa0ba902b7-01");
        assert_eq!(id(&[&traceparent], &[cloud]).as_deref(), Some(TRACE_ID), "traceparent first");
        for invalid in ["", "123/1;o=1", "zz5445aa7843bc8bf206b12000100000/1", "00000000000000000000000000000000/1"] {
            assert_eq!(id(&[], &[invalid]), None, "{invalid}");
        }
    }
}

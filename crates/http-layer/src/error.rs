use crate::request_id::RequestId;
use spin_sdk::http::{Method, Response};

/// A failed request: rendered as `{"error": message, "request_id": id}` with its status, never
/// cached.
///
/// `detail` is for the log line only; server-side details never reach the client.
#[derive(Debug)]
pub struct ApiError {
    status: u16,
    message: String,
    allow: Option<String>,
    retry_after_seconds: Option<u32>,
    detail: Option<String>,
}

impl ApiError {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), allow: None, retry_after_seconds: None, detail: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// The resource is there, and the client may not do this to it.
    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(403, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    pub fn method_not_allowed(allowed: &[Method]) -> Self {
        let allow = allowed.iter().map(Method::to_string).collect::<Vec<_>>().join(", ");
        let message = format!("method not allowed, use {allow}");
        Self { allow: Some(allow), ..Self::new(405, message) }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, message)
    }

    pub fn payload_too_large(message: impl Into<String>) -> Self {
        Self::new(413, message)
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(415, "Content-Type must be application/json")
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(422, message)
    }

    /// A dependency cannot be reached: the client may retry after `retry_after_seconds`.
    pub fn unavailable(message: impl Into<String>, retry_after_seconds: u32, detail: impl Into<String>) -> Self {
        Self { retry_after_seconds: Some(retry_after_seconds), detail: Some(detail.into()), ..Self::new(503, message) }
    }

    /// A fault of the server; the detail is logged, the client gets a generic message.
    pub fn internal(detail: impl Into<String>) -> Self {
        Self { detail: Some(detail.into()), ..Self::new(500, "internal error") }
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    pub fn into_response(self, request_id: &RequestId) -> Response {
        let body = ErrorBody { error: &self.message, request_id: request_id.as_str() };
        let mut response = crate::response::json(self.status, &body);
        // An error must never be replayed by a cache in place of the resource.
        response.set_header("cache-control", "no-store");
        if let Some(allow) = self.allow {
            response.set_header("allow", allow);
        }
        if let Some(seconds) = self.retry_after_seconds {
            response.set_header("retry-after", seconds.to_string());
        }
        response
    }
}

#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    request_id: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_id() -> RequestId {
        let traceparent = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_vec();
        RequestId::from_trace_context(&[traceparent], &[]).unwrap()
    }

    fn header(response: &Response, name: &str) -> Option<String> {
        response.header(name).and_then(|value| value.as_str()).map(str::to_owned)
    }

    #[test]
    fn renders_uncacheable_json_error_bodies() {
        let response = ApiError::unprocessable("Todo's task is empty.").into_response(&request_id());
        assert_eq!(*response.status(), 422);
        assert_eq!(header(&response, "content-type").as_deref(), Some("application/json"));
        assert_eq!(header(&response, "cache-control").as_deref(), Some("no-store"));
        let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"error": "Todo's task is empty.", "request_id": "4bf92f3577b34da6a3ce929d0e0e4736"})
        );
    }

    #[test]
    fn method_not_allowed_lists_the_allowed_methods() {
        let response = ApiError::method_not_allowed(&[Method::Get, Method::Head]).into_response(&request_id());
        assert_eq!(*response.status(), 405);
        assert_eq!(header(&response, "allow").as_deref(), Some("GET, HEAD"));
    }

    #[test]
    fn unavailable_asks_to_retry_and_hides_the_detail() {
        let error = ApiError::unavailable("database unavailable, retry later", 1, "refused by 10.0.0.7:5432");
        assert_eq!(error.detail(), Some("refused by 10.0.0.7:5432"));
        let response = error.into_response(&request_id());
        assert_eq!(*response.status(), 503);
        assert_eq!(header(&response, "retry-after").as_deref(), Some("1"));
        assert!(!String::from_utf8_lossy(response.body()).contains("10.0.0.7"));
    }
}

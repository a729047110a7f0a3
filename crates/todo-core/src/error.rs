use crate::idempotency::InvalidIdempotencyKey;
use crate::page::InvalidPageQuery;
use crate::task::InvalidTask;
use crate::todo::InvalidTodoId;
use spin_sdk::http::{Method, Response};

/// Seconds a client should wait before retrying while the database is unreachable.
const RETRY_AFTER_SECONDS: &str = "1";

/// A failed request: rendered as `{"error": message}` with its status.
///
/// `detail` is for the log line only; server-side details never reach the client.
#[derive(Debug)]
pub struct ApiError {
    status: u16,
    message: String,
    allow: Option<Method>,
    detail: Option<String>,
}

impl ApiError {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Self { status, message: message.into(), allow: None, detail: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(404, message)
    }

    pub fn method_not_allowed(allowed: Method) -> Self {
        let message = format!("method not allowed, use {allowed}");
        Self { allow: Some(allowed), ..Self::new(405, message) }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, message)
    }

    pub fn payload_too_large(limit_bytes: usize) -> Self {
        Self::new(413, format!("request body is over {limit_bytes} bytes"))
    }

    pub fn unsupported_media_type() -> Self {
        Self::new(415, "Content-Type must be application/json")
    }

    pub fn unprocessable(message: impl Into<String>) -> Self {
        Self::new(422, message)
    }

    /// The database cannot be reached: the client may retry soon.
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self { detail: Some(detail.into()), ..Self::new(503, "database unavailable, retry later") }
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

    pub fn into_response(self) -> Response {
        let mut response = crate::response::json(self.status, &ErrorBody { error: &self.message });
        if let Some(allowed) = &self.allow {
            response.set_header("allow", allowed.to_string());
        }
        if self.status == 503 {
            response.set_header("retry-after", RETRY_AFTER_SECONDS);
        }
        response
    }
}

#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
}

/// Invalid input becomes a client error whose message is the parse error's own.
macro_rules! client_error_from {
    ($($invalid:ty => $constructor:ident),* $(,)?) => {$(
        impl From<$invalid> for ApiError {
            fn from(invalid: $invalid) -> Self {
                Self::$constructor(invalid.to_string())
            }
        }
    )*};
}

client_error_from! {
    InvalidTask => unprocessable,
    InvalidPageQuery => bad_request,
    InvalidIdempotencyKey => bad_request,
    InvalidTodoId => bad_request,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(response: &Response) -> serde_json::Value {
        serde_json::from_slice(response.body()).unwrap()
    }

    #[test]
    fn renders_json_error_bodies() {
        let response = ApiError::from(InvalidTask::TooLong(141)).into_response();
        assert_eq!(*response.status(), 422);
        assert_eq!(response.header("content-type").unwrap().as_str(), Some("application/json"));
        assert_eq!(body_of(&response), serde_json::json!({"error": "Todo's length: 141 is over the limit 140."}));
    }

    #[test]
    fn method_not_allowed_names_the_allowed_method() {
        let response = ApiError::method_not_allowed(Method::Post).into_response();
        assert_eq!(*response.status(), 405);
        assert_eq!(response.header("allow").unwrap().as_str(), Some("POST"));
    }

    #[test]
    fn unavailable_asks_to_retry_and_hides_the_detail() {
        let error = ApiError::unavailable("connection refused to 10.0.0.7:5432");
        assert_eq!(error.detail(), Some("connection refused to 10.0.0.7:5432"));
        let response = error.into_response();
        assert_eq!(*response.status(), 503);
        assert_eq!(response.header("retry-after").unwrap().as_str(), Some("1"));
        assert!(!String::from_utf8_lossy(response.body()).contains("10.0.0.7"));
    }
}

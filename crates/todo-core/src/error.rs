//! Invalid input becomes a client error whose message is the parse error's own.

use crate::idempotency::InvalidIdempotencyKey;
use crate::page::InvalidListQuery;
use crate::task::InvalidTask;
use crate::todo::InvalidTodoId;
use http_layer::ApiError;

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
    InvalidListQuery => bad_request,
    InvalidIdempotencyKey => bad_request,
    InvalidTodoId => bad_request,
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_layer::RequestId;

    fn request_id() -> RequestId {
        let traceparent = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_vec();
        RequestId::from_trace_context(&[traceparent], &[]).unwrap()
    }

    #[test]
    fn each_invalid_input_has_its_status_and_message() {
        let error = ApiError::from(InvalidTask::TooLong(141));
        assert_eq!(error.status(), 422);
        let body: serde_json::Value = serde_json::from_slice(error.into_response(&request_id()).body()).unwrap();
        assert_eq!(body["error"], "Todo's length: 141 is over the limit 140.");
        assert_eq!(ApiError::from(InvalidTodoId).status(), 400);
        assert_eq!(ApiError::from(InvalidIdempotencyKey).status(), 400);
    }
}

//! The edge between the domain and HTTP: invalid input becomes a client error whose message is
//! the parse error's own, and a store failure a 503 (retry), 409 (key reused) or 500 (ours).

use crate::body::InvalidEdit;
use crate::db::StoreError;
use crate::idempotency::InvalidIdempotencyKey;
use crate::own::NotDoneOnly;
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

/// Seconds a client should wait before retrying while the database is unreachable.
const RETRY_AFTER_SECONDS: u32 = 1;

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(detail) => {
                ApiError::unavailable("database unavailable, retry later", RETRY_AFTER_SECONDS, detail)
            }
            StoreError::Fault(detail) => ApiError::internal(detail),
            StoreError::KeyReused => ApiError::conflict("Idempotency-Key was already used for a different task."),
        }
    }
}

client_error_from! {
    InvalidTask => unprocessable,
    InvalidEdit => unprocessable,
    NotDoneOnly => bad_request,
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
        assert_eq!(ApiError::from(InvalidEdit::NoChange).status(), 422);
        assert_eq!(ApiError::from(NotDoneOnly).status(), 400);
    }

    #[test]
    fn store_failures_are_503_with_retry_after_409_and_500() {
        let unavailable = ApiError::from(StoreError::Unavailable("postgres: connection refused".into()));
        assert_eq!(unavailable.status(), 503);
        assert_eq!(unavailable.into_response(&request_id()).header("retry-after").unwrap().as_str(), Some("1"));
        assert_eq!(ApiError::from(StoreError::KeyReused).status(), 409);
        assert_eq!(ApiError::from(StoreError::Fault("decoding a row".into())).status(), 500);
    }
}

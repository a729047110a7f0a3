use crate::error::ApiError;
use spin_sdk::http::IncomingRequest;

/// Every value of a request header, as sent (bytes: a value need not be UTF-8).
pub fn header_values(request: &IncomingRequest, name: &str) -> Vec<Vec<u8>> {
    request.headers().get(name)
}

/// The one value of a header whose meaning is text: `None` when absent, 400 when it is not
/// UTF-8 or given more than once (never silently read as absent, which would change meaning).
pub fn header_text(request: &IncomingRequest, name: &str) -> Result<Option<String>, ApiError> {
    single_text(name, header_values(request, name))
}

fn single_text(name: &str, values: Vec<Vec<u8>>) -> Result<Option<String>, ApiError> {
    let mut values = values.into_iter();
    let Some(first) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(ApiError::bad_request(format!("the {name} header is given more than once")));
    }
    String::from_utf8(first)
        .map(Some)
        .map_err(|_| ApiError::bad_request(format!("the {name} header is not valid UTF-8")))
}

#[cfg(test)]
mod tests {
    use super::single_text;

    #[test]
    fn absent_is_none_and_one_utf8_value_is_text() {
        assert_eq!(single_text("x", vec![]).unwrap(), None);
        assert_eq!(single_text("x", vec![b"caf\xc3\xa9".to_vec()]).unwrap().as_deref(), Some("café"));
    }

    #[test]
    fn non_utf8_and_repeated_values_are_bad_requests() {
        let error = single_text("idempotency-key", vec![b"k\xff".to_vec()]).unwrap_err();
        assert_eq!(error.status(), 400);
        assert_eq!(single_text("x", vec![b"a".to_vec(), b"b".to_vec()]).unwrap_err().status(), 400);
    }
}

use crate::error::ApiError;
use crate::headers::header_text;
use futures::StreamExt;
use serde::de::DeserializeOwned;
use spin_sdk::http::IncomingRequest;

/// The largest request body read; anything longer is refused with 413 before it is buffered.
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024;

/// Reads a JSON object body into `T`: 415 unless it is declared as JSON, 413 over
/// [`MAX_BODY_BYTES`], 400 when it is not a JSON object of the expected shape.
pub async fn read_json<T: DeserializeOwned>(request: IncomingRequest) -> Result<T, ApiError> {
    if !is_json(header_text(&request, "content-type")?.as_deref()) {
        return Err(ApiError::unsupported_media_type());
    }
    let declared = header_text(&request, "content-length")?.map(|value| declared_length(&value)).transpose()?;
    if declared.is_some_and(|length| length > MAX_BODY_BYTES as u64) {
        return Err(too_large());
    }
    let body = read_at_most(request, MAX_BODY_BYTES).await?;
    parse_object(&body)
}

/// A Content-Length value: plain decimal digits (RFC 9110 §8.6), else 400.
pub(crate) fn declared_length(value: &str) -> Result<u64, ApiError> {
    let value = value.trim();
    let digits = !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit());
    // A number too big for u64 is still a well-formed, too-large length.
    digits.then(|| value.parse().unwrap_or(u64::MAX)).ok_or_else(|| ApiError::bad_request("invalid Content-Length"))
}

fn too_large() -> ApiError {
    ApiError::payload_too_large(format!("request body is over {MAX_BODY_BYTES} bytes"))
}

/// Parses a JSON object into `T`. Going through a map first because serde's derived structs
/// would also accept a JSON array such as `["a task"]`.
fn parse_object<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let invalid = |error: serde_json::Error| ApiError::bad_request(format!("invalid JSON body: {error}"));
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(body).map_err(invalid)?;
    serde_json::from_value(object.into()).map_err(invalid)
}

/// `application/json`, with or without parameters such as `charset=utf-8`.
fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|value| value.split(';').next())
        .is_some_and(|media_type| media_type.trim().eq_ignore_ascii_case("application/json"))
}

/// Streams the body in, stopping as soon as it exceeds `limit` (a missing or lying
/// Content-Length must not make us buffer more).
async fn read_at_most(request: IncomingRequest, limit: usize) -> Result<Vec<u8>, ApiError> {
    let mut stream = request.into_body_stream();
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| ApiError::bad_request(format!("could not read the body: {error}")))?;
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn accepts_json_media_type_with_parameters_in_any_case() {
        for value in ["application/json", "Application/JSON; charset=utf-8", " application/json ;x=y"] {
            assert!(is_json(Some(value)), "{value}");
        }
    }

    #[test]
    fn rejects_other_or_missing_media_types() {
        for value in
            [None, Some(""), Some("text/plain"), Some("application/jsonx"), Some("application/x-www-form-urlencoded")]
        {
            assert!(!is_json(value), "{value:?}");
        }
    }

    #[test]
    fn content_length_is_digits_only() {
        assert_eq!(declared_length("0").unwrap(), 0);
        assert_eq!(declared_length(" 16384 ").unwrap(), 16384);
        assert_eq!(declared_length("99999999999999999999999").unwrap(), u64::MAX);
        for value in ["", "-1", "+1", "1.0", "0x10", "1,2"] {
            assert_eq!(declared_length(value).unwrap_err().status(), 400, "{value:?}");
        }
    }

    #[derive(Debug, Deserialize)]
    struct Task {
        task: String,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Strict {
        #[allow(dead_code)]
        done: bool,
    }

    fn status_of<T: DeserializeOwned>(body: &str) -> Result<T, u16> {
        parse_object(body.as_bytes()).map_err(|error: ApiError| error.status())
    }

    #[test]
    fn takes_objects_with_the_expected_fields() {
        assert_eq!(status_of::<Task>(r#"{"task":"a","extra":1}"#).unwrap().task, "a");
        assert!(status_of::<Strict>(r#"{"done":true}"#).is_ok());
    }

    #[test]
    fn anything_else_is_a_bad_request() {
        for body in [r#"{"task":5}"#, r#"["a task"]"#, r#""a task""#, "{}", "not json", "", r#"{"task":"a"} x"#] {
            assert_eq!(status_of::<Task>(body).unwrap_err(), 400, "{body}");
        }
        assert_eq!(status_of::<Strict>(r#"{"done":true,"x":1}"#).unwrap_err(), 400);
    }
}

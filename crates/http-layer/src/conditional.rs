//! Conditional requests: the components' `If-None-Match` evaluation is the `entity-tag` crate's,
//! shared with the image sidecar; `unchanged` is its `304`.

use spin_sdk::http::Response;

/// `304 Not Modified` with the `ETag` the client's copy matched, and no body.
pub fn unchanged(etag: &str) -> Response {
    Response::builder().status(304).header("etag", etag).build()
}

/// True when the client's cached copy (the request's `If-None-Match` lines) matches `etag`.
pub fn not_modified(if_none_match: &[Vec<u8>], etag: &str) -> bool {
    entity_tag::not_modified(if_none_match.iter().map(Vec::as_slice), etag)
}

#[cfg(test)]
mod tests {
    use super::unchanged;

    #[test]
    fn unchanged_is_an_empty_304_with_the_tag() {
        let response = unchanged("\"abc\"");
        assert_eq!((*response.status(), response.body().len()), (304, 0));
        assert_eq!(response.header("etag").and_then(|value| value.as_str()), Some("\"abc\""));
    }
}

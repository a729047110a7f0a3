//! Conditional requests: the components' `If-None-Match` evaluation is the `entity-tag` crate's,
//! shared with the image sidecar; `tagged` gives a response a body hash as its `ETag`.

use spin_sdk::http::Response;

/// Gives a response a strong `ETag` computed from its body, or answers `304` with that tag
/// (and no body) when the client's copy has it: the database is still read, the body is not
/// sent again.
pub fn tagged(if_none_match: &[Vec<u8>], mut response: Response) -> Response {
    let etag = format!("\"{:016x}\"", fnv1a(response.body()));
    if not_modified(if_none_match, &etag) {
        return Response::builder().status(304).header("etag", etag).build();
    }
    response.set_header("etag", etag);
    response
}

/// True when the client's cached copy (the request's `If-None-Match` lines) matches `etag`.
pub fn not_modified(if_none_match: &[Vec<u8>], etag: &str) -> bool {
    entity_tag::not_modified(if_none_match.iter().map(Vec::as_slice), etag)
}

/// 64-bit FNV-1a: a fast, stable fingerprint (a validator, not a security boundary).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::{Response, fnv1a, tagged};

    #[test]
    fn tagged_responses_carry_a_body_hash_and_turn_into_304() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let response = || Response::builder().status(200).body(r#"{"todos":[]}"#).build();
        let fresh = tagged(&[], response());
        let etag = fresh.header("etag").and_then(|value| value.as_str()).unwrap().to_owned();
        assert!(etag.len() == 18 && etag.starts_with('"'), "{etag}");
        let cached = tagged(&[format!("W/{etag}").into_bytes()], response());
        assert_eq!((*cached.status(), cached.body().len()), (304, 0));
        assert_eq!(cached.header("etag").and_then(|value| value.as_str()), Some(etag.as_str()));
        assert_eq!(*tagged(&[b"\"other\"".to_vec()], response()).status(), 200);
    }
}

//! What the todo components read from a request's headers: its session, whether it came over
//! HTTPS, its `Idempotency-Key`. The domain types they become know nothing of HTTP.

use crate::idempotency::IdempotencyKey;
use crate::session::{Session, cookie_session};
use http_layer::{ApiError, header_text, header_values};
use spin_sdk::http::IncomingRequest;

/// The session the request carries in its cookies, if a well-formed one.
pub fn session(request: &IncomingRequest) -> Option<Session> {
    cookie_session(&header_values(request, "cookie"))
}

/// Whether the client reached us over HTTPS: directly, or through the load balancer, which
/// terminates TLS and says so in `X-Forwarded-Proto`. A client claiming it on plain HTTP only
/// gets a `Secure` cookie that its own browser will not send back.
pub fn over_https(request: &IncomingRequest) -> bool {
    if matches!(request.scheme(), Some(spin_sdk::http::Scheme::Https)) {
        return true;
    }
    header_values(request, "x-forwarded-proto").first().is_some_and(|proto| proto.eq_ignore_ascii_case(b"https"))
}

/// The request's `Idempotency-Key`, if it sent one: 400 when it is not UTF-8, given twice, or
/// not a valid key (a retry must never be taken for a new request because its key was dropped).
pub fn idempotency_key(request: &IncomingRequest) -> Result<Option<IdempotencyKey>, ApiError> {
    let raw = header_text(request, "idempotency-key")?;
    Ok(raw.map(|raw| IdempotencyKey::parse(&raw)).transpose()?)
}

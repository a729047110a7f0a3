//! Optional CORS: off unless the Spin variable `cors_allowed_origins` lists the request's
//! `Origin` (comma-separated exact origins). Components without the variable never allow any.
//! The variable is read only for a request that has an `Origin`: a request without one is not a
//! cross-origin request, and reading a Spin variable costs more than the rest of CORS.

use crate::headers::{header_text, header_values};
use crate::serve::Route;
use spin_sdk::http::{IncomingRequest, Response};

const ALLOWED_ORIGINS_VARIABLE: &str = "cors_allowed_origins";
/// What a cross-origin client of the API sends and reads beyond the CORS-safelisted ones.
const ALLOWED_HEADERS: &str = "content-type, idempotency-key, if-none-match, traceparent";
const EXPOSED_HEADERS: &str = "etag, location, retry-after, x-request-id";
/// Browsers cache a preflight this long (Chromium caps it at 2 hours).
const PREFLIGHT_MAX_AGE_SECONDS: &str = "600";

/// What CORS adds to a response. Every response says `Vary: Origin`: with an allow-list each
/// one depends on the request's `Origin` (else a shared cache could hand one origin's answer to
/// another), and whether there is a list is not read for requests without `Origin`. A listed
/// origin also gets the allow headers.
pub(crate) enum Cors {
    Vary,
    Allow(String),
}

impl Cors {
    pub(crate) fn for_request(request: &IncomingRequest) -> Cors {
        let Some(origin) = header_text(request, "origin").ok().flatten() else { return Cors::Vary };
        match spin_sdk::variables::get(ALLOWED_ORIGINS_VARIABLE) {
            Ok(allowed) if is_listed(&allowed, &origin) => Cors::Allow(origin),
            _ => Cors::Vary,
        }
    }

    pub(crate) fn apply(self, response: &mut Response) {
        if let Cors::Allow(origin) = &self {
            response.set_header("access-control-allow-origin", origin.as_str());
            response.set_header("access-control-expose-headers", EXPOSED_HEADERS);
        }
        let vary = match response.header("vary").and_then(|value| value.as_str()) {
            Some(existing) if existing.split(',').any(|name| name.trim().eq_ignore_ascii_case("origin")) => {
                existing.to_owned()
            }
            Some(existing) => format!("{existing}, origin"),
            None => "origin".to_owned(),
        };
        response.set_header("vary", vary);
    }
}

fn is_listed(allowed: &str, origin: &str) -> bool {
    allowed.split(',').map(str::trim).any(|listed| !listed.is_empty() && listed == origin)
}

/// A CORS preflight: `OPTIONS` with `Access-Control-Request-Method`.
pub(crate) fn is_preflight(request: &IncomingRequest) -> bool {
    !header_values(request, "access-control-request-method").is_empty()
}

/// `204` telling the browser which methods and headers the route takes.
pub(crate) fn preflight(route: &Route) -> Response {
    let methods = route.allowed().iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
    let mut builder = Response::builder();
    builder
        .status(204)
        .header("access-control-allow-methods", methods)
        .header("access-control-allow-headers", ALLOWED_HEADERS)
        .header("access-control-max-age", PREFLIGHT_MAX_AGE_SECONDS);
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::is_listed;

    #[test]
    fn only_exactly_listed_origins() {
        let allowed = "https://a.example, https://b.example:8443";
        assert!(is_listed(allowed, "https://a.example"));
        assert!(is_listed(allowed, "https://b.example:8443"));
        for origin in ["https://b.example", "http://a.example", "https://a.example.evil", "null", ""] {
            assert!(!is_listed(allowed, origin), "{origin}");
        }
        assert!(!is_listed("", ""), "an empty list allows nothing");
    }
}

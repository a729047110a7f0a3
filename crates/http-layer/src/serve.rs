use crate::body::declared_length;
use crate::cors::{self, Cors};
use crate::error::ApiError;
use crate::headers::{header_text, header_values};
use crate::log::{RequestLog, logged_method, millis, short_detail};
use crate::request_id::{REQUEST_ID_HEADER, RequestId};
use crate::security;
use spin_sdk::http::{IncomingRequest, Method, Response};
use std::time::Instant;

/// A route (as written in spin.toml, for the log) and the methods it answers. A route that
/// answers `GET` answers `HEAD` too, here at the edge: the handler runs as for `GET` (it may
/// look at the method to spare work) and the body is dropped, so both carry the same headers.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub name: &'static str,
    pub methods: &'static [Method],
}

impl Route {
    /// The methods answered, in the order given, with `HEAD` right after `GET`.
    pub(crate) fn allowed(&self) -> Vec<Method> {
        let mut allowed = Vec::with_capacity(self.methods.len() + 1);
        for method in self.methods {
            if *method != Method::Head {
                allowed.push(method.clone());
            }
            if *method == Method::Get {
                allowed.push(Method::Head);
            }
        }
        allowed
    }
}

/// Runs `handler` for a request to `route`. Before it runs, without reading the body: 405 with
/// `Allow` for other methods, 413 for a body on a method that takes none. Errors are rendered
/// as JSON, every response gets the security headers (see `security`) and CORS headers for an
/// allowed origin (see `cors`), a `HEAD` is answered without the body, and one line with the
/// outcome is logged. The request's id (see `RequestId`) is in the log line, every error body
/// and the `x-request-id` header.
pub async fn serve<Handler, Outcome>(route: Route, request: IncomingRequest, handler: Handler) -> Response
where
    Handler: FnOnce(IncomingRequest) -> Outcome,
    Outcome: Future<Output = Result<Response, ApiError>>,
{
    let started = Instant::now();
    let method = request.method();
    let request_id = RequestId::of(&request);
    let cors = Cors::for_request(&request);
    let outcome = if matches!(cors, Cors::Allow(_)) && method == Method::Options && cors::is_preflight(&request) {
        Ok(cors::preflight(&route))
    } else {
        match admit(&route, &method, &request) {
            Ok(()) => handler(request).await,
            Err(refused) => Err(refused),
        }
    };
    let (mut response, detail) = match outcome {
        Ok(response) => (response, None),
        Err(error) => {
            let detail = error.detail().map(|detail| short_detail(detail).to_owned());
            (error.into_response(&request_id), detail)
        }
    };
    security::apply(&mut response);
    cors.apply(&mut response);
    response.set_header(REQUEST_ID_HEADER, request_id.as_str());
    if method == Method::Head {
        // Spin sends a HEAD no body anyway; this spares writing it to the host. Nor is the GET
        // body's Content-Length set: the host would insist on that many bytes.
        response.body_mut().clear();
    }
    RequestLog {
        method: logged_method(&method),
        route: route.name,
        status: *response.status(),
        duration_ms: millis(started.elapsed()),
        request_id: request_id.as_str(),
        error: detail.as_deref(),
    }
    .write();
    response
}

fn admit(route: &Route, method: &Method, request: &IncomingRequest) -> Result<(), ApiError> {
    let allowed = route.allowed();
    if !allowed.contains(method) {
        return Err(ApiError::method_not_allowed(&allowed));
    }
    if takes_body(method) {
        return Ok(());
    }
    let content_length = header_text(request, "content-length")?;
    let chunked = !header_values(request, "transfer-encoding").is_empty();
    if declares_body(content_length.as_deref(), chunked)? {
        return Err(ApiError::payload_too_large(format!("{method} takes no request body")));
    }
    Ok(())
}

fn takes_body(method: &Method) -> bool {
    matches!(method, Method::Post | Method::Put | Method::Patch)
}

/// Whether the request comes with a body, judged from its framing headers alone (RFC 9112 §6.1:
/// a request without Content-Length or Transfer-Encoding has none).
fn declares_body(content_length: Option<&str>, chunked: bool) -> Result<bool, ApiError> {
    let length = content_length.map(declared_length).transpose()?;
    Ok(chunked || length.is_some_and(|length| length > 0))
}

/// The request's path, without the query.
pub fn path(request: &IncomingRequest) -> String {
    let mut path_and_query = request.path_with_query().unwrap_or_default();
    if let Some(start) = path_and_query.find('?') {
        path_and_query.truncate(start);
    }
    path_and_query
}

/// The request's raw query string, without `?` (empty when there is none).
pub fn query(request: &IncomingRequest) -> String {
    let path_and_query = request.path_with_query().unwrap_or_default();
    path_and_query.split_once('?').map_or_else(String::new, |(_, query)| query.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_that_answers_get_answers_head_right_after_it() {
        let allowed = |methods| Route { name: "/x", methods }.allowed();
        assert_eq!(allowed(&[Method::Get]), [Method::Get, Method::Head]);
        assert_eq!(allowed(&[Method::Get, Method::Patch]), [Method::Get, Method::Head, Method::Patch]);
        assert_eq!(allowed(&[Method::Get, Method::Head]), [Method::Get, Method::Head]);
        assert_eq!(allowed(&[Method::Patch, Method::Delete]), [Method::Patch, Method::Delete]);
    }

    #[test]
    fn only_write_methods_take_a_body() {
        assert!(takes_body(&Method::Post) && takes_body(&Method::Patch) && takes_body(&Method::Put));
        for method in [Method::Get, Method::Head, Method::Delete, Method::Options] {
            assert!(!takes_body(&method), "{method}");
        }
    }

    #[test]
    fn a_body_is_declared_by_a_positive_length_or_chunking() {
        assert!(!declares_body(None, false).unwrap());
        assert!(!declares_body(Some("0"), false).unwrap());
        assert!(declares_body(Some("1"), false).unwrap());
        assert!(declares_body(Some("419430400"), false).unwrap());
        assert!(declares_body(None, true).unwrap());
        assert_eq!(declares_body(Some("lots"), false).unwrap_err().status(), 400);
    }
}

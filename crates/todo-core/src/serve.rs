use crate::error::ApiError;
use crate::log::{RequestLog, millis};
use spin_sdk::http::{IncomingRequest, Method, Response};
use std::time::Instant;

/// A route and the one method it answers.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub route: &'static str,
    pub method: Method,
}

/// Runs `handler` for a request to `endpoint`: answers 405 with `Allow` for other methods,
/// renders errors as JSON, and logs one line with the outcome.
pub async fn serve<Handler, Outcome>(endpoint: Endpoint, request: IncomingRequest, handler: Handler) -> Response
where
    Handler: FnOnce(IncomingRequest) -> Outcome,
    Outcome: Future<Output = Result<Response, ApiError>>,
{
    let started = Instant::now();
    let method = request.method();
    let outcome = if method == endpoint.method {
        handler(request).await
    } else {
        Err(ApiError::method_not_allowed(endpoint.method))
    };
    let (response, detail) = match outcome {
        Ok(response) => (response, None),
        Err(error) => {
            let detail = error.detail().map(str::to_owned);
            (error.into_response(), detail)
        }
    };
    RequestLog {
        method: &method.to_string(),
        route: endpoint.route,
        status: *response.status(),
        duration_ms: millis(started.elapsed()),
        error: detail.as_deref(),
    }
    .write();
    response
}

/// The first value of a request header, if it is valid UTF-8.
pub fn header(request: &IncomingRequest, name: &str) -> Option<String> {
    let values = request.headers().get(name);
    let first = values.into_iter().next()?;
    String::from_utf8(first).ok()
}

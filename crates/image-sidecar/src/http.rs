//! The HTTP API: `/image` (GET, HEAD), `/status`, `/healthz`, `/readyz`, `/metrics`.

use std::convert::Infallible;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{
    ALLOW, CACHE_CONTROL, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_NONE_MATCH,
    LAST_MODIFIED,
};
use hyper::http::response::Builder;
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};

use crate::image::format_rfc3339;
use crate::log;
use crate::metrics;
use crate::state::{AppState, Served};
use crate::trace::Span;

pub type Body = Full<Bytes>;

/// Clients may keep a real picture for 5 minutes; the placeholder must be revalidated so the
/// first real picture shows up at once.
const CACHE_IMAGE: &str = "public, max-age=300";
const CACHE_PLACEHOLDER: &str = "no-cache";
/// Tells the image component (and people with curl) that this is the built-in picture.
pub const PLACEHOLDER_HEADER: &str = "x-image-placeholder";

/// No route takes a body: one that comes anyway is never read, and the connection is closed
/// after the answer so that its remaining bytes are not read either.
pub async fn handle<B: hyper::body::Body>(
    state: Arc<AppState>,
    request: Request<B>,
) -> Result<Response<Body>, Infallible> {
    let is_image = request.uri().path() == "/image";
    let span = match (is_image, request.method()) {
        (true, &Method::GET) => Span::server("GET /image", request.headers()),
        (true, &Method::HEAD) => Span::server("HEAD /image", request.headers()),
        (true, _) => Span::server("/image", request.headers()),
        (false, _) => Span::none(),
    };
    let mut response = route(&state, &request);
    if !request.body().is_end_stream() {
        if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
            response = json(StatusCode::PAYLOAD_TOO_LARGE, json!({"error": "requests to this service have no body"}));
        }
        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
    if is_image {
        state.metrics.count_image_response(response.status().as_u16());
        span.set("http.request.method", request.method().as_str().to_owned());
        span.set("http.route", "/image");
        span.set("http.response.status_code", i64::from(response.status().as_u16()));
        // What this answer served, not the picture now (a refresh may have swapped it since).
        if let Some(placeholder) = response.headers().get(PLACEHOLDER_HEADER) {
            span.set("image.placeholder", placeholder == "true");
        }
    }
    Ok(response)
}

fn route<B>(state: &AppState, request: &Request<B>) -> Response<Body> {
    let method = request.method();
    match (request.uri().path(), method) {
        ("/image", &Method::GET | &Method::HEAD) => image(state, method, request.headers()),
        ("/status", &Method::GET) => json(StatusCode::OK, status(state)),
        ("/healthz", &Method::GET) => json(StatusCode::OK, json!({"status": "ok"})),
        ("/readyz", &Method::GET) if state.is_ready() => json(StatusCode::OK, json!({"status": "ready"})),
        ("/readyz", &Method::GET) => json(StatusCode::SERVICE_UNAVAILABLE, json!({"error": "shutting down"})),
        ("/metrics", &Method::GET) => text(metrics::render(state)),
        ("/image", _) => method_not_allowed("GET, HEAD"),
        ("/status" | "/healthz" | "/readyz" | "/metrics", _) => method_not_allowed("GET"),
        _ => json(StatusCode::NOT_FOUND, json!({"error": "not found"})),
    }
}

fn image(state: &AppState, method: &Method, headers: &HeaderMap) -> Response<Body> {
    let served = state.current();
    let not_modified =
        entity_tag::not_modified(headers.get_all(IF_NONE_MATCH).iter().map(HeaderValue::as_bytes), &served.etag);
    let status = if not_modified { StatusCode::NOT_MODIFIED } else { StatusCode::OK };
    let mut response = Response::builder()
        .status(status)
        .header(ETAG, &served.etag)
        .header(LAST_MODIFIED, &served.last_modified)
        .header(CACHE_CONTROL, if served.placeholder { CACHE_PLACEHOLDER } else { CACHE_IMAGE })
        .header(PLACEHOLDER_HEADER, if served.placeholder { "true" } else { "false" });
    if not_modified {
        return finish(response, Bytes::new());
    }
    response =
        response.header(CONTENT_TYPE, &served.image.meta.content_type).header(CONTENT_LENGTH, served.image.bytes.len());
    let body = if method == Method::HEAD { Bytes::new() } else { served.image.bytes.clone() };
    finish(response, body)
}

fn status(state: &AppState) -> Value {
    let served: Arc<Served> = state.current();
    let refresh = state.refresh_status();
    let meta = &served.image.meta;
    json!({
        "placeholder": served.placeholder,
        "fetched_at": (!served.placeholder).then(|| format_rfc3339(meta.fetched_at)),
        "next_refresh": refresh.next_refresh.map(format_rfc3339),
        "source": state.source,
        "content_type": meta.content_type,
        "size": meta.size,
        "sha256": meta.sha256,
        "last_error": refresh.last_error,
        "last_error_at": refresh.last_error_at.map(format_rfc3339),
        "consecutive_failures": refresh.consecutive_failures,
    })
}

/// Builds the response; should a header value be invalid (stored metadata gone wrong despite
/// its checks at load time), answers a logged 500 instead of panicking.
fn finish(builder: Builder, body: Bytes) -> Response<Body> {
    builder.body(Body::new(body)).unwrap_or_else(|error| {
        log::error("cannot build a response", json!({"error": error.to_string()}));
        let mut response = Response::new(Body::new(Bytes::from_static(br#"{"error":"internal error"}"#)));
        *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    })
}

fn json(status: StatusCode, value: Value) -> Response<Body> {
    let builder =
        Response::builder().status(status).header(CONTENT_TYPE, "application/json").header(CACHE_CONTROL, "no-store");
    finish(builder, Bytes::from(value.to_string()))
}

fn text(body: String) -> Response<Body> {
    finish(Response::builder().header(CONTENT_TYPE, "text/plain; version=0.0.4"), Bytes::from(body))
}

fn method_not_allowed(allow: &'static str) -> Response<Body> {
    let mut response =
        json(StatusCode::METHOD_NOT_ALLOWED, json!({"error": format!("method not allowed; use {allow}")}));
    response.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
    response
}

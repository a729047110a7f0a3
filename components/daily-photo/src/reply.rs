//! The answers of the component: the picture (or 304), 405, and a quick uncacheable 503.

use spin_sdk::http::Response;

use crate::upstream::FetchedImage;

/// The original refreshed its copies every 5 minutes; browsers may do the same.
const CACHE_IMAGE: &str = "public, max-age=300";
/// The placeholder (sidecar never got a picture) is revalidated, so the real one shows at once.
const CACHE_PLACEHOLDER: &str = "no-cache";
const RETRY_AFTER_SECONDS: &str = "5";

pub fn image(image: FetchedImage) -> Response {
    let cache = if image.placeholder { CACHE_PLACEHOLDER } else { CACHE_IMAGE };
    let mut builder = Response::builder();
    builder.status(image.status).header("cache-control", cache);
    for (name, value) in [
        ("etag", image.etag),
        ("last-modified", image.last_modified),
        ("content-type", image.content_type),
    ] {
        if let Some(value) = value {
            builder.header(name, value);
        }
    }
    if image.placeholder {
        builder.header("x-image-placeholder", "true");
    }
    builder.body(image.body).build()
}

pub fn method_not_allowed() -> Response {
    let mut response = error(405, "method not allowed, use GET or HEAD");
    response.set_header("allow", "GET, HEAD");
    response
}

/// The sidecar is down, slow or broken: say so at once; `detail` goes to the log only.
pub fn unavailable(detail: &str) -> Response {
    eprintln!("{}", serde_json::json!({"msg": "daily photo unavailable", "error": detail}));
    let mut response = error(503, "daily photo unavailable, retry later");
    response.set_header("retry-after", RETRY_AFTER_SECONDS);
    response
}

fn error(status: u16, message: &str) -> Response {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        // An error must never be replayed by a cache in place of the picture.
        .header("cache-control", "no-store")
        .body(serde_json::json!({ "error": message }).to_string())
        .build()
}

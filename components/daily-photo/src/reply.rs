//! The picture, or 304 when the client's copy is current.

use spin_sdk::http::Response;

use crate::upstream::FetchedImage;

/// The original refreshed its copies every 5 minutes; browsers may do the same.
const CACHE_IMAGE: &str = "public, max-age=300";
/// The placeholder (sidecar never got a picture) is revalidated, so the real one shows at once.
const CACHE_PLACEHOLDER: &str = "no-cache";

/// `content_type` is the checked type of a 200 from the sidecar (`None` for its 304).
pub fn image(image: FetchedImage, content_type: Option<&'static str>) -> Response {
    let not_modified = image.status == 304;
    let cache = if image.placeholder { CACHE_PLACEHOLDER } else { CACHE_IMAGE };
    let mut builder = Response::builder();
    builder.status(if not_modified { 304 } else { 200 }).header("cache-control", cache);
    for (name, value) in [("etag", image.etag), ("last-modified", image.last_modified)] {
        if let Some(value) = value {
            builder.header(name, value);
        }
    }
    if let Some(content_type) = content_type {
        builder.header("content-type", content_type);
    }
    if image.placeholder {
        builder.header("x-image-placeholder", "true");
    }
    if !not_modified {
        builder.body(image.body);
    }
    builder.build()
}

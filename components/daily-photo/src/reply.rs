//! The picture, or 304 when the client's copy is current.

use spin_sdk::http::Response;

use crate::upstream::FetchedImage;

/// The original refreshed its copies every 5 minutes; browsers may do the same.
const CACHE_IMAGE: &str = "public, max-age=300";
/// The placeholder (sidecar never got a picture) is revalidated, so the real one shows at once.
const CACHE_PLACEHOLDER: &str = "no-cache";

pub fn image(image: FetchedImage) -> Response {
    let not_modified = image.status == 304;
    let cache = if image.placeholder { CACHE_PLACEHOLDER } else { CACHE_IMAGE };
    let mut builder = Response::builder();
    builder.status(if not_modified { 304 } else { 200 }).header("cache-control", cache);
    let content_type = if not_modified { None } else { image.content_type };
    for (name, value) in [("etag", image.etag), ("last-modified", image.last_modified), ("content-type", content_type)]
    {
        if let Some(value) = value {
            builder.header(name, value);
        }
    }
    if image.placeholder {
        builder.header("x-image-placeholder", "true");
    }
    if !not_modified {
        builder.body(image.body);
    }
    builder.build()
}

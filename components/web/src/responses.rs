//! The asset response; every response, errors included, carries the page's security headers
//! (nosniff and HSTS come from `http_layer::serve`, as on every component).

use crate::assets::Asset;
use spin_sdk::http::Response;

/// Only same-origin scripts, styles, images and fetches; no inline code, plugins or framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Replaces the CSP `serve` gives every response (which allows nothing) with the page's.
pub fn secure(response: &mut Response) {
    response.set_header("content-security-policy", CONTENT_SECURITY_POLICY);
    response.set_header("referrer-policy", "no-referrer");
}

/// 200 with the asset, or 304 when the client's copy is current.
pub fn asset(asset: &Asset, cache_control: &str, not_modified: bool) -> Response {
    let mut builder = Response::builder();
    builder
        .status(if not_modified { 304 } else { 200 })
        .header("etag", asset.etag)
        .header("cache-control", cache_control);
    if !not_modified {
        builder.header("content-type", asset.content_type).body(asset.body.to_vec());
    }
    builder.build()
}

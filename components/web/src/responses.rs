//! Response builders; every response carries the same security headers.

use crate::assets::Asset;
use spin_sdk::http::{Response, ResponseBuilder};

/// Only same-origin scripts, styles, images and fetches; no inline code, plugins or framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self'; connect-src 'self'; object-src 'none'; \
    base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

fn secured(status: u16) -> ResponseBuilder {
    let mut builder = Response::builder();
    builder
        .status(status)
        .header("content-security-policy", CONTENT_SECURITY_POLICY)
        .header("x-content-type-options", "nosniff")
        .header("referrer-policy", "no-referrer");
    builder
}

/// 200 with the asset (body left out for HEAD), or 304 when the client's copy is current.
pub fn asset(asset: &Asset, with_body: bool, not_modified: bool) -> Response {
    let status = if not_modified { 304 } else { 200 };
    let mut builder = secured(status);
    builder
        .header("etag", asset.etag)
        .header("cache-control", asset.cache_control);
    if !not_modified {
        builder.header("content-type", asset.content_type);
    }
    if with_body && !not_modified {
        builder.body(asset.body.to_vec());
    }
    builder.build()
}

pub fn not_found() -> Response {
    json_error(404, r#"{"error":"not found"}"#).build()
}

pub fn method_not_allowed() -> Response {
    json_error(405, r#"{"error":"method not allowed"}"#)
        .header("allow", "GET, HEAD")
        .build()
}

fn json_error(status: u16, body: &'static str) -> ResponseBuilder {
    let mut builder = secured(status);
    builder
        .header("content-type", "application/json")
        .header("cache-control", "no-store")
        .body(body);
    builder
}

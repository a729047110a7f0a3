//! The web page: `GET /` and `/assets/...` (and `HEAD`, answered by `serve`), served from bytes
//! embedded at build time.

mod assets;
mod responses;

use http_layer::{ApiError, Route, header_values, not_modified, path, query, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;

use crate::assets::Freshness;

const READ_ONLY: &[Method] = &[Method::Get];
const PAGE: Route = Route { name: "/", methods: READ_ONLY };
const ASSETS: Route = Route { name: "/assets/...", methods: READ_ONLY };

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    let route = if path(&request).starts_with("/assets/") { ASSETS } else { PAGE };
    let mut response = serve(route, request, serve_asset).await;
    responses::secure(&mut response);
    response
}

async fn serve_asset(request: IncomingRequest) -> Result<Response, ApiError> {
    let asset = assets::find(&path(&request)).ok_or_else(|| ApiError::not_found("not found"))?;
    let cache_control = match asset.freshness(&query(&request)) {
        Freshness::Current(cache_control) => cache_control,
        // An old or new page asks for a version this instance does not have (a rolling
        // update): these bytes must not be cached under that version's immutable URL.
        Freshness::OtherVersion => return Err(ApiError::not_found("this asset version is not served here")),
    };
    let not_modified = not_modified(&header_values(&request, "if-none-match"), asset.etag);
    Ok(responses::asset(asset, cache_control, not_modified))
}

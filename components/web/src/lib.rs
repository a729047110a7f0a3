//! The web page: `GET`/`HEAD /` and `/assets/...`, served from bytes embedded at build time.

mod assets;
mod conditional;
mod responses;

use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;

#[http_component]
fn handle(req: Request) -> Response {
    let Some(asset) = assets::find(req.path()) else {
        return responses::not_found();
    };
    let with_body = match req.method() {
        Method::Get => true,
        Method::Head => false,
        _ => return responses::method_not_allowed(),
    };
    let if_none_match = req.header("if-none-match").and_then(|v| v.as_str());
    let not_modified = conditional::not_modified(if_none_match, asset.etag);
    responses::asset(asset, with_body, not_modified)
}

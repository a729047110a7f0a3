//! `GET`/`HEAD /api/daily_photo`: the daily picture, fetched from the image sidecar (Spin
//! variable `image_service_url`) with its validators, so browsers revalidate cheaply.

mod reply;
mod upstream;

use spin_sdk::http::{Method, Request, Response};
use spin_sdk::http_component;

use crate::upstream::Upstream;

#[http_component]
fn handle(request: Request) -> Response {
    let head = match request.method() {
        Method::Get => false,
        Method::Head => true,
        _ => return reply::method_not_allowed(),
    };
    let if_none_match = request.header("if-none-match").and_then(|value| value.as_str());
    let base_url = match spin_sdk::variables::get("image_service_url") {
        Ok(url) => url,
        Err(error) => return reply::unavailable(&format!("variable image_service_url: {error}")),
    };
    match Upstream::parse(&base_url).and_then(|upstream| upstream.fetch_image(head, if_none_match)) {
        Ok(image) => reply::image(image),
        Err(error) => reply::unavailable(&error),
    }
}

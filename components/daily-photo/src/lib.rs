//! `GET /api/daily_photo` (and `HEAD`, answered by `serve`): the daily picture, fetched from the
//! image sidecar (Spin variable `image_service_url`) with its validators, so browsers revalidate
//! cheaply. Only an image type is relayed (`media`): any other answer is a 503, and its reason
//! is logged.

mod media;
mod reply;
mod upstream;

use http_layer::{ApiError, Route, header_values, not_modified, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;

use crate::upstream::{FetchedImage, Upstream};

const ROUTE: Route = Route { name: "/api/daily_photo", methods: &[Method::Get] };
/// The sidecar restarts in seconds; asking again sooner would only add load.
const RETRY_AFTER_SECONDS: u32 = 5;

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    serve(ROUTE, request, daily_photo).await
}

async fn daily_photo(request: IncomingRequest) -> Result<Response, ApiError> {
    // A HEAD asks the sidecar for headers only: the picture's bytes would be dropped anyway.
    let head = request.method() == Method::Head;
    let if_none_match = header_values(&request, "if-none-match");
    let base_url = spin_sdk::variables::get("image_service_url")
        .map_err(|error| unavailable(format!("variable image_service_url: {error}")))?;
    let upstream = Upstream::parse(&base_url).map_err(unavailable)?;
    let image = fetch(&upstream, head, &if_none_match).map_err(unavailable)?;
    // A 304 has no body and no Content-Type; a 200 is served only as an allowed image type.
    let content_type = if image.status == 304 {
        None
    } else {
        Some(media::allowed_type(image.content_type.as_deref()).map_err(unavailable)?)
    };
    let client_copy_current = is_current(&image, &if_none_match);
    Ok(reply::image(image, content_type, client_copy_current))
}

/// The picture, or the sidecar's 304 when this component agrees the client's copy is current:
/// the component, not the sidecar, decides `If-None-Match` (one evaluation for every route).
fn fetch(upstream: &Upstream, head: bool, if_none_match: &[Vec<u8>]) -> Result<FetchedImage, String> {
    let image = upstream.fetch_image(head, if_none_match)?;
    if image.status == 304 && !is_current(&image, if_none_match) {
        return upstream.fetch_image(head, &[]);
    }
    Ok(image)
}

fn is_current(image: &FetchedImage, if_none_match: &[Vec<u8>]) -> bool {
    image.etag.as_deref().is_some_and(|etag| not_modified(if_none_match, etag))
}

/// The sidecar is down, slow or broken: say so at once; `detail` goes to the log only.
fn unavailable(detail: String) -> ApiError {
    ApiError::unavailable("daily photo unavailable, retry later", RETRY_AFTER_SECONDS, detail)
}

//! `GET /api/daily_photo` (and `HEAD`, answered by `serve`): the daily picture, fetched from the
//! image sidecar (Spin variable `image_service_url`) with its validators, so browsers revalidate
//! cheaply. Only an image type is relayed (`media`): any other answer is a 503, and its reason
//! is logged.

mod media;
mod reply;
mod upstream;

use http_layer::{ApiError, Route, header_values, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;

use crate::upstream::Upstream;

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
    // The sidecar evaluates `If-None-Match` with the same code as every component (entity-tag).
    let image = upstream.fetch_image(head, &if_none_match).map_err(unavailable)?;
    // A 304 has no body and no Content-Type; a 200 is served only as an allowed image type.
    let content_type = if image.status == 304 {
        None
    } else {
        Some(media::allowed_type(image.content_type.as_deref()).map_err(unavailable)?)
    };
    Ok(reply::image(image, content_type))
}

/// The sidecar is down, slow or broken: say so at once; `detail` goes to the log only.
fn unavailable(detail: String) -> ApiError {
    ApiError::unavailable("daily photo unavailable, retry later", RETRY_AFTER_SECONDS, detail)
}

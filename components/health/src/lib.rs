//! What every SpinApp answers itself. `GET /healthz`: the component runs (no dependencies).
//! `GET /readyz`: the database answers. Any other path under `/api/` (spin.toml's catch-all,
//! below the API's own routes): a JSON 404, as every API error is JSON.

use http_layer::{ApiError, Route, path, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{status_ok, store};

const READY: Route = Route { name: "/readyz", methods: &[Method::Get] };
const ALIVE: Route = Route { name: "/healthz", methods: &[Method::Get] };
/// Whatever the method: no route is there to answer it.
const UNKNOWN_API_PATH: Route = Route {
    name: "/api/...",
    methods: &[Method::Get, Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Options],
};

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    match path(&request).as_str() {
        "/readyz" => serve(READY, request, ready).await,
        "/healthz" => serve(ALIVE, request, alive).await,
        _ => serve(UNKNOWN_API_PATH, request, not_found).await,
    }
}

async fn alive(_: IncomingRequest) -> Result<Response, ApiError> {
    Ok(status_ok())
}

async fn ready(_: IncomingRequest) -> Result<Response, ApiError> {
    store::ping(&todo_core::connect()?)?;
    Ok(status_ok())
}

async fn not_found(_: IncomingRequest) -> Result<Response, ApiError> {
    Err(ApiError::not_found("no such API path"))
}

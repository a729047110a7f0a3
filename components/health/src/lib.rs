//! What every SpinApp answers itself. `GET /healthz`: the component runs. `GET /readyz`: the
//! component has its configuration (the database URL is set). Neither touches the database: both
//! are public, and a request to them must not buy a database round trip; and a database outage
//! must not take pods out of the load balancer, since every todo endpoint answers it with its
//! own fast 503 and `Retry-After`. Any other path under `/api/` (spin.toml's catch-all, below
//! the API's own routes): a JSON 404, as every API error is JSON.

use http_layer::{ApiError, Route, path, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{database_configured, status_ok};

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
    database_configured()?;
    Ok(status_ok())
}

async fn not_found(_: IncomingRequest) -> Result<Response, ApiError> {
    Err(ApiError::not_found("no such API path"))
}

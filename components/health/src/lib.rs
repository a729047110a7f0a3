//! `GET /healthz`: the component runs. `GET /readyz`: the component has its configuration (the
//! database URL is set). Neither touches the database: both are public, and a request to them
//! must not buy a database round trip; and a database outage must not take pods out of the load
//! balancer, since every todo endpoint answers it with its own fast 503 and `Retry-After`.

use http_layer::{ApiError, Route, path, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{database_configured, status_ok};

const READY: Route = Route { name: "/readyz", methods: &[Method::Get] };
const ALIVE: Route = Route { name: "/healthz", methods: &[Method::Get] };

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    if path(&request) == READY.name { serve(READY, request, ready).await } else { serve(ALIVE, request, alive).await }
}

async fn alive(_: IncomingRequest) -> Result<Response, ApiError> {
    Ok(status_ok())
}

async fn ready(_: IncomingRequest) -> Result<Response, ApiError> {
    database_configured()?;
    Ok(status_ok())
}

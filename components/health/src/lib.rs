//! `GET /healthz`: the component runs (no dependencies). `GET /readyz`: the database answers.

use http_layer::{ApiError, Route, path, serve};
use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{status_ok, store};

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
    store::ping(&todo_core::connect()?)?;
    Ok(status_ok())
}

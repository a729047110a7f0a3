//! `GET /healthz`: the component runs (no dependencies). `GET /readyz`: the database answers.

use spin_sdk::http::{IncomingRequest, Method, Response};
use spin_sdk::http_component;
use todo_core::{ApiError, Endpoint, serve, status_ok, store};

#[http_component]
async fn handle(request: IncomingRequest) -> Response {
    let path_and_query = request.path_with_query().unwrap_or_default();
    if path_and_query.split('?').next() == Some("/readyz") {
        serve(Endpoint { route: "/readyz", method: Method::Get }, request, ready).await
    } else {
        serve(Endpoint { route: "/healthz", method: Method::Get }, request, alive).await
    }
}

async fn alive(_: IncomingRequest) -> Result<Response, ApiError> {
    Ok(status_ok())
}

async fn ready(_: IncomingRequest) -> Result<Response, ApiError> {
    store::ping(&todo_core::connect()?)?;
    Ok(status_ok())
}

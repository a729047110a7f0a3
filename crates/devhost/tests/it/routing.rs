//! Routing and the headers Spin gives components, through real requests.

use crate::common;

use common::{get, start_app};
use http::StatusCode;

/// Four components sharing the probe binary; each answers with the headers it received.
const ROUTES: &str = r#"spin_manifest_version = 2
[application]
name = "routes"
[[trigger.http]]
route = "/..."
component = "fallback"
[[trigger.http]]
route = "/api/todos"
component = "list"
[[trigger.http]]
route = "/api/todos/:id"
component = "item"
[[trigger.http]]
route = "/api/todos/:id/..."
component = "below-item"
[[trigger.http]]
route = "/static/..."
component = "files"
[component.fallback]
source = "{probe}"
[component.list]
source = "{probe}"
[component.item]
source = "{probe}"
[component.below-item]
source = "{probe}"
[component.files]
source = "{probe}"
"#;

async fn matched_route(app: &common::TestApp, path: &str) -> String {
    let reply = app.get(path).await;
    assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    reply.json()["headers"]["spin-raw-component-route"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_most_specific_route_wins() {
    let app = start_app(ROUTES, &[]).await.unwrap();
    for (path, route) in [
        ("/api/todos", "/api/todos"),
        ("/api/todos/42", "/api/todos/:id"),
        ("/api/todos/42/done", "/api/todos/:id/..."),
        // routefinder (and so Spin) ignores a trailing slash when matching segments.
        ("/api/todos/42/", "/api/todos/:id"),
        ("/static/app.js", "/static/..."),
        ("/static", "/static/..."),
        ("/api", "/..."),
        ("/", "/..."),
    ] {
        assert_eq!(matched_route(&app, path).await, route, "{path}");
    }
    app.host.shutdown().await;
}

#[tokio::test]
async fn a_path_no_route_matches_is_a_404() {
    let manifest = ROUTES.replace("route = \"/...\"", "route = \"/only\"");
    let app = start_app(&manifest, &[]).await.unwrap();
    assert_eq!(app.get("/elsewhere").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/todos").await.status, StatusCode::OK);
    app.host.shutdown().await;
}

#[tokio::test]
async fn components_receive_spin_headers() {
    let app = start_app(ROUTES, &[]).await.unwrap();
    let reply = app.get("/api/todos/42/sub/path/?x=1&y=2").await;
    let echo = reply.json();
    let header =
        |name: &str| echo["headers"][name].as_str().unwrap_or_else(|| panic!("no {name} in {echo}")).to_owned();
    let addr = app.addr();
    assert_eq!(header("spin-full-url"), format!("http://{addr}/api/todos/42/sub/path/?x=1&y=2"));
    assert_eq!(header("spin-path-info"), "/sub/path/");
    assert_eq!(header("spin-matched-route"), "/api/todos/:id/...");
    assert_eq!(header("spin-raw-component-route"), "/api/todos/:id/...");
    assert_eq!(header("spin-component-route"), "/api/todos/:id");
    assert_eq!(header("spin-base-path"), "/");
    assert_eq!(header("spin-path-match-id"), "42");
    let client: std::net::SocketAddr = header("spin-client-addr").parse().unwrap();
    assert_eq!(client.ip(), addr.ip());
    assert_eq!(echo["path"], "/api/todos/42/sub/path/");

    let exact = app.get("/api/todos").await.json();
    assert_eq!(exact["headers"]["spin-path-info"], "");
    assert_eq!(exact["headers"]["spin-component-route"], "/api/todos");
    app.host.shutdown().await;
}

#[tokio::test]
async fn clients_cannot_spoof_spin_headers() {
    let app = start_app(ROUTES, &[]).await.unwrap();
    let request = http::Request::get("/api/todos")
        .header("host", app.addr().to_string())
        .header("spin-client-addr", "10.0.0.1:1")
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let echo = common::send(app.addr(), request).await.json();
    assert_ne!(echo["headers"]["spin-client-addr"], "10.0.0.1:1");
    app.host.shutdown().await;
}

/// Spin 3.6 cannot tell the request's authority, fails the request before routing it to a
/// component, and hyper closes the connection without an answer.
#[tokio::test]
async fn a_host_header_that_contradicts_the_uri_or_is_missing_closes_the_connection() {
    let app = start_app(ROUTES, &[]).await.unwrap();
    let contradicting = format!("GET http://{}/api/todos HTTP/1.1\r\nHost: other.example:80\r\n\r\n", app.addr());
    for request in
        [contradicting.as_bytes(), b"GET /api/todos HTTP/1.1\r\n\r\n", b"GET /api/todos HTTP/1.1\r\nHost: \xfe\r\n\r\n"]
    {
        let answer = common::raw_exchange(app.addr(), request).await;
        assert_eq!(answer, "", "{}", String::from_utf8_lossy(request));
    }
    app.host.shutdown().await;
}

/// Spin 3.6 turns every header value into a string before instantiating the component: one
/// that is not UTF-8 gets an empty 500 and the component never runs.
#[tokio::test]
async fn a_header_value_that_is_not_utf8_is_an_empty_500_before_the_component() {
    let app = start_app(ROUTES, &[]).await.unwrap();
    let request = http::Request::get("/api/todos")
        .header("host", app.addr().to_string())
        .header("idempotency-key", http::HeaderValue::from_bytes(b"\xff\xfe").unwrap())
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    let reply = common::send(app.addr(), request).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::INTERNAL_SERVER_ERROR, ""));
    // Valid UTF-8 beyond ASCII is passed on.
    let request = http::Request::get("/api/todos")
        .header("host", app.addr().to_string())
        .header("x-name", http::HeaderValue::from_bytes("café".as_bytes()).unwrap())
        .body(http_body_util::Empty::<bytes::Bytes>::new())
        .unwrap();
    assert_eq!(common::send(app.addr(), request).await.json()["headers"]["x-name"], "café");
    app.host.shutdown().await;

    let app = start_app(&ROUTES.replace("route = \"/...\"", "route = \"/only\""), &[]).await.unwrap();
    let unrouted = common::raw_exchange(
        app.addr(),
        b"GET /elsewhere HTTP/1.1\r\nHost: h\r\nX-Name: \xff\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(unrouted.starts_with("HTTP/1.1 404 "), "{unrouted}");
    app.host.shutdown().await;
}

#[tokio::test]
async fn the_spin_health_endpoint_answers() {
    let app = start_app(ROUTES, &[]).await.unwrap();
    let reply = get(app.addr(), "/.well-known/spin/health").await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "OK"));
    assert_eq!(get(app.addr(), "/.well-known/spin/nope").await.status, StatusCode::NOT_FOUND);
    app.host.shutdown().await;
}

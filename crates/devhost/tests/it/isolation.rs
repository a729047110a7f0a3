//! Every request gets a fresh instance: no state survives, and a trap affects one request only.

use crate::common;

use common::{probe_manifest, start_app};
use http::StatusCode;

#[tokio::test]
async fn each_request_sees_a_fresh_instance() {
    let app = start_app(&probe_manifest(""), &[]).await.unwrap();
    for _ in 0..5 {
        assert_eq!(app.get("/?action=count").await.body, "1");
    }
    let concurrent = count_concurrently(app.addr(), 16).await;
    assert!(concurrent.iter().all(|body| body == "1"), "{concurrent:?}");
    app.host.shutdown().await;
}

async fn count_concurrently(addr: std::net::SocketAddr, n: usize) -> Vec<String> {
    let tasks: Vec<_> =
        (0..n).map(|_| tokio::spawn(async move { common::get(addr, "/?action=count").await.body })).collect();
    let mut bodies = Vec::new();
    for task in tasks {
        bodies.push(task.await.unwrap());
    }
    bodies
}

#[tokio::test]
async fn a_trap_is_a_500_for_that_request_only() {
    let app = start_app(&probe_manifest(""), &[]).await.unwrap();
    let reply = app.get("/?action=trap").await;
    assert_eq!(reply.status, StatusCode::INTERNAL_SERVER_ERROR);
    let reply = app.get("/?action=count").await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "1"));
    app.host.shutdown().await;
}

#[tokio::test]
async fn a_body_larger_than_the_host_buffers_streams_to_the_end() {
    let app = start_app(&probe_manifest(""), &[]).await.unwrap();
    let reply = app.get("/?action=big&bytes=3000000").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body.len(), 3_000_000);
    assert!(reply.body.bytes().all(|b| b == b'x'));
    app.host.shutdown().await;
}

#[tokio::test]
async fn shutdown_finishes_requests_in_flight_and_stops_listening() {
    let app = start_app(&probe_manifest(""), &[]).await.unwrap();
    let addr = app.addr();
    let slow = tokio::spawn(async move { common::get(addr, "/?action=sleep&ms=700").await });
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    app.host.shutdown().await;
    let reply = slow.await.unwrap();
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "slept"));
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "still listening after shutdown");
}

//! Outbound HTTP is limited to `allowed_outbound_hosts`, with Spin's error code otherwise.

use crate::common;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;

use common::{counting_pong_server, pong_server, probe_manifest, start_app};
use http::StatusCode;

/// The probe app, allowed to reach `http://<addr>`, given through a variable as in our spin.toml.
fn probe_allowed_to(addr: SocketAddr) -> String {
    format!(
        "{}\n[variables]\nallowed = {{ default = \"{addr}\" }}\n",
        probe_manifest("allowed_outbound_hosts = [\"http://{{ allowed }}\"]")
    )
}

#[tokio::test]
async fn allowed_hosts_are_reachable_and_others_denied() {
    let pong = pong_server().await;
    let other = pong_server().await;
    let app = start_app(&probe_allowed_to(pong), &[]).await.unwrap();

    let reply = app.get(&format!("/?action=http&url=http://{pong}/ping")).await;
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "200 pong /ping"));

    for denied in [format!("http://{other}/ping"), format!("https://{pong}/ping"), "http://example.com/".to_owned()] {
        let reply = app.get(&format!("/?action=http&url={denied}")).await;
        assert_eq!(reply.status, StatusCode::BAD_GATEWAY, "{denied}");
        assert!(reply.body.contains("HttpRequestDenied"), "{denied}: {}", reply.body);
    }
    app.host.shutdown().await;
}

#[tokio::test]
async fn no_allowed_hosts_means_no_outbound_http() {
    let pong = pong_server().await;
    let app = start_app(&probe_manifest(""), &[]).await.unwrap();
    let reply = app.get(&format!("/?action=http&url=http://{pong}/")).await;
    assert!(reply.body.contains("HttpRequestDenied"), "{}", reply.body);
    app.host.shutdown().await;
}

#[tokio::test]
async fn connections_are_kept_alive_across_requests_and_instances() {
    let (pong, accepted) = counting_pong_server().await;
    let app = start_app(&probe_allowed_to(pong), &[]).await.unwrap();
    for n in 0..5 {
        let reply = app.get(&format!("/?action=http&url=http://{pong}/{n}")).await;
        assert_eq!(reply.body, format!("200 pong /{n}"));
    }
    // Each request ran in a fresh instance, yet all went over one pooled connection, as in Spin.
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    app.host.shutdown().await;
}

#[tokio::test]
async fn refused_connection_is_reported_as_connection_refused() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let app = start_app(&probe_allowed_to(closed), &[]).await.unwrap();
    let reply = app.get(&format!("/?action=http&url=http://{closed}/")).await;
    assert_eq!(reply.status, StatusCode::BAD_GATEWAY);
    assert!(reply.body.contains("ConnectionRefused"), "{}", reply.body);
    app.host.shutdown().await;
}

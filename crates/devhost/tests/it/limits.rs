//! The bounds on a request's instance: an epoch deadline for a guest that computes forever,
//! and a memory limit, both opt-in as in `spin up`.

use std::time::{Duration, Instant};

use http::StatusCode;

use crate::common::{self, probe_manifest, start_app_with_limits};

/// Two workers: the looping guest holds one for good until its deadline, as it would in Spin.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_looping_guest_is_ended_by_the_request_timeout_while_the_host_keeps_serving() {
    let limits = devhost::GuestLimits { request_timeout: Some(Duration::from_millis(1500)), ..Default::default() };
    let app = start_app_with_limits(&probe_manifest(""), &[], limits).await.unwrap();
    let addr = app.addr();
    let started = Instant::now();
    let looping = tokio::spawn(async move { common::get(addr, "/?action=loop").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let meanwhile = app.get("/?action=count").await;
    assert_eq!((meanwhile.status, meanwhile.body.as_str()), (StatusCode::OK, "1"));
    assert!(!looping.is_finished(), "the loop ended before its deadline");

    let ended = looping.await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!((ended.status, ended.body.as_str()), (StatusCode::INTERNAL_SERVER_ERROR, ""));
    assert!(elapsed >= Duration::from_millis(1500) && elapsed < Duration::from_secs(4), "took {elapsed:?}");
    // Requests within the deadline are not affected.
    assert_eq!(app.get("/?action=sleep&ms=200").await.body, "slept");
    app.host.shutdown().await;
}

#[tokio::test]
async fn memory_beyond_max_instance_memory_is_a_500_for_that_request_only() {
    let limits = devhost::GuestLimits { max_instance_memory: Some(16 << 20), ..Default::default() };
    let app = start_app_with_limits(&probe_manifest(""), &[], limits).await.unwrap();
    let refused = app.get("/?action=grow&mb=32").await;
    assert_eq!((refused.status, refused.body.as_str()), (StatusCode::INTERNAL_SERVER_ERROR, ""));
    let within = app.get("/?action=grow&mb=4").await;
    assert_eq!((within.status, within.body.as_str()), (StatusCode::OK, "grew 4 MiB"));
    app.host.shutdown().await;
}

#[tokio::test]
async fn without_limits_a_guest_may_grow_past_what_a_limit_would_refuse() {
    let app = common::start_app(&probe_manifest(""), &[]).await.unwrap();
    assert_eq!(app.get("/?action=grow&mb=32").await.body, "grew 32 MiB");
    app.host.shutdown().await;
}

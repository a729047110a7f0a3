//! The HTTP surface: conditional requests, HEAD, status, probes, metrics, errors, shutdown.

use std::time::Duration;

use testkit::fake_picture;

use crate::helpers::{self, Serving, metric, status, wait_until};

/// A sidecar serving a PNG of `size` bytes made from `seed`; the source and volume live as long.
fn serving(seed: u64, size: usize) -> (Serving, Vec<u8>) {
    let picture = fake_picture("image/png", seed, size);
    (helpers::serving("image/png", &picture, &[]), picture)
}

#[test]
fn a_matching_etag_gets_304_without_a_body() {
    let (fixture, picture) = serving(1, 10_000);
    let sidecar = &fixture.sidecar;
    let etag = sidecar.get("/image").unwrap().header("etag").unwrap().to_owned();

    for header in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}"), "*".to_owned()] {
        let response = sidecar.request("GET", "/image", &[("If-None-Match", &header)]).unwrap();
        assert_eq!(response.status, 304, "If-None-Match: {header}");
        assert!(response.body.is_empty());
        assert_eq!(response.header("etag"), Some(etag.as_str()));
        assert_eq!(response.header("cache-control"), Some("public, max-age=300"));
    }
    let stale = sidecar.request("GET", "/image", &[("If-None-Match", "\"0000\"")]).unwrap();
    assert_eq!(stale.status, 200);
    assert_eq!(stale.body, picture);
    assert_eq!(metric(sidecar, "image_sidecar_image_responses_total{status=\"304\"}"), Some(4.0));
}

#[test]
fn head_gives_the_headers_without_the_bytes() {
    let (fixture, _) = serving(2, 10_000);
    let sidecar = &fixture.sidecar;
    let response = sidecar.request("HEAD", "/image", &[]).unwrap();
    assert_eq!(response.status, 200);
    assert!(response.body.is_empty());
    assert_eq!(response.header("content-length"), Some("10000"));
    assert_eq!(response.header("content-type"), Some("image/png"));
    assert!(response.header("etag").is_some());
}

#[test]
fn probes_metrics_and_errors_answer_as_documented() {
    let (fixture, _) = serving(3, 1_000);
    let sidecar = &fixture.sidecar;
    assert_eq!(sidecar.get("/healthz").unwrap().status, 200);
    assert_eq!(sidecar.get("/readyz").unwrap().status, 200);

    let metrics = sidecar.get("/metrics").unwrap();
    assert!(metrics.header("content-type").unwrap().starts_with("text/plain"));
    assert_eq!(metric(sidecar, "image_sidecar_fetches_total{outcome=\"ok\"}"), Some(1.0));
    assert_eq!(metric(sidecar, "image_sidecar_placeholder"), Some(0.0));
    assert_eq!(metric(sidecar, "image_sidecar_image_bytes"), Some(1_000.0));
    assert!(metrics.text().contains("# TYPE image_sidecar_fetches_total counter"));

    let post = sidecar.request("POST", "/image", &[]).unwrap();
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    assert!(serde_json::from_slice::<serde_json::Value>(&post.body).unwrap()["error"].is_string());
    let delete = sidecar.request("DELETE", "/status", &[]).unwrap();
    assert_eq!((delete.status, delete.header("allow")), (405, Some("GET")));
    let missing = sidecar.get("/nope").unwrap();
    assert_eq!(missing.status, 404);
    assert!(serde_json::from_slice::<serde_json::Value>(&missing.body).unwrap()["error"].is_string());
    assert_eq!(status(sidecar)["content_type"], "image/png");
}

#[test]
fn sigterm_stops_it_cleanly() {
    let (mut fixture, _) = serving(4, 1_000);
    let sidecar = &mut fixture.sidecar;
    let exit = sidecar.terminate(Duration::from_secs(5)).expect("exits within 5 s of SIGTERM");
    assert!(exit.success(), "{exit}");
    wait_until(sidecar, Duration::from_secs(2), "the last log line", || {
        sidecar.logs().last().is_some_and(|line| line.contains("image-sidecar stopped"))
    });
    assert!(sidecar.get("/healthz").is_err(), "no longer listening");
}

#[test]
fn every_log_line_is_json() {
    let (fixture, _) = serving(5, 1_000);
    let sidecar = &fixture.sidecar;
    let logs = sidecar.logs();
    assert!(logs.len() >= 2, "{logs:?}");
    for line in logs {
        let entry: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(entry["ts"].is_string() && entry["level"].is_string() && entry["msg"].is_string(), "{line}");
    }
}

#[test]
fn bad_configuration_is_refused_with_the_variable_named() {
    let dir = tempfile::tempdir().unwrap();
    for (name, value) in
        [("IMAGE_REFRESH_INTERVAL", "banana"), ("IMAGE_MAX_BYTES", "ten"), ("IMAGE_SOURCE_URL", "file:///etc/passwd")]
    {
        let mut sidecar = helpers::spawn(dir.path(), "http://127.0.0.1:9/1200", &[(name, value)]);
        let exit = sidecar.wait(Duration::from_secs(5)).expect("exits at once");
        assert_eq!(exit.code(), Some(1), "{name}={value}");
        wait_until(&sidecar, Duration::from_secs(2), name, || sidecar.logs().iter().any(|line| line.contains(name)));
    }
}

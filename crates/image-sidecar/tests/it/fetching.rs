//! Fetching from the picture source: what is accepted, what is rejected, and what is served
//! meanwhile.

use std::time::{Duration, Instant};

use testkit::{PictureSource, Reply, fake_picture, free_port};

use crate::helpers::{self, JPEG, Serving, metric, serving, start, status, wait_for_picture, wait_until};

#[test]
fn a_picture_is_fetched_stored_and_served_with_its_validators() {
    let picture = fake_picture(JPEG, 1, 50_000);
    let Serving { source, sidecar, dir: _dir } = serving(JPEG, &picture, &[]);

    let response = sidecar.get("/image").unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.body, picture);
    assert_eq!(response.header("content-type"), Some(JPEG));
    assert_eq!(response.header("etag"), Some(format!("\"{}\"", helpers::sha256_hex(&picture)).as_str()));
    assert_eq!(response.header("cache-control"), Some("public, max-age=300"));
    assert_eq!(response.header("x-image-placeholder"), Some("false"));
    assert!(response.header("last-modified").is_some_and(|date| date.ends_with(" GMT")));

    let status = status(&sidecar);
    assert_eq!(status["placeholder"], false);
    assert_eq!(status["size"], 50_000);
    assert_eq!(status["source"], source.url("/1200"));
    assert!(status["last_error"].is_null());
    let fetched = humantime::parse_rfc3339(status["fetched_at"].as_str().unwrap()).unwrap();
    let next = humantime::parse_rfc3339(status["next_refresh"].as_str().unwrap()).unwrap();
    assert_eq!(next.duration_since(fetched).unwrap().as_secs(), 24 * 3600, "default interval is 24h");
    assert_eq!(metric(&sidecar, "image_sidecar_fetches_total{outcome=\"ok\"}"), Some(1.0));
}

fn assert_rejected(reply: Reply, reason: &str, extra: &[(&str, &str)]) -> serde_json::Value {
    let source = PictureSource::start();
    source.route("/1200", reply);
    helpers::assert_rejected(&source, reason, extra)
}

#[test]
fn html_instead_of_a_picture_is_rejected() {
    let status = assert_rejected(Reply::html(), "content_type", &[]);
    assert!(status["last_error"].as_str().unwrap().contains("text/html"), "{status}");
}

#[test]
fn html_disguised_as_jpeg_is_rejected_by_its_magic_bytes() {
    let html = b"<!doctype html><html><body>login</body></html>".to_vec();
    assert_rejected(Reply::picture(JPEG, html), "magic_bytes", &[]);
}

#[test]
fn a_png_declared_as_jpeg_is_rejected() {
    assert_rejected(Reply::picture(JPEG, fake_picture("image/png", 3, 1_000)), "magic_bytes", &[]);
}

#[test]
fn an_oversize_picture_is_rejected_by_its_content_length() {
    let reply = Reply::picture(JPEG, fake_picture(JPEG, 4, 4_096));
    let status = assert_rejected(reply, "too_large", &[("IMAGE_MAX_BYTES", "1KiB")]);
    assert!(status["last_error"].as_str().unwrap().contains("1024 bytes"), "{status}");
}

#[test]
fn an_oversize_picture_without_content_length_is_cut_off() {
    let reply = Reply::Unsized { content_type: JPEG.into(), body: fake_picture(JPEG, 5, 64 * 1024) };
    assert_rejected(reply, "too_large", &[("IMAGE_MAX_BYTES", "16KiB")]);
}

#[test]
fn an_unsized_picture_within_the_cap_is_accepted() {
    let source = PictureSource::start();
    let picture = fake_picture("image/gif", 6, 8_000);
    source.route("/1200", Reply::Unsized { content_type: "image/gif".into(), body: picture.clone() });
    let dir = tempfile::tempdir().unwrap();
    let sidecar = start(dir.path(), &source.url("/1200"), &[("IMAGE_MAX_BYTES", "16KiB")]);
    wait_for_picture(&sidecar, &picture);
}

#[test]
fn a_slow_source_times_out_and_never_holds_up_serving() {
    let slow =
        Reply::Slow { delay: Duration::from_secs(3), then: Box::new(Reply::picture(JPEG, fake_picture(JPEG, 7, 100))) };
    let source = PictureSource::start();
    source.route("/1200", slow);
    let dir = tempfile::tempdir().unwrap();
    let sidecar = start(dir.path(), &source.url("/1200"), &[("IMAGE_FETCH_TIMEOUT", "2s")]);
    assert!(source.wait_for_requests("/1200", 1, Duration::from_secs(5)));
    // The fetch hangs for 2 s from now; serving must not wait for it (1 s leaves room for a
    // busy machine).
    let started = Instant::now();
    let response = sidecar.get("/image").unwrap();
    assert_eq!(response.status, 200);
    assert!(started.elapsed() < Duration::from_secs(1), "served in {:?}", started.elapsed());

    helpers::wait_for_fetches(&sidecar, "timeout", 1);
    assert!(status(&sidecar)["last_error"].as_str().unwrap().contains("in time"));
}

#[test]
fn server_errors_are_retried_with_backoff_until_the_source_recovers() {
    let source = PictureSource::start();
    source.route("/1200", Reply::Status(500));
    let dir = tempfile::tempdir().unwrap();
    let sidecar =
        start(dir.path(), &source.url("/1200"), &[("IMAGE_RETRY_MIN", "100ms"), ("IMAGE_RETRY_MAX", "400ms")]);
    let started = Instant::now();
    assert!(source.wait_for_requests("/1200", 4, Duration::from_secs(10)), "retries happen");
    // Delays are at least 50, 100, 200 ms (half of 100, 200, 400): no hammering.
    assert!(started.elapsed() >= Duration::from_millis(350), "retried too fast: {:?}", started.elapsed());
    let failed = status(&sidecar);
    assert!(failed["last_error"].as_str().unwrap().contains("HTTP 500"), "{failed}");
    assert!(failed["consecutive_failures"].as_u64().unwrap() >= 3);

    let picture = fake_picture(JPEG, 8, 2_000);
    source.route("/1200", Reply::picture(JPEG, picture.clone()));
    wait_for_picture(&sidecar, &picture);
    let recovered = status(&sidecar);
    assert_eq!(recovered["consecutive_failures"], 0);
    assert_eq!(recovered["placeholder"], false);
}

#[test]
fn the_last_good_picture_is_kept_when_the_source_breaks() {
    let picture = fake_picture(JPEG, 9, 3_000);
    let Serving { source, sidecar, dir: _dir } = serving(JPEG, &picture, &[("IMAGE_REFRESH_INTERVAL", "300ms")]);
    source.route("/1200", Reply::html());
    let before = source.requests("/1200");
    assert!(source.wait_for_requests("/1200", before + 2, Duration::from_secs(10)), "refreshes are attempted");

    let response = sidecar.get("/image").unwrap();
    assert_eq!(response.body, picture);
    let status = status(&sidecar);
    assert_eq!(status["placeholder"], false);
    assert!(status["last_error"].as_str().unwrap().contains("text/html"), "{status}");
}

#[test]
fn the_placeholder_is_served_when_the_source_was_never_reachable() {
    let unreachable = format!("http://127.0.0.1:{}/1200", free_port());
    let dir = tempfile::tempdir().unwrap();
    let sidecar = start(dir.path(), &unreachable, &[]);
    wait_until(&sidecar, Duration::from_secs(10), "a failed fetch", || !status(&sidecar)["last_error"].is_null());

    let response = sidecar.get("/image").unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.header("content-type"), Some("image/png"));
    assert!(response.body.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert_eq!(response.header("x-image-placeholder"), Some("true"));
    assert_eq!(response.header("cache-control"), Some("no-cache"));
    let status = status(&sidecar);
    assert_eq!(status["placeholder"], true);
    assert!(status["fetched_at"].is_null());
    assert!(status["last_error"].as_str().unwrap().contains("unreachable"), "{status}");
    assert_eq!(metric(&sidecar, "image_sidecar_placeholder"), Some(1.0));
}

//! Redirects: followed as picsum's are, but only to https and never to an inward address, and
//! the source URL's query string (it may hold an API key) shown nowhere.

use std::time::Duration;

use testkit::{PictureSource, Reply, fake_picture, free_port};

use crate::helpers::{fetches, start, status, wait_for_fetches, wait_for_picture, wait_until};

/// The local source speaks plain HTTP on 127.0.0.1, which the guard refuses as a redirect target.
const ALLOW_INSECURE: (&str, &str) = ("IMAGE_ALLOW_INSECURE_REDIRECTS", "true");
const SECRET: &str = "s3cret-key";

#[test]
fn redirects_are_followed_like_picsum_when_tests_allow_local_targets() {
    let source = PictureSource::start();
    let picture = fake_picture("image/webp", 2, 20_000);
    source.route("/1200", Reply::Redirect { location: source.url("/id/237/1200/800.webp") });
    source.route("/id/237/1200/800.webp", Reply::picture("image/webp", picture.clone()));
    let dir = tempfile::tempdir().unwrap();
    let sidecar = start(dir.path(), &source.url("/1200"), &[ALLOW_INSECURE]);
    wait_for_picture(&sidecar, &picture);
    assert_eq!(sidecar.get("/image").unwrap().header("content-type"), Some("image/webp"));
}

/// Each fetch gets the next of these redirects; none may be followed, by literal or by name.
#[test]
fn redirects_to_plain_http_or_inward_addresses_are_refused() {
    let source = PictureSource::start();
    let port = free_port();
    let refused = [
        (source.url("/elsewhere"), "is not https"),
        (format!("https://127.0.0.1:{port}/x"), "127.0.0.1 is not a public address"),
        (format!("https://[::ffff:127.0.0.1]:{port}/x"), "is not a public address"),
        ("https://169.254.169.254/computeMetadata/v1/".to_owned(), "169.254.169.254 is not a public address"),
        (format!("https://localhost:{port}/x"), "localhost resolves only to non-public addresses"),
    ];
    source.route(
        "/1200",
        Reply::Cycle(refused.iter().map(|(location, _)| Reply::Redirect { location: location.clone() }).collect()),
    );
    source.route("/elsewhere", Reply::picture("image/png", fake_picture("image/png", 1, 1_000)));
    let dir = tempfile::tempdir().unwrap();
    let sidecar = start(dir.path(), &source.url("/1200"), &[]);

    wait_for_fetches(&sidecar, "redirect", refused.len() as u64);
    let logs = sidecar.logs().join("\n");
    for (location, why) in &refused {
        assert!(logs.contains(why), "refusing {location} is logged with {why:?}:\n{logs}");
    }
    assert_eq!(source.requests("/elsewhere"), 0, "the plain-http target was never fetched");
    let status = status(&sidecar);
    assert_eq!(status["placeholder"], true);
    assert!(status["last_error"].as_str().unwrap().contains("redirect refused"), "{status}");
    assert_eq!(fetches(&sidecar, "unreachable"), 0, "no refused target was connected to");
}

#[test]
fn status_and_logs_never_show_the_query_string() {
    let source = PictureSource::start();
    let picture = fake_picture("image/jpeg", 3, 5_000);
    let keyed = format!("/1200?api_key={SECRET}");
    source.route(&keyed, Reply::Redirect { location: source.url(&format!("/final?sig={SECRET}")) });
    source.route(&format!("/final?sig={SECRET}"), Reply::picture("image/jpeg", picture.clone()));
    let dir = tempfile::tempdir().unwrap();
    let sidecar = start(dir.path(), &source.url(&keyed), &[ALLOW_INSECURE, ("IMAGE_REFRESH_INTERVAL", "200ms")]);
    wait_for_picture(&sidecar, &picture);
    assert_eq!(status(&sidecar)["source"], source.url("/1200"));

    // Then failures whose error messages name the URL: a redirect to a closed port, and a
    // source that is unreachable itself.
    source.route(&keyed, Reply::Redirect { location: format!("http://127.0.0.1:{}/x?sig={SECRET}", free_port()) });
    wait_for_fetches(&sidecar, "unreachable", 1);
    let unreachable = format!("http://127.0.0.1:{}/1200?api_key={SECRET}", free_port());
    let offline_dir = tempfile::tempdir().unwrap();
    let offline = start(offline_dir.path(), &unreachable, &[]);
    wait_until(&offline, Duration::from_secs(10), "a failed fetch", || !status(&offline)["last_error"].is_null());

    for sidecar in [&sidecar, &offline] {
        let shown =
            format!("{}\n{}\n{}", status(sidecar), sidecar.logs().join("\n"), sidecar.get("/metrics").unwrap().text());
        assert!(!shown.contains(SECRET), "the key leaked:\n{shown}");
        assert!(shown.contains("127.0.0.1"), "the source is still named:\n{shown}");
    }
    let stored = std::fs::read_to_string(dir.path().join("current.json")).unwrap();
    assert!(!stored.contains(SECRET), "nor is it kept on the volume: {stored}");
}

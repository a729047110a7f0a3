//! The daily-photo component on Spin (root spin.toml) with the real image
//! sidecar: pass-through of the picture and its validators, and quick uncacheable 503s when the
//! sidecar is down or hangs.

use std::net::{SocketAddr, TcpListener};
use std::time::{Duration, Instant};

use e2e::{AppConfig, TestApp};
use reqwest::{Method, StatusCode};
use testkit::{PictureSource, Reply, Sidecar, fake_picture, free_port, sidecar_binary};

const ROUTE: &str = "/api/daily_photo";

/// The app, with the image component allowed to reach only `image_service_host`.
fn app(image_service_host: &str) -> TestApp {
    let config = AppConfig::without_database().variable("image_service_host", image_service_host);
    TestApp::spawn(config)
}

/// A sidecar with a stored picture fetched from a local source; the source is kept alive so
/// that nothing is refetched during the test.
fn sidecar_serving(picture: &[u8], data_dir: &std::path::Path) -> (PictureSource, Sidecar) {
    let source = PictureSource::start();
    source.route("/1200", Reply::picture("image/jpeg", picture.to_vec()));
    let sidecar = Sidecar::start(
        &sidecar_binary(),
        &[("IMAGE_DATA_DIR", data_dir.to_str().unwrap()), ("IMAGE_SOURCE_URL", &source.url("/1200"))],
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while sidecar.get("/image").unwrap().body != picture {
        assert!(Instant::now() < deadline, "sidecar never fetched the picture:\n{}", sidecar.logs().join("\n"));
        std::thread::sleep(Duration::from_millis(20));
    }
    (source, sidecar)
}

async fn request(host: SocketAddr, method: Method, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut request = reqwest::Client::new().request(method, format!("http://{host}{ROUTE}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("request the app")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|value| value.to_str().ok())
}

async fn assert_unavailable(response: reqwest::Response) {
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(header(&response, "retry-after").is_some_and(|secs| secs.parse::<u32>().is_ok()));
    assert_eq!(header(&response, "cache-control"), Some("no-store"), "errors are never cached");
    assert_eq!(header(&response, "content-type"), Some("application/json"));
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert!(body["error"].is_string(), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_picture_and_its_validators_pass_through() {
    let picture = fake_picture("image/jpeg", 42, 200_000);
    let dir = tempfile::tempdir().unwrap();
    let (_source, sidecar) = sidecar_serving(&picture, dir.path());
    let host = app(&sidecar.host());
    let sidecar_etag = sidecar.get("/image").unwrap().header("etag").unwrap().to_owned();

    let response = request(host.addr(), Method::GET, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), Some("image/jpeg"));
    assert_eq!(header(&response, "etag"), Some(sidecar_etag.as_str()));
    assert_eq!(header(&response, "cache-control"), Some("public, max-age=300"));
    assert!(header(&response, "last-modified").is_some());
    assert_eq!(response.bytes().await.unwrap(), picture);

    let revalidated = request(host.addr(), Method::GET, &[("if-none-match", &sidecar_etag)]).await;
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&revalidated, "etag"), Some(sidecar_etag.as_str()));
    assert_eq!(header(&revalidated, "cache-control"), Some("public, max-age=300"));
    assert!(revalidated.bytes().await.unwrap().is_empty());

    let stale = request(host.addr(), Method::GET, &[("if-none-match", "\"not-the-tag\"")]).await;
    assert_eq!(stale.status(), StatusCode::OK);
    assert_eq!(stale.bytes().await.unwrap().len(), picture.len());

    let head = request(host.addr(), Method::HEAD, &[]).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(header(&head, "etag"), Some(sidecar_etag.as_str()));
    assert_eq!(header(&head, "content-type"), Some("image/jpeg"));
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_methods_get_405_with_allow() {
    let host = app(&format!("127.0.0.1:{}", free_port()));
    for method in [Method::POST, Method::PUT, Method::DELETE] {
        let response = request(host.addr(), method.clone(), &[]).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(header(&response, "allow"), Some("GET, HEAD"));
        assert_eq!(header(&response, "cache-control"), Some("no-store"));
        let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert!(body["error"].is_string());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sidecar_that_is_down_gives_a_quick_503() {
    let host = app(&format!("127.0.0.1:{}", free_port()));
    let started = Instant::now();
    let response = request(host.addr(), Method::GET, &[]).await;
    assert!(started.elapsed() < Duration::from_secs(2), "took {:?}", started.elapsed());
    assert_unavailable(response).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sidecar_that_hangs_gives_a_503_within_seconds() {
    // Accepts connections (the kernel completes the handshake) but never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = app(&silent.local_addr().unwrap().to_string());
    let started = Instant::now();
    let response = request(host.addr(), Method::GET, &[]).await;
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(4), "took {elapsed:?}");
    assert_unavailable(response).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_placeholder_is_marked_and_not_cached_for_long() {
    let dir = tempfile::tempdir().unwrap();
    let unreachable_source = format!("http://127.0.0.1:{}/1200", free_port());
    let sidecar = Sidecar::start(
        &sidecar_binary(),
        &[("IMAGE_DATA_DIR", dir.path().to_str().unwrap()), ("IMAGE_SOURCE_URL", &unreachable_source)],
    );
    let host = app(&sidecar.host());
    let response = request(host.addr(), Method::GET, &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header(&response, "content-type"), Some("image/png"));
    assert_eq!(header(&response, "x-image-placeholder"), Some("true"));
    assert_eq!(header(&response, "cache-control"), Some("no-cache"));
    assert!(response.bytes().await.unwrap().starts_with(b"\x89PNG"));
}

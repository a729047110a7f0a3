//! Defence in depth on Spin: the security headers of every response, a request log
//! that writes only methods it knows, a readiness probe the public cannot make reach the
//! database, and a daily photo relayed only as an image type.

use std::time::Duration;

use e2e::{AppConfig, TestApp};
use reqwest::{Method, StatusCode};
use testkit::{PictureSource, Reply, fake_picture};

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|value| value.to_str().ok())
}

fn assert_hardened(response: &reqwest::Response, what: &str) {
    assert_eq!(header(response, "x-content-type-options"), Some("nosniff"), "{what}");
    let csp = header(response, "content-security-policy").unwrap_or_else(|| panic!("{what}: no CSP"));
    assert!(csp.split(';').any(|directive| directive.trim() == "default-src 'none'"), "{what}: {csp}");
    assert_eq!(header(response, "strict-transport-security"), Some("max-age=31536000; includeSubDomains"), "{what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_and_photo_response_is_nosniff_csp_none_and_hsts() {
    // No database and no sidecar: successes and failures of every component alike.
    let app = e2e::app_without_database();
    let client = reqwest::Client::new();
    for (method, path) in [
        (Method::GET, "/api/todos"),
        (Method::GET, "/api/todos?limit=0"),
        (Method::POST, "/api/todo"),
        (Method::PATCH, "/api/todos/1"),
        (Method::DELETE, "/api/todos/x"),
        (Method::PUT, "/api/todos/1"),
        (Method::GET, "/api/daily_photo"),
        (Method::POST, "/api/daily_photo"),
        (Method::GET, "/healthz"),
        (Method::GET, "/readyz"),
    ] {
        let response = client.request(method.clone(), app.url(path)).send().await.unwrap();
        assert_hardened(&response, &format!("{method} {path} ({})", response.status()));
    }
    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(header(&page, "strict-transport-security"), Some("max-age=31536000; includeSubDomains"));
    assert_eq!(header(&page, "x-content-type-options"), Some("nosniff"));
    assert!(header(&page, "content-security-policy").unwrap().contains("script-src 'self'"), "the page keeps its own");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_request_log_writes_a_known_method_or_other() {
    let app = TestApp::spawn(AppConfig::without_database());
    let client = reqwest::Client::new();
    let long_method = "X".repeat(10_000);
    for method in ["PROPFIND", long_method.as_str()] {
        let response = client.request(Method::from_bytes(method.as_bytes()).unwrap(), app.url("/healthz")).send().await;
        assert_eq!(response.unwrap().status(), StatusCode::METHOD_NOT_ALLOWED);
    }
    client.get(app.url("/healthz")).send().await.unwrap();
    let logs = app.wait_for_request_logs(3, Duration::from_secs(10));
    let methods: Vec<&str> = logs.iter().map(|log| log["method"].as_str().unwrap()).collect();
    assert_eq!(methods, ["OTHER", "OTHER", "GET"]);
    let longest = app.output().iter().map(String::len).max().unwrap();
    assert!(longest < 1_000, "no line carries the method: {longest} bytes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_costs_no_database_round_trip() {
    // The database URL points where nothing listens: the todo API says 503, the probe is ready.
    let app = e2e::app_without_database();
    let ready = reqwest::get(app.url("/readyz")).await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.text().await.unwrap(), r#"{"status":"ok"}"#);
    assert_eq!(reqwest::get(app.url("/api/todos")).await.unwrap().status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// The app with a stand-in for the sidecar answering `/image` with `content_type`.
fn app_with_image_service(content_type: &str, body: Vec<u8>) -> (PictureSource, TestApp) {
    let impostor = PictureSource::start();
    impostor.route("/image", Reply::picture(content_type, body));
    let host = impostor.url("").trim_start_matches("http://").to_owned();
    let app = TestApp::spawn(AppConfig::without_database().variable("image_service_host", host));
    (impostor, app)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_photo_is_relayed_only_as_an_image_type() {
    for content_type in ["image/jpeg", "image/png", "image/gif", "image/webp", "IMAGE/PNG; x=y"] {
        let canonical = content_type.split(';').next().unwrap().to_lowercase();
        let picture = fake_picture(&canonical, 7, 1_000);
        let (_sidecar, app) = app_with_image_service(content_type, picture.clone());
        let response = reqwest::get(app.url("/api/daily_photo")).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{content_type}");
        assert_eq!(header(&response, "content-type"), Some(canonical.as_str()));
        assert_eq!(response.bytes().await.unwrap(), picture);
    }
    for content_type in ["text/html; charset=utf-8", "image/svg+xml", "application/octet-stream", "text/plain"] {
        let (_sidecar, app) = app_with_image_service(content_type, b"<script>alert(1)</script>".to_vec());
        let response = reqwest::get(app.url("/api/daily_photo")).await.unwrap();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{content_type}");
        assert_eq!(header(&response, "content-type"), Some("application/json"));
        assert_hardened(&response, content_type);
        let body = response.text().await.unwrap();
        assert!(!body.contains("<script>"), "{body}");
        let logs = app.wait_for_request_logs(1, Duration::from_secs(10));
        let error = logs[0]["error"].as_str().unwrap_or_default();
        assert!(error.contains("not an allowed image type"), "the refusal is logged: {logs:?}");
    }
}

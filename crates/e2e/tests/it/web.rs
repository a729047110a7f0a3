//! The web component over HTTP on Spin, with the root spin.toml:
//! caching validators, security headers, methods and unknown paths.

use reqwest::{Method, StatusCode};

async fn request(method: Method, path: &str, if_none_match: Option<&str>) -> reqwest::Response {
    let mut request = e2e::app_without_database().request(method, path);
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    request.send().await.expect("request the app")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_else(|| panic!("no {name} header"))
}

fn assert_secured(response: &reqwest::Response) {
    let csp = header(response, "content-security-policy");
    for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'"] {
        assert!(csp.contains(directive), "CSP lacks {directive}: {csp}");
    }
    assert!(!csp.contains("unsafe"), "CSP allows unsafe code: {csp}");
    assert_eq!(header(response, "x-content-type-options"), "nosniff");
    assert_eq!(header(response, "referrer-policy"), "no-referrer");
}

async fn assert_json_error(response: reqwest::Response) {
    assert_eq!(header(&response, "content-type"), "application/json");
    let body: serde_json::Value = serde_json::from_slice(&response.bytes().await.unwrap()).expect("a JSON body");
    assert!(body["error"].is_string(), "{body}");
}

/// The versioned asset URLs (`/assets/app.js?v=...`) that the page links to.
fn linked_assets(html: &str) -> Vec<String> {
    html.split('"').filter(|part| part.starts_with("/assets/")).map(str::to_string).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn page_is_html_with_security_headers_and_a_short_cache() {
    let response = request(Method::GET, "/", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_secured(&response);
    assert_eq!(header(&response, "content-type"), "text/html; charset=utf-8");
    assert_eq!(header(&response, "cache-control"), "no-cache");
    let etag = header(&response, "etag").to_string();
    assert!(etag.starts_with('"') && etag.ends_with('"'), "a strong ETag: {etag}");
    let html = response.text().await.unwrap();
    assert!(html.contains("<h1>Todos</h1>"));

    let again = request(Method::GET, "/?utm=1", None).await;
    assert_eq!(header(&again, "etag"), etag, "the query string does not change the page");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linked_assets_are_served_with_long_cache_and_matching_etag() {
    let html = request(Method::GET, "/", None).await.text().await.unwrap();
    let assets = linked_assets(&html);
    assert_eq!(assets.len(), 3, "app.css, app.js and favicon.svg: {assets:?}");
    for url in assets {
        let (path, version) = url.split_once("?v=").unwrap_or_else(|| panic!("{url} is not versioned"));
        let response = request(Method::GET, &url, None).await;
        assert_eq!(response.status(), StatusCode::OK, "{url}");
        assert_secured(&response);
        assert_eq!(header(&response, "cache-control"), "public, max-age=31536000, immutable");
        assert_eq!(header(&response, "etag"), format!("\"{version}\""), "{url}");
        let expected_type = match path.rsplit('.').next() {
            Some("css") => "text/css; charset=utf-8",
            Some("js") => "text/javascript; charset=utf-8",
            Some("svg") => "image/svg+xml",
            other => panic!("unexpected asset type {other:?}"),
        };
        assert_eq!(header(&response, "content-type"), expected_type, "{url}");
        assert!(!response.bytes().await.unwrap().is_empty(), "{url} has a body");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn if_none_match_gives_304_without_body() {
    let etag = header(&request(Method::GET, "/assets/app.js", None).await, "etag").to_string();
    for tag in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}")] {
        let response = request(Method::GET, "/assets/app.js", Some(&tag)).await;
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED, "If-None-Match: {tag}");
        assert_eq!(header(&response, "etag"), etag);
        assert!(response.bytes().await.unwrap().is_empty());
    }
    let stale = request(Method::GET, "/assets/app.js", Some("\"stale\"")).await;
    assert_eq!(stale.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_gives_the_headers_of_get_without_body() {
    let get = request(Method::GET, "/", None).await;
    let head = request(Method::HEAD, "/", None).await;
    assert_eq!(head.status(), StatusCode::OK);
    assert_secured(&head);
    assert_eq!(header(&head, "etag"), header(&get, "etag"));
    assert_eq!(header(&head, "content-type"), header(&get, "content-type"));
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_asset_is_404_json() {
    for path in ["/assets/nope.js", "/assets/app.js/more", "/assets/", "/assets/APP.JS"] {
        let response = request(Method::GET, path, None).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_secured(&response);
        assert_json_error(response).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_methods_are_405_with_allow() {
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::OPTIONS] {
        let response = request(method.clone(), "/", None).await;
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(header(&response, "allow"), "GET, HEAD");
        assert_json_error(response).await;
    }
}

//! What a REST client expects of the API beyond the original's routes: one todo by its id with
//! its validator, `HEAD` wherever `GET` answers, and a JSON 404 for any unknown `/api/...` path.

use e2e::{AppConfig, Runtime, TestApp};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An app with a fresh database.
async fn start(runtime: Runtime) -> TestApp {
    let postgres = testkit::shared_postgres();
    let db_url = e2e::migrated_database(postgres).await;
    TestApp::spawn(runtime, AppConfig::root_manifest().variable("db_url", db_url).variable("db_host", postgres.host()))
}

/// A response read in full.
#[derive(Debug)]
struct Reply {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("not JSON: {self:?}"))
    }

    /// A JSON `{"error": "..."}` with this status, never cached.
    fn assert_json_error(&self, status: StatusCode) {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.header("content-type"), Some("application/json"), "{self:?}");
        assert_eq!(self.header("cache-control"), Some("no-store"), "{self:?}");
        let body = self.json();
        assert!(body["error"].as_str().is_some_and(|message| !message.is_empty()), "{body}");
    }
}

async fn send(app: &TestApp, method: Method, path: &str, headers: &[(&str, &str)], body: Option<Value>) -> Reply {
    let mut request = reqwest::Client::new().request(method, app.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    let response = request.send().await.expect("send");
    let (status, headers) = (response.status(), response.headers().clone());
    Reply { status, headers, body: response.bytes().await.expect("read the body").to_vec() }
}

async fn create(app: &TestApp, task: &str) -> Value {
    let reply = send(app, Method::POST, "/api/todo", &[], Some(json!({ "task": task }))).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    reply.json()
}

async fn one_todo_is_read_by_its_id_with_an_etag_and_a_304(runtime: Runtime) {
    let app = start(runtime).await;
    let todo = create(&app, "read me").await;
    let path = format!("/api/todos/{}", todo["id"]);

    let read = send(&app, Method::GET, &path, &[], None).await;
    assert_eq!((read.status, read.json()), (StatusCode::OK, todo.clone()), "the todo as created");
    assert_eq!(read.header("content-type"), Some("application/json"));
    assert_eq!(read.header("cache-control"), Some("no-cache"));
    let etag = read.header("etag").expect("an ETag").to_owned();
    assert!(etag.len() == 18 && etag.starts_with('"') && etag.ends_with('"'), "a strong tag: {etag}");

    for if_none_match in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}")] {
        let cached = send(&app, Method::GET, &path, &[("if-none-match", &if_none_match)], None).await;
        assert_eq!((cached.status, cached.header("etag")), (StatusCode::NOT_MODIFIED, Some(etag.as_str())));
        assert!(cached.body.is_empty());
    }
    let patched = send(&app, Method::PATCH, &path, &[], Some(json!({ "done": true }))).await;
    assert_eq!(patched.status, StatusCode::OK);
    let changed = send(&app, Method::GET, &path, &[("if-none-match", &etag)], None).await;
    assert_eq!((changed.status, changed.json()["done"].clone()), (StatusCode::OK, json!(true)));
    assert_ne!(changed.header("etag"), Some(etag.as_str()), "a changed todo has a new tag");

    assert_eq!(send(&app, Method::DELETE, &path, &[], None).await.status, StatusCode::NO_CONTENT);
    send(&app, Method::GET, &path, &[], None).await.assert_json_error(StatusCode::NOT_FOUND);
    for bad in ["/api/todos/0", "/api/todos/abc", "/api/todos/-1", "/api/todos/99999999999999999999"] {
        send(&app, Method::GET, bad, &[], None).await.assert_json_error(StatusCode::BAD_REQUEST);
    }
}

/// Headers whose values say nothing about the resource, or describe the body's framing.
const FRAMING: &[&str] = &["date", "content-length", "transfer-encoding"];

fn comparable(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| !FRAMING.contains(&name.as_str()))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    pairs.sort();
    pairs
}

async fn head_answers_wherever_get_does_with_its_headers_and_no_body(runtime: Runtime) {
    let app = start(runtime).await;
    let todo = create(&app, "heads up").await;
    let one = format!("/api/todos/{}", todo["id"]);
    let page_etag = send(&app, Method::GET, "/", &[], None).await.header("etag").unwrap().to_owned();
    let paths = [
        ("/api/todos", None),
        ("/api/todos?done=false&limit=1", None),
        ("/api/todos?limit=0", None),
        (one.as_str(), None),
        ("/api/todos/999999", None),
        ("/", None),
        ("/", Some(page_etag.as_str())),
        ("/assets/app.js", None),
        ("/assets/nope.js", None),
        ("/healthz", None),
        ("/readyz", None),
        ("/api/nope", None),
    ];
    for (path, if_none_match) in paths {
        let headers: Vec<(&str, &str)> = if_none_match.map(|tag| ("if-none-match", tag)).into_iter().collect();
        let get = send(&app, Method::GET, path, &headers, None).await;
        let head = send(&app, Method::HEAD, path, &headers, None).await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert_eq!(comparable(&head.headers), comparable(&get.headers), "HEAD {path}");
        assert!(head.body.is_empty(), "HEAD {path} has no body");
    }
    let list_etag = send(&app, Method::GET, "/api/todos", &[], None).await.header("etag").unwrap().to_owned();
    let cached = send(&app, Method::HEAD, "/api/todos", &[("if-none-match", &list_etag)], None).await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "a HEAD is conditional too");
}

async fn every_unknown_api_path_is_a_json_404(runtime: Runtime) {
    let app = start(runtime).await;
    let todo = create(&app, "still here").await;
    let paths =
        ["/api", "/api/nope", "/api/todos/1/x", "/api/todo/x", "/api/daily_photo/x", "/api/v2/todos", "/api/healthz"];
    for path in paths {
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({ "task": "x" }));
            let reply = send(&app, method.clone(), path, &[], body).await;
            reply.assert_json_error(StatusCode::NOT_FOUND);
        }
    }
    let list = send(&app, Method::GET, "/api/todos", &[], None).await.json();
    assert_eq!(list["todos"], json!([todo]), "nothing was created or changed by those requests");
}

e2e::on_each_runtime!(
    one_todo_is_read_by_its_id_with_an_etag_and_a_304,
    head_answers_wherever_get_does_with_its_headers_and_no_body,
    every_unknown_api_path_is_a_json_404,
);

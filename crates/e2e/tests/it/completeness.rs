//! What a REST client expects of the API beyond the original's routes: one todo by its id with
//! its validator, `HEAD` wherever `GET` answers, a JSON 404 for any unknown `/api/...` path, and
//! the caller's own todos at once (counted, marked all done or open, the done ones cleared) in
//! bounded batches that say whether more remain.

use e2e::{Reply, TestApp};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A client of the app: anonymous, or with the session cookie its first create was given.
#[derive(Default)]
struct Caller {
    cookie: Option<String>,
}

/// 200 with a JSON body: the body.
fn ok(reply: &Reply) -> Value {
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(reply.header("content-type"), Some("application/json"), "{reply:?}");
    reply.body.clone()
}

/// A JSON `{"error": "..."}` with this status, never cached.
fn assert_json_error(reply: &Reply, status: StatusCode) {
    reply.expect_error(status);
    assert_eq!(reply.header("content-type"), Some("application/json"), "{reply:?}");
    assert_eq!(reply.header("cache-control"), Some("no-store"), "{reply:?}");
}

impl Caller {
    async fn send(
        &self,
        app: &TestApp,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        // Its own client, not the app's (which keeps one session for all): each caller is
        // someone else.
        let mut request = reqwest::Client::new().request(method, app.url(path));
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        Reply::read(request.send().await.expect("send the request")).await
    }

    async fn get(&self, app: &TestApp, path: &str) -> Reply {
        self.send(app, Method::GET, path, &[], None).await
    }

    /// Creates a todo, keeping the session cookie the first create brings.
    async fn create(&mut self, app: &TestApp, task: &str) -> Value {
        let reply = self.send(app, Method::POST, "/api/todo", &[], Some(json!({ "task": task }))).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        if let Some(set_cookie) = reply.header("set-cookie") {
            self.cookie = Some(set_cookie.split(';').next().unwrap().to_owned());
        }
        reply.body
    }

    /// The session's value, as `crates/todo-core/src/session.rs` hashes it into the author.
    fn session(&self) -> &str {
        self.cookie.as_deref().and_then(|cookie| cookie.split_once('=')).expect("a session cookie").1
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_todo_is_read_by_its_id_with_an_etag_and_a_304() {
    let app = e2e::spawn_app().await;
    let mut author = Caller::default();
    let todo = author.create(&app, "read me").await;
    let path = format!("/api/todos/{}", todo["id"]);

    let read = author.get(&app, &path).await;
    assert_eq!(ok(&read), todo, "the todo as created, the author's own");
    assert_eq!(read.header("content-type"), Some("application/json"));
    assert_eq!(read.header("cache-control"), Some("no-cache"));
    assert_eq!(read.header("vary"), Some("cookie, origin"), "mine depends on the session");
    let etag = read.header("etag").expect("an ETag").to_owned();
    assert!(etag.len() == 18 && etag.starts_with('"') && etag.ends_with('"'), "a strong tag: {etag}");
    let mut as_a_stranger_sees_it = todo.clone();
    as_a_stranger_sees_it["mine"] = json!(false);
    assert_eq!(ok(&Caller::default().get(&app, &path).await), as_a_stranger_sees_it);

    for if_none_match in [etag.clone(), format!("W/{etag}"), format!("\"other\", {etag}")] {
        let cached = author.send(&app, Method::GET, &path, &[("if-none-match", &if_none_match)], None).await;
        assert_eq!((cached.status, cached.header("etag")), (StatusCode::NOT_MODIFIED, Some(etag.as_str())));
        assert!(cached.bytes.is_empty());
    }
    let patched = author.send(&app, Method::PATCH, &path, &[], Some(json!({ "done": true }))).await;
    assert_eq!(patched.status, StatusCode::OK);
    let changed = author.send(&app, Method::GET, &path, &[("if-none-match", &etag)], None).await;
    assert_eq!(ok(&changed)["done"], true);
    assert_ne!(changed.header("etag"), Some(etag.as_str()), "a changed todo has a new tag");

    assert_eq!(author.send(&app, Method::DELETE, &path, &[], None).await.status, StatusCode::NO_CONTENT);
    assert_json_error(&author.get(&app, &path).await, StatusCode::NOT_FOUND);
    for bad in ["/api/todos/0", "/api/todos/abc", "/api/todos/-1", "/api/todos/99999999999999999999"] {
        assert_json_error(&author.get(&app, bad).await, StatusCode::BAD_REQUEST);
    }
}

/// Headers whose values say nothing about the resource (each request has its own id), or
/// describe the body's framing.
const FRAMING: &[&str] = &["date", "x-request-id", "content-length", "transfer-encoding"];

fn comparable(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| !FRAMING.contains(&name.as_str()))
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
        .collect();
    pairs.sort();
    pairs
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn head_answers_wherever_get_does_with_its_headers_and_no_body() {
    let app = e2e::spawn_app().await;
    let mut author = Caller::default();
    let todo = author.create(&app, "heads up").await;
    let one = format!("/api/todos/{}", todo["id"]);
    let page_etag = author.get(&app, "/").await.header("etag").unwrap().to_owned();
    let paths = [
        ("/api/todos", None),
        ("/api/todos?done=false&limit=1", None),
        ("/api/todos?limit=0", None),
        (one.as_str(), None),
        ("/api/todos/999999", None),
        ("/api/todos/mine", None),
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
        let get = author.send(&app, Method::GET, path, &headers, None).await;
        let head = author.send(&app, Method::HEAD, path, &headers, None).await;
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert_eq!(comparable(&head.headers), comparable(&get.headers), "HEAD {path}");
        assert!(head.bytes.is_empty(), "HEAD {path} has no body");
    }
    let list_etag = author.get(&app, "/api/todos").await.header("etag").unwrap().to_owned();
    let cached = author.send(&app, Method::HEAD, "/api/todos", &[("if-none-match", &list_etag)], None).await;
    assert_eq!(cached.status, StatusCode::NOT_MODIFIED, "a HEAD is conditional too");
    let refused = author.send(&app, Method::POST, "/api/todos", &[], None).await;
    assert_eq!(refused.header("allow"), Some("GET, HEAD"), "Allow names HEAD");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_unknown_api_path_is_a_json_404() {
    let app = e2e::spawn_app().await;
    let mut author = Caller::default();
    let todo = author.create(&app, "still here").await;
    let paths =
        ["/api", "/api/nope", "/api/todos/1/x", "/api/todo/x", "/api/daily_photo/x", "/api/v2/todos", "/api/healthz"];
    for path in paths {
        for method in [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({ "task": "x" }));
            assert_json_error(&author.send(&app, method.clone(), path, &[], body).await, StatusCode::NOT_FOUND);
        }
    }
    let list = ok(&author.get(&app, "/api/todos").await);
    assert_eq!(list["todos"], json!([todo]), "nothing was created or changed by those requests");
}

/// The caller's own todos by state, as `GET /api/todos/mine` counts them.
async fn own_counts(app: &TestApp, caller: &Caller) -> (i64, i64) {
    let reply = caller.get(app, "/api/todos/mine").await;
    assert_eq!(reply.header("cache-control"), Some("private, no-store"));
    let counts = ok(&reply);
    assert_eq!(counts["counted_up_to"], 1000, "{counts}");
    (counts["open"].as_i64().unwrap(), counts["done"].as_i64().unwrap())
}

/// Sends a bulk request until the answer says no more remain: the `changed` of each answer.
async fn in_batches(app: &TestApp, caller: &Caller, method: Method, path: &str, body: Option<Value>) -> Vec<i64> {
    let mut changed = Vec::new();
    loop {
        let batch = ok(&caller.send(app, method.clone(), path, &[], body.clone()).await);
        changed.push(batch["changed"].as_i64().unwrap());
        if batch["more"] == false {
            return changed;
        }
        assert!(changed.len() < 10, "more than the todos there are: {changed:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn own_todos_are_marked_and_cleared_in_bounded_batches() {
    let app = e2e::spawn_app().await;
    let (mut mine, mut other) = (Caller::default(), Caller::default());
    for n in 0..3 {
        mine.create(&app, &format!("mine {n}")).await;
    }
    for n in 0..2 {
        other.create(&app, &format!("theirs {n}")).await;
    }
    assert_eq!(own_counts(&app, &mine).await, (3, 0));
    let marked = mine.send(&app, Method::PATCH, "/api/todos/mine", &[], Some(json!({ "done": true }))).await;
    assert_eq!(ok(&marked), json!({ "changed": 3, "more": false }));
    assert_eq!(own_counts(&app, &mine).await, (0, 3));
    assert_eq!(own_counts(&app, &other).await, (2, 0), "nobody else's todos change");
    let again = mine.send(&app, Method::PATCH, "/api/todos/mine", &[], Some(json!({ "done": true }))).await;
    assert_eq!(ok(&again), json!({ "changed": 0, "more": false }), "nothing left to mark");

    // 2,500 more of the caller's, written past the API: more than two batches.
    app.sql(&format!(
        "INSERT INTO todos (task, author) SELECT 'bulk ' || n, sha256('{}'::bytea) FROM generate_series(1, 2500) AS n",
        mine.session()
    ));
    assert_eq!(own_counts(&app, &mine).await, (1000, 3), "counted up to the bound");
    let done = Some(json!({ "done": true }));
    assert_eq!(in_batches(&app, &mine, Method::PATCH, "/api/todos/mine", done).await, [1000, 1000, 500]);
    assert_eq!(own_counts(&app, &mine).await, (0, 1000));
    let open = Some(json!({ "done": false }));
    assert_eq!(in_batches(&app, &mine, Method::PATCH, "/api/todos/mine", open.clone()).await, [1000, 1000, 503]);
    assert_eq!(own_counts(&app, &mine).await, (1000, 0));

    let open_ids: Vec<String> = app
        .sql("SELECT id FROM todos WHERE author IS NOT NULL ORDER BY id DESC LIMIT 2")
        .lines()
        .map(str::to_owned)
        .collect();
    for id in &open_ids {
        let reply =
            mine.send(&app, Method::PATCH, &format!("/api/todos/{id}"), &[], Some(json!({ "done": true }))).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    let cleared = in_batches(&app, &mine, Method::DELETE, "/api/todos/mine?done=true", None).await;
    assert_eq!(cleared, [2], "only the done ones");
    in_batches(&app, &mine, Method::PATCH, "/api/todos/mine", Some(json!({ "done": true }))).await;
    let cleared = in_batches(&app, &mine, Method::DELETE, "/api/todos/mine?done=true", None).await;
    assert_eq!(cleared, [1000, 1000, 501]);
    assert_eq!(own_counts(&app, &mine).await, (0, 0));
    assert_eq!(own_counts(&app, &other).await, (2, 0), "nobody else's todos go");
    assert_eq!(app.sql("SELECT count(*) FROM todos"), "2");

    let stranger = Caller::default();
    assert_eq!(own_counts(&app, &stranger).await, (0, 0));
    for (method, path, body) in [
        (Method::PATCH, "/api/todos/mine", Some(json!({ "done": true }))),
        (Method::DELETE, "/api/todos/mine?done=true", None),
    ] {
        let reply = stranger.send(&app, method.clone(), path, &[], body).await;
        assert_eq!(ok(&reply), json!({ "changed": 0, "more": false }), "{method}: no session, nothing of its own");
    }
    assert_eq!(own_counts(&app, &other).await, (2, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_requests_take_only_what_they_document() {
    let app = e2e::spawn_app().await;
    let mut mine = Caller::default();
    mine.create(&app, "keep me").await;
    for query in ["", "?done=false", "?done=true&done=true", "?all=true", "?done=yes"] {
        let reply = mine.send(&app, Method::DELETE, &format!("/api/todos/mine{query}"), &[], None).await;
        assert_json_error(&reply, StatusCode::BAD_REQUEST);
    }
    for body in [json!({}), json!({ "done": "yes" }), json!({ "done": true, "task": "renamed" }), json!([true])] {
        let reply = mine.send(&app, Method::PATCH, "/api/todos/mine", &[], Some(body.clone())).await;
        assert_json_error(&reply, StatusCode::BAD_REQUEST);
    }
    let refused = mine.send(&app, Method::POST, "/api/todos/mine", &[], Some(json!({ "done": true }))).await;
    assert_json_error(&refused, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(refused.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
    assert_eq!(own_counts(&app, &mine).await, (1, 0), "nothing was changed");
}

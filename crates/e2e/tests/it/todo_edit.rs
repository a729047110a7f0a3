//! Editing, deleting, filtering and polling the list (issue 15) on each runtime, on a real
//! PostgreSQL: PATCH task/done rules, DELETE 204/404 (also racing an edit), `?done=`, counts,
//! the list's ETag and 304, and CORS off by default and on through `cors_allowed_origins`.

use e2e::{AppConfig, Runtime, TestApp};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An app with a fresh database; `cors` is the `cors_allowed_origins` variable, if any.
async fn start(runtime: Runtime, cors: Option<&str>) -> TestApp {
    let postgres = testkit::shared_postgres();
    let db_url = e2e::migrated_database(postgres).await;
    let mut config = AppConfig::root_manifest().variable("db_url", db_url).variable("db_host", postgres.host());
    if let Some(origins) = cors {
        config = config.variable("cors_allowed_origins", origins);
    }
    TestApp::spawn(runtime, config)
}

async fn call(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, app.url(path));
    if let Some(body) = body {
        request = request.header("content-type", "application/json").body(body.to_string());
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    let bytes = response.bytes().await.expect("read the body");
    (status, if bytes.is_empty() { Value::Null } else { serde_json::from_slice(&bytes).expect("a JSON body") })
}

async fn create(app: &TestApp, task: &str) -> i64 {
    let (status, todo) = call(app, Method::POST, "/api/todo", Some(json!({ "task": task }))).await;
    assert_eq!(status, StatusCode::CREATED, "{todo}");
    todo["id"].as_i64().unwrap()
}

async fn patch(app: &TestApp, id: i64, body: Value) -> (StatusCode, Value) {
    call(app, Method::PATCH, &format!("/api/todos/{id}"), Some(body)).await
}

async fn delete(app: &TestApp, id: i64) -> StatusCode {
    call(app, Method::DELETE, &format!("/api/todos/{id}"), None).await.0
}

async fn list(app: &TestApp, query: &str) -> Value {
    let (status, body) = call(app, Method::GET, &format!("/api/todos{query}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn ids(list: &Value) -> Vec<i64> {
    list["todos"].as_array().unwrap().iter().map(|todo| todo["id"].as_i64().unwrap()).collect()
}

async fn patch_edits_the_task_and_or_done_by_the_rules_of_create(runtime: Runtime) {
    let app = start(runtime, None).await;
    let id = create(&app, "by milk").await;

    let (status, todo) = patch(&app, id, json!({ "task": "  buy milk " })).await;
    assert_eq!((status, &todo["task"], &todo["done"]), (StatusCode::OK, &json!("buy milk"), &json!(false)));
    let (status, todo) = patch(&app, id, json!({ "done": true })).await;
    assert_eq!((status, &todo["task"], &todo["done"]), (StatusCode::OK, &json!("buy milk"), &json!(true)));
    let (status, todo) = patch(&app, id, json!({ "task": "buy oat milk", "done": false })).await;
    assert_eq!((status, &todo["task"], &todo["done"]), (StatusCode::OK, &json!("buy oat milk"), &json!(false)));

    for (body, expected) in [
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "task": "   " }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "task": "x".repeat(141) }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "task": "two\nlines" }), StatusCode::UNPROCESSABLE_ENTITY),
        (json!({ "task": "ok", "priority": 1 }), StatusCode::BAD_REQUEST),
        (json!({ "task": null }), StatusCode::BAD_REQUEST),
        (json!({ "done": "yes" }), StatusCode::BAD_REQUEST),
    ] {
        let (status, error) = patch(&app, id, body.clone()).await;
        assert_eq!(status, expected, "{body}: {error}");
        assert!(error["error"].is_string(), "{error}");
    }
    assert_eq!(list(&app, "").await["todos"][0]["task"], "buy oat milk", "refused patches change nothing");
    assert_eq!(patch(&app, id, json!({ "task": "ä".repeat(140) })).await.0, StatusCode::OK);
}

async fn delete_is_204_then_404_and_the_list_forgets_the_todo(runtime: Runtime) {
    let app = start(runtime, None).await;
    let keep = create(&app, "keep").await;
    let gone = create(&app, "remove").await;

    assert_eq!(delete(&app, gone).await, StatusCode::NO_CONTENT);
    assert_eq!(delete(&app, gone).await, StatusCode::NOT_FOUND, "a retried delete finds nothing to remove");
    assert_eq!(patch(&app, gone, json!({ "done": true })).await.0, StatusCode::NOT_FOUND);
    assert_eq!(delete(&app, 0).await, StatusCode::BAD_REQUEST);
    let after = list(&app, "").await;
    assert_eq!((ids(&after), &after["counts"]), (vec![keep], &json!({ "all": 1, "open": 1, "done": 0 })));
}

async fn a_delete_racing_an_edit_leaves_no_todo_and_no_error(runtime: Runtime) {
    let app = &start(runtime, None).await;
    let todos = join_all((0..20).map(|n| async move { create(app, &format!("racer {n}")).await })).await;
    let races = todos.iter().map(|&id| async move {
        let (edit, deleted) = tokio::join!(patch(app, id, json!({ "task": "edited", "done": true })), delete(app, id));
        (edit.0, deleted)
    });
    for (edit, deleted) in join_all(races).await {
        assert_eq!(deleted, StatusCode::NO_CONTENT, "the one delete of each todo removes it");
        assert!(edit == StatusCode::OK || edit == StatusCode::NOT_FOUND, "the edit came before or after: {edit}");
    }
    let after = list(app, "").await;
    assert_eq!((ids(&after).len(), &after["counts"]), (0, &json!({ "all": 0, "open": 0, "done": 0 })));
}

async fn the_list_filters_on_done_and_counts_everything(runtime: Runtime) {
    let app = start(runtime, None).await;
    let first = create(&app, "first").await;
    let second = create(&app, "second").await;
    let third = create(&app, "third").await;
    patch(&app, second, json!({ "done": true })).await;

    let counts = json!({ "all": 3, "open": 2, "done": 1 });
    for (query, expected) in [
        ("", vec![third, second, first]),
        ("?done=true", vec![second]),
        ("?done=false", vec![third, first]),
        ("?done=false&limit=1", vec![third]),
    ] {
        let page = list(&app, query).await;
        assert_eq!((ids(&page), &page["counts"]), (expected, &counts), "{query}");
    }
    for query in ["?done=yes", "?done=", "?done=true&done=false"] {
        assert_eq!(
            call(&app, Method::GET, &format!("/api/todos{query}"), None).await.0,
            StatusCode::BAD_REQUEST,
            "{query}"
        );
    }
}

async fn polling_the_list_with_its_etag_gets_304_until_it_changes(runtime: Runtime) {
    let app = start(runtime, None).await;
    let client = reqwest::Client::new();
    let id = create(&app, "watch me").await;
    let first = client.get(app.url("/api/todos")).send().await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(first.headers()["cache-control"], "no-cache");

    for if_none_match in [etag.clone(), format!("W/{etag}"), format!("\"stale\", {etag}")] {
        let cached = client.get(app.url("/api/todos")).header("if-none-match", &if_none_match).send().await.unwrap();
        assert_eq!(
            (cached.status(), cached.headers()["etag"].to_str().unwrap()),
            (StatusCode::NOT_MODIFIED, etag.as_str())
        );
        assert!(cached.bytes().await.unwrap().is_empty());
    }
    patch(&app, id, json!({ "done": true })).await;
    let changed = client.get(app.url("/api/todos")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}

async fn cors_is_off_by_default_and_follows_the_allow_list(runtime: Runtime) {
    let preflight = |app: &TestApp, origin: &str| {
        reqwest::Client::new()
            .request(Method::OPTIONS, app.url("/api/todos/1"))
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .send()
    };
    let closed = start(runtime, None).await;
    let refused = preflight(&closed, "https://a.example").await.unwrap();
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(refused.headers().get("access-control-allow-origin").is_none());

    let open = start(runtime, Some("https://a.example, https://b.example")).await;
    let allowed = preflight(&open, "https://b.example").await.unwrap();
    assert_eq!(allowed.status(), StatusCode::NO_CONTENT);
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://b.example");
    assert_eq!(allowed.headers()["access-control-allow-methods"], "GET, HEAD, PATCH, DELETE");
    let read =
        reqwest::Client::new().get(open.url("/api/todos")).header("origin", "https://a.example").send().await.unwrap();
    assert_eq!(read.headers()["access-control-allow-origin"], "https://a.example");
    let other = reqwest::Client::new()
        .get(open.url("/api/todos"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK);
    assert!(other.headers().get("access-control-allow-origin").is_none());
    // With an allow-list every answer depends on the Origin, also one without it.
    let no_origin = reqwest::Client::new().get(open.url("/api/todos")).send().await.unwrap();
    for response in [&read, &other, &no_origin] {
        assert_eq!(response.headers().get("vary").map(|v| v.to_str().unwrap()), Some("origin"));
    }
    let closed_read = reqwest::get(closed.url("/api/todos")).await.unwrap();
    assert!(closed_read.headers().get("vary").is_none(), "no allow-list, nothing varies");
}

e2e::on_each_runtime!(
    patch_edits_the_task_and_or_done_by_the_rules_of_create,
    delete_is_204_then_404_and_the_list_forgets_the_todo,
    a_delete_racing_an_edit_leaves_no_todo_and_no_error,
    the_list_filters_on_done_and_counts_everything,
    polling_the_list_with_its_etag_gets_304_until_it_changes,
    cors_is_off_by_default_and_follows_the_allow_list,
);

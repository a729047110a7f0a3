//! Editing, deleting, filtering and polling the list on Spin, on a real PostgreSQL: PATCH task/done rules, DELETE 204/404 (also racing an edit), `?done=`, counts,
//! the list's ETag and 304, and CORS off by default and on through `cors_allowed_origins`.

use e2e::{AppConfig, Reply, TestApp};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// An app with a fresh database and `origins` as its `cors_allowed_origins`.
async fn spawn_app_with_cors(origins: &str) -> TestApp {
    let postgres = testkit::shared_postgres();
    let database = e2e::migrated_database(postgres).await;
    TestApp::spawn(AppConfig::with_database(postgres, database).variable("cors_allowed_origins", origins))
}

fn ids(list: &Value) -> Vec<i64> {
    list["todos"].as_array().unwrap().iter().map(|todo| todo["id"].as_i64().unwrap()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_edits_the_task_and_or_done_by_the_rules_of_create() {
    let app = e2e::spawn_app().await;
    let id = app.created("by milk").await;

    let Reply { status, body: todo, .. } = app.patch(id, &json!({ "task": "  buy milk " })).await;
    assert_eq!((status, &todo["task"], &todo["done"]), (StatusCode::OK, &json!("buy milk"), &json!(false)));
    let Reply { status, body: todo, .. } = app.patch(id, &json!({ "done": true })).await;
    assert_eq!((status, &todo["task"], &todo["done"]), (StatusCode::OK, &json!("buy milk"), &json!(true)));
    let Reply { status, body: todo, .. } = app.patch(id, &json!({ "task": "buy oat milk", "done": false })).await;
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
        let Reply { status, body: error, .. } = app.patch(id, &body).await;
        assert_eq!(status, expected, "{body}: {error}");
        assert!(error["error"].is_string(), "{error}");
    }
    assert_eq!(app.list_ok("").await["todos"][0]["task"], "buy oat milk", "refused patches change nothing");
    assert_eq!(app.patch(id, &json!({ "task": "ä".repeat(140) })).await.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_is_204_then_404_and_the_list_forgets_the_todo() {
    let app = e2e::spawn_app().await;
    let keep = app.created("keep").await;
    let gone = app.created("remove").await;

    assert_eq!(app.delete(gone).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.delete(gone).await.status, StatusCode::NOT_FOUND, "a retried delete finds nothing to remove");
    assert_eq!(app.patch(gone, &json!({ "done": true })).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(0).await.status, StatusCode::BAD_REQUEST);
    let after = app.list_ok("").await;
    assert_eq!((ids(&after), &after["counts"]), (vec![keep], &json!({ "all": 1, "open": 1, "done": 0 })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delete_racing_an_edit_leaves_no_todo_and_no_error() {
    let app = &e2e::spawn_app().await;
    // The first create gives the client its session; the others, at once, are then its too.
    let mut todos = vec![app.created("racer 0").await];
    todos.extend(join_all((1..20).map(|n| async move { app.created(&format!("racer {n}")).await })).await);
    let edit = json!({ "task": "edited", "done": true });
    let edit = &edit;
    let races = todos.iter().map(|&id| async move {
        let (edit, deleted) = tokio::join!(app.patch(id, edit), app.delete(id));
        (edit.status, deleted.status)
    });
    for (edit, deleted) in join_all(races).await {
        assert_eq!(deleted, StatusCode::NO_CONTENT, "the one delete of each todo removes it");
        assert!(edit == StatusCode::OK || edit == StatusCode::NOT_FOUND, "the edit came before or after: {edit}");
    }
    let after = app.list_ok("").await;
    assert_eq!((ids(&after).len(), &after["counts"]), (0, &json!({ "all": 0, "open": 0, "done": 0 })));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_on_done_and_counts_everything() {
    let app = e2e::spawn_app().await;
    let first = app.created("first").await;
    let second = app.created("second").await;
    let third = app.created("third").await;
    app.patch(second, &json!({ "done": true })).await;

    let counts = json!({ "all": 3, "open": 2, "done": 1 });
    for (query, expected) in [
        ("", vec![third, second, first]),
        ("?done=true", vec![second]),
        ("?done=false", vec![third, first]),
        ("?done=false&limit=1", vec![third]),
    ] {
        let page = app.list_ok(query).await;
        assert_eq!((ids(&page), &page["counts"]), (expected, &counts), "{query}");
    }
    for query in ["?done=yes", "?done=", "?done=true&done=false"] {
        assert_eq!(app.list(query).await.status, StatusCode::BAD_REQUEST, "{query}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn polling_the_list_with_its_etag_gets_304_until_it_changes() {
    let app = e2e::spawn_app().await;
    let client = reqwest::Client::new();
    let id = app.created("watch me").await;
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
    app.patch(id, &json!({ "done": true })).await;
    let changed = client.get(app.url("/api/todos")).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_is_off_by_default_and_follows_the_allow_list() {
    let preflight = |app: &TestApp, origin: &str| {
        reqwest::Client::new()
            .request(Method::OPTIONS, app.url("/api/todos/1"))
            .header("origin", origin)
            .header("access-control-request-method", "PATCH")
            .send()
    };
    let closed = e2e::spawn_app().await;
    let refused = preflight(&closed, "https://a.example").await.unwrap();
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(refused.headers().get("access-control-allow-origin").is_none());

    let open = spawn_app_with_cors("https://a.example, https://b.example").await;
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
    // Every answer says it depends on the Origin, with an allow-list or without, also one to a
    // request without it, which is answered without reading the list (the list's answer depends
    // on the session cookie in any case).
    let no_origin = reqwest::Client::new().get(open.url("/api/todos")).send().await.unwrap();
    let closed_read = reqwest::get(closed.url("/api/todos")).await.unwrap();
    for response in [&read, &other, &no_origin, &closed_read] {
        assert_eq!(response.headers().get("vary").map(|v| v.to_str().unwrap()), Some("cookie, origin"));
    }
}

//! The todo API end to end: the built `.wasm` components of the root spin.toml on Spin, against
//! a real PostgreSQL (a fresh, migrated database per test).

use e2e::TestApp;
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};
use testkit::Postgres;

fn assert_is_todo(todo: &Value) {
    let fields: HashSet<&str> = todo.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(fields, HashSet::from(["id", "task", "done", "created_at", "mine"]), "{todo}");
    assert!(todo["mine"].is_boolean());
    assert!(todo["id"].as_i64().unwrap() > 0);
    assert!(todo["done"].is_boolean());
    let created_at = todo["created_at"].as_str().unwrap();
    // RFC 3339 in UTC to the microsecond: 2024-05-06T07:08:09.123456Z
    assert_eq!(created_at.len(), 27, "{created_at}");
    assert!(created_at.ends_with('Z') && &created_at[10..11] == "T", "{created_at}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_returns_201_with_location_and_the_trimmed_todo() {
    let app = e2e::spawn_app().await;
    let reply = app.create("  Buy milk \n").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    assert_is_todo(&reply.body);
    assert_eq!(reply.body["task"], "Buy milk");
    assert_eq!(reply.body["done"], false);
    assert_eq!(reply.header("location"), Some(format!("/api/todos/{}", reply.id()).as_str()));
    assert_eq!(app.todos("").await, vec![reply.body.clone()]);
    let stored = app.sql(&format!(
        r#"SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') FROM todos WHERE id = {}"#,
        reply.id()
    ));
    assert_eq!(reply.body["created_at"], stored.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_is_newest_first_fifty_by_default_and_pages_with_before() {
    let app = e2e::spawn_app().await;
    let mut created = Vec::new();
    for n in 0..120 {
        created.push(app.create(&format!("todo {n}")).await.id());
    }
    let newest_first: Vec<i64> = created.iter().rev().copied().collect();
    let ids = |todos: &[Value]| todos.iter().map(|todo| todo["id"].as_i64().unwrap()).collect::<Vec<_>>();

    let first_page = app.todos("").await;
    first_page.iter().for_each(assert_is_todo);
    assert_eq!(ids(&first_page), newest_first[..50]);
    assert_eq!(ids(&app.todos("?limit=100").await), newest_first[..100]);
    assert_eq!(ids(&app.todos("?limit=1").await), newest_first[..1]);

    let mut walked = Vec::new();
    let mut query = "?limit=50".to_owned();
    loop {
        let page = ids(&app.todos(&query).await);
        let Some(last) = page.last() else { break };
        query = format!("?limit=50&before={last}");
        walked.extend(page);
    }
    assert_eq!(walked, newest_first, "keyset paging visits every todo once, in order");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_list_queries_are_400() {
    let app = e2e::spawn_app().await;
    for query in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=",
        "limit=-5",
        "before=0",
        "before=x",
        "before=99999999999999999999",
        "limit=5&limit=6",
    ] {
        let reply = app.get(&format!("/api/todos?{query}")).await;
        reply.expect_error(StatusCode::BAD_REQUEST);
    }
    let reply = app.get("/api/todos?limit=500").await;
    assert_eq!(reply.expect_error(StatusCode::BAD_REQUEST), "limit must be an integer from 1 to 100");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn task_length_counts_characters_not_bytes() {
    let app = e2e::spawn_app().await;
    let at_limit = "ä".repeat(140);
    let reply = app.create(&at_limit).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
    assert_eq!(reply.body["task"], at_limit.as_str());

    let emoji_at_limit = "🦀".repeat(140);
    assert_eq!(app.create(&emoji_at_limit).await.status, StatusCode::CREATED);

    let reply = app.create(&"ä".repeat(141)).await;
    assert_eq!(reply.expect_error(StatusCode::UNPROCESSABLE_ENTITY), "Todo's length: 141 is over the limit 140.");
    assert_eq!(app.row_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_blank_and_control_character_tasks_are_422() {
    let app = e2e::spawn_app().await;
    for task in ["", "   ", "\t\n", "line\nbreak", "nul\u{0}byte", "bell\u{7}", "del\u{7f}"] {
        app.create(task).await.expect_error(StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(app.row_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_text_is_stored_verbatim() {
    let app = e2e::spawn_app().await;
    let tasks = [
        "'; DROP TABLE todos; --",
        "<script>alert('x')</script>",
        "Robert'); DELETE FROM todos;--",
        "\"quoted\" & \\back\\slash",
    ];
    for task in tasks {
        let reply = app.create(task).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        assert_eq!(reply.body["task"], task);
    }
    let listed: Vec<String> =
        app.todos("").await.iter().map(|todo| todo["task"].as_str().unwrap().to_owned()).collect();
    let mut expected: Vec<String> = tasks.iter().rev().map(|task| task.to_string()).collect();
    assert_eq!(listed, expected);
    expected.sort();
    let mut stored: Vec<String> =
        app.sql("SELECT task FROM todos ORDER BY id DESC").lines().map(str::to_owned).collect();
    stored.sort();
    assert_eq!(stored, expected, "the table is intact and holds the exact text");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_bodies_are_400_415_and_413() {
    let app = &e2e::spawn_app().await;
    let post = |content_type: Option<&'static str>, body: String| {
        let mut request = app.request(Method::POST, "/api/todo").body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        async move { app.send(request).await.json() }
    };
    for body in [
        "not json",
        "",
        "[\"task\"]",
        "\"task\"",
        "{}",
        r#"{"task": 5}"#,
        r#"{"task": null}"#,
        r#"{"task": ["a"]}"#,
        r#"{"task": "a""#,
    ] {
        post(Some("application/json"), body.to_owned()).await.expect_error(StatusCode::BAD_REQUEST);
    }
    let task = r#"{"task": "a"}"#.to_owned();
    for content_type in [None, Some("text/plain"), Some("application/x-www-form-urlencoded"), Some("application/jsonx")]
    {
        post(content_type, task.clone()).await.expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let reply = post(Some("Application/JSON; charset=utf-8"), task).await;
    assert_eq!(reply.status, StatusCode::CREATED, "media type parameters and case are fine");

    // Exactly 16 KiB (padding the JSON with spaces) is read; one byte more is refused.
    let fill = |total: usize| format!("{{\"task\": \"padded\"{}}}", " ".repeat(total - 18));
    assert_eq!(fill(16 * 1024).len(), 16 * 1024);
    assert_eq!(post(Some("application/json"), fill(16 * 1024)).await.status, StatusCode::CREATED);
    post(Some("application/json"), fill(16 * 1024 + 1)).await.expect_error(StatusCode::PAYLOAD_TOO_LARGE);
    // A declared 10 MiB body is refused from its Content-Length alone. Sent raw, without the body:
    // a client still writing 10 MiB when the early 413 closes the connection sees a broken pipe.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(app.addr()).await.unwrap();
    let head = format!(
        "POST /api/todo HTTP/1.1\r\nhost: app\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        10 << 20
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    let response = String::from_utf8_lossy(&response);
    assert!(read.is_ok() && response.starts_with("HTTP/1.1 413"), "{response}");
    assert_eq!(app.row_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chunked_body_without_length_is_cut_at_16_kib() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = e2e::spawn_app().await;
    let mut stream = tokio::net::TcpStream::connect(app.addr()).await.unwrap();
    let head = "POST /api/todo HTTP/1.1\r\nhost: app\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = " ".repeat(4096);
    // 5 chunks of 4 KiB: over the limit without ever declaring a length. The server may
    // answer and close before it has read them all, so write errors are fine.
    for _ in 0..5 {
        if stream.write_all(format!("1000\r\n{chunk}\r\n").as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert_eq!(app.row_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_create_with_the_same_key_gives_one_todo() {
    let app = e2e::spawn_app().await;
    let first = app.create_with_key("pay rent", "key-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    let retry = app.create_with_key("pay rent", "key-1").await;
    assert_eq!(retry.status, StatusCode::CREATED);
    assert_eq!(retry.body, first.body, "the same todo, not a copy");
    assert_eq!(retry.header("location"), first.header("location"));
    // Tasks are compared after trimming, as they are stored.
    assert_eq!(app.create_with_key("  pay rent ", "key-1").await.body, first.body);

    let other_task = app.create_with_key("pay bills", "key-1").await;
    assert!(other_task.expect_error(StatusCode::CONFLICT).contains("Idempotency-Key"));
    assert_eq!(app.create_with_key("pay rent", "key-2").await.status, StatusCode::CREATED, "another key, another todo");
    assert_eq!(app.create("pay rent").await.status, StatusCode::CREATED, "no key, no deduplication");
    assert_eq!(app.row_count(), 3);

    for bad_key in ["", "with space", &"k".repeat(256)] {
        app.create_with_key("x", bad_key).await.expect_error(StatusCode::BAD_REQUEST);
    }
    assert_eq!(app.row_count(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_replayed_after_its_todo_was_deleted_makes_a_new_todo() {
    let app = e2e::spawn_app().await;
    let first = app.create_with_key("pay rent", "key-1").await;
    assert_eq!(first.status, StatusCode::CREATED, "{first:?}");
    assert_eq!(app.delete(first.id()).await.status, StatusCode::NO_CONTENT);
    let again = app.create_with_key("pay rent", "key-1").await;
    assert_eq!(again.status, StatusCode::CREATED, "{again:?}");
    assert_ne!(again.id(), first.id(), "not the deleted todo");
    assert_eq!(app.todos("").await.len(), 1);
    // The same when the todo goes another way than through the API.
    app.sql(&format!("DELETE FROM todos WHERE id = {}", again.id()));
    let third = app.create_with_key("pay rent", "key-1").await;
    assert_eq!((third.status, app.row_count()), (StatusCode::CREATED, 1), "{third:?}");
    assert_ne!(third.id(), again.id());
    assert_eq!(app.sql("SELECT count(*) FROM idempotency_keys"), "1", "one key, for the live todo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_creates_with_one_key_store_one_todo() {
    let app = e2e::spawn_app().await;
    // Keys are per session: the client has its session (from a first create) before it retries.
    app.created("the first").await;
    let replies = join_all((0..50).map(|_| app.create_with_key("only once", "same-key"))).await;
    let ids: HashSet<i64> = replies
        .iter()
        .map(|reply| {
            assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
            reply.id()
        })
        .collect();
    assert_eq!(ids.len(), 1, "every request got the same todo");
    assert_eq!(app.row_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_creates_give_a_thousand_rows() {
    let app = e2e::spawn_app().await;
    let replies = join_all((0..1000).map(|n| {
        let app = &app;
        async move { app.create(&format!("concurrent {n}")).await }
    }))
    .await;
    let mut tasks = HashSet::new();
    let mut ids = HashSet::new();
    for reply in &replies {
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        ids.insert(reply.id());
        tasks.insert(reply.body["task"].as_str().unwrap().to_owned());
    }
    assert_eq!((ids.len(), tasks.len()), (1000, 1000));
    assert_eq!(app.row_count(), 1000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn patch_marks_done_and_unknown_ids_are_404() {
    let app = e2e::spawn_app().await;
    let todo = app.create("water plants").await;
    let id = todo.id().to_string();

    let done = app.patch(&id, &json!({ "done": true })).await;
    assert_eq!(done.status, StatusCode::OK, "{done:?}");
    assert_eq!(done.body["done"], true);
    assert_eq!(
        (&done.body["id"], &done.body["task"], &done.body["created_at"]),
        (&todo.body["id"], &todo.body["task"], &todo.body["created_at"])
    );
    assert_eq!(app.todos("").await[0]["done"], true);
    assert_eq!(app.patch(&id, &json!({ "done": false })).await.body["done"], false);

    app.patch("999999", &json!({ "done": true })).await.expect_error(StatusCode::NOT_FOUND);
    for bad_id in ["abc", "0", "-1", "1.5", "99999999999999999999"] {
        app.patch(bad_id, &json!({ "done": true })).await.expect_error(StatusCode::BAD_REQUEST);
    }
    for bad_done in [json!("yes"), json!(1), json!(null)] {
        app.patch(&id, &json!({ "done": bad_done })).await.expect_error(StatusCode::BAD_REQUEST);
    }
    let text =
        app.request(Method::PATCH, &format!("/api/todos/{id}")).header("content-type", "text/plain").body("done");
    app.send(text).await.json().expect_error(StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_methods_are_405_with_allow() {
    let app = e2e::spawn_app().await;
    let cases = [
        (Method::POST, "/api/todos", "GET, HEAD"),
        (Method::DELETE, "/api/todos", "GET, HEAD"),
        (Method::GET, "/api/todo", "POST"),
        (Method::PUT, "/api/todo", "POST"),
        (Method::POST, "/api/todos/1", "GET, HEAD, PATCH, DELETE"),
        (Method::PUT, "/api/todos/1", "GET, HEAD, PATCH, DELETE"),
        (Method::POST, "/healthz", "GET, HEAD"),
        (Method::DELETE, "/readyz", "GET, HEAD"),
    ];
    for (method, path, allowed) in cases {
        let reply = app.send(app.request(method.clone(), path)).await.json();
        reply.expect_error(StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(reply.header("allow"), Some(allowed), "{method} {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness() {
    let app = e2e::spawn_app().await;
    for path in ["/healthz", "/readyz"] {
        let reply = app.get(path).await;
        assert_eq!((reply.status, reply.body.clone()), (StatusCode::OK, json!({"status": "ok"})), "{path}");
    }
}

/// Creates todos one after another until told to stop, recording each acknowledged one.
async fn keep_creating(app: &TestApp, stop: tokio::sync::watch::Receiver<bool>) -> (BTreeMap<i64, String>, usize) {
    let mut acknowledged = BTreeMap::new();
    let mut unavailable = 0;
    for n in 0.. {
        if *stop.borrow() {
            break;
        }
        let task = format!("during outage {n}");
        let started = Instant::now();
        let reply = app.create(&task).await;
        match reply.status {
            StatusCode::CREATED => {
                acknowledged.insert(reply.id(), task);
            }
            StatusCode::SERVICE_UNAVAILABLE => {
                assert!(started.elapsed() < Duration::from_secs(3), "a 503 must be fast: {:?}", started.elapsed());
                assert_eq!(reply.header("retry-after"), Some("1"));
                unavailable += 1;
            }
            _ => panic!("only 201 or 503 while the database comes and goes: {reply:?}"),
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (acknowledged, unavailable)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_gives_fast_503s_and_the_api_recovers_by_itself() {
    // Its own server: stopping the shared one would break the other tests.
    let postgres: &'static Postgres = Box::leak(Box::new(Postgres::start()));
    let app = e2e::spawn_app_on(postgres).await;
    let before_outage = app.create("before the outage").await;
    assert_eq!(before_outage.status, StatusCode::CREATED);

    let (stop_writer, stop) = tokio::sync::watch::channel(false);
    let writer = keep_creating(&app, stop);
    let outage = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        tokio::task::spawn_blocking(|| postgres.stop()).await.unwrap();
        let started = Instant::now();
        let reply = app.get("/api/todos").await;
        reply.expect_error(StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(reply.header("retry-after"), Some("1"));
        assert!(started.elapsed() < Duration::from_secs(3), "the list took {:?}", started.elapsed());
        app.patch(before_outage.id(), &json!({ "done": true })).await.expect_error(StatusCode::SERVICE_UNAVAILABLE);
        for probe in ["/healthz", "/readyz"] {
            assert_eq!(app.get(probe).await.status, StatusCode::OK, "{probe} does not depend on the database");
        }
        tokio::time::sleep(Duration::from_millis(500)).await;

        tokio::task::spawn_blocking(|| postgres.start_again()).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(15);
        while app.get("/api/todos").await.status != StatusCode::OK {
            assert!(Instant::now() < deadline, "the API did not recover within 15 s");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        stop_writer.send(true).unwrap();
    };
    let ((acknowledged, unavailable), ()) = tokio::join!(writer, outage);
    assert!(unavailable > 0, "the writer saw the outage");
    assert!(acknowledged.len() > 2, "the writer wrote before and after: {acknowledged:?}");

    let after = app.create("after the outage").await;
    assert_eq!(after.status, StatusCode::CREATED, "{after:?}");
    let stored: BTreeMap<i64, String> = app
        .sql("SELECT id || '|' || task FROM todos")
        .lines()
        .map(|line| line.split_once('|').map(|(id, task)| (id.parse().unwrap(), task.to_owned())).unwrap())
        .collect();
    for (id, task) in &acknowledged {
        assert_eq!(stored.get(id), Some(task), "acknowledged todo {id} is stored");
    }
    assert!(stored.contains_key(&before_outage.id()) && stored.contains_key(&after.id()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_request_logs_one_json_line() {
    let app = e2e::spawn_app().await;
    app.create("logged").await;
    app.get("/api/todos?limit=500").await;

    let logs = app.wait_for_request_logs(2, Duration::from_secs(10));
    for (log, (method, route, status)) in logs.iter().zip([("POST", "/api/todo", 201), ("GET", "/api/todos", 400)]) {
        assert_eq!(
            (&log["method"], &log["route"], &log["status"]),
            (&json!(method), &json!(route), &json!(status)),
            "{log}"
        );
        assert!(log["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{log}");
    }
}

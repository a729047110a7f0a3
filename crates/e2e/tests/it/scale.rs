//! The list at any size, on Spin: counts kept by the database's triggers stay equal to
//! `count(*)` through concurrent writes of every kind (the API's and psql's, TRUNCATE too), and
//! the list's `ETag`, made from the change counter, gives a 304 while nothing changed (without
//! reading the todos) and a 200 after each kind of change.

use e2e::{AppConfig, TestApp};
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;

/// Pages of different shapes: each has its own tag, and each must follow every change.
const QUERIES: [&str; 4] = ["", "?done=true", "?done=false&limit=5", "?limit=2&before=1000000"];

/// An app on a database whose URL the test keeps, for a connection of its own.
async fn spawn_app_and_url() -> (TestApp, String) {
    let postgres = testkit::shared_postgres();
    let database = e2e::migrated_database(postgres).await;
    let url = database.url.clone();
    (TestApp::spawn(AppConfig::with_database(postgres, database)), url)
}

/// `GET` with `If-None-Match: etag`: the status and the tag it answers with.
async fn revalidate(app: &TestApp, query: &str, etag: &str) -> (StatusCode, String) {
    let reply =
        app.send(app.request(reqwest::Method::GET, &format!("/api/todos{query}")).header("if-none-match", etag)).await;
    let tag = reply.header("etag").expect("an ETag").to_owned();
    if reply.status == StatusCode::NOT_MODIFIED {
        assert!(reply.bytes.is_empty(), "a 304 has no body");
        assert_eq!(reply.header("cache-control"), Some("no-cache"));
    }
    (reply.status, tag)
}

async fn tags(app: &TestApp) -> Vec<String> {
    let mut tags = Vec::new();
    for query in QUERIES {
        let reply = app.list(query).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        tags.push(reply.header("etag").expect("an ETag").to_owned());
    }
    tags
}

/// Every page's copy is still current: 304, with the same tag.
async fn assert_unchanged(app: &TestApp, tags: &[String], after: &str) {
    for (query, tag) in QUERIES.iter().zip(tags) {
        assert_eq!(revalidate(app, query, tag).await, (StatusCode::NOT_MODIFIED, tag.clone()), "{query} after {after}");
    }
}

/// Every page's copy is out of date: 200 with a new tag, which is then current.
async fn assert_changed(app: &TestApp, tags: &mut [String], after: &str) {
    for (query, tag) in QUERIES.iter().zip(tags.iter_mut()) {
        let (status, new_tag) = revalidate(app, query, tag).await;
        assert_eq!(status, StatusCode::OK, "{query} after {after}");
        assert_ne!(&new_tag, tag, "{query} after {after}");
        *tag = new_tag;
    }
    assert_unchanged(app, tags, after).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_list_gets_304_and_each_kind_of_change_a_200() {
    let app = e2e::spawn_app().await;
    let first = app.created("first").await;
    let second = app.created("second").await;
    app.patch(second, &json!({ "done": true })).await;
    let mut tags = tags(&app).await;
    let distinct: std::collections::HashSet<_> = tags.iter().collect();
    assert_eq!(distinct.len(), QUERIES.len(), "each page has its own tag: {tags:?}");
    assert_unchanged(&app, &tags, "nothing").await;

    app.created("third").await;
    assert_changed(&app, &mut tags, "a create").await;
    app.patch(first, &json!({ "task": "first, edited" })).await;
    assert_changed(&app, &mut tags, "an edit of the task").await;
    app.patch(first, &json!({ "done": true })).await;
    assert_changed(&app, &mut tags, "done").await;
    app.patch(first, &json!({ "done": false })).await;
    assert_changed(&app, &mut tags, "undone").await;
    assert_eq!(app.delete(second).await.status, StatusCode::NO_CONTENT);
    assert_changed(&app, &mut tags, "a delete").await;

    // A write that changes nothing keeps the tags: an idempotent replay, an edit to the same values.
    assert_eq!(app.create_with_key("keyed", "key-1").await.status, StatusCode::CREATED);
    assert_changed(&app, &mut tags, "a keyed create").await;
    app.create_with_key("keyed", "key-1").await;
    app.patch(first, &json!({ "done": false })).await;
    assert_unchanged(&app, &tags, "a replay and a no-op edit").await;

    for sql in [
        "INSERT INTO todos (task) VALUES ('from psql')",
        "UPDATE todos SET task = 'renamed in psql' WHERE task = 'from psql'",
        "UPDATE todos SET done = true WHERE task = 'renamed in psql'",
        "DELETE FROM todos WHERE task = 'renamed in psql'",
        "TRUNCATE todos",
    ] {
        app.sql(sql);
        assert_changed(&app, &mut tags, sql).await;
    }
    assert_eq!(app.list_ok("").await["counts"], json!({ "all": 0, "open": 0, "done": 0 }));
}

/// While another transaction holds the todos table exclusively, a current copy still gets its
/// 304 at once: the revalidation reads the counter rows only, never the todos.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_304_reads_no_todos() {
    let (app, url) = spawn_app_and_url().await;
    app.created("kept").await;
    let tags = tags(&app).await;
    let (mut client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let lock = client.transaction().await.unwrap();
    lock.batch_execute("LOCK TABLE todos IN ACCESS EXCLUSIVE MODE").await.unwrap();
    let answered = tokio::time::timeout(Duration::from_secs(3), assert_unchanged(&app, &tags, "nothing")).await;
    lock.rollback().await.unwrap();
    answered.expect("304s while the todos are locked, not waiting for the lock");
}

/// Bursts of concurrent writes through the API and, on a connection of their own, SQL as psql
/// would send it; after each, the counts the list shows are those `count(*)` finds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_equal_count_star_after_concurrent_bursts_of_every_kind_of_write() {
    let (app, url) = spawn_app_and_url().await;
    let (sql, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    // The client's session (from a first create) also writes what psql inserts, so the API's
    // edits and deletes of those todos are the author's.
    app.created("the first").await;
    let session = app.session().expect("a session from the first create");
    let author = format!("sha256('{}'::bytea)", session.trim_start_matches("todo_session="));
    let sql_writes = [
        format!(
            "INSERT INTO todos (task, done, author) SELECT 'bulk ' || n, n % 3 = 0, {author} FROM generate_series(1, 500) n"
        ),
        "UPDATE todos SET done = NOT done WHERE id % 7 = 0".to_owned(),
        "DELETE FROM todos WHERE id % 11 = 0".to_owned(),
        "TRUNCATE todos".to_owned(),
        format!(
            "INSERT INTO todos (task, author) SELECT 'after truncate ' || n, {author} FROM generate_series(1, 200) n"
        ),
    ];
    for (round, sql_write) in sql_writes.iter().enumerate() {
        let ids: Vec<i64> = app.todos("?limit=100").await.iter().map(|todo| todo["id"].as_i64().unwrap()).collect();
        let api_writes = (0..48).map(|n| {
            let (app, id) = (&app, ids.get(n % ids.len().max(1)).copied());
            async move {
                let status = match (n % 4, id) {
                    (1, Some(id)) => app.patch(id, &json!({ "done": n % 8 == 1 })).await.status,
                    (2, Some(id)) => app.delete(id).await.status,
                    (3, Some(id)) => app.patch(id, &json!({ "task": format!("edit {n}") })).await.status,
                    _ => app.create(&format!("api {round}.{n}")).await.status,
                };
                // A todo another write deleted first is a 404; nothing else may fail.
                assert!(status.is_success() || status == StatusCode::NOT_FOUND, "{status}");
            }
        });
        let (_, written) = tokio::join!(join_all(api_writes), sql.batch_execute(sql_write.as_str()));
        written.unwrap();
        let counts = app.list_ok("").await["counts"].clone();
        let counted: Value = serde_json::from_str(&app.sql(
            "SELECT json_build_object('all', count(*), 'open', count(*) FILTER (WHERE NOT done), \
             'done', count(*) FILTER (WHERE done)) FROM todos",
        ))
        .unwrap();
        assert_eq!(counts, counted, "after round {round} ({sql_write} beside the API's writes)");
    }
}

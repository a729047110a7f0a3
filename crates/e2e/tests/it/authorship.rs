//! Only a todo's author may change or delete it, on Spin with a real PostgreSQL: the
//! session cookie of a first create, 403 for strangers and forged sessions (the table is
//! checked, not only the answers), `mine` and the list's ETag per caller, and idempotency keys
//! that belong to one session and expire.

use e2e::{Reply, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A client of the app with a cookie jar of its own: it keeps the session cookie its first
/// create gets, as `curl -c`/`-b` does (the app's own client, `TestApp::send`, is one more).
struct Visitor<'a> {
    app: &'a TestApp,
    cookie: Option<String>,
}

fn visitor(app: &TestApp) -> Visitor<'_> {
    Visitor { app, cookie: None }
}

/// Someone presenting `cookie` as it is.
fn with_cookie<'a>(app: &'a TestApp, cookie: &str) -> Visitor<'a> {
    Visitor { app, cookie: Some(cookie.to_owned()) }
}

/// A todo as stored: `task|done`, or an empty string when there is none.
fn stored(app: &TestApp, id: i64) -> String {
    app.sql(&format!("SELECT task || '|' || done FROM todos WHERE id = {id}"))
}

impl Visitor<'_> {
    async fn send(&mut self, method: Method, path: &str, body: Option<Value>, headers: &[(&str, &str)]) -> Reply {
        let mut request = self.app.request(method, path);
        if let Some(cookie) = &self.cookie {
            request = request.header("cookie", cookie);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.header("content-type", "application/json").body(body.to_string());
        }
        let reply = Reply::read(request.send().await.expect("send")).await.json();
        if let Some(set_cookie) = reply.header("set-cookie") {
            self.cookie = Some(set_cookie.split(';').next().unwrap().to_owned());
        }
        reply
    }

    async fn create(&mut self, task: &str) -> Reply {
        self.send(Method::POST, "/api/todo", Some(json!({ "task": task })), &[]).await
    }

    async fn create_with_key(&mut self, task: &str, key: &str) -> Reply {
        self.send(Method::POST, "/api/todo", Some(json!({ "task": task })), &[("idempotency-key", key)]).await
    }

    /// Creates a todo: its id.
    async fn created(&mut self, task: &str) -> i64 {
        let reply = self.create(task).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        assert_eq!(reply.body["mine"], true, "its creator's: {reply:?}");
        reply.id()
    }

    async fn patch(&mut self, id: i64, body: Value) -> Reply {
        self.send(Method::PATCH, &format!("/api/todos/{id}"), Some(body), &[]).await
    }

    async fn delete(&mut self, id: i64) -> Reply {
        self.send(Method::DELETE, &format!("/api/todos/{id}"), None, &[]).await
    }

    async fn list(&mut self, if_none_match: Option<&str>) -> Reply {
        let headers: Vec<(&str, &str)> = if_none_match.map(|tag| ("if-none-match", tag)).into_iter().collect();
        self.send(Method::GET, "/api/todos", None, &headers).await
    }

    /// Which todos of the list this visitor is told are its own.
    async fn mine(&mut self) -> Vec<(i64, bool)> {
        let reply = self.list(None).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        let todos = reply.body["todos"].as_array().unwrap();
        todos.iter().map(|todo| (todo["id"].as_i64().unwrap(), todo["mine"].as_bool().unwrap())).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_strangers_patch_and_delete_get_403_and_change_nothing() {
    let app = e2e::spawn_app().await;
    let mut author = visitor(&app);
    let id = author.created("mine alone").await;
    let mut anonymous = visitor(&app);
    let mut other_author = visitor(&app);
    other_author.created("someone else's").await;

    for stranger in [&mut anonymous, &mut other_author] {
        for body in [json!({ "task": "defaced" }), json!({ "done": true }), json!({ "task": "x", "done": true })] {
            let message = stranger.patch(id, body).await.expect_error(StatusCode::FORBIDDEN).to_owned();
            assert!(message.contains("author"), "{message}");
        }
        stranger.delete(id).await.expect_error(StatusCode::FORBIDDEN);
        stranger.patch(id, json!({ "task": "" })).await.expect_error(StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Another author learns that a todo is gone; without a session nothing can be changed, so
    // the answer is 403 whatever the id (and no database round trip is bought with it).
    other_author.delete(999_999).await.expect_error(StatusCode::NOT_FOUND);
    anonymous.delete(999_999).await.expect_error(StatusCode::FORBIDDEN);
    anonymous.patch(999_999, json!({ "done": true })).await.expect_error(StatusCode::FORBIDDEN);
    assert_eq!(anonymous.cookie, None, "refusals hand out no session");
    assert_eq!(stored(&app, id), "mine alone|false", "the table is unchanged");
    assert_eq!(app.sql("SELECT count(*) FROM todos"), "2");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_author_edits_and_deletes_with_the_cookie_of_its_first_create() {
    let app = e2e::spawn_app().await;
    let mut author = visitor(&app);
    let created = author.create("buy milk").await;
    assert_eq!(created.status, StatusCode::CREATED);
    let set_cookie = created.header("set-cookie").expect("a session cookie").to_owned();
    let (pair, attributes) = set_cookie.split_once("; ").unwrap();
    let session = pair.strip_prefix("todo_session=").expect("the todo_session cookie");
    assert!(session.len() == 64 && session.bytes().all(|b| b.is_ascii_hexdigit()), "256 bits in hex: {session}");
    assert_eq!(attributes, "Path=/; Max-Age=34560000; HttpOnly; SameSite=Strict", "not Secure over plain HTTP");
    let id = created.body["id"].as_i64().unwrap();

    let stored_author = app.sql(&format!("SELECT encode(author, 'hex') FROM todos WHERE id = {id}"));
    let expected = app.sql(&format!("SELECT encode(sha256('{session}'::bytea), 'hex')"));
    assert_eq!(stored_author, expected, "the todo stores the session's SHA-256");
    assert!(!app.sql("SELECT string_agg(t::text, '') FROM todos t").contains(session), "never the session");

    let edited = author.patch(id, json!({ "task": "buy oat milk", "done": true })).await;
    assert_eq!(edited.status, StatusCode::OK, "{edited:?}");
    assert_eq!(
        (&edited.body["task"], &edited.body["done"], &edited.body["mine"]),
        (&json!("buy oat milk"), &json!(true), &json!(true))
    );
    assert_eq!(stored(&app, id), "buy oat milk|true");

    // A second create keeps the session (and renews the cookie): both todos are the author's.
    let second = author.create("and bread").await;
    assert_eq!(
        second.header("set-cookie").map(|value| value.split(';').next().unwrap().to_owned()),
        Some(pair.to_owned())
    );
    assert_eq!(author.delete(second.body["id"].as_i64().unwrap()).await.status, StatusCode::NO_CONTENT);
    assert_eq!(author.delete(id).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.sql("SELECT count(*) FROM todos"), "0");

    // Behind the HTTPS load balancer (X-Forwarded-Proto), the cookie is Secure.
    let mut secure = visitor(&app);
    let over_https =
        secure.send(Method::POST, "/api/todo", Some(json!({ "task": "t" })), &[("x-forwarded-proto", "https")]).await;
    assert!(over_https.header("set-cookie").unwrap().ends_with("; SameSite=Strict; Secure"), "{over_https:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_session_cannot_edit() {
    let app = e2e::spawn_app().await;
    let mut author = visitor(&app);
    let id = author.created("guarded").await;
    let stored_hash = app.sql(&format!("SELECT encode(author, 'hex') FROM todos WHERE id = {id}"));
    let session = author.cookie.clone().unwrap();
    let session = session.strip_prefix("todo_session=").unwrap();
    let mut flipped = session.as_bytes().to_vec();
    flipped[63] = if flipped[63] == b'0' { b'1' } else { b'0' };
    for forged in [
        format!("todo_session={stored_hash}"), // the stored hash is no session
        format!("todo_session={}", String::from_utf8(flipped).unwrap()),
        format!("todo_session={}", "0".repeat(64)),
        format!("todo_session={}", session.to_uppercase()),
        format!("todo_session={session}x"),
        format!("todo_session={}", &session[..32]),
        format!("session={session}"),
        "todo_session=".to_owned(),
    ] {
        let mut forger = with_cookie(&app, &forged);
        forger.patch(id, json!({ "task": "forged" })).await.expect_error(StatusCode::FORBIDDEN);
        forger.delete(id).await.expect_error(StatusCode::FORBIDDEN);
        assert!(forger.mine().await.iter().all(|(_, mine)| !mine), "{forged}: nothing is the forger's");
    }
    assert_eq!(stored(&app, id), "guarded|false");
    assert_eq!(author.patch(id, json!({ "done": true })).await.status, StatusCode::OK, "the real session still works");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_says_mine_per_caller_and_its_etag_varies_by_caller() {
    let app = e2e::spawn_app().await;
    let (mut ann, mut bob, mut nobody) = (visitor(&app), visitor(&app), visitor(&app));
    let ann_todo = ann.created("ann's").await;
    let bob_todo = bob.created("bob's").await;

    assert_eq!(ann.mine().await, vec![(bob_todo, false), (ann_todo, true)]);
    assert_eq!(bob.mine().await, vec![(bob_todo, true), (ann_todo, false)]);
    assert_eq!(nobody.mine().await, vec![(bob_todo, false), (ann_todo, false)]);

    let ann_list = ann.list(None).await;
    let bob_list = bob.list(None).await;
    assert_eq!(ann_list.body["counts"], json!({ "all": 2, "open": 2, "done": 0 }));
    assert_eq!(bob_list.body["counts"], ann_list.body["counts"], "the counts are everyone's");
    assert_eq!(ann_list.header("vary"), Some("cookie, origin"), "{ann_list:?}");
    let (ann_tag, bob_tag) = (ann_list.header("etag").unwrap(), bob_list.header("etag").unwrap());
    assert_ne!(ann_tag, bob_tag, "one validator per caller");

    assert_eq!(ann.list(Some(ann_tag)).await.status, StatusCode::NOT_MODIFIED);
    let bob_with_anns_tag = bob.list(Some(ann_tag)).await;
    assert_eq!(bob_with_anns_tag.status, StatusCode::OK, "Ann's copy is not Bob's");
    assert_eq!(bob_with_anns_tag.header("etag"), Some(bob_tag));
    assert_eq!(bob.list(Some(bob_tag)).await.status, StatusCode::NOT_MODIFIED);

    // A change by one caller is a change for the other too.
    assert_eq!(ann.patch(ann_todo, json!({ "done": true })).await.status, StatusCode::OK);
    let after = bob.list(Some(bob_tag)).await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["counts"], json!({ "all": 2, "open": 1, "done": 1 }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_of_one_session_are_invisible_to_another_and_expire() {
    let app = e2e::spawn_app().await;
    let (mut ann, mut bob) = (visitor(&app), visitor(&app));
    let first = ann.create_with_key("pay rent", "shared-key").await;
    assert_eq!(first.status, StatusCode::CREATED);
    let retry = ann.create_with_key("pay rent", "shared-key").await;
    assert_eq!((retry.status, &retry.body), (StatusCode::CREATED, &first.body), "a retry gets the first todo");
    ann.create_with_key("pay bills", "shared-key").await.expect_error(StatusCode::CONFLICT);

    // Bob has his own session (from a create without a key): the same key is a new key for him.
    bob.created("bob was here").await;
    let bobs = bob.create_with_key("pay rent", "shared-key").await;
    assert_eq!(bobs.status, StatusCode::CREATED, "{bobs:?}");
    assert_ne!(bobs.body["id"], first.body["id"], "Ann's todo is not handed to Bob");
    assert_eq!(bobs.body["mine"], true);
    // Without a session, a key names nothing yet: a new todo, and a new session.
    let mut nobody = visitor(&app);
    let anonymous = nobody.create_with_key("pay rent", "shared-key").await;
    assert_eq!(anonymous.status, StatusCode::CREATED);
    assert!(![&first.body["id"], &bobs.body["id"]].contains(&&anonymous.body["id"]));
    assert_eq!(app.sql("SELECT count(*) FROM idempotency_keys"), "3", "one key per session");

    // A day later Ann's key has expired: it names a new todo; and each create with a key sweeps
    // up to two expired keys of anyone.
    app.sql("UPDATE idempotency_keys SET created_at = created_at - interval '25 hours'");
    let later = ann.create_with_key("pay bills", "shared-key").await;
    assert_eq!(later.status, StatusCode::CREATED, "{later:?}");
    assert_ne!(later.body["id"], first.body["id"]);
    assert_eq!(app.sql("SELECT count(*) FROM idempotency_keys"), "1", "Ann's renewed key alone is left");
    assert_eq!(ann.create_with_key("pay bills", "shared-key").await.body, later.body);
}

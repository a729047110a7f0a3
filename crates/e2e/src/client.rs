//! The typed client every end-to-end test talks to the app with, and [`Reply`], a response
//! read in full.

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

use crate::TestApp;

impl TestApp {
    /// A request to `path` on the app, to send with [`TestApp::send`].
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Sends `request` as this app's one client and reads the whole response: with the session
    /// cookie the app gave it (its first create makes it the author of what it creates), keeping
    /// any new one.
    pub async fn send(&self, request: RequestBuilder) -> Reply {
        let session = self.session.lock().unwrap().clone();
        let request = match session {
            Some(cookie) => request.header("cookie", cookie),
            None => request,
        };
        let reply = Reply::read(request.send().await.expect("send the request")).await;
        if let Some(set_cookie) = reply.header("set-cookie") {
            let cookie = set_cookie.split(';').next().unwrap_or_default().to_owned();
            *self.session.lock().unwrap() = Some(cookie);
        }
        reply
    }

    /// The session cookie (`todo_session=...`) this client holds, if the app gave it one.
    pub fn session(&self) -> Option<String> {
        self.session.lock().unwrap().clone()
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path)).await
    }

    /// An API call with a JSON body; the reply, if it has a body, is JSON.
    pub async fn send_json(&self, method: Method, path: &str, body: &Value) -> Reply {
        let request = self.request(method, path).header("content-type", "application/json").body(body.to_string());
        self.send(request).await.json()
    }

    /// `POST /api/todo` of `{"task": task}`.
    pub async fn create(&self, task: &str) -> Reply {
        self.send_json(Method::POST, "/api/todo", &json!({ "task": task })).await
    }

    /// `POST /api/todo` with an `Idempotency-Key`.
    pub async fn create_with_key(&self, task: &str, key: &str) -> Reply {
        let request = self
            .request(Method::POST, "/api/todo")
            .header("content-type", "application/json")
            .header("idempotency-key", key)
            .body(json!({ "task": task }).to_string());
        self.send(request).await.json()
    }

    /// Creates a todo and returns its id; anything but 201 fails the test.
    pub async fn created(&self, task: &str) -> i64 {
        let reply = self.create(task).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{reply:?}");
        reply.id()
    }

    /// `GET /api/todos` followed by `query` (`""`, `"?done=true"`, ...).
    pub async fn list(&self, query: &str) -> Reply {
        self.get(&format!("/api/todos{query}")).await.json()
    }

    /// The body of a successful list: its `todos` and `counts`.
    pub async fn list_ok(&self, query: &str) -> Value {
        let reply = self.list(query).await;
        assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
        reply.body
    }

    /// The todos of a successful list.
    pub async fn todos(&self, query: &str) -> Vec<Value> {
        self.list_ok(query).await["todos"].as_array().expect("a todos array").clone()
    }

    /// `PATCH /api/todos/:id` with `body`.
    pub async fn patch(&self, id: impl std::fmt::Display, body: &Value) -> Reply {
        self.send_json(Method::PATCH, &format!("/api/todos/{id}"), body).await
    }

    /// `DELETE /api/todos/:id`.
    pub async fn delete(&self, id: impl std::fmt::Display) -> Reply {
        self.send(self.request(Method::DELETE, &format!("/api/todos/{id}"))).await.json()
    }

    /// One value from the app's database itself, bypassing the API.
    pub fn sql(&self, query: &str) -> String {
        let (postgres, database) = self.database.as_ref().expect("an app started with a database");
        postgres.psql(&database.name, query).trim().to_owned()
    }

    /// `count(*)` of the todos table.
    pub fn row_count(&self) -> i64 {
        self.sql("SELECT count(*) FROM todos").parse().expect("a count")
    }
}

/// A response read in full: `body` is its JSON (`Null` when it has none or is not JSON).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
    pub body: Value,
}

impl Reply {
    pub async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("read the body").to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, headers, bytes, body }
    }

    /// Asserts that a reply with a body is JSON, labelled as such.
    pub fn json(self) -> Reply {
        if !self.bytes.is_empty() {
            assert_eq!(self.header("content-type"), Some("application/json"), "{self:?}");
            assert!(!self.body.is_null(), "{}: not JSON: {}", self.status, self.text());
        }
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().expect("a visible-ASCII header value"))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// Asserts a JSON error `{"error": "...", "request_id": "..."}` with this status, the id
    /// also in `x-request-id`; returns the message.
    pub fn expect_error(&self, status: StatusCode) -> &str {
        assert_eq!(self.status, status, "{self:?}");
        assert_eq!(self.body.as_object().map(|o| o.len()), Some(2), "only an error and its request id: {self:?}");
        let request_id = self.body["request_id"].as_str().expect("a request id");
        assert!(
            request_id.len() == 32 && request_id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            "{self:?}"
        );
        assert_eq!(self.header("x-request-id"), Some(request_id), "{self:?}");
        self.body["error"].as_str().filter(|m| !m.is_empty()).expect("an error message")
    }

    /// The `id` of a todo in the body.
    pub fn id(&self) -> i64 {
        self.body["id"].as_i64().unwrap_or_else(|| panic!("an id in {self:?}"))
    }
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &self.text())
            .finish()
    }
}

//! The same requests, in the same order, to real Spin 3.6.3 and to the project's host: every
//! status, the headers that carry meaning, and every body must agree. Spin is the reference; a
//! difference is a bug in devhost unless crates/devhost/README.md lists it as deliberate, and
//! then it is left out of a case here with that reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::TcpListener;
use std::path::Path;

use e2e::{AppConfig, Runtime, TestApp};
use reqwest::header::{HeaderName, HeaderValue};

/// One request of a scenario.
struct Case {
    method: &'static str,
    path: String,
    headers: Vec<(&'static str, HeaderValue)>,
    body: Option<String>,
}

fn case(method: &'static str, path: impl Into<String>) -> Case {
    Case { method, path: path.into(), headers: Vec::new(), body: None }
}

impl Case {
    fn header(mut self, name: &'static str, value: &[u8]) -> Case {
        self.headers.push((name, HeaderValue::from_bytes(value).expect("a header value reqwest can send")));
        self
    }

    fn json(self, body: &str) -> Case {
        let mut with_type = self.header("content-type", b"application/json");
        with_type.body = Some(body.to_owned());
        with_type
    }

    fn describe(&self) -> String {
        let headers: Vec<String> = self.headers.iter().map(|(name, value)| format!("{name}: {value:?}")).collect();
        format!("{} {} {headers:?} {:?}", self.method, self.path, self.body)
    }
}

/// What a response says, with what legitimately differs between two runs (ports, clocks)
/// replaced by placeholders.
#[derive(Debug, PartialEq)]
struct Seen {
    status: u16,
    headers: BTreeMap<&'static str, String>,
    body: String,
}

/// Headers whose value is part of the API's contract.
const COMPARED_HEADERS: &[&str] = &[
    "allow",
    "cache-control",
    "content-security-policy",
    "content-type",
    "etag",
    "location",
    "referrer-policy",
    "retry-after",
    "x-content-type-options",
    "x-image-placeholder",
];

async fn send(app: &TestApp, client: &reqwest::Client, case: &Case) -> Seen {
    let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
    let mut request = client.request(method, app.url(&case.path));
    for (name, value) in &case.headers {
        request = request.header(HeaderName::from_static(name), value.clone());
    }
    if let Some(body) = &case.body {
        request = request.body(body.clone());
    }
    let response =
        request.send().await.unwrap_or_else(|error| panic!("{} on {}: {error}", case.describe(), app.runtime.name()));
    let status = response.status().as_u16();
    let mut headers: BTreeMap<_, _> = COMPARED_HEADERS
        .iter()
        .filter_map(|name| Some((*name, response.headers().get(*name)?.to_str().unwrap_or("<not UTF-8>").to_owned())))
        .collect();
    // The list's ETag is a hash of its body, `created_at` values included.
    if case.path.starts_with("/api/todos") && headers.contains_key("etag") {
        headers.insert("etag", "<hash of the body>".to_owned());
    }
    let body = String::from_utf8_lossy(&response.bytes().await.unwrap()).into_owned();
    Seen { status, headers, body: normalise(&body) }
}

/// `127.0.0.1:<port>` for any port, and JSON `created_at` values as `<time>`.
fn normalise(body: &str) -> String {
    let without_ports = replace_ports(body);
    match serde_json::from_str::<serde_json::Value>(&without_ports) {
        Ok(mut json) => {
            blank_timestamps(&mut json);
            json.to_string()
        }
        Err(_) => without_ports,
    }
}

fn replace_ports(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("127.0.0.1:") {
        let (before, after) = rest.split_at(at + "127.0.0.1:".len());
        out.push_str(before);
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        out.push_str(if digits > 0 { "<port>" } else { "" });
        rest = &after[digits..];
    }
    out.push_str(rest);
    out
}

fn blank_timestamps(json: &mut serde_json::Value) {
    match json {
        serde_json::Value::Object(fields) => {
            for (name, value) in fields.iter_mut() {
                if name == "created_at" {
                    *value = "<time>".into();
                } else {
                    blank_timestamps(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(blank_timestamps),
        _ => {}
    }
}

/// Runs `cases` in order on a Spin app and a devhost app started by `start`; fails listing every
/// case where they disagree.
async fn assert_same_answers(start: impl Fn(Runtime) -> TestApp, cases: &[Case]) {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let (spin, devhost) = (start(Runtime::Spin), start(Runtime::Devhost));
    let mut report = String::new();
    for case in cases {
        let (on_spin, on_devhost) = (send(&spin, &client, case).await, send(&devhost, &client, case).await);
        if on_spin != on_devhost {
            writeln!(report, "{}\n  spin:    {on_spin:?}\n  devhost: {on_devhost:?}", case.describe()).unwrap();
        }
    }
    assert!(report.is_empty(), "Spin and devhost disagree:\n{report}");
}

fn the_todo_api_and_page_cases() -> Vec<Case> {
    let mut cases = vec![
        // The API's edge cases and bad inputs, in an order that builds up state.
        case("GET", "/api/todos"),
        case("POST", "/api/todo").json(r#"{"task": "  first  "}"#),
        case("POST", "/api/todo").json(r#"{"task": "second"}"#).header("idempotency-key", b"k-1"),
        case("POST", "/api/todo").json(r#"{"task": "second"}"#).header("idempotency-key", b"k-1"),
        case("POST", "/api/todo").json(r#"{"task": "other"}"#).header("idempotency-key", b"k-1"),
        case("POST", "/api/todo").json(r#"{"task": "x"}"#).header("idempotency-key", b"with space"),
        case("POST", "/api/todo").json(r#"{"task": "x"}"#).header("idempotency-key", b"\xff\xfe"),
        case("POST", "/api/todo").json(r#"{"task": ""}"#),
        case("POST", "/api/todo").json(r#"{"task": "bell\u0007"}"#),
        case("POST", "/api/todo").json(&format!(r#"{{"task": "{}"}}"#, "a".repeat(141))),
        case("POST", "/api/todo").json("not json"),
        case("POST", "/api/todo").json(&format!(r#"{{"task": "a"{}}}"#, " ".repeat(17 * 1024))),
        case("POST", "/api/todo").header("content-type", b"text/plain").header("x", b"y"),
        case("GET", "/api/todos?limit=1"),
        case("GET", "/api/todos?limit=0"),
        case("GET", "/api/todos?limit=abc&before=1"),
        case("GET", "/api/todos?before=99999999999999999999"),
        case("PATCH", "/api/todos/1").json(r#"{"done": true}"#),
        case("PATCH", "/api/todos/999").json(r#"{"done": true}"#),
        case("PATCH", "/api/todos/abc").json(r#"{"done": true}"#),
        case("PATCH", "/api/todos/1").json(r#"{"done": "yes"}"#),
        case("GET", "/api/todos"),
        // Methods.
        case("DELETE", "/api/todos"),
        case("PUT", "/api/todo"),
        case("GET", "/api/todos/1"),
        case("POST", "/healthz"),
        case("FOO", "/api/todos"),
        case("OPTIONS", "/"),
        // Routing: exact, parameter, wildcard, nothing.
        case("GET", "/nope"),
        case("GET", "/api/todos/"),
        case("GET", "/api/todos/1/more"),
        case("GET", "/API/TODOS"),
        case("GET", "/healthz"),
        case("GET", "/readyz"),
        case("GET", "/.well-known/spin/health"),
        case("GET", "/"),
        case("HEAD", "/"),
        case("GET", "/?q=1"),
        case("GET", "/assets/"),
        case("GET", "/assets/nope.css"),
        // The image sidecar is not running: a quick 503 on both.
        case("GET", "/api/daily_photo"),
        case("HEAD", "/api/daily_photo"),
        case("POST", "/api/daily_photo"),
        // Header edge cases.
        case("GET", "/").header("if-none-match", b"*"),
        case("GET", "/api/todos").header("accept", b"\xc3\x28"),
        case("GET", "/healthz").header("x-long", "v".repeat(8000).as_bytes()),
    ];
    // Every asset the page links to, and a conditional request for it.
    for asset in ["/assets/app.js", "/assets/app.css", "/assets/favicon.svg"] {
        cases.push(case("GET", asset));
        cases.push(case("GET", asset).header("if-none-match", b"W/\"stale\", \"other\""));
    }
    cases
}

async fn the_todo_api_page_and_image_answer_alike() {
    let postgres = testkit::shared_postgres();
    let (spin_db, devhost_db) = (e2e::migrated_database(postgres).await, e2e::migrated_database(postgres).await);
    let closed_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let start = |runtime: Runtime| {
        let db_url = if runtime == Runtime::Spin { &spin_db } else { &devhost_db };
        let config = AppConfig::root_manifest()
            .variable("db_url", db_url)
            .variable("db_host", postgres.host())
            .variable("image_service_host", &closed_port);
        TestApp::spawn(runtime, config)
    };
    assert_same_answers(start, &the_todo_api_and_page_cases()).await;
}

/// A manifest with the host's probe fixture on `/...`, a parameter route and an exact route,
/// with variables and allowed hosts to exercise.
fn write_probe_manifest(dir: &Path, allowed_http: &str) -> std::path::PathBuf {
    let manifest = format!(
        r#"spin_manifest_version = 2
[application]
name = "differential"
[variables]
greeting = {{ default = "hello" }}
needed = {{ required = true }}
[[trigger.http]]
route = "/..."
component = "probe"
[[trigger.http]]
route = "/items/:id/..."
component = "probe"
[[trigger.http]]
route = "/exact"
component = "probe"
[component.probe]
source = "{probe}"
allowed_outbound_hosts = ["http://{allowed_http}", "postgres://127.0.0.1:1"]
[component.probe.variables]
greeting = "{{{{ greeting }}}}"
needed = "{{{{ needed }}}}"
"#,
        probe = testkit::wasm("fixture_probe").display()
    );
    let path = dir.join("spin.toml");
    std::fs::write(&path, manifest).unwrap();
    path
}

fn the_host_interface_cases(allowed_http: &str) -> Vec<Case> {
    let mut cases = vec![
        // The spin-* headers a component sees, on each kind of route (client-sent spin-*
        // headers are left out: devhost replaces them where Spin appends, see its README).
        case("GET", "/some/where?action=echo&x=1"),
        case("GET", "/items/42/tail/end?action=echo"),
        case("GET", "/exact?action=echo"),
        case("POST", "/exact?action=echo").header("content-type", b"text/plain"),
        // Variables: a default, a required one, an unknown and an invalid name.
        case("GET", "/?action=variable&name=greeting"),
        case("GET", "/?action=variable&name=needed"),
        case("GET", "/?action=variable&name=unknown"),
        case("GET", "/?action=variable&name=Not-Valid"),
        case("GET", "/?action=variable&name="),
        case("GET", "/?action=variable&name=1st"),
        case("GET", "/?action=variable&name=trailing_"),
        case("GET", "/?action=variable&name=two__underscores"),
        // Allowed hosts: HTTP and PostgreSQL only where the manifest allows.
        case("GET", "/?action=http&url=http://example.com/"),
        case("GET", format!("/?action=http&url=http://{allowed_http}/")),
        case("GET", "/?action=pg&address=postgres://postgres@127.0.0.1:2/x"),
        case("GET", "/?action=pg&address=postgres://postgres@127.0.0.1:1/x"),
        // A trap is a 500 for that request only.
        case("GET", "/?action=trap"),
        case("GET", "/?action=count"),
        case("GET", "/?action=count"),
    ];
    cases.push(case("GET", "/?action=big&bytes=1000000"));
    cases
}

async fn the_host_interface_answers_alike() {
    let dir = tempfile::tempdir().unwrap();
    // Allowed, but nothing listens there: the outbound call's failure must look the same.
    let allowed_http = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let manifest = write_probe_manifest(dir.path(), &allowed_http);
    let start = |runtime: Runtime| TestApp::spawn(runtime, AppConfig::manifest(&manifest).variable("needed", "given"));
    assert_same_answers(start, &the_host_interface_cases(&allowed_http)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spin_and_devhost_answer_the_todo_api_page_and_image_alike() {
    if Runtime::Spin.available().is_some() {
        the_todo_api_page_and_image_answer_alike().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spin_and_devhost_answer_the_host_interface_alike() {
    if Runtime::Spin.available().is_some() {
        the_host_interface_answers_alike().await;
    }
}

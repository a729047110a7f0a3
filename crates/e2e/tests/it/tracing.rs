//! Traces on Spin 3.6.3 end to end: Spin and the image sidecar export OTLP/HTTP to a receiver in
//! the test (decoded with the OpenTelemetry protobuf definitions); a create, a list and a
//! daily-photo request each make one trace with Spin's request span, the Postgres statement's
//! span or the sidecar's span inside; a failing request's trace id is its request id, in its
//! log line, its error body and its `x-request-id` header.

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use e2e::{AppConfig, TestApp};
use http_body_util::{BodyExt, Full};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use reqwest::{Method, StatusCode};
use serde_json::json;
use testkit::{PictureSource, Reply, Sidecar, fake_picture, sidecar_binary};

/// Spans leave both exporters within this (their batch delay is set to 100 ms below).
const EXPORT_TIMEOUT: Duration = Duration::from_secs(30);
const TRACE_ID: &str = "0af7651916cd43dd8448eb211c80319c";
const PARENT_SPAN_ID: &str = "b7ad6b7169203331";

/// One exported span with what the assertions need.
#[derive(Debug, Clone)]
struct Exported {
    service: String,
    name: String,
    kind: SpanKind,
    trace_id: String,
    span_id: String,
    parent_span_id: String,
    attributes: HashMap<String, String>,
    /// The component log lines Spin attached to the span as `app_log` events.
    app_logs: Vec<String>,
}

/// An OTLP/HTTP receiver on 127.0.0.1: `POST /v1/traces` bodies decoded and kept; every other
/// signal acknowledged and dropped.
struct Receiver {
    addr: SocketAddr,
    spans: Arc<Mutex<Vec<Exported>>>,
}

impl Receiver {
    fn start() -> Receiver {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the receiver");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let spans = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&spans);
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                loop {
                    let Ok((stream, _)) = listener.accept().await else { continue };
                    let kept = Arc::clone(&kept);
                    let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let kept = Arc::clone(&kept);
                        async move {
                            let path = request.uri().path().to_owned();
                            let body = request.into_body().collect().await?.to_bytes();
                            if path == "/v1/traces" {
                                let decoded = ExportTraceServiceRequest::decode(body).expect("an OTLP trace export");
                                kept.lock().unwrap().extend(flatten(decoded));
                            }
                            let response = hyper::Response::builder()
                                .header("content-type", "application/x-protobuf")
                                .body(Full::new(Bytes::new()))
                                .unwrap();
                            Ok::<_, hyper::Error>(response)
                        }
                    });
                    tokio::spawn(async move {
                        let _ = hyper::server::conn::http1::Builder::new()
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
            });
        });
        Receiver { addr, spans }
    }

    fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn spans(&self) -> Vec<Exported> {
        self.spans.lock().unwrap().clone()
    }

    /// Waits until `found` finds what it looks for in the spans exported so far.
    fn wait_for<T>(&self, what: &str, found: impl Fn(&[Exported]) -> Option<T>) -> T {
        let deadline = Instant::now() + EXPORT_TIMEOUT;
        loop {
            if let Some(result) = found(self.spans().as_slice()) {
                return result;
            }
            assert!(Instant::now() < deadline, "no {what} within {EXPORT_TIMEOUT:?}; exported: {:#?}", self.spans());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn flatten(request: ExportTraceServiceRequest) -> Vec<Exported> {
    let mut spans = Vec::new();
    for resource_spans in request.resource_spans {
        let resource = resource_spans.resource.map(|resource| attributes(&resource.attributes)).unwrap_or_default();
        let service = resource.get("service.name").cloned().unwrap_or_default();
        for scope_spans in resource_spans.scope_spans {
            for span in scope_spans.spans {
                spans.push(Exported {
                    service: service.clone(),
                    kind: span.kind(),
                    name: span.name,
                    trace_id: hex(&span.trace_id),
                    span_id: hex(&span.span_id),
                    parent_span_id: hex(&span.parent_span_id),
                    attributes: attributes(&span.attributes),
                    app_logs: span
                        .events
                        .iter()
                        .filter_map(|event| attributes(&event.attributes).remove("app_log"))
                        .collect(),
                });
            }
        }
    }
    spans
}

fn attributes(pairs: &[KeyValue]) -> HashMap<String, String> {
    pairs.iter().map(|pair| (pair.key.clone(), pair.value.as_ref().map(text).unwrap_or_default())).collect()
}

fn text(value: &AnyValue) -> String {
    match &value.value {
        Some(any_value::Value::StringValue(text)) => text.clone(),
        Some(any_value::Value::IntValue(number)) => number.to_string(),
        Some(any_value::Value::BoolValue(flag)) => flag.to_string(),
        Some(any_value::Value::DoubleValue(number)) => number.to_string(),
        other => format!("{other:?}"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Spin's span for the request to `method path`: its server span, found by its attributes.
fn request_span(spans: &[Exported], method: &str, path: &str) -> Option<Exported> {
    spans
        .iter()
        .find(|span| {
            span.kind == SpanKind::Server
                && span.attributes.get("http.request.method").map(String::as_str) == Some(method)
                && span.attributes.get("url.path").map(String::as_str) == Some(path)
        })
        .cloned()
}

/// The spans of one trace.
fn trace_of<'a>(spans: &'a [Exported], trace_id: &str) -> Vec<&'a Exported> {
    spans.iter().filter(|span| span.trace_id == trace_id).collect()
}

/// Asserts that `root` is the one span of its trace whose parent is not in the trace, and so
/// that the trace is this request's alone; returns the trace.
fn assert_one_trace<'a>(spans: &'a [Exported], root: &Exported) -> Vec<&'a Exported> {
    let trace = trace_of(spans, &root.trace_id);
    let ids: BTreeSet<&str> = trace.iter().map(|span| span.span_id.as_str()).collect();
    let roots: Vec<&&Exported> = trace.iter().filter(|span| !ids.contains(span.parent_span_id.as_str())).collect();
    assert_eq!(roots.len(), 1, "one root in the trace of {} {:?}: {roots:#?}", root.name, root.attributes);
    assert_eq!(roots[0].span_id, root.span_id, "the request span is the root of its trace");
    trace
}

/// A span of Spin's outbound Postgres interface whose statement (the span's name) starts so.
fn has_statement(trace: &[&Exported], statement_start: &str) -> bool {
    trace.iter().any(|span| {
        span.service == "spin"
            && span.attributes.get("db.system").map(String::as_str) == Some("postgresql")
            && span.name.starts_with(statement_start)
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_request_is_one_trace_across_spin_postgres_and_the_sidecar() {
    let receiver = Receiver::start();
    let endpoint = receiver.endpoint();
    let traces_endpoint = format!("{endpoint}/v1/traces");

    let picture = fake_picture("image/jpeg", 7, 50_000);
    let source = PictureSource::start();
    source.route("/1200", Reply::picture("image/jpeg", picture.clone()));
    let data_dir = tempfile::tempdir().unwrap();
    let sidecar = Sidecar::start(
        &sidecar_binary(),
        &[
            ("IMAGE_DATA_DIR", data_dir.path().to_str().unwrap()),
            ("IMAGE_SOURCE_URL", &source.url("/1200")),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &traces_endpoint),
            ("OTEL_BSP_SCHEDULE_DELAY", "100"),
        ],
    );

    let postgres = testkit::shared_postgres();
    let database = e2e::migrated_database(postgres).await;
    let config = AppConfig::with_database(postgres, database)
        .variable("image_service_host", sidecar.host())
        .env("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)
        .env("OTEL_BSP_SCHEDULE_DELAY", "100");
    let app = TestApp::spawn(config);

    // The sidecar's refresh is a trace of its own: the download and the volume write inside.
    let refresh = receiver.wait_for("refresh trace", |spans| {
        spans.iter().find(|span| span.service == "image-sidecar" && span.name == "refresh picture").cloned()
    });
    let exported = receiver.spans();
    let refresh_trace = assert_one_trace(&exported, &refresh);
    let refresh_names: BTreeSet<&str> = refresh_trace.iter().map(|span| span.name.as_str()).collect();
    assert_eq!(refresh_names, BTreeSet::from(["refresh picture", "fetch picture", "store picture"]));

    let created = app.create("traced").await;
    assert_eq!(created.status, StatusCode::CREATED);
    let create_id = created.header("x-request-id").expect("a request id").to_owned();
    assert_eq!(app.list("").await.status, StatusCode::OK);
    let photo = app.get("/api/daily_photo").await;
    assert_eq!((photo.status, photo.bytes), (StatusCode::OK, picture));

    let create = receiver.wait_for("create span", |spans| request_span(spans, "POST", "/api/todo"));
    let list = receiver.wait_for("list span", |spans| request_span(spans, "GET", "/api/todos"));
    let daily = receiver.wait_for("daily-photo span", |spans| request_span(spans, "GET", "/api/daily_photo"));
    let sidecar_span = receiver.wait_for("the sidecar's span in the daily-photo trace", |spans| {
        spans.iter().find(|span| span.service == "image-sidecar" && span.trace_id == daily.trace_id).cloned()
    });
    // The statement spans end before their request span, so they are exported with or before it.
    let spans = receiver.spans();

    let ids = BTreeSet::from([&create.trace_id, &list.trace_id, &daily.trace_id]);
    assert_eq!(ids.len(), 3, "one trace per request");
    assert!(!ids.contains(&refresh.trace_id));
    for (span, route) in [(&create, "/api/todo"), (&list, "/api/todos"), (&daily, "/api/daily_photo")] {
        assert_eq!(span.service, "spin");
        assert_eq!(span.attributes.get("http.route").map(String::as_str), Some(route), "{span:#?}");
        assert!(span.parent_span_id.is_empty(), "no trace context was sent: Spin starts the trace");
    }
    let create_trace = assert_one_trace(&spans, &create);
    assert!(has_statement(&create_trace, "INSERT INTO todos"), "{spans:#?}");
    // Without trace context the request id is the component's own, not Spin's trace id; Spin
    // attaches the request's log line, id included, to a span of the request's trace.
    assert_ne!(create_id, create.trace_id);
    let logged_in_trace = create_trace.iter().flat_map(|span| &span.app_logs).any(|line| line.contains(&create_id));
    assert!(logged_in_trace, "the create's log line in its trace: {create_trace:#?}");
    assert!(
        has_statement(&assert_one_trace(&spans, &list), "SELECT id, task, done, created_at, mine, total"),
        "{spans:#?}"
    );

    let daily_trace = assert_one_trace(&spans, &daily);
    assert_eq!((sidecar_span.name.as_str(), sidecar_span.kind), ("GET /image", SpanKind::Server));
    assert_eq!(sidecar_span.attributes.get("http.response.status_code").map(String::as_str), Some("200"));
    let caller = daily_trace.iter().find(|span| span.span_id == sidecar_span.parent_span_id);
    let caller = caller.expect("the sidecar's span is the child of a Spin span of the same trace");
    assert_eq!((caller.service.as_str(), caller.kind), ("spin", SpanKind::Client), "{caller:#?}");

    // A failing request: its trace id is its request id, everywhere it is shown.
    let traceparent = format!("00-{TRACE_ID}-{PARENT_SPAN_ID}-01");
    let failing_create = app
        .request(Method::POST, "/api/todo")
        .header("content-type", "application/json")
        .header("traceparent", &traceparent)
        .body(json!({"task": ""}).to_string());
    let failed = app.send(failing_create).await;
    failed.expect_error(StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(failed.body["request_id"], TRACE_ID, "{failed:?}");
    assert_eq!(failed.header("x-request-id"), Some(TRACE_ID));
    let logs = app.wait_for_request_logs(4, Duration::from_secs(10));
    let logged = logs.iter().find(|log| log["status"] == 422).expect("the failing request's log line");
    assert_eq!(logged["request_id"], TRACE_ID, "{logged}");
    let failing = receiver.wait_for("the failing request's span", |spans| {
        spans.iter().find(|span| span.trace_id == TRACE_ID && span.kind == SpanKind::Server).cloned()
    });
    assert_eq!(failing.parent_span_id, PARENT_SPAN_ID, "Spin continues the caller's trace");
    assert_eq!(failing.attributes.get("http.response.status_code").map(String::as_str), Some("422"));
    // Requests without trace context got ids of their own, each in its log line.
    for log in &logs {
        let id = log["request_id"].as_str().unwrap_or_default();
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{log}");
    }
    drop(app);
    drop(sidecar);
}

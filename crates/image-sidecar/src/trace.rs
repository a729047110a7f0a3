//! OpenTelemetry spans, exported over OTLP/HTTP (protobuf) only when `OTEL_EXPORTER_OTLP_ENDPOINT`
//! or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` is set; otherwise no exporter exists and every span
//! below is a `None` that costs nothing.
//!
//! Spans: `GET /image` continues the caller's `traceparent` (Spin injects it into the
//! `daily-photo` component's request); each refresh is a trace of its own, `refresh picture`
//! with the `fetch picture` download and the `store picture` volume write as children. Probes
//! and `/metrics` are not traced: they would bury the requests that matter.

use std::sync::OnceLock;

use hyper::header::HeaderMap;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{SpanKind, Status, TraceContextExt, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, KeyValue, Value};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{SdkTracer, SdkTracerProvider};

const ENDPOINT_VARIABLES: [&str; 2] = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"];
const DEFAULT_SERVICE_NAME: &str = "image-sidecar";

static TRACER: OnceLock<SdkTracer> = OnceLock::new();

/// The exporting pipeline while it runs; `shutdown` sends what is still buffered.
pub struct Pipeline(SdkTracerProvider);

/// Starts exporting when an OTLP endpoint is configured (the standard `OTEL_*` variables:
/// endpoint, headers, timeout, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, sampler).
pub fn start(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<Pipeline>> {
    if !ENDPOINT_VARIABLES.iter().any(|name| lookup(name).is_some_and(|value| !value.trim().is_empty())) {
        return Ok(None);
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder().with_http().build()?;
    let mut resource = Resource::builder();
    if lookup("OTEL_SERVICE_NAME").is_none_or(|name| name.trim().is_empty()) {
        resource = resource.with_service_name(DEFAULT_SERVICE_NAME);
    }
    let resource = resource.with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION"))).build();
    let provider = SdkTracerProvider::builder().with_resource(resource).with_batch_exporter(exporter).build();
    let _ = TRACER.set(provider.tracer("image-sidecar"));
    Ok(Some(Pipeline(provider)))
}

impl Pipeline {
    /// Flushes and stops; the exporter's blocking HTTP client must not be torn down on an async
    /// worker, so this runs on a blocking thread.
    pub async fn shutdown(self) {
        let _ = tokio::task::spawn_blocking(move || self.0.shutdown()).await;
    }
}

/// A span when tracing is on; ends when dropped.
pub struct Span(Option<Context>);

impl Span {
    /// A server span for a request, the child of its `traceparent` when there is a valid one.
    pub fn server(name: &'static str, headers: &HeaderMap) -> Span {
        Span::start(name, SpanKind::Server, || TraceContextPropagator::new().extract(&Headers(headers)))
    }

    /// No span, whether tracing is on or not.
    pub fn none() -> Span {
        Span(None)
    }

    /// The first span of a new trace.
    pub fn root(name: &'static str) -> Span {
        Span::start(name, SpanKind::Internal, Context::new)
    }

    /// A span inside this one.
    pub fn child(&self, name: &'static str, kind: SpanKind) -> Span {
        match &self.0 {
            Some(parent) => Span::start(name, kind, || parent.clone()),
            None => Span(None),
        }
    }

    fn start(name: &'static str, kind: SpanKind, parent: impl FnOnce() -> Context) -> Span {
        Span(TRACER.get().map(|tracer| {
            let parent = parent();
            let span = tracer.span_builder(name).with_kind(kind).start_with_context(tracer, &parent);
            parent.with_span(span)
        }))
    }

    pub fn set(&self, key: &'static str, value: impl Into<Value>) {
        if let Some(context) = &self.0 {
            context.span().set_attribute(KeyValue::new(key, value));
        }
    }

    /// Marks the span failed, with why.
    pub fn fail(&self, description: impl Into<String>) {
        if let Some(context) = &self.0 {
            context.span().set_status(Status::error(description.into()));
        }
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        if let Some(context) = &self.0 {
            context.span().end();
        }
    }
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_an_endpoint_nothing_is_started() {
        assert!(start(|_| None).unwrap().is_none());
        assert!(start(|_| Some(" ".to_owned())).unwrap().is_none());
        assert!(Span::root("refresh picture").0.is_none());
    }
}

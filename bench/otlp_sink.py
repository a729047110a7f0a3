#!/usr/bin/env python3
"""otlp_sink.py PORT COUNTS_JSON: an OTLP/HTTP receiver on 127.0.0.1:PORT for the tracing-overhead
benchmark (bench/tracing.sh). It decodes each export with the official protobuf definitions
(opentelemetry-proto), counts spans and metric points, answers 200, and rewrites COUNTS_JSON after
every export. A stand-in for the collector that takes as little CPU as it can."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

counts = {"trace_exports": 0, "spans": 0, "metric_exports": 0, "other_exports": 0}


def spans_in(body: bytes) -> int:
    request = ExportTraceServiceRequest.FromString(body)
    return sum(len(scope.spans) for resource in request.resource_spans for scope in resource.scope_spans)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (the http.server API)
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/v1/traces":
            counts["trace_exports"] += 1
            counts["spans"] += spans_in(body)
        elif self.path == "/v1/metrics":
            ExportMetricsServiceRequest.FromString(body)
            counts["metric_exports"] += 1
        else:
            counts["other_exports"] += 1
        with open(sys.argv[2], "w") as out:
            json.dump(counts, out)
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()

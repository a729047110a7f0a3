"""Observability as deployed: the executor points every SpinApp at the namespace's OpenTelemetry
Collector, the collector is pinned, bounded, reachable by exactly its senders and able to reach
only Google's APIs, its configuration wires every pipeline it declares, it writes with exactly
two IAM roles through Workload Identity, and Terraform checks the public URL and alerts on the
SLO written in DEPLOY.md."""

import copy
import re

import pytest
import yaml

from checks import network, terraform
from checks.resources import of_kind
from conftest import OVERLAYS, REPO

CLUSTER = terraform.load(REPO / "infra" / "cluster")
COLLECTOR = "Deployment/otel-collector"
COLLECTOR_LABELS = {"app.kubernetes.io/name": "otel-collector"}
SIDECAR = "StatefulSet/image-sidecar"
SPIN_APPS = ("SpinApp/todo-read", "SpinApp/todo-write", "SpinApp/todo-image")
UPSTREAM_IMAGES = ("otel/opentelemetry-collector-contrib", "ghcr.io/open-telemetry/opentelemetry-collector-releases/")
WRITER_ROLES = {"roles/cloudtrace.agent", "roles/monitoring.metricWriter"}


def named(docs, kind, name):
    return next(doc for doc in of_kind(docs, kind) if doc["metadata"]["name"] == name)


def collector_endpoint(docs) -> str:
    """http://<Service>:<port> of the collector's OTLP/HTTP receiver."""
    service = named(docs, "Service", "otel-collector")
    [port] = [p for p in service["spec"]["ports"] if p["name"] == "otlp-http"]
    assert service["spec"]["selector"] == COLLECTOR_LABELS
    return f"http://otel-collector:{port['port']}"


def collector_config(docs) -> dict:
    return yaml.safe_load(named(docs, "ConfigMap", "otel-collector")["data"]["collector.yaml"])


def collector_container(docs) -> dict:
    [container] = named(docs, "Deployment", "otel-collector")["spec"]["template"]["spec"]["containers"]
    return container


def pipeline_problems(config: dict) -> list[str]:
    """Components a pipeline names but the configuration does not define (or the reverse), and
    pipelines whose first processor is not the memory limiter."""
    problems = []
    used = set()
    connectors = set(config.get("connectors", {}))
    for name, pipeline in config["service"]["pipelines"].items():
        for section in ("receivers", "processors", "exporters"):
            for component in pipeline.get(section, []):
                used.add(component)
                defined = set(config.get(section, {})) | (connectors if section != "processors" else set())
                if component not in defined:
                    problems.append(f"{name}: {section[:-1]} {component} is not defined")
        if pipeline.get("processors", [None])[0] != "memory_limiter":
            problems.append(f"{name}: memory_limiter is not the first processor")
    for section in ("receivers", "processors", "exporters", "connectors"):
        problems += [f"{section[:-1]} {c} is defined but unused" for c in config.get(section, {}) if c not in used]
    return problems


def collector_ingress_problems(docs) -> list[str]:
    """Senders that cannot reach the collector's OTLP port, and peers beyond them that can."""
    port = int(collector_endpoint(docs).rsplit(":", 1)[1])
    problems = []
    for sender in (*SPIN_APPS, SIDECAR):
        reachable = [p for p in network.allowed_peers(docs, sender, "Egress")
                     if p.get("podSelector", {}).get("matchLabels") == COLLECTOR_LABELS
                     and any(rule["port"] == port for rule in p["ports"])]
        if not reachable:
            problems.append(f"{sender} may not send to the collector")
    labels = network.pod_labels(docs)
    for peer in network.allowed_peers(docs, COLLECTOR, "Ingress"):
        selector = peer.get("podSelector")
        senders = [owner for owner in (*SPIN_APPS, SIDECAR) if selector and network.selects(selector, labels[owner])]
        others = [owner for owner, owner_labels in labels.items()
                  if selector is not None and owner not in (*SPIN_APPS, SIDECAR, COLLECTOR)
                  and network.selects(selector, owner_labels)]
        if not senders or others or "ipBlock" in peer or "namespaceSelector" in peer:
            problems.append(f"the collector admits {peer}")
        if any(rule["port"] != port for rule in peer["ports"]):
            problems.append(f"the collector admits port {peer['ports']}")
    return problems


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_executor_sends_spin_traces_and_metrics_to_the_collector(overlays, env):
    docs = overlays[env]
    [executor] = of_kind(docs, "SpinAppExecutor")
    endpoint = collector_endpoint(docs)
    assert executor["spec"]["deploymentConfig"]["otel"] == {
        "exporter_otlp_traces_endpoint": f"{endpoint}/v1/traces",
        "exporter_otlp_metrics_endpoint": f"{endpoint}/v1/metrics",
    }, "traces and metrics only: the components' log lines stay on stdout for Cloud Logging"
    assert all(app["spec"]["executor"] == executor["metadata"]["name"] for app in of_kind(docs, "SpinApp"))


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_sidecar_sends_its_traces_to_the_collector(overlays, env):
    docs = overlays[env]
    [container] = named(docs, "StatefulSet", "image-sidecar")["spec"]["template"]["spec"]["containers"]
    env_vars = {var["name"]: var.get("value") for var in container["env"]}
    assert env_vars["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] == f"{collector_endpoint(docs)}/v1/traces"


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_collector_is_the_upstream_image_at_a_fixed_release(overlays, env):
    image = collector_container(overlays[env])["image"]
    assert image.startswith(UPSTREAM_IMAGES), image
    assert re.search(r":\d+\.\d+\.\d+@", image), f"{image}: not a fixed release"


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_collector_image_is_pinned_by_digest(overlays, env):
    image = collector_container(overlays[env])["image"]
    assert re.search(r":\d+\.\d+\.\d+@sha256:[0-9a-f]{64}$", image), image


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_collector_stays_within_its_memory_and_rights(overlays, env):
    docs = overlays[env]
    container = collector_container(docs)
    limits = container["resources"]["limits"]
    env_vars = {var["name"]: var.get("value") for var in container["env"]}
    assert int(env_vars["GOMEMLIMIT"].removesuffix("MiB")) < int(limits["memory"].removesuffix("Mi"))
    pod = named(docs, "Deployment", "otel-collector")["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "otel-collector" and pod["automountServiceAccountToken"] is False
    assert container["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_collector_configuration_wires_every_pipeline(overlays, env):
    docs = overlays[env]
    config = collector_config(docs)
    assert pipeline_problems(config) == []
    assert set(config["receivers"]["otlp"]["protocols"]) == {"http"}, "OTLP/HTTP only"
    receiver_port = int(config["receivers"]["otlp"]["protocols"]["http"]["endpoint"].rsplit(":", 1)[1])
    assert {"name": "otlp-http", "containerPort": receiver_port} in collector_container(docs)["ports"]
    pipelines = config["service"]["pipelines"]
    assert {"googlecloud", "spanmetrics"} <= set(pipelines["traces"]["exporters"])
    assert {"otlp", "prometheus", "spanmetrics"} <= set(pipelines["metrics"]["receivers"])
    assert pipelines["metrics"]["exporters"] == ["googlemanagedprometheus"]
    dimensions = {d["name"] for d in config["connectors"]["spanmetrics"]["dimensions"]}
    assert {"http.route", "http.response.status_code"} <= dimensions
    [scrape] = config["receivers"]["prometheus"]["config"]["scrape_configs"]
    sidecar = named(docs, "Service", "image-sidecar")
    assert scrape["static_configs"] == [{"targets": [f"image-sidecar:{sidecar['spec']['ports'][0]['port']}"]}]


def test_a_pipeline_naming_an_undefined_component_is_rejected(overlays):
    config = collector_config(overlays[OVERLAYS[0]])
    broken = copy.deepcopy(config)
    broken["service"]["pipelines"]["traces"]["exporters"].append("otlp/elsewhere")
    broken["service"]["pipelines"]["metrics"]["processors"].reverse()
    del broken["connectors"]["spanmetrics"]
    assert pipeline_problems(broken) == [
        "traces: exporter spanmetrics is not defined",
        "traces: exporter otlp/elsewhere is not defined",
        "metrics: receiver spanmetrics is not defined",
        "metrics: memory_limiter is not the first processor",
    ]


@pytest.mark.parametrize("env", OVERLAYS)
def test_only_the_apps_and_the_sidecar_reach_the_collector(overlays, env):
    assert collector_ingress_problems(overlays[env]) == []


def test_a_collector_open_to_every_pod_is_rejected(overlays):
    docs = copy.deepcopy(overlays[OVERLAYS[0]])
    policy = named(docs, "NetworkPolicy", "otel-collector")
    policy["spec"]["ingress"][0]["from"].append({"podSelector": {}})
    named(docs, "NetworkPolicy", "spin-apps-telemetry")["spec"]["egress"][0]["ports"][0]["port"] = 4317
    problems = collector_ingress_problems(docs)
    assert problems[:3] == [f"{app} may not send to the collector" for app in SPIN_APPS]
    assert any(problem.startswith("the collector admits {'podSelector': {}") for problem in problems)


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_collector_reaches_only_google_apis_the_metadata_server_and_the_sidecar(overlays, env):
    egress = network.allowed_peers(overlays[env], COLLECTOR, "Egress")
    destinations = sorted(
        (peer.get("ipBlock", {}).get("cidr") or str(peer.get("podSelector")), port["port"])
        for peer in egress for port in peer["ports"]
    )
    assert [d for d in destinations if d[1] != 53] == sorted([
        ("0.0.0.0/0", 443),
        ("169.254.169.252/32", 988),
        ("169.254.169.254/32", 80),
        (str({"matchLabels": {"app.kubernetes.io/name": "image-sidecar"}}), 8081),
    ])
    public = next(peer["ipBlock"] for peer in egress if peer.get("ipBlock", {}).get("cidr") == "0.0.0.0/0")
    assert set(public["except"]) == {"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"}


def test_the_collector_writes_with_exactly_the_two_writer_roles():
    bindings = CLUSTER.of_type("google_project_iam_member")
    collector = bindings["otel_collector"]
    assert set(CLUSTER.locals["collector_roles"]) == WRITER_ROLES
    assert "local.collector_roles" in collector["for_each"] and "local.collector_principals" in collector["for_each"]
    principals = CLUSTER.locals["collector_principals"]
    assert "workloadIdentityPools/${var.project_id}.svc.id.goog/subject/ns/todo-${env}/sa/otel-collector" in principals
    assert "for env in var.environments" in principals
    others = [name for name, body in bindings.items() if name != "otel_collector" and "otel" in str(body)]
    assert others == [], "no other grant to the collector"
    assert not [sa for sa in CLUSTER.of_type("google_service_account").values() if "otel" in str(sa)], \
        "no IAM service account: the Kubernetes ServiceAccount is the principal"


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_principal_is_the_collectors_service_account_in_its_namespace(overlays, env):
    docs = overlays[env]
    account = named(docs, "ServiceAccount", "otel-collector")
    assert account["metadata"]["namespace"] == f"todo-{env}"
    assert account["automountServiceAccountToken"] is False


def test_the_uptime_check_requests_the_public_url():
    check = CLUSTER.of_type("google_monitoring_uptime_check_config")["main"]
    [resource] = check["monitored_resource"]
    assert resource["type"] == "uptime_url"
    assert "google_compute_global_address.ingress[\"main\"].address" in resource["labels"]["host"]
    [http] = check["http_check"]
    assert http["path"].startswith("/api/todos")


def slo_from_deploy_md() -> tuple[float, float]:
    text = (REPO / "DEPLOY.md").read_text()
    availability = re.search(r"\*\*Availability SLO\*\*: ([\d.]+) %", text)
    latency = re.search(r"\*\*Latency SLO\*\*: .*?p95.*? ([\d]+) ms", text)
    assert availability and latency, "DEPLOY.md states the SLO"
    return float(availability.group(1)), float(latency.group(1))


def test_the_alert_policies_follow_the_slo_of_deploy_md():
    availability, latency_ms = slo_from_deploy_md()
    assert (1 - CLUSTER.locals["slo_error_ratio"]) * 100 == pytest.approx(availability)
    assert CLUSTER.locals["slo_p95_latency_ms"] == latency_ms
    policies = CLUSTER.of_type("google_monitoring_alert_policy")
    [errors] = policies["availability"]["conditions"][0]["condition_threshold"]
    assert "response_code_class=500" in errors["filter"] and "response_code_class" not in errors["denominator_filter"]
    assert errors["threshold_value"] == "${local.alert_error_ratio}"
    [latency] = policies["latency"]["conditions"][0]["condition_threshold"]
    assert "backend_latencies" in latency["filter"]
    assert latency["aggregations"][0]["cross_series_reducer"] == "REDUCE_PERCENTILE_95"
    assert latency["threshold_value"] == "${local.slo_p95_latency_ms}"
    [uptime] = policies["uptime"]["conditions"][0]["condition_threshold"]
    assert "google_monitoring_uptime_check_config.main.uptime_check_id" in uptime["filter"]

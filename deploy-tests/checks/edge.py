"""The load balancer's edge: every backend of the Ingress is a SpinApp Service whose
BackendConfig attaches the Cloud Armor policy (ingress-gce: BackendConfig spec.securityPolicy.name
on the Service's cloud.google.com/backend-config annotation), and per-client limits sized from
the throughput BENCHMARKS.md records."""

import json
import re
from pathlib import Path

from checks.gke import BACKEND_CONFIG_ANNOTATION
from checks.resources import name_of, of_kind

BENCH_CORES = 2  # BENCHMARKS.md: the machine of the recorded runs


def ingress_backends(docs: list[dict]) -> set[str]:
    """Every Service the Ingress sends requests to, its default backend included."""
    services = set()
    for ingress in of_kind(docs, "Ingress"):
        spec = ingress["spec"]
        if "defaultBackend" in spec:
            services.add(spec["defaultBackend"]["service"]["name"])
        for rule in spec.get("rules", []):
            services |= {path["backend"]["service"]["name"] for path in rule["http"]["paths"]}
    return services


def unprotected_backends(docs: list[dict], policy: str) -> list[str]:
    """Backends of the Ingress that the Cloud Armor policy `policy` does not guard."""
    apps = {app["metadata"]["name"]: app for app in of_kind(docs, "SpinApp")}
    configs = {c["metadata"]["name"]: c for c in of_kind(docs, "BackendConfig")}
    problems = []
    for service in sorted(ingress_backends(docs)):
        app = apps.get(service)
        if app is None:
            problems.append(f"Service/{service}: a backend of the Ingress that is no SpinApp's Service")
            continue
        annotation = app["spec"].get("serviceAnnotations", {}).get(BACKEND_CONFIG_ANNOTATION)
        config = configs.get(json.loads(annotation).get("default")) if annotation else None
        if config is None:
            problems.append(f"{name_of(app)}: its Service names no rendered BackendConfig")
            continue
        attached = config["spec"].get("securityPolicy", {}).get("name")
        if attached != policy:
            problems.append(f"{name_of(app)}: {name_of(config)} attaches security policy {attached!r}, not {policy!r}")
    return problems


def benchmark_rate(benchmarks: Path, endpoint: str) -> int:
    """Spin's req/s for `endpoint` in the side-by-side table of BENCHMARKS.md."""
    for line in benchmarks.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells and cells[0] == endpoint and len(cells) > 1 and re.fullmatch(r"[\d,]+", cells[1]):
            return int(cells[1].replace(",", ""))
    raise LookupError(f"no Spin req/s for {endpoint} in {benchmarks}")


def cpu_cores(quantity: str) -> float:
    return int(quantity[:-1]) / 1000 if quantity.endswith("m") else float(quantity)


def capacity(docs: list[dict], app: str, bench_rate: int) -> float:
    """Requests per second `app` serves at its HPA maximum, each pod at its CPU limit, scaled
    from the benchmark's rate on BENCH_CORES cores."""
    [spinapp] = [a for a in of_kind(docs, "SpinApp") if a["metadata"]["name"] == app]
    [hpa] = [h for h in of_kind(docs, "HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"]["name"] == app]
    cores = hpa["spec"]["maxReplicas"] * cpu_cores(spinapp["spec"]["resources"]["limits"]["cpu"])
    return bench_rate * cores / BENCH_CORES

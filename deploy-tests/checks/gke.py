"""The GKE load balancer's custom resources, which have no schema in kubernetes-validate:
their fields as kubernetes/ingress-gce defines them (pkg/apis/backendconfig/v1,
pkg/apis/frontendconfig/v1beta1) and GKE documents ManagedCertificate, and the wiring from
each SpinApp's Service to a BackendConfig whose health check path the app itself serves."""

import json
from pathlib import Path

from checks import routes
from checks.resources import name_of, of_kind

BACKEND_CONFIG_ANNOTATION = "cloud.google.com/backend-config"

FIELDS = {
    ("cloud.google.com/v1", "BackendConfig"): {
        "spec": {"iap", "cdn", "securityPolicy", "timeoutSec", "connectionDraining", "sessionAffinity",
                 "customRequestHeaders", "customResponseHeaders", "healthCheck", "logging"},
        "healthCheck": {"checkIntervalSec", "timeoutSec", "healthyThreshold", "unhealthyThreshold",
                        "type", "port", "requestPath"},
        "securityPolicy": {"name"},
    },
    ("networking.gke.io/v1beta1", "FrontendConfig"): {
        "spec": {"sslPolicy", "redirectToHttps"},
        "redirectToHttps": {"enabled", "responseCodeName"},
    },
    ("networking.gke.io/v1", "ManagedCertificate"): {"spec": {"domains"}},
}
KINDS = {kind for _, kind in FIELDS}


def field_problems(doc: dict) -> list[str]:
    known = FIELDS.get((doc.get("apiVersion"), doc["kind"]))
    if known is None:
        return [f"{name_of(doc)}: unknown apiVersion {doc.get('apiVersion')!r}"]
    problems = []
    for section, allowed in known.items():
        value = doc.get("spec", {}) if section == "spec" else doc.get("spec", {}).get(section, {})
        problems += [f"{name_of(doc)}: unknown field {section}.{key}" for key in sorted(set(value) - allowed)]
    return problems


def health_check_problems(docs: list[dict], spin_toml: Path) -> list[str]:
    """Every SpinApp's Service names a BackendConfig that checks a path of one of the app's own
    components, on the pods' port 80; GKE would otherwise probe `/`."""
    configs = {c["metadata"]["name"]: c for c in of_kind(docs, "BackendConfig")}
    table = routes.spin_routes(spin_toml)
    problems = []
    for app in of_kind(docs, "SpinApp"):
        annotation = app["spec"].get("serviceAnnotations", {}).get(BACKEND_CONFIG_ANNOTATION)
        if annotation is None:
            problems.append(f"{name_of(app)}: its Service has no {BACKEND_CONFIG_ANNOTATION} annotation")
            continue
        config = configs.get(json.loads(annotation).get("default"))
        if config is None:
            problems.append(f"{name_of(app)}: BackendConfig {annotation} is not rendered")
            continue
        check = config["spec"].get("healthCheck", {})
        own = set(app["spec"].get("components") or routes.spin_components(spin_toml))
        path = check.get("requestPath", "/")
        if routes.spin_route([r for r in table if r.component in own], path) is None:
            problems.append(f"{name_of(app)}: health check path {path} reaches none of {sorted(own)}")
        if check.get("port") != 80:
            problems.append(f"{name_of(app)}: health check port {check.get('port')} is not the pods' port 80")
    return problems

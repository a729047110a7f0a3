"""The GKE load balancer: each SpinApp Service checked on a path its own app serves (a
BackendConfig), a reserved static IP per environment, and with a domain (components/https, as
infra/deploy.sh adds it) a managed certificate and the HTTP -> HTTPS redirect."""

import copy

import pytest

from checks import gke, render, terraform, yamlio
from checks.resources import of_kind
from conftest import K8S, OVERLAYS, REPO, SPIN_TOML, reencrypt_for_tests

DOMAIN = "todo.test.example"


@pytest.fixture(scope="module")
def with_domain(tmp_path_factory, age_identity) -> dict[str, list[dict]]:
    """Each overlay rendered as infra/deploy.sh renders it when DOMAIN is set."""
    out = {}
    for env in OVERLAYS:
        tree = render.copy_tree(K8S, tmp_path_factory.mktemp("k8s") / "k8s")
        directory = tree / "overlays" / env
        reencrypt_for_tests(directory, age_identity)
        render.materialize_ksops(directory, age_identity)
        kustomization = yamlio.load_file(directory / render.KUSTOMIZATION)
        kustomization.setdefault("components", []).append("../../components/https")
        kustomization["patches"].append({
            "target": {"kind": "ManagedCertificate", "name": "todo"},
            "patch": f'[{{"op": "replace", "path": "/spec/domains/0", "value": "{DOMAIN}"}}]',
        })
        (directory / render.KUSTOMIZATION).write_text(yamlio.dump(kustomization))
        out[env] = render.kubectl_kustomize(directory)
    return out


def ingress(docs):
    [found] = of_kind(docs, "Ingress")
    return found


@pytest.mark.parametrize("env", OVERLAYS)
def test_every_spinapp_service_is_health_checked_on_a_path_it_serves(overlays, env):
    assert gke.health_check_problems(overlays[env], SPIN_TOML) == []
    [config] = of_kind(overlays[env], "BackendConfig")
    assert config["spec"]["healthCheck"]["requestPath"] == "/healthz"


@pytest.mark.parametrize("env", OVERLAYS)
def test_gke_resources_use_known_fields(overlays, with_domain, env):
    docs = overlays[env] + with_domain[env]
    assert [p for doc in docs if doc["kind"] in gke.KINDS for p in gke.field_problems(doc)] == []


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_ingress_uses_the_reserved_address_and_plain_http_without_a_domain(overlays, env):
    annotations = ingress(overlays[env])["metadata"]["annotations"]
    assert annotations["kubernetes.io/ingress.global-static-ip-name"] == f"todo-{env}"
    assert not of_kind(overlays[env], "ManagedCertificate") and not of_kind(overlays[env], "FrontendConfig")
    reserved = terraform.load(REPO / "infra" / "cluster").of_type("google_compute_global_address")["ingress"]
    assert (reserved["name"], reserved["for_each"]) == ("todo-${each.value}", "${toset(var.environments)}")


@pytest.mark.parametrize("env", OVERLAYS)
def test_a_domain_brings_a_managed_certificate_and_the_https_redirect(with_domain, env):
    docs = with_domain[env]
    annotations = ingress(docs)["metadata"]["annotations"]
    [certificate] = of_kind(docs, "ManagedCertificate")
    [frontend] = of_kind(docs, "FrontendConfig")
    assert certificate["spec"]["domains"] == [DOMAIN]
    assert annotations["networking.gke.io/managed-certificates"] == certificate["metadata"]["name"]
    assert annotations["networking.gke.io/v1beta1.FrontendConfig"] == frontend["metadata"]["name"]
    assert frontend["spec"]["redirectToHttps"]["enabled"] is True
    assert annotations["kubernetes.io/ingress.global-static-ip-name"] == f"todo-{env}"


@pytest.fixture
def docs(overlays):
    return copy.deepcopy(overlays[OVERLAYS[0]])


def test_a_health_check_on_a_path_the_app_does_not_serve_is_rejected(docs):
    of_kind(docs, "BackendConfig")[0]["spec"]["healthCheck"]["requestPath"] = "/"
    problems = gke.health_check_problems(docs, SPIN_TOML)
    write = "SpinApp/todo-write: health check path / reaches none of ['health', 'todo-create', 'todo-update']"
    assert write in problems
    assert not any(p.startswith("SpinApp/todo-read") for p in problems), "web serves / on todo-read"


def test_a_service_without_backend_config_is_rejected(docs):
    app = next(a for a in of_kind(docs, "SpinApp") if a["metadata"]["name"] == "todo-image")
    del app["spec"]["serviceAnnotations"][gke.BACKEND_CONFIG_ANNOTATION]
    assert gke.health_check_problems(docs, SPIN_TOML) == [
        "SpinApp/todo-image: its Service has no cloud.google.com/backend-config annotation"
    ]


def test_an_unknown_gke_field_is_rejected(docs):
    config = of_kind(docs, "BackendConfig")[0]
    config["spec"]["healthCheck"]["path"] = "/healthz"
    assert gke.field_problems(config) == ["BackendConfig/todo-health: unknown field healthCheck.path"]

"""Rendered resources against the Kubernetes schemas and the SpinApp CRD."""

import copy

import pytest

from checks import gke, schemas
from checks.resources import of_kind
from conftest import OVERLAYS, SPINKUBE



# Not in the Kubernetes schemas: SpinKube CRDs (checked below) and GKE ones (test_load_balancer.py).
CUSTOM_KINDS = ("SpinApp", "SpinAppExecutor", *gke.KINDS)


def spinkube_schema(kind):
    try:
        return schemas.crd_schema(SPINKUBE, kind)
    except FileNotFoundError as error:
        pytest.fail(f"{error}: the SpinKube CRDs belong in shared/spinkube beside the repository")


@pytest.fixture(scope="module")
def spinapp_schema():
    return spinkube_schema("SpinApp")


@pytest.mark.parametrize("env", OVERLAYS)
def test_core_resources_match_kubernetes_schemas(overlays, env):
    core = [doc for doc in overlays[env] if doc["kind"] not in CUSTOM_KINDS]
    assert core
    assert [problem for doc in core for problem in schemas.core_resource_problems(doc)] == []


@pytest.mark.parametrize("env", OVERLAYS)
@pytest.mark.parametrize("kind, count", [("SpinApp", 3), ("SpinAppExecutor", 1)])
def test_spinkube_resources_match_their_crds(overlays, env, kind, count):
    resources = of_kind(overlays[env], kind)
    assert len(resources) == count
    schema = spinkube_schema(kind)
    assert [p for doc in resources for p in schemas.custom_resource_problems(doc, schema)] == []


@pytest.mark.parametrize("env", OVERLAYS)
def test_spinapps_use_the_executor_of_their_namespace(overlays, env):
    executors = {doc["metadata"]["name"] for doc in of_kind(overlays[env], "SpinAppExecutor")}
    assert {app["spec"]["executor"] for app in of_kind(overlays[env], "SpinApp")} <= executors


def test_crd_validation_rejects_a_misspelt_or_mistyped_spinapp(overlays, spinapp_schema):
    app = copy.deepcopy(of_kind(overlays[OVERLAYS[0]], "SpinApp")[0])
    app["spec"]["enableAutoScaling"] = app["spec"].pop("enableAutoscaling")
    app["spec"]["checks"]["liveness"]["httpGet"] = {"port": 80}
    del app["spec"]["executor"]
    problems = " | ".join(schemas.custom_resource_problems(app, spinapp_schema))
    assert "'enableAutoScaling' was unexpected" in problems
    assert "'path' is a required property" in problems
    assert "'executor' is a required property" in problems


def test_kubernetes_validation_rejects_a_broken_resource(overlays):
    sidecar = copy.deepcopy(of_kind(overlays[OVERLAYS[0]], "StatefulSet")[0])
    sidecar["spec"]["replicas"] = "one"
    sidecar["spec"]["template"]["spec"]["containers"][0]["livenessprobe"] = {}
    problems = " | ".join(schemas.core_resource_problems(sidecar))
    assert "StatefulSet/image-sidecar" in problems

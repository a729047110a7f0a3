"""Rendered resources against the Kubernetes schemas and the SpinApp CRD."""

import copy

import pytest

from checks import schemas
from checks.resources import of_kind
from conftest import OVERLAYS, SPINKUBE



@pytest.fixture(scope="module")
def spinapp_schema():
    try:
        return schemas.crd_schema(SPINKUBE, "SpinApp")
    except FileNotFoundError as error:
        pytest.fail(f"{error}: the SpinKube CRDs belong in shared/spinkube beside the repository")


@pytest.mark.parametrize("env", OVERLAYS)
def test_core_resources_match_kubernetes_schemas(overlays, env):
    core = [doc for doc in overlays[env] if doc["kind"] != "SpinApp"]
    assert core
    assert [problem for doc in core for problem in schemas.core_resource_problems(doc)] == []


@pytest.mark.parametrize("env", OVERLAYS)
def test_spinapps_match_the_crd(overlays, env, spinapp_schema):
    apps = of_kind(overlays[env], "SpinApp")
    assert len(apps) == 3
    assert [p for app in apps for p in schemas.custom_resource_problems(app, spinapp_schema)] == []


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

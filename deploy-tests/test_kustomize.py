"""Every kustomization builds, and the overlays pin images and namespaces."""

import pytest

from checks import yamlio
from checks.resources import of_kind
from conftest import K8S, KUSTOMIZATIONS, OVERLAYS


def test_there_is_a_base_and_an_overlay_per_environment():
    assert "base" in KUSTOMIZATIONS
    assert {"main", "develop"} <= set(OVERLAYS)


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_kustomization_builds(rendered, kustomization):
    kinds = {doc["kind"] for doc in rendered[kustomization]}
    assert {"SpinApp", "StatefulSet", "Ingress"} <= kinds


@pytest.mark.parametrize("env", OVERLAYS)
def test_images_rewrite_spinapps_and_containers(overlays, env):
    pinned = {
        image["name"]: f"{image['newName']}:{image['newTag']}"
        for image in yamlio.load_file(K8S / "overlays" / env / "kustomization.yaml")["images"]
    }
    for app in of_kind(overlays[env], "SpinApp"):
        assert app["spec"]["image"] == pinned["todo-app"], "configurations: images must cover SpinApp.spec.image"
    sidecar = of_kind(overlays[env], "StatefulSet")[0]
    assert sidecar["spec"]["template"]["spec"]["containers"][0]["image"] == pinned["todo-native"]


@pytest.mark.parametrize("env", OVERLAYS)
def test_everything_lands_in_the_branch_namespace(overlays, env):
    for doc in overlays[env]:
        assert doc["metadata"].get("namespace") == f"todo-{env}", doc["metadata"]["name"]


@pytest.mark.parametrize("env", OVERLAYS)
def test_overlay_generates_the_database_secret(overlays, env):
    secrets = of_kind(overlays[env], "Secret")
    assert [s["metadata"]["name"] for s in secrets] == ["todo-db"]
    assert set(secrets[0]["stringData"]) == {"db_url", "migrate_db_url", "db_host", "instance_connection_name"}

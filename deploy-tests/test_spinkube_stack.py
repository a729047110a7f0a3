"""The SpinKube stack of infra/spinkube as upstream installs it today (spinkube.dev's Helm
guide, spin-operator v0.6.1, runtime-class-manager v0.2.0, containerd-shim-spin v0.24.0):
spinframework charts, a Shim instead of the retired KWasm operator, on nodes that the node
pool labels, and the RuntimeClass the executor names."""

import hashlib
import subprocess

from checks import terraform, yamlio
from checks.resources import of_kind
from conftest import OVERLAYS, REPO, SPINKUBE

SPINKUBE_TF = terraform.load(REPO / "infra" / "spinkube")
CLUSTER_TF = terraform.load(REPO / "infra" / "cluster")
SHIM = yamlio.load_file(REPO / "infra" / "spinkube" / "shim-chart" / "templates" / "shim.yaml")


def tracked_text(*paths: str) -> dict[str, str]:
    listed = subprocess.run(["git", "ls-files", "-z", *paths], cwd=REPO, capture_output=True, check=True).stdout
    return {name: (REPO / name).read_text() for name in listed.decode().split("\0") if (REPO / name).is_file()}


def test_no_kwasm_remains():
    files = tracked_text("infra", "k8s", ".github", "DEPLOY.md", "Makefile")
    assert files
    assert [name for name, text in files.items() if "kwasm" in text.lower()] == []


def test_charts_come_from_spinframework_at_the_documented_versions():
    releases = SPINKUBE_TF.of_type("helm_release")
    assert releases["spin_operator"]["repository"] == "oci://ghcr.io/spinframework/charts"
    assert releases["runtime_class_manager"]["repository"] == "oci://ghcr.io/spinframework/charts"
    assert SPINKUBE_TF.variables["spin_operator_version"]["default"] == "0.6.1"
    assert SPINKUBE_TF.variables["runtime_class_manager_version"]["default"] == "0.2.0"
    assert SPINKUBE_TF.variables["shim_version"]["default"] == "v0.24.0"
    assert all("spinkube/charts" not in str(r.get("repository")) for r in releases.values())


def test_the_crds_are_the_pinned_spinframework_files_the_tests_validate_against():
    crds = SPINKUBE_TF.data[("http", "spin_operator_crds")]
    assert crds["url"].startswith("https://raw.githubusercontent.com/spinframework/spin-operator/${var.spin_operator_commit}/")
    pinned = SPINKUBE_TF.locals["spin_operator_crds"]
    assert pinned == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(SPINKUBE.glob("*.yaml"))}


def test_the_shim_runs_on_the_labelled_node_pool_and_creates_the_executors_runtime_class(overlays):
    [pool] = CLUSTER_TF.of_type("google_container_node_pool").values()
    node = pool["node_config"][0]
    assert node["image_type"] == "UBUNTU_CONTAINERD", "runtime-class-manager supports GKE on Ubuntu nodes only"
    assert SHIM["spec"]["nodeSelector"].items() <= node["labels"].items()
    assert SHIM["apiVersion"] == "runtime.spinkube.dev/v1alpha1"
    [platform] = SHIM["spec"]["fetchStrategy"]["platforms"]
    assert platform["location"].startswith("https://github.com/spinframework/containerd-shim-spin/releases/download/")
    for env in OVERLAYS:
        [executor] = of_kind(overlays[env], "SpinAppExecutor")
        assert executor["spec"]["deploymentConfig"]["runtimeClassName"] == SHIM["spec"]["runtimeClass"]["name"]
    assert not SPINKUBE_TF.of_type("kubernetes_manifest").keys() - {"spin_operator_crds"}, "no hand-made RuntimeClass"


def test_the_operator_waits_for_cert_manager_the_shim_and_its_crds():
    depends = SPINKUBE_TF.of_type("helm_release")["spin_operator"]["depends_on"]
    assert set(depends) == {"${helm_release.cert_manager}", "${helm_release.spin_shim}",
                            "${kubernetes_manifest.spin_operator_crds}"}


def test_the_shim_uses_only_fields_of_runtime_class_manager_v0_2_0():
    # api/v1alpha1/shim_types.go of the v0.2.0 tag
    spec = SHIM["spec"]
    assert set(spec) <= {"nodeSelector", "fetchStrategy", "runtimeClass", "rolloutStrategy", "containerdRuntimeOptions"}
    assert {"fetchStrategy", "runtimeClass", "rolloutStrategy"} <= set(spec)
    assert set(spec["fetchStrategy"]) <= {"type", "anonHttp", "platforms"}
    for platform in spec["fetchStrategy"]["platforms"]:
        assert set(platform) <= {"os", "arch", "location", "sha256"}
        assert platform["os"] == "linux" and platform["arch"] in {"amd64", "arm64", "x86_64", "aarch64"}
    assert set(spec["runtimeClass"]) == {"name", "handler"}
    assert spec["rolloutStrategy"]["type"] in {"rolling", "recreate"}

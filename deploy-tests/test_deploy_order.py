"""The order a first deploy needs and a teardown that completes: the SpinAppExecutor (which
spin-operator's webhook requires before any SpinApp) goes out in the pre phase with the
Secret and the migration; its name is unique to the namespace (spin-operator v0.6.1 blocks
deleting an executor while SpinApps of any namespace use that name); teardown removes the
SpinApps first and refuses the deploy branches."""

import subprocess

import pytest

from checks import yamlio
from checks.resources import of_kind
from conftest import OVERLAYS, REPO

PRE = ("todo.deploy/phase", "pre")
DEPLOY_SH = (REPO / "infra" / "deploy.sh").read_text()
TEARDOWN = yamlio.load_file(REPO / ".github" / "workflows" / "teardown.yml")


def in_pre_phase(doc):
    return doc["metadata"].get("labels", {}).get(PRE[0]) == PRE[1]


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_executor_is_applied_before_the_spinapps(overlays, env):
    docs = overlays[env]
    assert all(in_pre_phase(doc) for doc in of_kind(docs, "SpinAppExecutor"))
    assert not any(in_pre_phase(doc) for doc in of_kind(docs, "SpinApp"))
    assert {d["kind"] for d in docs if in_pre_phase(d)} == {"Secret", "SpinAppExecutor", "Job"}
    pre = DEPLOY_SH.index(f"-l {PRE[0]}={PRE[1]}")
    wait = DEPLOY_SH.index("--for=condition=complete job/todo-migrate")
    everything = DEPLOY_SH.index('apply -f "$work/rendered.yaml"\n')
    assert pre < wait < everything, "deploy.sh: pre phase, migration, then the rest"


def test_executor_names_are_unique_to_their_namespace(overlays):
    names = {env: [e["metadata"]["name"] for e in of_kind(overlays[env], "SpinAppExecutor")] for env in OVERLAYS}
    assert names == {env: [f"todo-{env}"] for env in OVERLAYS}
    for env in OVERLAYS:
        assert {a["spec"]["executor"] for a in of_kind(overlays[env], "SpinApp")} == {f"todo-{env}"}


def teardown_steps():
    return TEARDOWN["jobs"]["teardown"]["steps"]


@pytest.mark.parametrize("branch, refused", [("main", True), ("master", True), ("develop", True),
                                              ("feature/x", False)])
def test_teardown_refuses_the_deploy_branches(branch, refused):
    guard = teardown_steps()[0]
    assert "uses" not in guard, "the guard runs before any credential is fetched"
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", guard["run"]], env={"BRANCH": branch},
                            capture_output=True, text=True, timeout=30)
    assert (result.returncode != 0) == refused, result.stdout + result.stderr


def test_teardown_deletes_the_spinapps_before_their_executor():
    script = teardown_steps()[-1]["run"]
    spinapps = script.index("delete spinapps")
    assert spinapps < script.index("spinappexecutors"), "the executor goes only after its SpinApps"
    assert "delete namespace" not in script, "namespaces belong to Terraform"

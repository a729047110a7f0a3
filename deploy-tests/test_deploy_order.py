"""The order a first deploy needs: the SpinAppExecutor (which spin-operator's webhook requires
before any SpinApp) goes out in the pre phase with the Secret, the NetworkPolicies of the
release, the Cloud SQL Auth Proxy and the migration; the executor's name is unique to the
namespace (spin-operator v0.6.1 blocks deleting an executor while SpinApps of any namespace use
that name). The teardown is in test_lifecycle.py."""

import pytest

from checks.resources import of_kind
from conftest import OVERLAYS, REPO

PRE = ("todo.deploy/phase", "pre")
DEPLOY_SH = (REPO / "infra" / "deploy.sh").read_text()


def in_pre_phase(doc):
    return doc["metadata"].get("labels", {}).get(PRE[0]) == PRE[1]


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_executor_is_applied_before_the_spinapps(overlays, env):
    docs = overlays[env]
    assert all(in_pre_phase(doc) for doc in of_kind(docs, "SpinAppExecutor"))
    assert not any(in_pre_phase(doc) for doc in of_kind(docs, "SpinApp"))
    pre_phase = {f"{d['kind']}/{d['metadata']['name']}" for d in docs if in_pre_phase(d)}
    assert {name.split("/")[0] for name in pre_phase} == {
        "Secret", "SpinAppExecutor", "Job", "NetworkPolicy", "Deployment", "Service"}
    assert {n for n in pre_phase if n.split("/")[0] in ("Deployment", "Service", "Job")} == {
        "Deployment/cloud-sql-proxy", "Service/cloud-sql-proxy", "Job/todo-migrate"}
    assert all(in_pre_phase(p) for p in of_kind(docs, "NetworkPolicy")), "the migration runs under this release's"
    pre = DEPLOY_SH.index(f"-l {PRE[0]}={PRE[1]}")
    proxy = DEPLOY_SH.index("rollout status deployment/cloud-sql-proxy")
    wait = DEPLOY_SH.index("--for=condition=complete job/todo-migrate")
    everything = DEPLOY_SH.index('apply -f "$work/rendered.yaml"\n')
    assert pre < proxy < wait < everything, "deploy.sh: pre phase, proxy, migration, then the rest"


def test_executor_names_are_unique_to_their_namespace(overlays):
    names = {env: [e["metadata"]["name"] for e in of_kind(overlays[env], "SpinAppExecutor")] for env in OVERLAYS}
    assert names == {env: [f"todo-{env}"] for env in OVERLAYS}
    for env in OVERLAYS:
        assert {a["spec"]["executor"] for a in of_kind(overlays[env], "SpinApp")} == {f"todo-{env}"}

"""Least privilege and a pinned supply chain: actions pinned to commits, downloads to SHA-256
sums; GitHub's OIDC token accepted only for the deploy branches in their environment, whose
secret is the age key; the deployer's rights limited to the app namespaces (no cluster-wide
Kubernetes role); Pod Security labels on those namespaces; one database user per environment."""

import pytest

from checks import terraform, workflows, yamlio
from conftest import OVERLAYS, REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
CLUSTER = terraform.load(REPO / "infra" / "cluster")
SPINKUBE = terraform.load(REPO / "infra" / "spinkube")
ENVIRONMENTS = CLUSTER.variables["environments"]["default"]


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(workflow):
    assert workflows.unpinned_actions(workflow.read_text()) == []


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_every_download_is_checked_against_a_pinned_sha256(workflow):
    assert workflows.unchecked_downloads(workflow.read_text()) == []


CI_JOBS = yamlio.load_file(REPO / ".github" / "workflows" / "ci.yml")["jobs"]


def test_ci_runs_what_make_test_runs_as_parallel_jobs():
    runs = [step.get("run", "") for job in CI_JOBS.values() for step in job["steps"]]
    targets = {run.split()[-1] for run in runs if "make " in run}
    make_test = next(line for line in (REPO / "Makefile").read_text().splitlines() if line.startswith("test:"))
    assert targets == set(make_test.split()[1:]) - {"build"}
    assert not any("needs" in job for job in CI_JOBS.values()), "no job waits for another"


@pytest.mark.parametrize("name", sorted(CI_JOBS))
def test_each_ci_job_installs_spin_3_6_3_with_the_official_action_before_make(name):
    steps = CI_JOBS[name]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    setup = uses.index("spinframework/actions/spin/setup")
    assert steps[setup]["with"]["version"] == "v3.6.3"
    assert setup < next(i for i, s in enumerate(steps) if "make " in s.get("run", ""))


def test_the_supply_chain_checks_catch_tags_and_unchecked_downloads():
    assert workflows.unpinned_actions("    steps:\n      - uses: actions/checkout@v5\n") == [
        "line 2: actions/checkout@v5 is not pinned to a commit SHA"
    ]
    assert workflows.unpinned_actions(f"      - uses: a/b@{'0' * 40}\n") == [
        f"line 1: a/b@{'0' * 40} has no version comment"
    ]
    unchecked = "jobs:\n  j:\n    steps:\n      - name: get\n        run: curl -fsSL https://x/t.tgz | tar -xz\n"
    assert workflows.unchecked_downloads(unchecked) == ["j/get: downloads without sha256sum --check"]
    unpinned = ("env:\n  T_SHA256: latest\njobs:\n  j:\n    steps:\n      - name: get\n        run: |\n"
                "          fetch() { curl -o f \"$1\"; echo \"$2  f\" | sha256sum --check; }\n"
                "          fetch https://x/t.tgz \"$T_SHA256\"\n")
    assert workflows.unchecked_downloads(unpinned) == ["j/get: T_SHA256 is not a pinned SHA-256"]


def test_the_workload_identity_condition_names_the_repository_refs_and_environments():
    provider = CLUSTER.of_type("google_iam_workload_identity_pool_provider")["github"]
    assert provider["attribute_condition"] == "${local.github_condition}"
    condition = CLUSTER.locals["github_condition"]
    assert "assertion.repository == ${jsonencode(var.github_repository)}" in condition
    assert 'assertion.ref in ${jsonencode([for env in var.environments : "refs/heads/${env}"])}' in condition
    assert "assertion.environment in ${jsonencode(var.environments)}" in condition
    assert condition.startswith('${join(" && ", [')  # all of them, not any


def test_the_deploy_job_runs_in_its_branch_environment_with_the_age_key_as_its_secret():
    deploy = yamlio.load_file(REPO / ".github" / "workflows" / "deploy.yml")
    triggers = deploy.get("on", deploy.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ENVIRONMENTS
    job = deploy["jobs"]["deploy"]
    assert job["environment"] == "${{ github.ref_name }}"
    assert any(s.get("env", {}).get("SOPS_AGE_KEY") == "${{ secrets.SOPS_AGE_KEY }}" for s in job["steps"])
    teardown = yamlio.load_file(REPO / ".github" / "workflows" / "teardown.yml")["jobs"]["teardown"]
    assert teardown["environment"] == "${{ github.event.repository.default_branch }}"


def test_the_deployer_has_no_project_wide_kubernetes_rights():
    roles = {m["role"] for m in CLUSTER.of_type("google_project_iam_member").values()
             if "deployer" in m["member"]}
    assert roles == {"roles/container.clusterViewer"}
    push = CLUSTER.of_type("google_artifact_registry_repository_iam_member")["deployer_push"]
    assert push["role"] == "roles/artifactregistry.writer"
    kinds = {kind for kind, _ in SPINKUBE.resources}
    assert not kinds & {"kubernetes_cluster_role_v1", "kubernetes_cluster_role_binding_v1"}


def plural(kind: str) -> str:
    lower = kind.lower()
    if lower.endswith("y"):
        return lower[:-1] + "ies"
    return lower + ("es" if lower.endswith("s") else "s")


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_namespaced_role_covers_every_rendered_kind(overlays, env):
    rules = SPINKUBE.locals["deploy_rules"]
    granted = {(group, resource) for group, resources in rules.items() for resource in resources}
    rendered = {(doc["apiVersion"].rpartition("/")[0], plural(doc["kind"])) for doc in overlays[env]}
    assert rendered - granted == set()
    role = SPINKUBE.of_type("kubernetes_role_v1")["deployer"]
    assert role["for_each"] == "${kubernetes_namespace_v1.app}"


def test_app_namespaces_enforce_baseline_and_warn_restricted():
    namespace = SPINKUBE.of_type("kubernetes_namespace_v1")["app"]
    labels = namespace["metadata"][0]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    assert namespace["for_each"] == "${toset(var.environments)}"
    assert SPINKUBE.variables["environments"]["default"] == ENVIRONMENTS


def test_each_environment_has_its_own_database_user_and_password():
    user = CLUSTER.of_type("google_sql_user")["env"]
    assert (user["for_each"], user["name"]) == ("${toset(var.environments)}", "todo_${each.value}")
    assert user["password"] == "${random_password.db[each.value].result}"
    assert CLUSTER.of_type("random_password")["db"]["for_each"] == "${toset(var.environments)}"

"""Least privilege and a pinned supply chain: actions pinned to commits, downloads to SHA-256
sums; GitHub's OIDC token accepted only for the deploy branches in their environment, whose
secret is the age key; the deployer's rights limited to the app namespaces (no cluster-wide
Kubernetes role); Pod Security labels on those namespaces; one database user per environment."""

import json
import os
import re
import shutil
import subprocess

import pytest

from checks import hclexpr, terraform, workflows, workloads, yamlio
from checks.resources import of_kind
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


def test_the_workload_identity_condition_names_the_repository_by_id_and_pairs_environments_with_refs():
    provider = CLUSTER.of_type("google_iam_workload_identity_pool_provider")["github"]
    assert provider["attribute_condition"] == "${local.github_condition}"
    assert provider["attribute_mapping"]["attribute.environment"] == "assertion.environment"
    condition = CLUSTER.locals["github_condition"]
    assert "assertion.repository_id == ${jsonencode(var.github_repository_id)}" in condition
    assert "assertion.repository_owner_id == ${jsonencode(var.github_repository_owner_id)}" in condition
    assert "assertion.repository ==" not in condition, "a name can be taken over: ids only"
    assert condition.startswith('${join(" && ", [')  # all of them, not any


CLAIMS = {"repository_id": "123", "repository_owner_id": "456", "event_name": "push"}


@pytest.mark.parametrize("claims, accepted", [
    ({"environment": "build", "ref": "refs/heads/main"}, True),
    ({"environment": "build", "ref": "refs/heads/develop"}, True),
    ({"environment": "build", "ref": "refs/heads/feature"}, False),
    ({"environment": "main", "ref": "refs/heads/main"}, True),
    ({"environment": "develop", "ref": "refs/heads/develop"}, True),
    ({"environment": "main", "ref": "refs/heads/develop"}, False),  # develop's code with main's rights
    ({"environment": "develop", "ref": "refs/heads/main"}, False),
    ({"environment": "develop", "ref": "refs/heads/main", "event_name": "delete"}, True),  # its teardown
    ({"environment": "main", "ref": "refs/heads/develop", "event_name": "delete"}, False),
    ({"ref": "refs/heads/main"}, False),  # a job without an environment (a pull request's, say)
    ({"environment": "main", "ref": "refs/heads/main", "repository_id": "999"}, False),  # a renamed one's heir
    ({"environment": "main", "ref": "refs/heads/main", "repository_owner_id": "999"}, False),
])
def test_the_rendered_condition_accepts_exactly_the_jobs_it_should(rendered_condition, claims, accepted):
    assert accepts(rendered_condition, {**CLAIMS, **claims}) is accepted


def accepts(condition: str, claims: dict) -> bool:
    """Evaluates the rendered CEL condition on a token's claims (the subset it uses: ==, in,
    string +, &&, ||, parentheses, string and list literals); a missing claim rejects."""
    assert re.fullmatch(r'(assertion\.\w+|"[^"]*"|\[("[^"]*",?)*\]|==|\bin\b|\+|&&|\|\||[()\s])+', condition), condition
    python = condition.replace("&&", " and ").replace("||", " or ")
    python = re.sub(r"assertion\.(\w+)", r"claims['\1']", python)
    try:
        return bool(eval(python, {"__builtins__": {}}, {"claims": claims}))  # noqa: S307 (checked above)
    except KeyError:
        return False


CONDITION_VARIABLES = {"project_id": "p", "github_repository_id": "123", "github_repository_owner_id": "456"}


@pytest.fixture(scope="module")
def rendered_condition():
    """local.github_condition as Terraform renders it (checks/hclexpr.py)."""
    variables = {name: body.get("default") for name, body in CLUSTER.variables.items()}
    return hclexpr.evaluate(CLUSTER.locals["github_condition"], {**variables, **CONDITION_VARIABLES}, CLUSTER.locals)


def test_the_condition_renders_as_terraform_renders_it(rendered_condition, tmp_path):
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform is not installed here: the evaluator is not compared with it")
    shutil.copy(REPO / "infra" / "cluster" / "variables.tf", tmp_path)
    github = (REPO / "infra" / "cluster" / "github.tf").read_text()
    (tmp_path / "locals.tf").write_text(re.search(r"^locals \{\n.*?^\}\n", github, re.S | re.M)[0])
    arguments = [part for name, value in CONDITION_VARIABLES.items() for part in ("-var", f"{name}={value}")]
    result = subprocess.run(
        [binary, "console", *arguments], input="jsonencode(local.github_condition)", cwd=tmp_path,
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "CHECKPOINT_DISABLE": "1"},  # no version check over the network
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(json.loads(result.stdout.strip())) == rendered_condition


def test_the_hcl_evaluator_refuses_what_it_does_not_know():
    for source in ('${upper("a")}', "${var.missing}", '${[for x in var.l : x if x > 1]}', '${"a" + "b"}'):
        with pytest.raises(hclexpr.Unsupported):
            hclexpr.evaluate(source, {"l": [1, 2]}, {})
    assert hclexpr.evaluate('${[for x in var.l : "n${x}" if x != "a"]}', {"l": ["a", "b"]}, {}) == ["nb"]
    assert hclexpr.evaluate('a ${join("-", ["b", "${jsonencode(var.v)}"])}', {"v": ["c"]}, {}) == 'a b-["c"]'


def test_the_condition_evaluator_rejects_what_it_cannot_read():
    with pytest.raises(AssertionError):
        accepts('assertion.x.startsWith("a")', {"x": "a"})


def test_each_environment_has_its_own_deployer_bound_to_its_github_environment_only():
    deployers = CLUSTER.of_type("google_service_account")["deployer"]
    assert (deployers["for_each"], deployers["account_id"]) == (
        "${toset(var.environments)}", "todo-deploy-${each.value}")
    binding = CLUSTER.of_type("google_service_account_iam_member")["deployer_from_github"]
    assert binding["for_each"] == "${google_service_account.deployer}"
    assert binding["role"] == "roles/iam.workloadIdentityUser"
    assert binding["member"] == "${local.github_principal_set}/${each.key}"
    principal_set = CLUSTER.locals["github_principal_set"]
    assert principal_set.startswith("principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}")
    assert principal_set.endswith("/attribute.environment")
    builder = CLUSTER.of_type("google_service_account_iam_member")["builder_from_github"]
    assert builder["member"] == "${local.github_principal_set}/build"


def test_the_pool_id_can_be_recreated_after_a_soft_delete():
    pool = CLUSTER.of_type("google_iam_workload_identity_pool")["github"]
    assert pool["workload_identity_pool_id"] == "github-${random_id.github_pool.hex}"


def test_the_build_job_holds_no_deploy_credential_and_the_deploy_job_builds_nothing():
    deploy = yamlio.load_file(REPO / ".github" / "workflows" / "deploy.yml")
    triggers = deploy.get("on", deploy.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == ENVIRONMENTS
    build, job = deploy["jobs"]["build"], deploy["jobs"]["deploy"]
    assert build["environment"] == "build"
    assert job["environment"] == "${{ github.ref_name }}" and job["needs"] == "build"
    accounts = {name: [s["with"]["service_account"] for s in j["steps"] if "auth@" in s.get("uses", "")]
                for name, j in (("build", build), ("deploy", job))}
    assert accounts == {"build": ["${{ vars.GCP_BUILD_SERVICE_ACCOUNT }}"],
                        "deploy": ["${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}"]}
    build_text = yamlio.dump(build)
    assert "SOPS_AGE_KEY" not in build_text and "get-credentials" not in build_text
    deploy_runs = " ".join(s.get("run", "") + s.get("uses", "") for s in job["steps"])
    for builder in ("spin build", "cargo", "docker", "build-push-action", "rust-toolchain", "spin registry"):
        assert builder not in deploy_runs, f"the deploy job runs {builder}"
    assert any(s.get("env", {}).get("SOPS_AGE_KEY") == "${{ secrets.SOPS_AGE_KEY }}" for s in job["steps"])
    [deploy_step] = [s for s in job["steps"] if "infra/deploy.sh" in s.get("run", "")]
    assert deploy_step["env"]["APP_IMAGE"] == "${{ needs.build.outputs.app_image }}"
    assert deploy_step["env"]["NATIVE_IMAGE"] == "${{ needs.build.outputs.native_image }}"
    assert "@$digest" in build["steps"][[s.get("id") for s in build["steps"]].index("app")]["run"]
    assert "@$DIGEST" in build["steps"][[s.get("id") for s in build["steps"]].index("native")]["run"]
    assert deploy["permissions"] == {"contents": "read"}, "id-token only where a job needs it"


def test_the_deployers_have_no_project_wide_kubernetes_rights_and_push_nothing():
    roles = {(m["role"], m["member"]) for m in CLUSTER.of_type("google_project_iam_member").values()
             if "deployer" in m["member"] + m.get("for_each", "")}
    assert roles == {("roles/container.clusterViewer", "serviceAccount:${each.value.email}")}
    cluster_role = CLUSTER.of_type("google_project_iam_member")["deployer_cluster"]
    assert cluster_role["for_each"] == "${google_service_account.deployer}"
    pushers = CLUSTER.of_type("google_artifact_registry_repository_iam_member")
    assert [(p["role"], p["member"]) for p in pushers.values()] == [
        ("roles/artifactregistry.writer", "serviceAccount:${google_service_account.builder.email}")
    ]
    kinds = {kind for kind, _ in SPINKUBE.resources}
    assert not kinds & {"kubernetes_cluster_role_v1", "kubernetes_cluster_role_binding_v1"}
    binding = SPINKUBE.of_type("kubernetes_role_binding_v1")["deployer"]
    assert binding["subject"][0]["name"] == "${data.google_service_account.deployer[each.key].email}"
    assert binding["for_each"] == "${kubernetes_role_v1.deployer}"
    deployer = SPINKUBE.data[("google_service_account", "deployer")]
    assert deployer["account_id"] == "todo-deploy-${each.value}"


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


def test_each_environment_has_its_own_database_users_and_passwords():
    users = CLUSTER.of_type("google_sql_user")
    for role in ("migrator", "app"):
        assert (users[role]["for_each"], users[role]["name"]) == (
            "${toset(var.environments)}", f"todo_${{each.value}}_{role}")
        assert users[role]["password"] == f"${{random_password.{role}[each.value].result}}"
        assert CLUSTER.of_type("random_password")[role]["for_each"] == "${toset(var.environments)}"
    assert all(user["deletion_policy"] == "ABANDON" for user in users.values())


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_components_connect_as_the_app_role_and_only_the_migration_as_the_migrator(overlays, env):
    keys = {}
    for doc in overlays[env]:
        for ref in workloads._secret_key_refs(doc):
            keys.setdefault(ref["key"], set()).add(f"{doc['kind']}/{doc['metadata']['name']}")
    assert keys["migrate_db_url"] == {"Job/todo-migrate"}
    assert keys["db_url"] == {"SpinApp/todo-read", "SpinApp/todo-write", "SpinApp/todo-image"}
    outputs = (REPO / "infra" / "cluster" / "outputs.tf").read_text()
    assert "db_url         = \"postgres://${google_sql_user.app[env].name}" in outputs
    assert "migrate_db_url = \"postgres://${google_sql_user.migrator[env].name}" in outputs


@pytest.mark.parametrize("env", OVERLAYS)
def test_spin_pods_and_the_proxy_run_on_service_accounts_without_an_api_token(overlays, env):
    accounts = {a["metadata"][0]["name"]: a for a in SPINKUBE.of_type("kubernetes_service_account_v1").values()}
    assert {name: a["automount_service_account_token"] for name, a in accounts.items()} == {
        "todo-spin": False, "cloud-sql-proxy": False}
    assert {app["spec"]["serviceAccountName"] for app in of_kind(overlays[env], "SpinApp")} == {"todo-spin"}
    [proxy] = [d for d in of_kind(overlays[env], "Deployment") if d["metadata"]["name"] == "cloud-sql-proxy"]
    assert proxy["spec"]["template"]["spec"]["serviceAccountName"] == "cloud-sql-proxy"
    annotation = accounts["cloud-sql-proxy"]["metadata"][0]["annotations"]["iam.gke.io/gcp-service-account"]
    assert annotation == "todo-sql-proxy-${each.key}@${var.project_id}.iam.gserviceaccount.com"
    workload_identity = CLUSTER.of_type("google_service_account_iam_member")["sql_proxy_workload_identity"]
    assert workload_identity["member"] == \
        "serviceAccount:${var.project_id}.svc.id.goog[todo-${each.key}/cloud-sql-proxy]"
    client = CLUSTER.of_type("google_project_iam_member")["sql_proxy_client"]
    assert client["role"] == "roles/cloudsql.client"

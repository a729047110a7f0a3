"""A lifecycle that works both ways, run against stand-ins for kubectl, terraform, gcloud and
curl that record what they are asked:
- the teardown of a deleted branch: the workflow tears down develop with develop's own deployer
  and is a notice without credentials for any branch that was never deployed; infra/teardown.sh
  deletes every kind the deployer's Role manages (PVCs, certificates, the operator's Secret
  included), SpinApps first and the Ingress before the Services, and is a clean no-op in an
  empty namespace;
- infra/gcp.sh: `env-down` removes the app and Ingress, then stage 2, then stage 1 without the
  environment; `down` removes every app, then stage 2, then lifts Cloud SQL's deletion
  protection by an apply, destroys Cloud SQL, removes the private services peering, destroys the
  rest; `up` runs the database roles between the stages."""

import os
import stat
import subprocess

import pytest

from checks import terraform, yamlio
from conftest import REPO

TEARDOWN_SH = REPO / "infra" / "teardown.sh"
GCP_SH = REPO / "infra" / "gcp.sh"
WORKFLOW = yamlio.load_file(REPO / ".github" / "workflows" / "teardown.yml")
CLUSTER = terraform.load(REPO / "infra" / "cluster")
SPINKUBE = terraform.load(REPO / "infra" / "spinkube")
ENVIRONMENTS = CLUSTER.variables["environments"]["default"]
DEFAULT_BRANCH = CLUSTER.variables["github_default_branch"]["default"]

RECORD = 'echo "$(basename "$0") $*" >> "$CALLS"\n'
STUBS = {
    # An empty namespace: what kubectl says when --all finds nothing (exit 0).
    "kubectl": RECORD + 'case "$*" in *delete*) echo "No resources found" ;; esac\n',
    "terraform": RECORD + 'case "$*" in\n'
                 '  *"output -raw sql_instance"*) echo todo-pg ;;\n'
                 '  *"output -raw private_services_peering"*) echo servicenetworking-googleapis-com ;;\n'
                 '  *"output -json db_roles_scripts"*) echo \'{"main": "gs://b/roles-main.sql", '
                 '"develop": "gs://b/roles-develop.sql"}\' ;;\n'
                 'esac\n',
    "gcloud": RECORD,
    "curl": RECORD + 'echo \'{"id": 123, "owner": {"id": 456}}\'\n',
}


def run(tmp_path, command, stubs=STUBS, **env):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, body in stubs.items():
        path = bin_dir / name
        path.write_text("#!/usr/bin/env bash\n" + body)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    calls = tmp_path / "calls"
    calls.write_text("")
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "CALLS": str(calls), **env},
    )
    return result, calls.read_text().splitlines()


def role_resources() -> set[str]:
    rules = SPINKUBE.locals["deploy_rules"]
    return {f"{resource}.{group}" if group else resource
            for group, resources in rules.items() for resource in resources}


def deleted_kinds(calls) -> list[list[str]]:
    return [c.split()[4].split(",") for c in calls if c.startswith("kubectl -n ") and " delete " in c]


def test_teardown_deletes_every_kind_of_the_role_spinapps_first_then_the_ingress(tmp_path):
    result, calls = run(tmp_path, [str(TEARDOWN_SH), "develop"])
    assert result.returncode == 0, result.stderr
    assert all(c.startswith("kubectl -n todo-develop delete ") and "--all" in c for c in calls)
    batches = deleted_kinds(calls)
    assert batches[0] == ["spinapps.core.spinkube.dev"]
    assert batches[1] == ["ingresses.networking.k8s.io"]
    everything = [kind for batch in batches for kind in batch]
    assert sorted(everything) == sorted(role_resources()), "exactly what the Role may delete: no Forbidden"
    assert {"persistentvolumeclaims", "secrets", "managedcertificates.networking.gke.io",
            "frontendconfigs.networking.gke.io", "spinappexecutors.core.spinkube.dev"} <= set(everything)


def test_teardown_of_an_empty_namespace_is_a_clean_no_op(tmp_path):
    result, _ = run(tmp_path, [str(TEARDOWN_SH), "develop"])
    assert result.returncode == 0 and "holds nothing of the app" in result.stdout


def test_teardown_fails_when_kubectl_does(tmp_path):
    forbidden = {**STUBS, "kubectl": RECORD + 'echo "Error from server (Forbidden)" >&2; exit 1\n'}
    result, calls = run(tmp_path, [str(TEARDOWN_SH), "develop"], stubs=forbidden)
    assert result.returncode != 0 and len(calls) == 1


@pytest.mark.parametrize("name", ["../main", "Main", ""])
def test_teardown_refuses_what_is_no_environment_name(tmp_path, name):
    result, calls = run(tmp_path, [str(TEARDOWN_SH), name])
    assert result.returncode != 0 and calls == []


@pytest.mark.parametrize("branch", ["feature/x", "main", "develop", "dependabot/cargo/x"])
def test_the_workflow_tears_down_develop_and_notes_every_other_branch(branch):
    jobs = WORKFLOW["jobs"]
    runs = {name: evaluate_if(job["if"], branch) for name, job in jobs.items()}
    assert runs == {"nothing-deployed": branch != "develop", "teardown": branch == "develop"}
    if branch != "develop":
        step = jobs["nothing-deployed"]["steps"][0]
        assert "uses" not in str(jobs["nothing-deployed"]), "no credential for a branch never deployed"
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", step["run"]], env={"BRANCH": branch},
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0 and "::notice::" in result.stdout


def evaluate_if(expression: str, branch: str) -> bool:
    """The two forms these `if`s use: ref_type == 'branch' && ref ==/!= 'name'."""
    prefix = "github.event.ref_type == 'branch' && github.event.ref "
    assert expression.startswith(prefix), expression
    operator, name = expression.removeprefix(prefix).split(" ")
    return (branch == name.strip("'")) == (operator == "==")


def test_the_teardown_job_is_develops_own_for_the_environments_terraform_lets_it_tear_down():
    job = WORKFLOW["jobs"]["teardown"]
    torn_down = [env for env in ENVIRONMENTS if env != DEFAULT_BRANCH]
    assert torn_down == ["develop"] and job["environment"] == "develop"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}
    auth = next(s for s in job["steps"] if "auth@" in s.get("uses", ""))
    assert auth["with"]["service_account"] == "${{ vars.GCP_DEPLOY_SERVICE_ACCOUNT }}"
    assert job["steps"][-1]["run"] == "infra/teardown.sh develop"
    condition = CLUSTER.locals["github_condition"]
    assert 'assertion.event_name == \\"delete\\"' in condition and "local.teardown_environments" in condition


def gcp(tmp_path, *args):
    return run(tmp_path, [str(GCP_SH), *args], GCP_PROJECT="p", TF_STATE_BUCKET="p-state",
               ENVIRONMENTS="main develop", GITHUB_REPOSITORY="me/todo")


def test_env_down_removes_the_app_then_stage_2_then_stage_1_without_the_environment(tmp_path):
    result, calls = gcp(tmp_path, "env-down", "develop")
    assert result.returncode == 0, result.stderr
    steps = [c for c in calls if c.startswith(("kubectl -n", "terraform -chdir")) and " init " not in c]
    assert steps[0].startswith("kubectl -n todo-develop delete spinapps")
    stage_2 = next(i for i, c in enumerate(steps) if "spinkube apply" in c)
    stage_1 = next(i for i, c in enumerate(steps) if "cluster apply" in c)
    last_delete = max(i for i, c in enumerate(steps) if c.startswith("kubectl"))
    assert last_delete < stage_2 < stage_1
    assert all('environments=["main"]' in steps[i] for i in (stage_2, stage_1))
    assert "github_repository_id=123" in steps[stage_1] and "github_repository_owner_id=456" in steps[stage_1]
    assert not any("destroy" in c for c in calls)


def test_env_down_refuses_an_unknown_environment(tmp_path):
    result, calls = gcp(tmp_path, "env-down", "staging")
    assert result.returncode != 0 and not any(c.startswith(("kubectl", "terraform")) for c in calls)


def test_down_removes_the_apps_then_stage_2_then_lifts_protection_then_cloud_sql_its_peering_and_the_rest(tmp_path):
    result, calls = gcp(tmp_path, "down")
    assert result.returncode == 0, result.stderr
    steps = [c for c in calls if " init " not in c and "output" not in c]

    def at(text):
        return next(i for i, c in enumerate(steps) if text in c)

    apps = [i for i, c in enumerate(steps) if c.startswith("kubectl -n ") and "ingresses" in c]
    assert [steps[i].split()[2] for i in apps] == ["todo-main", "todo-develop"]
    stage_2 = at("spinkube destroy")
    protection = at("cluster apply")
    assert "sql_deletion_protection=false" in steps[protection]
    assert "-target=google_sql_database_instance.todo" in steps[protection]
    sql = at("-target=google_service_networking_connection.private_services")
    assert steps[sql].startswith("terraform -chdir=") and " destroy " in steps[sql]
    peering = at("gcloud compute networks peerings delete servicenetworking-googleapis-com --network todo")
    rest = max(i for i, c in enumerate(steps) if "cluster destroy" in c)
    assert max(apps) < stage_2 < protection < sql < peering < rest
    assert "-target" not in steps[rest] and "sql_deletion_protection=false" in steps[rest]


def test_up_runs_the_database_roles_between_the_stages(tmp_path):
    result, calls = gcp(tmp_path, "up")
    assert result.returncode == 0, result.stderr
    stage_1 = next(i for i, c in enumerate(calls) if "cluster apply" in c)
    imports = [i for i, c in enumerate(calls) if c.startswith("gcloud sql import sql")]
    stage_2 = next(i for i, c in enumerate(calls) if "spinkube apply" in c)
    assert stage_1 < min(imports) and max(imports) < stage_2
    assert calls[imports[0]] == ("gcloud sql import sql todo-pg gs://b/roles-main.sql --database todo_main "
                                 "--user todo_admin --project p --quiet")
    assert "--database todo_develop" in calls[imports[1]]


def test_the_terraform_side_of_the_lifecycle():
    [instance] = CLUSTER.of_type("google_sql_database_instance").values()
    assert instance["deletion_protection"] == "${var.sql_deletion_protection}"
    assert CLUSTER.variables["sql_deletion_protection"]["default"] is True
    connection = CLUSTER.of_type("google_service_networking_connection")["private_services"]
    assert connection["deletion_policy"] == "ABANDON"
    assert CLUSTER.of_type("google_sql_database")["env"]["deletion_policy"] == "ABANDON"
    outputs = (REPO / "infra" / "cluster" / "outputs.tf").read_text()
    assert "google_service_networking_connection.private_services.peering" in outputs


def test_the_makefile_targets_run_the_lifecycle_script():
    targets = {"gcp-infra-up": "infra/gcp.sh up", "gcp-infra-down": "infra/gcp.sh down",
               "gcp-env-down": "infra/gcp.sh env-down develop", "gcp-db-roles": "infra/gcp.sh db-roles"}
    for target, command in targets.items():
        result = subprocess.run(["make", "-n", "--no-print-directory", target, "GCP_PROJECT=p", "ENV=develop"],
                                cwd=REPO, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and command in result.stdout, target
        assert 'ENVIRONMENTS="main develop"' in result.stdout


@pytest.mark.parametrize("command", [["up"], ["down"], ["env-down", "develop"]])
def test_nothing_runs_when_the_repository_ids_cannot_be_read(tmp_path, command):
    offline = {**STUBS, "curl": RECORD + "exit 22\n"}
    result, calls = run(tmp_path, [str(GCP_SH), *command], stubs=offline, GCP_PROJECT="p", TF_STATE_BUCKET="s",
                        GITHUB_REPOSITORY="me/todo")
    assert result.returncode != 0
    assert not any(c.startswith(("terraform", "kubectl", "gcloud")) for c in calls)

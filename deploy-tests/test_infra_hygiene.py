"""Infrastructure hygiene: Resource Manager and IAM enabled before anything needs them, a
registry with immutable tags and a cleanup that deletes, `make rollback` redeploying an earlier
commit's artifacts (the lifecycle of the infrastructure: test_lifecycle.py)."""

import subprocess

from checks import terraform
from conftest import REPO

CLUSTER = terraform.load(REPO / "infra" / "cluster")


def make_dry_run(*args: str) -> str:
    result = subprocess.run(["make", "-n", "--no-print-directory", *args, "GCP_PROJECT=p"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_foundation_apis_come_first():
    services = CLUSTER.of_type("google_project_service")
    foundation = services["foundation"]["for_each"]
    assert '"cloudresourcemanager.googleapis.com"' in foundation and '"iam.googleapis.com"' in foundation
    assert services["apis"]["depends_on"] == ["${google_project_service.foundation}"]
    for kind in ("google_service_account", "google_iam_workload_identity_pool"):
        for name, body in CLUSTER.of_type(kind).items():
            assert "${google_project_service.foundation}" in body.get("depends_on", []), f"{kind}.{name}"


def test_the_registry_has_immutable_tags_and_a_cleanup_that_keeps_the_newest():
    [registry] = CLUSTER.of_type("google_artifact_registry_repository").values()
    assert registry["docker_config"][0]["immutable_tags"] is True
    assert registry["cleanup_policy_dry_run"] is False
    deletes = [p for p in registry["cleanup_policies"] if p["action"] == "DELETE"]
    assert sorted(p["condition"][0]["tag_state"] for p in deletes) == ["ANY", "UNTAGGED"]
    keeps = [p for p in registry["cleanup_policies"] if p["action"] == "KEEP"]
    assert [p["most_recent_versions"][0]["keep_count"] for p in keeps] == [20], "rollback keeps the newest"


def test_rollback_redeploys_the_artifacts_of_the_given_commit():
    sha = "0123456789abcdef0123456789abcdef01234567"
    commands = make_dry_run("rollback", f"SHA={sha}", "ENV=develop")
    assert f'git worktree add --detach "$tree" {sha}' in commands
    assert f"infra/deploy.sh\" develop europe-north1-docker.pkg.dev/p/todo/todo-app:{sha}" in commands
    assert f"europe-north1-docker.pkg.dev/p/todo/todo-native:{sha}" in commands
    refused = subprocess.run(["make", "--no-print-directory", "rollback", "GCP_PROJECT=p"], cwd=REPO,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "usage: make rollback" in refused.stderr

"""The workflows pass actionlint and the Dockerfile passes hadolint; each linter is first shown
to reject a broken input, so a silently absent check cannot pass."""

import re
import subprocess

from conftest import REPO, required_tool

BROKEN_WORKFLOW = """on: push
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - run: echo ${{ github.event.no_such_context.value }}
        shell: bashh
"""

BROKEN_DOCKERFILE = """FROM debian:latest
RUN apt-get install curl
"""


def run(command, **kwargs):
    return subprocess.run(command, capture_output=True, text=True, timeout=120, **kwargs)


def test_actionlint_rejects_a_broken_workflow(tmp_path):
    workflow = tmp_path / "broken.yml"
    workflow.write_text(BROKEN_WORKFLOW)
    assert run([required_tool("actionlint"), str(workflow)]).returncode != 0


def test_workflows_pass_actionlint():
    workflows = sorted((REPO / ".github" / "workflows").glob("*.yml"))
    assert {w.name for w in workflows} >= {"ci.yml", "deploy.yml", "teardown.yml"}
    result = run([required_tool("actionlint"), *map(str, workflows)], cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_rejects_a_broken_dockerfile(tmp_path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(BROKEN_DOCKERFILE)
    result = run([required_tool("hadolint"), str(dockerfile)])
    assert result.returncode != 0 and "DL3007" in result.stdout  # the latest tag


def test_dockerfile_passes_hadolint():
    result = run([required_tool("hadolint"), "--failure-threshold", "info", str(REPO / "Dockerfile")])
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_from_bases_pinned_by_digest():
    lines = (REPO / "Dockerfile").read_text().splitlines()
    bases = [line.split()[1] for line in lines if line.startswith("FROM ")]
    assert bases and all(re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", base) for base in bases), bases
    user = [line for line in lines if line.startswith("USER ")]
    assert user and user[-1].split()[1].split(":")[0] not in ("0", "root")


def test_shellcheck_rejects_a_broken_script(tmp_path):
    script = tmp_path / "broken.sh"
    script.write_text("#!/usr/bin/env bash\nrm -rf $1/*\n")
    assert run([required_tool("shellcheck"), str(script)]).returncode != 0


def test_deployment_scripts_pass_shellcheck():
    scripts = sorted((REPO / "infra").glob("*.sh"))
    assert scripts
    result = run([required_tool("shellcheck"), *map(str, scripts)])
    assert result.returncode == 0, result.stdout + result.stderr

"""infra/deploy.sh run against stand-ins for kustomize, kubectl and curl that record what
they are asked: the order of the phases, the overlay edits for a domain, and a smoke test that
exercises every app (todo-read: / and the list; todo-write: create and update; todo-image)."""

import os
import stat
import subprocess

import pytest

from conftest import REPO

STUBS = {
    "kustomize": """
echo "kustomize $*" >> "$CALLS"
[ "$1" = build ] && echo "kind: Rendered"
exit 0""",
    "kubectl": """
echo "kubectl $*" >> "$CALLS"
case "$*" in
  *"get ingress todo"*) printf 203.0.113.7 ;;
  *"get managedcertificate todo"*) printf Active ;;
esac
exit 0""",
    "curl": """
method=GET url=""
while [ $# -gt 0 ]; do
  case "$1" in -X) method=$2; shift ;; --data|-H|--max-time) shift ;; -*) ;; *) url=$1 ;; esac
  shift
done
echo "curl $method $url" >> "$CALLS"
[ "$method" = POST ] && echo '{"id": 7, "task": "t", "done": false}'
exit 0""",
}


def run_deploy(tmp_path, **env):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in STUBS.items():
        path = bin_dir / name
        path.write_text("#!/usr/bin/env bash\n" + body.lstrip())
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    calls = tmp_path / "calls"
    result = subprocess.run(
        [str(REPO / "infra" / "deploy.sh"), "main", "reg/todo-app:abc", "reg/todo-native:abc"],
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "CALLS": str(calls), **env},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return calls.read_text().splitlines()


def requests(calls):
    return [c.removeprefix("curl ") for c in calls if c.startswith("curl ")]


def test_the_smoke_test_exercises_every_app_over_http_without_a_domain(tmp_path):
    calls = run_deploy(tmp_path)
    base = "http://203.0.113.7"
    assert requests(calls)[-5:] == [
        f"GET {base}/", f"GET {base}/api/todos", f"POST {base}/api/todo",
        f"PATCH {base}/api/todos/7", f"GET {base}/api/daily_photo",
    ]
    assert not any("components/https" in c for c in calls)


def test_the_pre_phase_and_the_migration_come_before_the_apps(tmp_path):
    calls = run_deploy(tmp_path)
    kubectl = [c for c in calls if c.startswith("kubectl ")]
    pre = next(i for i, c in enumerate(kubectl) if "-l todo.deploy/phase=pre" in c)
    migration = next(i for i, c in enumerate(kubectl) if "--for=condition=complete job/todo-migrate" in c)
    everything = next(i for i, c in enumerate(kubectl) if " apply " in c and "-l " not in c)
    assert pre < migration < everything
    assert all("-n todo-main" in c for c in kubectl), "everything in the environment's namespace"
    assert "kustomize edit set image todo-app=reg/todo-app:abc todo-native=reg/todo-native:abc" in calls


def test_a_domain_adds_https_and_the_smoke_test_uses_it(tmp_path):
    calls = run_deploy(tmp_path, DOMAIN="todo.test.example")
    assert "kustomize edit add component ../../components/https" in calls
    assert any(c.startswith("kustomize edit add patch --kind ManagedCertificate") and "todo.test.example" in c
               for c in calls)
    assert requests(calls)[-1] == "GET https://todo.test.example/api/daily_photo"


@pytest.mark.parametrize("env_name", ["staging", "../main"])
def test_an_unknown_environment_is_refused(tmp_path, env_name):
    result = subprocess.run([str(REPO / "infra" / "deploy.sh"), env_name, "a:1", "b:1"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "no overlay" in result.stderr

"""infra/deploy.sh run against stand-ins for kustomize, kubectl and curl that record what
they are asked: the order of the phases (the database proxy and the migration first), the
overlay edits for a domain (required for main) and for the secret's hash, and a smoke test that
exercises every app (todo-read: / and the list; todo-write: create, update and delete its own
todo, with the session cookie of its create; todo-image) and leaves the list as it was."""

import hashlib
import os
import re
import stat
import subprocess

import pytest

from checks import render, yamlio
from checks.resources import of_kind
from conftest import K8S, REPO, reencrypt_for_tests

DEPLOY_SH = REPO / "infra" / "deploy.sh"

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
  case "$1" in -X) method=$2; shift ;; --data|-H|--max-time) shift ;; -c|-b) jar=$2; shift ;; -*) ;; *) url=$1 ;; esac
  shift
done
echo "curl $method $url${jar:+ cookies}" >> "$CALLS"
[ "$method" = POST ] && echo '{"id": 7, "task": "t", "done": false}'
exit 0""",
}


def run_deploy(tmp_path, env_name="develop", **env):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in STUBS.items():
        path = bin_dir / name
        path.write_text("#!/usr/bin/env bash\n" + body.lstrip())
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    calls = tmp_path / "calls"
    result = subprocess.run(
        [str(REPO / "infra" / "deploy.sh"), env_name, "reg/todo-app@sha256:abc", "reg/todo-native@sha256:def"],
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "CALLS": str(calls), **env},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return calls.read_text().splitlines()


def requests(calls):
    return [c.removeprefix("curl ") for c in calls if c.startswith("curl ")]


def smoke(base):
    return [f"GET {base}/ cookies", f"GET {base}/api/todos cookies", f"POST {base}/api/todo cookies",
            f"PATCH {base}/api/todos/7 cookies", f"GET {base}/api/daily_photo cookies",
            f"DELETE {base}/api/todos/7 cookies"]


def test_the_smoke_test_exercises_every_app_and_deletes_its_todo_without_a_domain(tmp_path):
    calls = run_deploy(tmp_path)
    assert requests(calls)[-6:] == smoke("http://203.0.113.7")
    assert not any("components/https" in c for c in calls)


def test_main_is_refused_without_a_domain(tmp_path):
    result = subprocess.run([str(REPO / "infra" / "deploy.sh"), "main", "a@sha256:1", "b@sha256:2"],
                            env={**os.environ, "DOMAIN": ""}, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "main needs DOMAIN" in result.stderr


def test_main_deploys_over_https(tmp_path):
    calls = run_deploy(tmp_path, env_name="main", DOMAIN="todo.test.example")
    assert requests(calls)[-6:] == smoke("https://todo.test.example")
    assert all("-n todo-main" in c for c in calls if c.startswith("kubectl "))


def test_the_pre_phase_the_proxy_and_the_migration_come_before_the_apps(tmp_path):
    calls = run_deploy(tmp_path)
    kubectl = [c for c in calls if c.startswith("kubectl ")]
    pre = next(i for i, c in enumerate(kubectl) if "-l todo.deploy/phase=pre" in c)
    proxy = next(i for i, c in enumerate(kubectl) if "rollout status deployment/cloud-sql-proxy" in c)
    migration = next(i for i, c in enumerate(kubectl) if "--for=condition=complete job/todo-migrate" in c)
    everything = next(i for i, c in enumerate(kubectl) if " apply " in c and "-l " not in c)
    assert pre < proxy < migration < everything
    assert all("-n todo-develop" in c for c in kubectl), "everything in the environment's namespace"
    assert "kustomize edit set image todo-app=reg/todo-app@sha256:abc todo-native=reg/todo-native@sha256:def" in calls


def test_the_secrets_hash_restarts_the_pods_that_read_it(tmp_path):
    calls = run_deploy(tmp_path)
    digest = hashlib.sha256((REPO / "k8s" / "overlays" / "develop" / "todo-db.enc.yaml").read_bytes()).hexdigest()
    patches = [c for c in calls if c.startswith("kustomize edit add patch") and "secret-sha256" in c]
    assert len(patches) == 2 and all(digest in p for p in patches)
    assert any("--kind SpinApp" in p and "/spec/podAnnotations/todo.deploy~1secret-sha256" in p for p in patches)
    assert any("--kind Deployment --name cloud-sql-proxy" in p
               and "/spec/template/metadata/annotations/todo.deploy~1secret-sha256" in p for p in patches)


@pytest.mark.parametrize("env", ["main", "develop"])
def test_the_annotations_the_hash_replaces_are_rendered(overlays, env):
    for app in of_kind(overlays[env], "SpinApp"):
        assert app["spec"]["podAnnotations"]["todo.deploy/secret-sha256"] == "unset"
    [proxy] = [d for d in of_kind(overlays[env], "Deployment") if d["metadata"]["name"] == "cloud-sql-proxy"]
    assert proxy["spec"]["template"]["metadata"]["annotations"]["todo.deploy/secret-sha256"] == "unset"


def test_every_kubectl_call_ends_within_the_cluster_tokens_hour():
    # The timeouts of deploy.sh's waits (the rollout loop runs once per app) and its address
    # loop; the certificate wait after them must not call kubectl.
    script = DEPLOY_SH.read_text()
    loop = re.search(r"for app in ([\w -]+); do\n(.*?)\ndone", script, re.S)
    apps = len(loop[1].split())
    outside = script.replace(loop[0], "")
    seconds = sum(int(t) for t in re.findall(r"--timeout=(\d+)s", outside))
    seconds += apps * sum(int(t) for t in re.findall(r"--timeout=(\d+)s", loop[2]))
    address = re.search(r"for _ in \$\(seq (\d+)\); do\n  ip=\$\(k get ingress.*?max-time (\d+).*?sleep (\d+)",
                        script, re.S)
    seconds += int(address[1]) * (int(address[2]) + int(address[3]))
    assert seconds <= 55 * 60, f"{seconds} s of kubectl waits"
    certificate = script[script.index("if [ -n \"$domain\" ]; then\n  # Google"):]
    assert "k " not in certificate and "kubectl" not in certificate
    # Google says a managed certificate may take up to 60 minutes once the domain resolves.
    rounds, pause = re.search(r"for _ in \$\(seq (\d+)\); do\n    curl .*?sleep (\d+)", certificate, re.S).groups()
    assert int(rounds) * int(pause) >= 60 * 60


@pytest.mark.parametrize("env_name", ["staging", "../main"])
def test_an_unknown_environment_is_refused(tmp_path, env_name):
    result = subprocess.run([str(REPO / "infra" / "deploy.sh"), env_name, "a:1", "b:1"],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode != 0 and "no overlay" in result.stderr


def test_the_patches_deploy_sh_adds_render_onto_every_pod_that_reads_the_secret(tmp_path_factory, age_identity):
    # The overlay as deploy.sh edits it: its two hash patches, taken from its own text.
    script = DEPLOY_SH.read_text()
    patches = re.findall(r'kustomize edit add patch --kind (\w+)(?: --name ([\w-]+))? --patch \\\n\s+"(.*?)"\n', script)
    assert [(kind, name) for kind, name, _ in patches] == [("SpinApp", ""), ("Deployment", "cloud-sql-proxy")]
    tree = render.copy_tree(K8S, tmp_path_factory.mktemp("k8s") / "k8s")
    directory = tree / "overlays" / "develop"
    reencrypt_for_tests(directory, age_identity)
    render.materialize_ksops(directory, age_identity)
    kustomization = yamlio.load_file(directory / render.KUSTOMIZATION)
    for kind, name, patch in patches:
        target = {"kind": kind, **({"name": name} if name else {})}
        kustomization["patches"].append({"target": target, "patch": patch.replace('\\"', '"').replace(
            "$secret_sha", "f" * 64)})
    (directory / render.KUSTOMIZATION).write_text(yamlio.dump(kustomization))
    docs = render.kubectl_kustomize(directory)
    for app in of_kind(docs, "SpinApp"):
        assert app["spec"]["podAnnotations"]["todo.deploy/secret-sha256"] == "f" * 64
    [proxy] = [d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == "cloud-sql-proxy"]
    assert proxy["spec"]["template"]["metadata"]["annotations"]["todo.deploy/secret-sha256"] == "f" * 64

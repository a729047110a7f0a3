"""Terraform: every file parses (python-hcl2, always), `terraform fmt -check` where the binary
exists, and `terraform validate` only where the providers are already on the machine: `init`
would download them from the Terraform registry, which this workplace cannot reach."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import hcl2
import pytest

from checks import terraform as tf
from conftest import REPO

INFRA = REPO / "infra"
ROOTS = sorted(p.parent for p in INFRA.glob("*/versions.tf"))


def terraform():
    binary = shutil.which("terraform")
    if binary is None:
        pytest.skip("terraform is not installed here: fmt/validate skipped (the files still parse, above)")
    return binary


def test_two_stages_exist():
    assert [root.name for root in ROOTS] == ["cluster", "spinkube"]


@pytest.mark.parametrize("path", sorted(INFRA.rglob("*.tf")), ids=lambda p: str(p.relative_to(INFRA)))
def test_terraform_file_parses(path):
    with path.open() as handle:
        assert hcl2.load(handle)


def test_a_broken_file_does_not_parse(tmp_path):
    broken = tmp_path / "broken.tf"
    broken.write_text('resource "google_compute_network" "x" {\n  name = "x"\n')
    with broken.open() as handle, pytest.raises(Exception):
        hcl2.load(handle)


def test_terraform_fmt_check():
    result = subprocess.run(
        [terraform(), "fmt", "-check", "-recursive", "-diff", str(INFRA)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: p.name)
def test_terraform_validate_where_providers_are_cached(root, tmp_path):
    binary = terraform()
    cache = os.environ.get("TF_PLUGIN_CACHE_DIR")
    if not cache or not any(Path(cache).glob("registry.terraform.io/hashicorp/*")):
        pytest.skip("no provider cache (TF_PLUGIN_CACHE_DIR): `terraform init` cannot download providers offline")
    work = shutil.copytree(root, tmp_path / root.name)
    env = {**os.environ, "TF_PLUGIN_CACHE_MAY_BREAK_DEPENDENCY_LOCK_FILE": "1"}
    init = subprocess.run(
        [binary, "init", "-backend=false", "-input=false"],
        cwd=work, env=env, capture_output=True, text=True, timeout=300,
    )
    assert init.returncode == 0, init.stderr
    result = subprocess.run([binary, "validate"], cwd=work, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def lock_file(root: Path) -> dict[str, dict]:
    with (root / ".terraform.lock.hcl").open() as handle:
        parsed = tf.unquote(hcl2.load(handle))
    return {address: body for block in parsed.get("provider", []) for address, body in block.items()}


def pessimistic(constraint: str, version: str) -> bool:
    """`~> X.Y`: X.Y or later within X."""
    wanted = [int(part) for part in constraint.removeprefix("~>").strip().split(".")]
    have = [int(part) for part in version.split(".")]
    return have[: len(wanted) - 1] == wanted[:-1] and have[: len(wanted)] >= wanted


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: p.name)
def test_each_root_commits_a_lock_file_for_exactly_its_providers(root):
    with (root / "versions.tf").open() as handle:
        required = tf.unquote(hcl2.load(handle))["terraform"][0]["required_providers"][0]
    required = {f"registry.terraform.io/{spec['source']}": spec["version"] for name, spec in required.items()
                if name != "__is_block__"}
    locked = lock_file(root)
    assert set(locked) == set(required)
    for address, body in locked.items():
        assert body["constraints"] == required[address], address
        assert pessimistic(required[address], body["version"]), (address, body["version"])
        sums = [h for h in body["hashes"] if h.startswith("zh:")]
        assert len(sums) >= 10 and all(re.fullmatch(r"zh:[0-9a-f]{64}", h) for h in sums), address
    ignored = subprocess.run(["git", "check-ignore", "-q", str(root / ".terraform.lock.hcl")], cwd=REPO)
    assert ignored.returncode == 1, "the lock file is committed, not ignored"


def test_the_version_check_follows_terraforms_pessimistic_operator():
    assert pessimistic("~> 6.0", "6.50.0") and not pessimistic("~> 6.0", "7.0.0")
    assert pessimistic("~> 2.35", "2.38.0") and not pessimistic("~> 2.35", "2.34.9")


REFERENCE = re.compile(r"(?<![\w.:])(data\.)?((?:google|random|kubernetes|helm|http)_[a-z0-9_]+)\.([a-z0-9_]+)")


def undeclared_references(root: Path) -> list[str]:
    """References to resources, data sources, variables and locals that the root does not
    declare: what `terraform validate` would reject first (it cannot run here without providers)."""
    declared = tf.load(root)
    text = "\n".join(path.read_text() for path in sorted(root.glob("*.tf")))
    text = re.sub(r'(?m)^(resource|data|variable|output)\s+"[^"]*"(\s+"[^"]*")?\s*\{', "", text)
    text = re.sub(r"(?m)#.*$", "", text)
    problems = []
    for data, kind, name in REFERENCE.findall(text):
        pool = declared.data if data else declared.resources
        if (kind, name) not in pool:
            problems.append(f"{data}{kind}.{name}")
    problems += [f"var.{name}" for name in re.findall(r"\bvar\.(\w+)", text) if name not in declared.variables]
    problems += [f"local.{name}" for name in re.findall(r"\blocal\.(\w+)", text) if name not in declared.locals]
    return sorted(set(problems))


@pytest.mark.parametrize("root", ROOTS, ids=lambda p: p.name)
def test_every_reference_names_something_the_root_declares(root):
    assert undeclared_references(root) == []


def test_an_undeclared_reference_is_found(tmp_path):
    (tmp_path / "main.tf").write_text('resource "google_compute_network" "a" {\n  name = var.nope\n}\n'
                                      'resource "google_compute_subnetwork" "b" {\n'
                                      '  network = google_compute_network.c.id\n  x = local.d\n}\n')
    assert undeclared_references(tmp_path) == ["google_compute_network.c", "local.d", "var.nope"]

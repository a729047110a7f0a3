"""Secrets: committed only SOPS-encrypted for the recipients of .sops.yaml, no private key
or plaintext credential in any tracked file, and the SOPS format round-trips."""

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checks import leaks, sops, yamlio
from conftest import K8S, REPO, secret_examples

DEPLOYMENT_PATHS = ("k8s", "infra", ".github", "Dockerfile", "DEPLOY.md", ".sops.yaml", "Makefile")


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    return [REPO / name for name in listed.decode().split("\0") if name and (REPO / name).is_file()]


def committed_sops_files() -> list[Path]:
    return sorted(K8S.rglob("*.enc.yaml"))


def leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from leaves(value, path + (key,))
    elif isinstance(node, list):
        for item in node:
            yield from leaves(item, path)
    else:
        yield path, node


def test_no_tracked_file_holds_a_private_key():
    problems = []
    for path in tracked_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        problems += [f"{path.relative_to(REPO)}: {found}" for found in leaks.private_keys(text)]
    assert problems == []


def test_no_deployment_file_holds_a_password():
    deployment = [p for p in tracked_files() if p.relative_to(REPO).parts[0] in DEPLOYMENT_PATHS]
    assert deployment
    problems = [f"{p.relative_to(REPO)}: {url}" for p in deployment for url in leaks.url_passwords(p.read_text())]
    assert problems == []


def test_the_leak_finders_catch_what_they_look_for(age_identity):
    assert leaks.private_keys(f"key: {age_identity}") == ["age private key"]
    assert leaks.private_keys("-----BEGIN OPENSSH " + "PRIVATE KEY-----") == ["PEM private key"]
    assert leaks.url_passwords("DATABASE_URL=postgres://todo:hunter2@10.1.2.3:5432/todo") == [
        "postgres://todo:***@10.1.2.3:5432/todo"
    ]
    assert leaks.url_passwords("postgres://todo:CHANGE_ME@10.0.0.3/todo https://example.com/a:b") == []
    assert leaks.url_passwords('"postgres://${user}:${random_password.db.result}@${host}/db"') == []


def test_every_tracked_secret_manifest_is_encrypted_or_a_placeholder_template():
    problems = []
    for path in tracked_files():
        if path.suffix not in (".yaml", ".yml", ".example") or ".github" in path.parts:
            continue
        for doc in yamlio.load_all(path.read_text()):
            if not isinstance(doc, dict) or doc.get("kind") != "Secret":
                continue
            values = [(p, v) for p, v in leaves(doc) if p[0] in ("data", "stringData")]
            if path.name.endswith(".yaml.example"):
                problems += [f"{path.name}: {p} is no placeholder" for p, v in values
                             if not leaks.is_placeholder_url(v)]
            else:
                problems += [f"{path.relative_to(REPO)}: {':'.join(p)} is plaintext" for p, v in values
                             if not sops.is_encrypted_value(v)]
    assert problems == []


@pytest.mark.parametrize("path", committed_sops_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_committed_sops_file_matches_its_template_and_the_sops_rules(path):
    encrypted = yamlio.load_file(path)
    rule = yamlio.load_file(REPO / ".sops.yaml")["creation_rules"][0]
    assert {stanza["recipient"] for stanza in encrypted["sops"]["age"]} == {
        r.strip() for r in rule["age"].split(",")
    }, "re-encrypt after changing .sops.yaml (make rotate-secrets-key)"
    assert encrypted["sops"]["encrypted_regex"] == rule["encrypted_regex"]
    assert sops.is_encrypted_value(encrypted["sops"]["mac"])
    template = secret_examples()[encrypted["metadata"]["name"]]
    assert set(encrypted["stringData"]) == set(template["stringData"]), "keys differ from the example template"


def test_overlays_reference_only_encrypted_files():
    for generator in K8S.glob("overlays/*/secret-generator.yaml"):
        for file in yamlio.load_file(generator)["files"]:
            assert file.endswith(".enc.yaml") and (generator.parent / file).exists(), f"{generator}: {file}"


def test_plaintext_secret_files_are_git_ignored():
    for env_dir in K8S.glob("overlays/*"):
        plaintext = (env_dir / "todo-db.yaml").relative_to(REPO)
        result = subprocess.run(["git", "check-ignore", "-q", str(plaintext)], cwd=REPO)
        assert result.returncode == 0, f"{plaintext} must be git-ignored"


def test_sops_round_trip_and_tamper_detection(age_identity):
    plaintext = secret_examples()["todo-db"]
    encrypted = sops.encrypt(plaintext, [sops.recipient_of(age_identity)], "^(data|stringData)$")
    assert all(sops.is_encrypted_value(v) for v in encrypted["stringData"].values())
    assert encrypted["metadata"] == plaintext["metadata"]
    assert sops.decrypt(encrypted, age_identity) == plaintext

    renamed = copy.deepcopy(encrypted)
    renamed["metadata"]["name"] = "other"
    with pytest.raises(sops.SopsError, match="MAC mismatch"):
        sops.decrypt(renamed, age_identity)

    moved = copy.deepcopy(encrypted)
    moved["stringData"]["db_host"] = encrypted["stringData"]["db_url"]
    with pytest.raises(sops.SopsError, match="cannot decrypt"):
        sops.decrypt(moved, age_identity)


def test_another_key_cannot_decrypt(age_identity):
    import pyrage

    encrypted = sops.encrypt(secret_examples()["todo-db"], [sops.recipient_of(age_identity)], "^stringData$")
    with pytest.raises(sops.SopsError, match="no age stanza"):
        sops.decrypt(encrypted, str(pyrage.x25519.Identity.generate()))


def test_sops_lite_cli_follows_the_creation_rule(tmp_path, age_identity):
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - encrypted_regex: ^(data|stringData)$\n    age: {sops.recipient_of(age_identity)}\n"
    )
    plain = tmp_path / "todo-db.yaml"
    plain.write_text(yamlio.dump(secret_examples()["todo-db"]))
    key_file = tmp_path / "test.agekey"
    key_file.write_text(age_identity + "\n")
    cli = [sys.executable, str(REPO / "deploy-tests" / "sops_lite.py")]
    env = {**os.environ, "SOPS_AGE_KEY_FILE": str(key_file)}
    encrypted = subprocess.run(cli + ["--encrypt", str(plain)], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert "CHANGE_ME" not in encrypted.stdout
    (tmp_path / "todo-db.enc.yaml").write_text(encrypted.stdout)
    decrypted = subprocess.run(cli + ["--decrypt", "todo-db.enc.yaml"], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    assert yamlio.load_all(decrypted.stdout) == [secret_examples()["todo-db"]]

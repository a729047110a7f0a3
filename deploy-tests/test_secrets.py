"""Secrets: committed only SOPS-encrypted for the recipients of .sops.yaml, no private key
or plaintext credential in any tracked file, and the Makefile's secret targets work with the
real sops and age (encrypt, decrypt, rotate the key)."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from checks import leaks, sops_cli, yamlio
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
    assert leaks.private_keys(f"key: {age_identity.secret}") == ["age private key"]
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
                             if not sops_cli.is_encrypted_value(v)]
    assert problems == []


def sops_rules() -> list[dict]:
    return yamlio.load_file(REPO / ".sops.yaml")["creation_rules"]


def rule_for(path: Path) -> dict:
    """The creation rule sops picks for a file: the first whose path_regex matches its path
    relative to the directory of .sops.yaml (sops 3.11, config.parseCreationRuleForFile)."""
    relative = str(path.relative_to(REPO))
    matching = [rule for rule in sops_rules() if re.search(rule["path_regex"], relative)]
    assert matching, f"no creation rule for {relative}"
    return matching[0]


@pytest.mark.parametrize("path", committed_sops_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_committed_sops_file_matches_its_template_and_its_environments_rule(path):
    assert sops_cli.is_sops_file(path), "sops filestatus: not a valid sops file"
    encrypted = yamlio.load_file(path)
    rule = rule_for(path)
    assert {stanza["recipient"] for stanza in encrypted["sops"]["age"]} == {
        r.strip() for r in rule["age"].split(",")
    }, "re-encrypt after changing .sops.yaml (make rotate-secrets-key)"
    assert encrypted["sops"]["encrypted_regex"] == rule["encrypted_regex"]
    assert sops_cli.is_encrypted_value(encrypted["sops"]["mac"])
    template = secret_examples()[encrypted["metadata"]["name"]]
    assert set(encrypted["stringData"]) == set(template["stringData"]), "keys differ from the example template"


def test_every_environment_has_its_own_recipient_and_no_rule_matches_anything_else():
    overlays = sorted(p.name for p in (K8S / "overlays").iterdir() if p.is_dir())
    rules = {env: rule_for(K8S / "overlays" / env / "todo-db.yaml") for env in overlays}
    recipients = {env: {r.strip() for r in rule["age"].split(",")} for env, rule in rules.items()}
    for env, mine in recipients.items():
        others = set().union(*(r for e, r in recipients.items() if e != env))
        assert not mine & others, f"a recipient of {env} can decrypt another environment's secret"
    assert len(sops_rules()) == len(overlays), "one rule per environment, no catch-all"
    for rule in sops_rules():
        assert not re.search(rule["path_regex"], "k8s/secrets/todo-db.yaml"), "a rule without an environment"


def test_overlays_reference_only_encrypted_files():
    for generator in K8S.glob("overlays/*/secret-generator.yaml"):
        for file in yamlio.load_file(generator)["files"]:
            assert file.endswith(".enc.yaml") and (generator.parent / file).exists(), f"{generator}: {file}"


def test_plaintext_secret_files_are_git_ignored():
    for env_dir in K8S.glob("overlays/*"):
        plaintext = (env_dir / "todo-db.yaml").relative_to(REPO)
        result = subprocess.run(["git", "check-ignore", "-q", str(plaintext)], cwd=REPO)
        assert result.returncode == 0, f"{plaintext} must be git-ignored"


@pytest.fixture
def identities(age_identity, tmp_path_factory) -> dict[str, sops_cli.AgeIdentity]:
    """A throwaway age identity per environment."""
    return {"main": age_identity, "develop": sops_cli.generate_identity(tmp_path_factory.mktemp("develop-age"))}


@pytest.fixture
def project_copy(tmp_path, identities):
    """The Makefile, .sops.yaml (each environment's recipient replaced by its throwaway key's) and
    one plaintext secret per environment, from the example template: what the secret targets
    work on."""
    shutil.copy(REPO / "Makefile", tmp_path)
    rules = (REPO / ".sops.yaml").read_text()
    for env, identity in identities.items():
        rules = rules.replace(rule_for(K8S / "overlays" / env / "todo-db.yaml")["age"], identity.recipient)
    (tmp_path / ".sops.yaml").write_text(rules)
    template = (K8S / "secrets" / "todo-db.yaml.example").read_text()
    for env in identities:
        (tmp_path / "k8s" / "overlays" / env).mkdir(parents=True)
        (tmp_path / "k8s" / "overlays" / env / "todo-db.yaml").write_text(template)
    return tmp_path


def make(directory: Path, *args: str) -> None:
    result = subprocess.run(["make", "--no-print-directory", *args], cwd=directory, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_encrypts_each_environment_for_its_own_key_only(project_copy, identities):
    for env in identities:
        make(project_copy, "encrypt-project-secrets", f"ENV={env}")
    for env, identity in identities.items():
        path = project_copy / "k8s" / "overlays" / env / "todo-db.enc.yaml"
        encrypted = yamlio.load_file(path)
        assert encrypted["metadata"] == secret_examples()["todo-db"]["metadata"], "only Secret data is encrypted"
        assert all(sops_cli.is_encrypted_value(v) for v in encrypted["stringData"].values())
        assert "CHANGE_ME" not in path.read_text()
        assert [stanza["recipient"] for stanza in encrypted["sops"]["age"]] == [identity.recipient]
        assert sops_cli.decrypt_file(path, identity) == secret_examples()["todo-db"]
        for other, key in identities.items():
            if other != env:
                with pytest.raises(sops_cli.SopsError):
                    sops_cli.decrypt_file(path, key)


def test_make_decrypts_with_the_environments_age_key(project_copy, identities):
    env_dir = project_copy / "k8s" / "overlays" / "main"
    make(project_copy, "encrypt-project-secrets", "ENV=main")
    (env_dir / "todo-db.yaml").unlink()
    make(project_copy, "decrypt-project-secrets", "ENV=main", f"AGE_KEY_FILE={identities['main'].file}")
    assert yamlio.load_file(env_dir / "todo-db.yaml") == secret_examples()["todo-db"]
    assert (env_dir / "todo-db.yaml").stat().st_mode & 0o077 == 0, "plaintext secret readable by others"


def test_make_rotate_secrets_key_re_encrypts_one_environment_for_its_new_recipient(
    project_copy, identities, tmp_path_factory
):
    for env in identities:
        make(project_copy, "encrypt-project-secrets", f"ENV={env}")
        (project_copy / "k8s" / "overlays" / env / "todo-db.yaml").unlink()
    develop_before = (project_copy / "k8s" / "overlays" / "develop" / "todo-db.enc.yaml").read_text()
    new = sops_cli.generate_identity(tmp_path_factory.mktemp("new-age"))
    rules = project_copy / ".sops.yaml"
    rules.write_text(rules.read_text().replace(identities["main"].recipient, new.recipient))

    make(project_copy, "rotate-secrets-key", "ENV=main", f"AGE_KEY_FILE={identities['main'].file}")

    main = project_copy / "k8s" / "overlays" / "main" / "todo-db.enc.yaml"
    assert sops_cli.decrypt_file(main, new) == secret_examples()["todo-db"]
    with pytest.raises(sops_cli.SopsError):
        sops_cli.decrypt_file(main, identities["main"])
    assert (project_copy / "k8s" / "overlays" / "develop" / "todo-db.enc.yaml").read_text() == develop_before
    assert not list(project_copy.rglob("todo-db.yaml")), "rotation left a plaintext secret behind"


def test_age_key_creates_its_directory_and_a_private_identity(tmp_path):
    keys = tmp_path / "no" / "such" / "dir"
    make(REPO, "age-key", "ENV=develop", f"AGE_KEY_DIR={keys}")
    identity = keys / "develop.txt"
    assert identity.read_text().count("AGE-SECRET-KEY-1") == 1
    assert identity.stat().st_mode & 0o077 == 0 and keys.stat().st_mode & 0o077 == 0
    refused = subprocess.run(["make", "--no-print-directory", "age-key", "ENV=develop", f"AGE_KEY_DIR={keys}"],
                             cwd=REPO, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "exists" in refused.stderr, "an existing identity is never overwritten"


def test_every_db_url_carries_the_one_definition_of_the_database_bounds():
    # Neither Spin nor the migration bounds a database that stops answering: the URL must.
    bounds = (REPO / "scripts" / "db-url-bounds").read_text().strip()
    assert "connect_timeout=" in bounds and "statement_timeout" in bounds
    example = secret_examples()["todo-db"]["stringData"]
    for key in ("db_url", "migrate_db_url"):
        assert example[key].endswith("?sslmode=disable&" + bounds), key
    outputs = (REPO / "infra" / "cluster" / "outputs.tf").read_text()
    assert 'db_url_bounds = trimspace(file("${path.module}/../../scripts/db-url-bounds"))' in outputs
    assert outputs.count("?sslmode=disable&${local.db_url_bounds}") == 2

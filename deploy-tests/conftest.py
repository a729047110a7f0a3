"""Shared fixtures: the repository, a throwaway age identity, and every kustomization rendered."""

import shutil
from pathlib import Path

import pytest

from checks import render, sops_cli, yamlio

REPO = Path(__file__).resolve().parent.parent
K8S = REPO / "k8s"
SPIN_TOML = REPO / "spin.toml"
SPINKUBE = REPO.parent / "shared" / "spinkube"
OVERLAYS = sorted(p.parent.name for p in (K8S / "overlays").glob("*/kustomization.yaml"))
# Components (k8s/components) only build inside an overlay.
KUSTOMIZATIONS = sorted(
    str(p.parent.relative_to(K8S)) for p in K8S.rglob("kustomization.yaml")
    if yamlio.load_file(p).get("kind") != "Component"
)


def required_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` is not installed: `pip install -r requirements-dev.txt` (see .ci/run)")
    return path


@pytest.fixture(scope="session")
def age_identity(tmp_path_factory) -> sops_cli.AgeIdentity:
    """Generated per run by age-keygen, outside the repository."""
    return sops_cli.generate_identity(tmp_path_factory.mktemp("age"))


def secret_examples() -> dict[str, dict]:
    """Plaintext templates (placeholders) of the Secrets, by name."""
    return {doc["metadata"]["name"]: doc for doc in map(yamlio.load_file, (K8S / "secrets").glob("*.yaml.example"))}


def reencrypt_for_tests(kustomization_dir: Path, identity: sops_cli.AgeIdentity) -> None:
    """The committed SOPS files are encrypted for the deployment key, which tests never have:
    replace each with its example template encrypted for the throwaway identity."""
    examples = secret_examples()
    rule = yamlio.load_file(REPO / ".sops.yaml")["creation_rules"][0]
    for _, config in render.ksops_generators(kustomization_dir):
        for file in config["files"]:
            path = kustomization_dir / file
            name = yamlio.load_file(path)["metadata"]["name"]
            encrypted = sops_cli.encrypt(examples[name], identity.recipient, rule["encrypted_regex"], path.parent)
            path.write_text(yamlio.dump(encrypted))


@pytest.fixture(scope="session")
def rendered(tmp_path_factory, age_identity) -> dict[str, list[dict]]:
    """Every kustomization under k8s/, rendered (ksops generators decrypted first)."""
    out = {}
    for kustomization in KUSTOMIZATIONS:
        tree = render.copy_tree(K8S, tmp_path_factory.mktemp("k8s") / "k8s")
        directory = tree / kustomization
        reencrypt_for_tests(directory, age_identity)
        render.materialize_ksops(directory, age_identity)
        out[kustomization] = render.kubectl_kustomize(directory)
    return out


@pytest.fixture(scope="session")
def overlays(rendered) -> dict[str, list[dict]]:
    """What gets deployed: the overlays, by environment name."""
    return {name: rendered[f"overlays/{name}"] for name in OVERLAYS}

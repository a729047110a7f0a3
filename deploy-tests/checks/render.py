"""Renders a kustomization with `kubectl kustomize` (kustomize v5 inside kubectl).

kubectl's kustomize runs no exec KRM functions, so it cannot call ksops. `materialize_ksops`
does ksops' part first, in a copy of the tree: each ksops generator is replaced by the
Secrets it would generate, decrypted from its SOPS files by `sops --decrypt` with the given age
identity.
"""

import shutil
import subprocess
from pathlib import Path

from checks import sops_cli, yamlio

KUSTOMIZATION = "kustomization.yaml"


class RenderError(Exception):
    pass


def kubectl_kustomize(directory: Path) -> list[dict]:
    if shutil.which("kubectl") is None:
        raise RenderError("kubectl is not installed (it carries kustomize v5: `kubectl kustomize`)")
    result = subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, timeout=120
    )
    if result.returncode != 0:
        raise RenderError(f"kubectl kustomize {directory} failed:\n{result.stderr}")
    return yamlio.load_all(result.stdout)


def copy_tree(source: Path, destination: Path) -> Path:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("*.agekey", "key.txt"))
    return destination


def ksops_generators(kustomization_dir: Path) -> list[tuple[str, dict]]:
    """The ksops generator configs that a kustomization lists, with their entries."""
    kustomization = yamlio.load_file(kustomization_dir / KUSTOMIZATION)
    found = []
    for entry in kustomization.get("generators", []):
        path = kustomization_dir / entry
        if path.is_file():
            config = yamlio.load_file(path)
            if config.get("kind") == "ksops":
                found.append((entry, config))
    return found


def materialize_ksops(kustomization_dir: Path, identity: sops_cli.AgeIdentity) -> None:
    """Rewrites the kustomization in place: ksops generators become plain Secret resources."""
    kustomization_file = kustomization_dir / KUSTOMIZATION
    kustomization = yamlio.load_file(kustomization_file)
    for entry, config in ksops_generators(kustomization_dir):
        secrets = [sops_cli.decrypt_file(kustomization_dir / file, identity) for file in config["files"]]
        rendered = (kustomization_dir / entry).with_suffix(".ksops-output.yaml")
        rendered.write_text(yamlio.dump_all(secrets))
        kustomization["generators"].remove(entry)
        kustomization.setdefault("resources", []).append(rendered.name)
    kustomization_file.write_text(yamlio.dump(kustomization))

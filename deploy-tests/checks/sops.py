"""SOPS files with age recipients (AES256_GCM values, sha512 MAC), as `sops` 3.x writes them.

The real `sops` and `ksops` binaries are on no package registry we can reach, so the tests
encrypt and decrypt fixtures with this implementation of the same format; people use `sops`
(see DEPLOY.md). Only string leaves are supported: Kubernetes Secrets hold nothing else.
"""

import base64
import hashlib
import os
import re
from datetime import datetime, timezone

import pyrage
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

SOPS_VERSION = "3.9.4"
ENCRYPTED_VALUE = re.compile(
    r"^ENC\[AES256_GCM,data:(?P<data>[^,]*),iv:(?P<iv>[^,]+),tag:(?P<tag>[^,]+),type:(?P<type>\w+)\]$"
)


class SopsError(Exception):
    pass


def encrypt(document: dict, recipients: list[str], encrypted_regex: str) -> dict:
    """Returns `document` with the leaves under keys matching `encrypted_regex` encrypted."""
    data_key = os.urandom(32)
    audit = hashlib.sha512()
    pattern = re.compile(encrypted_regex)

    def seal(value, path):
        audit.update(_leaf_bytes(value, path))
        if any(pattern.search(key) for key in path):
            return _encrypt_value(value, data_key, _aad(path))
        return value

    encrypted = _map_leaves(document, seal)
    last_modified = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    encrypted["sops"] = {
        "age": [
            {"recipient": recipient, "enc": _age_encrypt(data_key, recipient)}
            for recipient in recipients
        ],
        "lastmodified": last_modified,
        "mac": _encrypt_value(audit.hexdigest().upper(), data_key, last_modified),
        "encrypted_regex": encrypted_regex,
        "version": SOPS_VERSION,
    }
    return encrypted


def decrypt(document: dict, identity: str) -> dict:
    """Decrypts a SOPS document with an age identity and verifies its MAC."""
    metadata = document.get("sops")
    if not isinstance(metadata, dict):
        raise SopsError("not a SOPS document: no `sops` metadata")
    data_key = _data_key(metadata, identity)
    audit = hashlib.sha512()

    def open_leaf(value, path):
        plain = _decrypt_value(value, data_key, _aad(path)) if is_encrypted_value(value) else value
        audit.update(_leaf_bytes(plain, path))
        return plain

    plaintext = _map_leaves({k: v for k, v in document.items() if k != "sops"}, open_leaf)
    expected = _decrypt_value(metadata["mac"], data_key, metadata["lastmodified"])
    if audit.hexdigest().upper() != expected:
        raise SopsError("MAC mismatch: the file was changed after it was encrypted")
    return plaintext


def is_encrypted_value(value) -> bool:
    return isinstance(value, str) and ENCRYPTED_VALUE.match(value) is not None


def recipient_of(identity: str) -> str:
    return str(pyrage.x25519.Identity.from_str(identity).to_public())


def _map_leaves(node, fn, path=()):
    # Lists add no path element, as in sops.
    if isinstance(node, dict):
        return {key: _map_leaves(value, fn, path + (str(key),)) for key, value in node.items()}
    if isinstance(node, list):
        return [_map_leaves(item, fn, path) for item in node]
    return fn(node, path)


def _leaf_bytes(value, path) -> bytes:
    if not isinstance(value, str):
        raise SopsError(f"{':'.join(path)}: only string values are supported, got {type(value).__name__}")
    return value.encode()


def _aad(path) -> str:
    return ":".join(path) + ":"


def _encrypt_value(value: str, key: bytes, aad: str) -> str:
    iv = os.urandom(32)
    sealed = AESGCM(key).encrypt(iv, value.encode(), aad.encode())
    data, tag = sealed[:-16], sealed[-16:]
    b64 = lambda raw: base64.b64encode(raw).decode()
    return f"ENC[AES256_GCM,data:{b64(data)},iv:{b64(iv)},tag:{b64(tag)},type:str]"


def _decrypt_value(value: str, key: bytes, aad: str) -> str:
    match = ENCRYPTED_VALUE.match(value)
    if match is None or match["type"] != "str":
        raise SopsError(f"not an encrypted string: {value[:40]}")
    raw = lambda name: base64.b64decode(match[name])
    try:
        return AESGCM(key).decrypt(raw("iv"), raw("data") + raw("tag"), aad.encode()).decode()
    except Exception as error:
        raise SopsError(f"cannot decrypt the value at {aad!r}") from error


def _age_encrypt(data_key: bytes, recipient: str) -> str:
    public = pyrage.x25519.Recipient.from_str(recipient)
    return pyrage.encrypt(data_key, [public], armored=True).decode()


def _data_key(metadata: dict, identity: str) -> bytes:
    mine = recipient_of(identity)
    for stanza in metadata.get("age", []):
        if stanza.get("recipient") == mine:
            return pyrage.decrypt(stanza["enc"].encode(), [pyrage.x25519.Identity.from_str(identity)])
    raise SopsError(f"no age stanza for recipient {mine}")

"""Finds credentials in text: private keys anywhere, passwords in URLs of deployment files."""

import re
from urllib.parse import urlsplit

# Spelled in pieces so that this file does not match its own patterns.
PRIVATE_KEYS = {
    "age private key": re.compile("AGE-SECRET-" + "KEY-1[0-9A-Z]{20,}"),
    "PEM private key": re.compile("-----BEGIN [A-Z ]*" + "PRIVATE KEY-----"),
    "service account key": re.compile('"private_key"' + r'\s*:\s*"-----'),
}
URL = re.compile(r"\b(?:postgres(?:ql)?|mysql|redis|https?)://\S+")
PLACEHOLDERS = {"CHANGE_ME", "password"}


def private_keys(text: str) -> list[str]:
    return [name for name, pattern in PRIVATE_KEYS.items() if pattern.search(text)]


def url_passwords(text: str) -> list[str]:
    """URLs that carry a password other than a placeholder (returned with it masked)."""
    found = []
    for match in URL.finditer(text):
        try:
            password = urlsplit(match[0].rstrip("\"',)")).password
        except ValueError:
            continue
        if password and not _is_placeholder(password):
            found.append(match[0].replace(password, "***"))
    return found


def is_placeholder_url(value: str) -> bool:
    password = urlsplit(value).password
    return password is None or _is_placeholder(password)


def _is_placeholder(password: str) -> bool:
    # ${...} and $(...) are references (Terraform, shell), resolved at run time.
    return password in PLACEHOLDERS or password.startswith(("${", "$("))

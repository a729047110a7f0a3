#!/usr/bin/env python3
"""A stand-in for `sops --encrypt FILE` / `sops --decrypt FILE` (age only) where the real
sops is not installed: reads the creation rule from the nearest .sops.yaml and the age
identity from SOPS_AGE_KEY_FILE or SOPS_AGE_KEY, writes the result to stdout."""

import argparse
import os
import re
import sys
from pathlib import Path

from checks import sops, yamlio


def creation_rule(file: Path) -> dict:
    for directory in [Path.cwd(), *Path.cwd().parents]:
        config = directory / ".sops.yaml"
        if config.exists():
            for rule in yamlio.load_file(config)["creation_rules"]:
                if re.search(rule.get("path_regex", ""), str(file)):
                    return rule
            sys.exit(f"no creation rule of {config} matches {file}")
    sys.exit("no .sops.yaml in this directory or above")


def age_identity() -> str:
    if os.environ.get("SOPS_AGE_KEY"):
        text = os.environ["SOPS_AGE_KEY"]
    elif os.environ.get("SOPS_AGE_KEY_FILE"):
        text = Path(os.environ["SOPS_AGE_KEY_FILE"]).read_text()
    else:
        sys.exit("set SOPS_AGE_KEY_FILE (or SOPS_AGE_KEY) to the age identity")
    keys = [line.strip() for line in text.splitlines() if line.startswith("AGE-SECRET-KEY-")]
    if not keys:
        sys.exit("no AGE-SECRET-KEY- line in the age identity")
    return keys[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--encrypt", "-e", action="store_true")
    mode.add_argument("--decrypt", "-d", action="store_true")
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    document = yamlio.load_file(args.file)
    try:
        if args.encrypt:
            rule = creation_rule(args.file)
            recipients = [r.strip() for r in rule["age"].split(",")]
            result = sops.encrypt(document, recipients, rule["encrypted_regex"])
        else:
            result = sops.decrypt(document, age_identity())
    except sops.SopsError as error:
        sys.exit(f"{args.file}: {error}")
    sys.stdout.write(yamlio.dump(result))


if __name__ == "__main__":
    main()

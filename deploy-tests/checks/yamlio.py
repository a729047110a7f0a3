"""YAML in and out: multi-document loading, and dumping that keeps key order and writes
multi-line strings (age armor) as literal blocks, like sops does."""

from pathlib import Path

import yaml


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(document) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False)


def dump_all(documents) -> str:
    return yaml.dump_all(documents, Dumper=_Dumper, sort_keys=False)


def load_all(text: str) -> list:
    return [doc for doc in yaml.safe_load_all(text) if doc is not None]


def load_file(path: Path):
    return yaml.safe_load(Path(path).read_text())

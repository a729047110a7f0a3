"""A Terraform root as python-hcl2 parses it, with the quotes around names and literal
strings taken off, so that tests can read resources, variables and locals."""

from dataclasses import dataclass
from pathlib import Path

import hcl2


@dataclass
class Root:
    resources: dict[tuple[str, str], dict]
    data: dict[tuple[str, str], dict]
    variables: dict[str, dict]
    locals: dict[str, object]

    def of_type(self, kind: str) -> dict[str, dict]:
        return {name: body for (type_, name), body in self.resources.items() if type_ == kind}


def load(directory: Path) -> Root:
    root = Root({}, {}, {}, {})
    for path in sorted(directory.glob("*.tf")):
        with path.open() as handle:
            parsed = unquote(hcl2.load(handle))
        for block in parsed.get("resource", []):
            root.resources.update(_named(block))
        for block in parsed.get("data", []):
            root.data.update(_named(block))
        for block in parsed.get("variable", []):
            root.variables.update(block)
        for block in parsed.get("locals", []):
            root.locals.update(block)
    return root


def unquote(node):
    if isinstance(node, dict):
        return {unquote(key): unquote(value) for key, value in node.items() if key != "__comments__"}
    if isinstance(node, list):
        return [unquote(item) for item in node]
    if isinstance(node, str) and len(node) >= 2 and node[0] == node[-1] == '"':
        return node[1:-1]
    return node


def _named(block: dict) -> dict[tuple[str, str], dict]:
    return {(kind, name): body for kind, named in block.items() for name, body in named.items()}

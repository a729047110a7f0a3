"""Evaluates the small part of Terraform's expression language that infra/cluster/github.tf's
locals use, for machines without a `terraform` binary: string templates with ${...}, string and
list literals, var.* and local.* references, join(), jsonencode(), `==`/`!=`, and list `for`
expressions with an optional `if`. Anything else raises Unsupported, never a guess; where
terraform is installed, the tests check that both agree."""

import json
import re

NAME = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t"}


class Unsupported(Exception):
    pass


def evaluate(source: str, variables: dict, locals_: dict):
    """An attribute as python-hcl2 gives it: `${expression}` or template text."""
    return Evaluator(variables, locals_).template(source, {})


class Evaluator:
    def __init__(self, variables: dict, locals_: dict):
        self.variables, self.locals = variables, locals_

    def template(self, text: str, scope: dict):
        if text.startswith("${") and skip_interpolation(text, 0) == len(text):
            return self.expression(text[2:-1], scope)
        out, i = [], 0
        while i < len(text):
            if text.startswith("${", i):
                end = skip_interpolation(text, i)
                out.append(str(self.expression(text[i + 2:end - 1], scope)))
                i = end
            else:
                out.append(text[i])
                i += 1
        return "".join(out)

    def expression(self, text: str, scope: dict):
        value, rest = self.comparison(tokenize(text), scope)
        if rest:
            raise Unsupported(f"cannot read {rest[0]!r} in {text!r}")
        return value

    def comparison(self, tokens, scope):
        left, tokens = self.primary(tokens, scope)
        if tokens and tokens[0] in ("==", "!="):
            operator = tokens[0]
            right, tokens = self.primary(tokens[1:], scope)
            return (left == right) == (operator == "=="), tokens
        return left, tokens

    def primary(self, tokens, scope):
        if not tokens:
            raise Unsupported("an expression ends early")
        head, rest = tokens[0], tokens[1:]
        if isinstance(head, Template):
            return self.template(head.text, scope), rest
        if head == "[":
            return self.for_list(rest[1:], scope) if rest[:1] == ["for"] else self.list(rest, scope)
        if rest[:1] == ["("]:
            return self.call(head, rest[1:], scope)
        return self.reference(head, scope), rest

    def list(self, tokens, scope):
        items = []
        while tokens[0] != "]":
            item, tokens = self.comparison(tokens, scope)
            items.append(item)
            if tokens[0] == ",":
                tokens = tokens[1:]
        return items, tokens[1:]

    def for_list(self, tokens, scope):
        name, keyword, tokens = tokens[0], tokens[1], tokens[2:]
        if keyword != "in":
            raise Unsupported("only `for x in list : ...`")
        collection, tokens = self.comparison(tokens, scope)
        if tokens[:1] != [":"]:
            raise Unsupported("a for expression without `:`")
        body, condition, depth, tokens = [], None, 0, tokens[1:]
        while depth or tokens[0] != "]":
            if tokens[0] == "if" and depth == 0:
                condition = []
            else:
                depth += {"[": 1, "(": 1, "]": -1, ")": -1}.get(tokens[0], 0) if isinstance(tokens[0], str) else 0
                (body if condition is None else condition).append(tokens[0])
            tokens = tokens[1:]
        result = []
        for item in collection:
            inner = {**scope, name: item}
            if condition is not None and self.whole(condition, inner) is not True:
                continue
            result.append(self.whole(body, inner))
        return result, tokens[1:]

    def whole(self, tokens, scope):
        value, rest = self.comparison(tokens, scope)
        if rest:
            raise Unsupported(f"cannot read {rest[0]!r}")
        return value

    def call(self, function, tokens, scope):
        args = []
        while tokens[0] != ")":
            arg, tokens = self.comparison(tokens, scope)
            args.append(arg)
            if tokens[0] == ",":
                tokens = tokens[1:]
        if function == "join" and len(args) == 2:
            return args[0].join(args[1]), tokens[1:]
        if function == "jsonencode" and len(args) == 1:
            return json.dumps(args[0], separators=(",", ":")), tokens[1:]
        raise Unsupported(f"function {function}")

    def reference(self, name, scope):
        if name in scope:
            return scope[name]
        kind, _, attribute = name.partition(".")
        if kind == "var" and attribute in self.variables:
            return self.variables[attribute]
        if kind == "local" and attribute in self.locals:
            value = self.locals[attribute]
            return self.template(value, {}) if isinstance(value, str) else value
        raise Unsupported(f"reference {name}")


class Template:
    """A string literal: its text with escapes decoded outside ${...}, which stays verbatim."""

    def __init__(self, text: str):
        self.text = text


def tokenize(text: str) -> list:
    tokens, i = [], 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == '"':
            literal, i = read_string(text, i)
            tokens.append(Template(literal))
        elif text.startswith(("==", "!="), i):
            tokens.append(text[i:i + 2])
            i += 2
        elif char in "[](),:":
            tokens.append(char)
            i += 1
        elif match := NAME.match(text, i):
            tokens.append(match[0])
            i = match.end()
        else:
            raise Unsupported(f"cannot read {text[i:i + 20]!r}")
    return tokens


def read_string(text: str, start: int) -> tuple[str, int]:
    """The string literal opening at `start`: (its text, the index after its closing quote)."""
    out, i = [], start + 1
    while i < len(text):
        if text.startswith("${", i):
            end = skip_interpolation(text, i)
            out.append(text[i:end])
            i = end
        elif text[i] == "\\":
            if text[i + 1] not in ESCAPES:
                raise Unsupported(f"escape \\{text[i + 1]}")
            out.append(ESCAPES[text[i + 1]])
            i += 2
        elif text[i] == '"':
            return "".join(out), i + 1
        else:
            out.append(text[i])
            i += 1
    raise Unsupported("an unterminated string")


def skip_interpolation(text: str, start: int) -> int:
    """The index after the `}` that closes the `${` at `start` (strings inside may hold braces)."""
    i, depth = start + 2, 1
    while i < len(text):
        if text[i] == '"':
            _, i = read_string(text, i)
            continue
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise Unsupported("an unterminated ${")

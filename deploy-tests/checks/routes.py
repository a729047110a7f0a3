"""Which component answers a path: Spin's router inside one SpinApp, and the GKE Ingress
(GCE URL-map semantics) in front of the apps. Together they tell whether every public
route of spin.toml reaches the component that spin.toml says serves it."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from checks.resources import name_of, of_kind


@dataclass(frozen=True)
class Route:
    pattern: str
    component: str


def spin_routes(spin_toml: Path) -> list[Route]:
    manifest = tomllib.loads(spin_toml.read_text())
    return [Route(t["route"], t["component"]) for t in manifest["trigger"]["http"]]


def spin_components(spin_toml: Path) -> set[str]:
    return set(tomllib.loads(spin_toml.read_text())["component"])


def sample_path(pattern: str) -> str:
    """A concrete request path that the route pattern matches."""
    path = pattern.replace("/...", "/assets-sample/app.js")
    return "/".join("42" if part.startswith(":") else part for part in path.split("/"))


def spin_route(routes: list[Route], path: str) -> Route | None:
    """Spin's choice: an exact (or parameter) match first, else the longest wildcard prefix."""
    exact = [r for r in routes if not r.pattern.endswith("/...") and _segments_match(r.pattern, path)]
    if exact:
        return exact[0]
    wildcards = [r for r in routes if r.pattern.endswith("/...") and _under(r.pattern[: -len("/...")], path)]
    return max(wildcards, key=lambda r: len(r.pattern), default=None)


def ingress_service(ingress: dict, path: str) -> str | None:
    """GCE URL map: exact paths first, then the longest `/x/*` prefix, else the default backend."""
    exact, prefixes = {}, {}
    for rule in ingress["spec"].get("rules", []):
        for entry in rule["http"]["paths"]:
            if entry.get("pathType") != "ImplementationSpecific":
                raise ValueError(f"{entry['path']}: only ImplementationSpecific (GCE) paths are modelled")
            service = entry["backend"]["service"]["name"]
            if entry["path"].endswith("/*"):
                prefixes[entry["path"][:-1]] = service
            else:
                exact[entry["path"]] = service
    if path in exact:
        return exact[path]
    matches = [prefix for prefix in prefixes if path.startswith(prefix)]
    if matches:
        return prefixes[max(matches, key=len)]
    return ingress["spec"].get("defaultBackend", {}).get("service", {}).get("name")


def unknown_components(docs: list[dict], spin_toml: Path) -> list[str]:
    known = spin_components(spin_toml)
    return [
        f"{name_of(app)}: component {c!r} is not in spin.toml"
        for app in of_kind(docs, "SpinApp") for c in app["spec"].get("components", []) if c not in known
    ]


def probe_components(docs: list[dict], spin_toml: Path) -> set[str]:
    """Components that serve some SpinApp's health check paths (allowed in every app)."""
    routes = spin_routes(spin_toml)
    paths = {
        check["httpGet"]["path"]
        for app in of_kind(docs, "SpinApp") for check in app["spec"].get("checks", {}).values()
    }
    return {route.component for path in paths if (route := spin_route(routes, path))}


def coverage_problems(docs: list[dict], spin_toml: Path) -> list[str]:
    """Each component is deployed by exactly one SpinApp; probe components by every SpinApp."""
    apps = of_kind(docs, "SpinApp")
    shared = probe_components(docs, spin_toml)
    problems = []
    for component in sorted(spin_components(spin_toml)):
        owners = [name_of(app) for app in apps if component in _components(app, spin_toml)]
        if component in shared and len(owners) != len(apps):
            problems.append(f"probe component {component!r} is in {owners}, not in every SpinApp")
        elif component not in shared and len(owners) != 1:
            problems.append(f"component {component!r} is deployed by {owners or 'no SpinApp'}, not exactly one")
    return problems


def probe_problems(docs: list[dict], spin_toml: Path) -> list[str]:
    """A SpinApp's health checks must reach one of its own components."""
    routes = spin_routes(spin_toml)
    problems = []
    for app in of_kind(docs, "SpinApp"):
        own = _components(app, spin_toml)
        for kind, check in app["spec"].get("checks", {}).items():
            route = spin_route([r for r in routes if r.component in own], check["httpGet"]["path"])
            if route is None:
                problems.append(f"{name_of(app)}: {kind} path {check['httpGet']['path']} reaches none of {sorted(own)}")
    return problems


def ingress_problems(docs: list[dict], spin_toml: Path) -> list[str]:
    """Every public route, sent through the Ingress, lands on the component spin.toml names."""
    apps = {app["metadata"]["name"]: app for app in of_kind(docs, "SpinApp")}
    routes = spin_routes(spin_toml)
    ingresses = of_kind(docs, "Ingress")
    if len(ingresses) != 1:
        return [f"expected one Ingress, found {len(ingresses)}"]
    problems = []
    for route in routes:
        path = sample_path(route.pattern)
        service = ingress_service(ingresses[0], path)
        app = apps.get(service)
        if app is None:
            problems.append(f"{path} ({route.pattern}) goes to {service!r}, which is no SpinApp")
            continue
        own = _components(app, spin_toml)
        answered = spin_route([r for r in routes if r.component in own], path)
        if answered is None or answered.component != route.component:
            got = answered.component if answered else "nothing (404)"
            problems.append(f"{path} ({route.pattern}) goes to {service}, answered by {got}, not {route.component}")
    return problems


def _components(app: dict, spin_toml: Path) -> set[str]:
    # No `components` list means the whole app.
    return set(app["spec"].get("components") or spin_components(spin_toml))


def _segments_match(pattern: str, path: str) -> bool:
    want, got = pattern.strip("/").split("/"), path.strip("/").split("/")
    return len(want) == len(got) and all(w.startswith(":") or w == g for w, g in zip(want, got))


def _under(prefix: str, path: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")

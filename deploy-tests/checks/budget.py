"""The PostgreSQL connection budget: Spin keeps up to 64 pooled connections per database
address in every pod, so the HPA maxima of every SpinApp that gets a database URL, in every
environment, plus one connection per migration Job, must fit Cloud SQL's max_connections
less the slots PostgreSQL keeps for superusers. Every connection passes the environment's
Cloud SQL Auth Proxy, one upstream connection per client connection: each proxy replica must
accept the environment's whole demand (--max-connections), so one carries it while the other
is drained."""

import re

from checks.resources import containers, name_of, of_kind

SPIN_POOL_PER_POD = 64  # Spin 3.6: connections kept per address per pod
SUPERUSER_RESERVED = 3  # PostgreSQL's superuser_reserved_connections default
DB_SECRET_KEYS = ("db_url", "migrate_db_url")
PROXY = "cloud-sql-proxy"


def environment_demand(docs: list[dict]) -> int:
    """The most connections one environment's pods may hold at once."""
    maxima = {hpa["spec"]["scaleTargetRef"]["name"]: hpa["spec"]["maxReplicas"]
              for hpa in of_kind(docs, "HorizontalPodAutoscaler")}
    demand = 0
    for app in of_kind(docs, "SpinApp"):
        if any(_refers_to_db(v) for v in app["spec"].get("variables", [])):
            pods = maxima.get(app["metadata"]["name"], app["spec"].get("replicas", 1))
            demand += pods * SPIN_POOL_PER_POD
    for job in of_kind(docs, "Job"):
        demand += sum(1 for c in containers(job) if any(_refers_to_db(e) for e in c.get("env", [])))
    return demand


def problems(demands: list[int], max_connections: int) -> list[str]:
    usable = max_connections - SUPERUSER_RESERVED
    total = sum(demands)
    if total > usable:
        demanded = " + ".join(map(str, demands))
        return [f"{demanded} = {total} connections > {usable} usable of max_connections {max_connections}"]
    return []


def proxy_problems(docs: list[dict]) -> list[str]:
    """The proxy caps its connections at no less than the environment's demand."""
    demand = environment_demand(docs)
    proxies = [d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == PROXY]
    if not proxies:
        return [f"no Deployment {PROXY}"]
    problems = []
    for container in containers(proxies[0]):
        found = [int(m[1]) for arg in container.get("args", []) if (m := re.fullmatch(r"--max-connections=(\d+)", arg))]
        if not found:
            problems.append(f"{name_of(proxies[0])}/{container['name']}: no --max-connections")
        elif found[0] < demand:
            problems.append(f"{name_of(proxies[0])}: --max-connections={found[0]} < the environment's {demand}")
    return problems


def _refers_to_db(entry: dict) -> bool:
    return entry.get("valueFrom", {}).get("secretKeyRef", {}).get("key") in DB_SECRET_KEYS

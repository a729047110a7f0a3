"""The edge of the load balancer: the Cloud Armor policy of infra/cluster/armor.tf attached to
every backend the Ingress has (through the BackendConfig of every SpinApp Service), per-client
limits for writes and reads sized from BENCHMARKS.md, and HTTPS from TLS 1.2 up through the SSL
policy the FrontendConfig names."""

import copy

import pytest

from checks import edge, terraform, yamlio
from checks.resources import of_kind
from conftest import K8S, OVERLAYS, REPO

CLUSTER = terraform.load(REPO / "infra" / "cluster")
POLICY = CLUSTER.of_type("google_compute_security_policy")["edge"]
BENCHMARKS = REPO / "BENCHMARKS.md"


def rules() -> list[dict]:
    return POLICY["rule"]


def rule(description: str) -> dict:
    [found] = [r for r in rules() if r.get("description") == description]
    return found


def limit(description: str) -> tuple[int, int]:
    """(count, interval_sec) of a rule's rate_limit_threshold, variables resolved."""
    threshold = rule(description)["rate_limit_options"][0]["rate_limit_threshold"][0]
    count = threshold["count"]
    variable = count.removeprefix("${var.").removesuffix("}")
    return CLUSTER.variables[variable]["default"], threshold["interval_sec"]


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_security_policy_guards_every_backend_of_the_ingress(overlays, env):
    docs = overlays[env]
    assert edge.ingress_backends(docs) == {"todo-read", "todo-write", "todo-image"}
    assert edge.unprotected_backends(docs, POLICY["name"]) == []


def test_a_backend_without_the_policy_is_rejected(overlays):
    docs = copy.deepcopy(overlays[OVERLAYS[0]])
    del of_kind(docs, "BackendConfig")[0]["spec"]["securityPolicy"]
    problems = edge.unprotected_backends(docs, POLICY["name"])
    assert problems == [f"SpinApp/{app}: BackendConfig/todo-health attaches security policy None, not 'todo-edge'"
                        for app in ("todo-image", "todo-read", "todo-write")]


def test_a_backend_that_is_no_spinapp_is_rejected(overlays):
    docs = copy.deepcopy(overlays[OVERLAYS[0]])
    [ingress] = of_kind(docs, "Ingress")
    ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] = "image-sidecar"
    assert "Service/image-sidecar: a backend of the Ingress that is no SpinApp's Service" in \
        edge.unprotected_backends(docs, POLICY["name"])


def test_writes_and_reads_are_limited_per_client_ip_with_429():
    assert POLICY["type"] == "CLOUD_ARMOR"
    writes, reads = rule("writes per client"), rule("reads per client")
    assert writes["action"] == "rate_based_ban" and reads["action"] == "throttle"
    for limited in (writes, reads):
        options = limited["rate_limit_options"][0]
        assert (options["conform_action"], options["exceed_action"], options["enforce_on_key"]) == (
            "allow", "deny(429)", "IP")
    expression = writes["match"][0]["expr"][0]["expression"]
    assert all(f"request.method == '{method}'" in expression for method in ("POST", "PATCH", "PUT", "DELETE"))
    assert reads["match"][0]["config"][0]["src_ip_ranges"] == ["*"]
    assert writes["priority"] < reads["priority"], "writes meet their own limit first"
    default = max(rules(), key=lambda r: r["priority"])
    assert (default["priority"], default["action"]) == (2147483647, "allow")
    assert len({r["priority"] for r in rules()}) == len(rules())


@pytest.mark.parametrize("env", OVERLAYS)
def test_the_limits_are_sized_from_the_benchmarks(overlays, env):
    """One client may take at most 1 % of what the write pods serve at their HPA maximum and
    2 % of what the read pods serve, and at least what a person's browser needs."""
    docs = overlays[env]
    write_capacity = edge.capacity(docs, "todo-write", edge.benchmark_rate(BENCHMARKS, "`POST /api/todo`"))
    read_capacity = edge.capacity(docs, "todo-read", edge.benchmark_rate(BENCHMARKS, "`GET /api/todos` (50 rows)"))
    (writes, write_interval), (reads, read_interval) = limit("writes per client"), limit("reads per client")
    assert writes / write_interval <= 0.01 * write_capacity, (writes, write_capacity)
    assert reads / read_interval <= 0.02 * read_capacity, (reads, read_capacity)
    # A person: a few todos a minute; a page load is about ten requests, the list refreshes.
    assert writes / write_interval * 60 >= 30 and reads / read_interval * 60 >= 300


def test_the_benchmark_figures_are_read_from_the_table():
    assert edge.benchmark_rate(BENCHMARKS, "`POST /api/todo`") > 1000
    with pytest.raises(LookupError):
        edge.benchmark_rate(BENCHMARKS, "`GET /nowhere`")


def test_https_speaks_tls_1_2_and_up_through_the_ssl_policy_the_frontend_config_names():
    policy = CLUSTER.of_type("google_compute_ssl_policy")["tls"]
    assert policy["min_tls_version"] == "TLS_1_2" and policy["profile"] in ("MODERN", "RESTRICTED")
    frontend = yamlio.load_file(K8S / "components" / "https" / "frontend-config.yaml")
    assert frontend["spec"]["sslPolicy"] == policy["name"]
    assert frontend["spec"]["redirectToHttps"] == {"enabled": True, "responseCodeName": "MOVED_PERMANENTLY_DEFAULT"}

"""todo-read and todo-write survive a node drain (2+ replicas, a disruption budget each), and
every environment's pods together cannot open more PostgreSQL connections than Cloud SQL
allows (the connection budget of DEPLOY.md)."""

import copy

import pytest

from checks import budget, terraform
from checks.resources import of_kind
from conftest import OVERLAYS, REPO

HIGHLY_AVAILABLE = ("todo-read", "todo-write")
CLUSTER = terraform.load(REPO / "infra" / "cluster")


def hpa(docs, name):
    return next(h for h in of_kind(docs, "HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"]["name"] == name)


@pytest.mark.parametrize("env", OVERLAYS)
@pytest.mark.parametrize("app", HIGHLY_AVAILABLE)
def test_the_api_apps_run_two_pods_and_have_a_disruption_budget(overlays, env, app):
    assert hpa(overlays[env], app)["spec"]["minReplicas"] >= 2
    budgets = [p for p in of_kind(overlays[env], "PodDisruptionBudget")
               if p["spec"]["selector"]["matchLabels"] == {"core.spinkube.dev/app-name": app}]
    assert len(budgets) == 1, f"one PodDisruptionBudget selects the pods of {app}"
    assert budgets[0]["spec"].get("maxUnavailable") == 1


def terraform_max_connections() -> int:
    [instance] = CLUSTER.of_type("google_sql_database_instance").values()
    flags = {f["name"]: f["value"] for f in instance["settings"][0].get("database_flags", [])}
    assert flags.get("max_connections") == "${var.db_max_connections}", "the flag is set from the variable"
    return CLUSTER.variables["db_max_connections"]["default"]


def test_the_connection_budget_holds_for_the_terraform_tier_and_the_hpa_maxima(overlays):
    environments = CLUSTER.variables["environments"]["default"]
    assert sorted(environments) == sorted(OVERLAYS), "one overlay per Terraform environment"
    demands = [budget.environment_demand(overlays[env]) for env in environments]
    assert all(d > 0 for d in demands)
    assert budget.problems(demands, terraform_max_connections()) == []


def test_the_budget_counts_every_database_app_at_its_maximum(overlays):
    docs = overlays[OVERLAYS[0]]
    maxima = sum(hpa(docs, app)["spec"]["maxReplicas"] for app in ("todo-read", "todo-write", "todo-image"))
    assert budget.environment_demand(docs) == maxima * budget.SPIN_POOL_PER_POD + 1  # + the migration


@pytest.mark.parametrize("env", OVERLAYS)
def test_each_proxy_replica_accepts_the_environments_whole_demand(overlays, env):
    assert budget.proxy_problems(overlays[env]) == []
    [proxy] = [d for d in of_kind(overlays[env], "Deployment") if d["metadata"]["name"] == budget.PROXY]
    assert proxy["spec"]["replicas"] >= 2
    budgets = [p for p in of_kind(overlays[env], "PodDisruptionBudget") if p["metadata"]["name"] == budget.PROXY]
    assert [b["spec"] for b in budgets] == [{"maxUnavailable": 1, "selector": proxy["spec"]["selector"]}]


def test_a_proxy_capped_below_the_demand_is_rejected(overlays):
    docs = copy.deepcopy(overlays[OVERLAYS[0]])
    [proxy] = [d for d in of_kind(docs, "Deployment") if d["metadata"]["name"] == budget.PROXY]
    args = proxy["spec"]["template"]["spec"]["containers"][0]["args"]
    args[args.index("--max-connections=600")] = "--max-connections=100"
    assert budget.proxy_problems(docs) == ["Deployment/cloud-sql-proxy: --max-connections=100 < the environment's 577"]


def test_raised_maxima_break_the_budget(overlays):
    docs = copy.deepcopy(overlays[OVERLAYS[0]])
    hpa(docs, "todo-read")["spec"]["maxReplicas"] = 12
    demand = budget.environment_demand(docs)
    assert budget.problems([demand, demand], terraform_max_connections()) != []


@pytest.mark.parametrize("env", OVERLAYS)
def test_no_app_waits_for_the_database_to_be_ready(overlays, env):
    # /healthz: alive; /readyz: configured; neither reaches the database. Every component answers
    # a database outage with its own 503 + Retry-After, which a pod taken out of the load balancer
    # would turn into 502.
    readiness = {a["metadata"]["name"]: a["spec"]["checks"]["readiness"]["httpGet"]["path"]
                 for a in of_kind(overlays[env], "SpinApp")}
    assert readiness == {"todo-read": "/healthz", "todo-write": "/healthz", "todo-image": "/healthz"}
    liveness = {a["spec"]["checks"]["liveness"]["httpGet"]["path"] for a in of_kind(overlays[env], "SpinApp")}
    assert liveness == {"/healthz"}

"""NetworkPolicies: every pod's traffic is restricted both ways; the load balancer reaches
only the Spin apps, which reach only the database proxy, the sidecar, the namespace's
OpenTelemetry collector and DNS; only the proxy reaches Cloud SQL's range (from Terraform). GKE
enforces them only with Dataplane V2, which the cluster enables."""

import copy
from urllib.parse import urlsplit

import pytest

from checks import network, terraform
from checks.resources import of_kind
from conftest import OVERLAYS, REPO, secret_examples

CLUSTER = terraform.load(REPO / "infra" / "cluster")
DNS = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
       "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}
GOOGLE_LOAD_BALANCER = {"130.211.0.0/22", "35.191.0.0/16"}
PROXY = {"app.kubernetes.io/name": "cloud-sql-proxy"}


def database_range() -> str:
    services = CLUSTER.of_type("google_compute_global_address")["private_services"]
    return f"{services['address']}/{services['prefix_length']}"


@pytest.mark.parametrize("env", OVERLAYS)
def test_every_pod_is_restricted_both_ways(overlays, env):
    assert network.unrestricted_pods(overlays[env]) == []


@pytest.mark.parametrize("env", OVERLAYS)
def test_spin_apps_talk_only_to_the_load_balancer_the_database_proxy_the_sidecar_and_the_collector(overlays, env):
    docs = overlays[env]
    for app in ("SpinApp/todo-read", "SpinApp/todo-write", "SpinApp/todo-image"):
        egress = network.allowed_peers(docs, app, "Egress")
        destinations = [p.get("ipBlock", {}).get("cidr") or p.get("podSelector", {}).get("matchLabels") for p in egress
                        if p.get("podSelector") != DNS["podSelector"]]
        assert destinations == [
            PROXY, {"app.kubernetes.io/name": "image-sidecar"}, {"app.kubernetes.io/name": "otel-collector"}
        ], app
        assert not [p for p in egress if "ipBlock" in p], f"{app} reaches no address outside the namespace"
        ingress = network.allowed_peers(docs, app, "Ingress")
        assert {p["ipBlock"]["cidr"] for p in ingress if "ipBlock" in p} == GOOGLE_LOAD_BALANCER
        assert all(port["port"] == 80 for p in ingress for port in p["ports"])


@pytest.mark.parametrize("env", OVERLAYS)
def test_only_todo_image_and_the_metrics_scrape_reach_the_sidecar(overlays, env):
    ingress = network.allowed_peers(overlays[env], "StatefulSet/image-sidecar", "Ingress")
    assert [p["podSelector"]["matchLabels"] for p in ingress] == [
        {network.SPIN_APP_LABEL: "todo-image"}, {"app.kubernetes.io/name": "otel-collector"}
    ]


def test_the_cluster_enforces_network_policies_with_dataplane_v2():
    [cluster] = CLUSTER.of_type("google_container_cluster").values()
    assert cluster["datapath_provider"] == "ADVANCED_DATAPATH"


def test_a_pod_left_open_is_rejected(overlays):
    docs = copy.deepcopy(overlays[OVERLAYS[0]])
    docs.remove(next(p for p in of_kind(docs, "NetworkPolicy") if p["metadata"]["name"] == "default-deny"))
    problems = network.unrestricted_pods(docs)
    assert "Job/todo-migrate: ingress is not restricted by any NetworkPolicy" in problems
    assert not any("egress" in p for p in problems if "SpinApp" in p)


def test_selectors_follow_kubernetes_semantics():
    labels = {"core.spinkube.dev/app-name": "todo-read"}
    assert network.selects({}, labels)
    assert network.selects({"matchExpressions": [{"key": "core.spinkube.dev/app-name", "operator": "Exists"}]}, labels)
    assert not network.selects({"matchLabels": {"app.kubernetes.io/name": "image-sidecar"}}, labels)
    assert not network.selects({"matchExpressions": [{"key": "x", "operator": "In", "values": ["y"]}]}, labels)


@pytest.mark.parametrize("env", OVERLAYS)
def test_only_this_namespaces_spin_apps_and_migration_reach_the_proxy_and_it_reaches_only_cloud_sql(overlays, env):
    docs = overlays[env]
    ingress = network.allowed_peers(docs, "Deployment/cloud-sql-proxy", "Ingress")
    assert [p.get("podSelector") for p in ingress] == [
        {"matchExpressions": [{"key": network.SPIN_APP_LABEL, "operator": "Exists"}]},
        {"matchLabels": {"app.kubernetes.io/name": "todo-migrate"}},
    ]
    assert not [p for p in ingress if "namespaceSelector" in p or "ipBlock" in p], "no other namespace, no address"
    assert {port["port"] for p in ingress for port in p["ports"]} == {5432}
    egress = network.allowed_peers(docs, "Deployment/cloud-sql-proxy", "Egress")
    to_database = [p for p in egress if p.get("ipBlock", {}).get("cidr") == database_range()]
    assert [port["port"] for p in to_database for port in p["ports"]] == [3307]
    assert not [p for p in egress if p.get("podSelector") not in (None, DNS["podSelector"])], "no pod of the app"
    migrate = network.allowed_peers(docs, "Job/todo-migrate", "Egress")
    to_pods = [p.get("podSelector", {}).get("matchLabels") for p in migrate
               if p.get("podSelector") != DNS["podSelector"]]
    assert to_pods == [PROXY]


def test_the_secret_template_sends_the_apps_through_the_proxy_service(overlays):
    data = secret_examples()["todo-db"]["stringData"]
    [service] = [s for s in of_kind(overlays[OVERLAYS[0]], "Service") if s["metadata"]["name"] == "cloud-sql-proxy"]
    proxy = f"{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    assert data["db_host"] == proxy
    for key in ("db_url", "migrate_db_url"):
        assert urlsplit(data[key]).netloc.endswith("@" + proxy), key
    assert urlsplit(data["db_url"]).username.endswith("_app")
    assert urlsplit(data["migrate_db_url"]).username.endswith("_migrator")

"""Nodes without public addresses and a control plane without a public IP endpoint: private
nodes egress through Cloud NAT (the image sidecar's and the daily CronJob's HTTPS fetches) and
reach Google APIs through Private Google Access; kubectl, Terraform stage 2 and the workflows
reach the control plane through its DNS endpoint (Google IAM decides), the VPC through its
private IP. The node service account holds GKE's default node role."""

import re

from checks import terraform, yamlio
from conftest import REPO

CLUSTER = terraform.load(REPO / "infra" / "cluster")
SPINKUBE_VERSIONS = (REPO / "infra" / "spinkube" / "versions.tf").read_text()


def cluster():
    [found] = CLUSTER.of_type("google_container_cluster").values()
    return found


def test_nodes_are_private_and_the_control_plane_has_no_public_ip_endpoint():
    private = cluster()["private_cluster_config"][0]
    assert private["enable_private_nodes"] is True and private["enable_private_endpoint"] is True
    assert cluster()["control_plane_endpoints_config"][0]["dns_endpoint_config"][0]["allow_external_traffic"] is True
    [authorized] = cluster()["master_authorized_networks_config"]
    assert [b["cidr_block"] for b in authorized["cidr_blocks"]] == ["${google_compute_subnetwork.nodes.ip_cidr_range}"]


def test_private_nodes_egress_through_cloud_nat_and_reach_google_apis_privately():
    subnet = CLUSTER.of_type("google_compute_subnetwork")["nodes"]
    assert subnet["private_ip_google_access"] is True
    [router] = CLUSTER.of_type("google_compute_router").values()
    [nat] = CLUSTER.of_type("google_compute_router_nat").values()
    assert router["network"] == "${google_compute_network.todo.id}"
    assert nat["router"] == "${google_compute_router.nat.name}"
    assert nat["source_subnetwork_ip_ranges_to_nat"] == "ALL_SUBNETWORKS_ALL_IP_RANGES"


def test_every_client_of_the_control_plane_uses_its_dns_endpoint():
    assert "dns_endpoint_config[0].endpoint" in SPINKUBE_VERSIONS
    assert "cluster_ca_certificate" not in SPINKUBE_VERSIONS, "the DNS endpoint serves a public certificate"
    for workflow in ("deploy.yml", "teardown.yml"):
        text = (REPO / ".github" / "workflows" / workflow).read_text()
        assert re.search(r"gcloud container clusters get-credentials .* --dns-endpoint", text), workflow
        assert "install_components: gke-gcloud-auth-plugin" in text, "kubectl refreshes its token through gcloud"
        assert "get-gke-credentials" not in text, "a static token would expire inside a long job"
    make = (REPO / "Makefile").read_text()
    assert re.search(r"get-credentials todo .*--dns-endpoint", make)


def test_the_node_service_account_holds_gkes_default_node_role():
    roles = CLUSTER.of_type("google_project_iam_member")["nodes"]["for_each"]
    assert '"roles/container.defaultNodeServiceAccount"' in roles


def test_the_proxys_google_account_may_only_connect_to_cloud_sql():
    roles = [m["role"] for m in CLUSTER.of_type("google_project_iam_member").values()
             if "sql_proxy" in m.get("for_each", "")]
    assert roles == ["roles/cloudsql.client"]
    [instance] = CLUSTER.of_type("google_sql_database_instance").values()
    settings = instance["settings"][0]
    assert settings["connector_enforcement"] == "REQUIRED"
    assert settings["ip_configuration"][0]["ssl_mode"] == "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
    assert settings["ip_configuration"][0]["ipv4_enabled"] is False
    example = yamlio.load_file(REPO / "k8s" / "secrets" / "todo-db.yaml.example")
    assert "ALLOW_UNENCRYPTED" not in str(CLUSTER.resources)
    assert all("cloud-sql-proxy:5432" in example["stringData"][k] for k in ("db_url", "migrate_db_url", "db_host"))

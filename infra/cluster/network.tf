# Resource Manager and IAM first: enabling the others, creating service accounts and reading
# project IAM need them, and a fresh project has neither enabled.
resource "google_project_service" "foundation" {
  for_each = toset([
    "cloudresourcemanager.googleapis.com",
    "iam.googleapis.com",
    "serviceusage.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
}

resource "google_project_service" "apis" {
  for_each = toset([
    "compute.googleapis.com",
    "container.googleapis.com",
    "sqladmin.googleapis.com",
    "servicenetworking.googleapis.com",
    "artifactregistry.googleapis.com",
    "iamcredentials.googleapis.com",
    "sts.googleapis.com",
    "storage.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
  depends_on         = [google_project_service.foundation]
}

resource "google_compute_network" "todo" {
  name                    = "todo"
  auto_create_subnetworks = false
  depends_on              = [google_project_service.apis]
}

# Private nodes: no external address; Google APIs (the registry, Cloud SQL Admin for the proxy)
# through Private Google Access, the internet (the image source, Wikipedia) through Cloud NAT.
resource "google_compute_subnetwork" "nodes" {
  name                     = "todo-nodes"
  network                  = google_compute_network.todo.id
  region                   = var.region
  ip_cidr_range            = "10.10.0.0/20"
  private_ip_google_access = true

  secondary_ip_range {
    range_name    = "pods"
    ip_cidr_range = "10.20.0.0/16"
  }
  secondary_ip_range {
    range_name    = "services"
    ip_cidr_range = "10.30.0.0/20"
  }
}

# Private services access: Cloud SQL gets an address inside this VPC, no public IP. A fixed
# range, because the apps' NetworkPolicies allow egress to it (k8s/base/network-policies.yaml).
resource "google_compute_global_address" "private_services" {
  name          = "todo-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  address       = "10.40.0.0"
  prefix_length = 16
  network       = google_compute_network.todo.id
}

# ABANDON: right after Cloud SQL is deleted the service still holds the connection ("Producer
# services ... are still using this connection"); `infra/gcp.sh down` removes the peering
# itself (as the console does) before the network goes.
resource "google_service_networking_connection" "private_services" {
  network                 = google_compute_network.todo.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]
  deletion_policy         = "ABANDON"
}

resource "google_compute_router" "nat" {
  name    = "todo-nat"
  network = google_compute_network.todo.id
  region  = var.region
}

# Egress for the private nodes: the image sidecar's and the daily CronJob's HTTPS fetches (their
# NetworkPolicies allow port 443 to public addresses only), image pulls from public registries.
resource "google_compute_router_nat" "nat" {
  name                               = "todo-nat"
  router                             = google_compute_router.nat.name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "ALL_SUBNETWORKS_ALL_IP_RANGES"
  log_config {
    enable = true
    filter = "ERRORS_ONLY"
  }
}

# One external address per environment, named like its namespace; the overlay's Ingress asks
# for it (kubernetes.io/ingress.global-static-ip-name), so a domain's A record stays valid.
resource "google_compute_global_address" "ingress" {
  for_each   = toset(var.environments)
  name       = "todo-${each.value}"
  depends_on = [google_project_service.apis]
}

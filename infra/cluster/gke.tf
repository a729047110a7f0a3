resource "google_container_cluster" "todo" {
  name                     = "todo"
  location                 = var.zone
  network                  = google_compute_network.todo.id
  subnetwork               = google_compute_subnetwork.nodes.id
  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = false

  release_channel {
    channel = "REGULAR"
  }
  # VPC-native: container-native load balancing (NEGs) for the Ingress.
  ip_allocation_policy {
    cluster_secondary_range_name  = "pods"
    services_secondary_range_name = "services"
  }
  workload_identity_config {
    workload_pool = "${var.project_id}.svc.id.goog"
  }
  # Nodes have private addresses only (egress: Cloud NAT, network.tf). The control plane has no
  # public IP endpoint: kubectl, Terraform stage 2 and the GitHub deployers reach it through its
  # DNS endpoint, where Google IAM decides who gets in (the permission container.clusters.connect),
  # and from inside the VPC through its private IP.
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = true
    master_ipv4_cidr_block  = var.control_plane_ipv4_cidr
  }
  master_authorized_networks_config {
    cidr_blocks {
      cidr_block   = google_compute_subnetwork.nodes.ip_cidr_range
      display_name = "the cluster's own subnet"
    }
  }
  control_plane_endpoints_config {
    dns_endpoint_config {
      allow_external_traffic = true
    }
  }
  # Dataplane V2 (Cilium): enforces the app namespaces' NetworkPolicies.
  datapath_provider = "ADVANCED_DATAPATH"
  depends_on        = [google_project_service.apis]
}

resource "google_service_account" "nodes" {
  account_id   = "todo-gke-nodes"
  display_name = "GKE nodes of the todo cluster"
  depends_on   = [google_project_service.foundation]
}

resource "google_project_iam_member" "nodes" {
  # What GKE needs of a node service account (logging, monitoring, ...), and image pulls.
  for_each = toset([
    "roles/container.defaultNodeServiceAccount",
    "roles/artifactregistry.reader",
  ])
  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.nodes.email}"
}

resource "google_container_node_pool" "wasm" {
  name     = "wasm"
  cluster  = google_container_cluster.todo.id
  location = var.zone

  autoscaling {
    min_node_count = 1
    max_node_count = var.node_count_max
  }
  management {
    auto_repair  = true
    auto_upgrade = true
  }
  node_config {
    machine_type = var.node_machine_type
    # Ubuntu with containerd: runtime-class-manager writes containerd-shim-spin to the host,
    # which Container-Optimized OS (read-only root) does not allow; it supports GKE on Ubuntu
    # nodes only.
    image_type = "UBUNTU_CONTAINERD"
    # The Shim's nodeSelector (infra/spinkube/shim-chart): every node of the pool, also
    # those the autoscaler adds or an upgrade replaces, gets the shim.
    labels          = { spin = "true" }
    service_account = google_service_account.nodes.email
    oauth_scopes    = ["https://www.googleapis.com/auth/cloud-platform"]
    workload_metadata_config {
      mode = "GKE_METADATA"
    }
  }
}

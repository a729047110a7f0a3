# Stage 2: SpinKube in the cluster of stage 1 (cert-manager, runtime-class-manager with the
# Shim, spin-operator with its CRDs) and the app namespaces with their deploy rights.
terraform {
  required_version = ">= 1.8" # provider functions (manifest_decode)
  required_providers {
    google     = { source = "hashicorp/google", version = "~> 6.0" }
    helm       = { source = "hashicorp/helm", version = "~> 2.17" }
    kubernetes = { source = "hashicorp/kubernetes", version = "~> 2.35" }
    http       = { source = "hashicorp/http", version = "~> 3.4" }
  }
  backend "gcs" { prefix = "todo/spinkube" }
}

provider "google" {
  project = var.project_id
}

data "google_client_config" "current" {}

data "google_container_cluster" "todo" {
  name     = var.cluster_name
  location = var.zone
}

# The control plane's DNS endpoint (infra/cluster/gke.tf: no public IP endpoint), which serves a
# publicly trusted certificate (so no cluster CA here) and admits whom Google IAM allows.
locals {
  cluster = {
    host  = "https://${data.google_container_cluster.todo.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint}"
    token = data.google_client_config.current.access_token
  }
}

provider "kubernetes" {
  host  = local.cluster.host
  token = local.cluster.token
}

provider "helm" {
  kubernetes {
    host  = local.cluster.host
    token = local.cluster.token
  }
}

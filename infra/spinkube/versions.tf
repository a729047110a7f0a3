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

locals {
  cluster = {
    host                   = "https://${data.google_container_cluster.todo.endpoint}"
    token                  = data.google_client_config.current.access_token
    cluster_ca_certificate = base64decode(data.google_container_cluster.todo.master_auth[0].cluster_ca_certificate)
  }
}

provider "kubernetes" {
  host                   = local.cluster.host
  token                  = local.cluster.token
  cluster_ca_certificate = local.cluster.cluster_ca_certificate
}

provider "helm" {
  kubernetes {
    host                   = local.cluster.host
    token                  = local.cluster.token
    cluster_ca_certificate = local.cluster.cluster_ca_certificate
  }
}

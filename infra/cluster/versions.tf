# Stage 1: the GCP resources (network, GKE, Cloud SQL, Artifact Registry, GitHub OIDC).
# Stage 2 (../spinkube) installs SpinKube into the cluster once it exists.
terraform {
  required_version = ">= 1.6"
  required_providers {
    google = { source = "hashicorp/google", version = "~> 6.0" }
    random = { source = "hashicorp/random", version = "~> 3.6" }
  }
  # State in a bucket created by `make gcp-infra-preq`; `terraform init -backend-config=bucket=...`.
  backend "gcs" { prefix = "todo/cluster" }
}

provider "google" {
  project = var.project_id
  region  = var.region
}

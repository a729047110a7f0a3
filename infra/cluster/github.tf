# GitHub Actions authenticates with OIDC tokens (Workload Identity Federation): no service
# account key exists anywhere. Only jobs of var.github_repository that run on a deploy branch
# (ref) in the GitHub environment of that branch may impersonate the deployer: a pull request,
# another branch or a workflow without the environment gets no token.
resource "google_iam_workload_identity_pool" "github" {
  workload_identity_pool_id = "github"
  display_name              = "GitHub Actions"
  depends_on                = [google_project_service.apis, google_project_service.foundation]
}

resource "google_iam_workload_identity_pool_provider" "github" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = "github-oidc"
  attribute_mapping = {
    "google.subject"        = "assertion.sub"
    "attribute.repository"  = "assertion.repository"
    "attribute.ref"         = "assertion.ref"
    "attribute.environment" = "assertion.environment"
  }
  attribute_condition = local.github_condition
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

locals {
  # e.g. repository == "me/todo" && ref in ["refs/heads/main", ...] && environment in ["main", ...]
  github_condition = join(" && ", [
    "assertion.repository == ${jsonencode(var.github_repository)}",
    "assertion.ref in ${jsonencode([for env in var.environments : "refs/heads/${env}"])}",
    "assertion.environment in ${jsonencode(var.environments)}",
  ])
}

resource "google_service_account" "deployer" {
  account_id   = "todo-github-deployer"
  display_name = "GitHub Actions deployer of the todo app"
  depends_on   = [google_project_service.foundation]
}

resource "google_service_account_iam_member" "deployer_from_github" {
  service_account_id = google_service_account.deployer.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/attribute.repository/${var.github_repository}"
}

# Cluster credentials only (container.clusters.get): what it may do inside the cluster is the
# RBAC Role of the app namespaces (infra/spinkube/namespaces.tf). Pushes go to the one
# repository.
resource "google_project_iam_member" "deployer_cluster" {
  project = var.project_id
  role    = "roles/container.clusterViewer"
  member  = "serviceAccount:${google_service_account.deployer.email}"
}

resource "google_artifact_registry_repository_iam_member" "deployer_push" {
  repository = google_artifact_registry_repository.todo.name
  location   = google_artifact_registry_repository.todo.location
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.deployer.email}"
}

# GitHub Actions authenticates with OIDC tokens (Workload Identity Federation): no service
# account key exists anywhere. The pool accepts only tokens of this repository, matched by its
# numeric id and its owner's (a renamed or re-created repository of the same name gets another
# id), from a job that runs in one of these GitHub environments:
#   build       on a deploy branch: builds and pushes the artifacts (todo-github-builder);
#   <env>       on the branch of the same name: deploys them (todo-deploy-<env>);
#   <env>       of a branch other than the default one, for the `delete` event of the default
#               branch: the teardown of that environment (.github/workflows/teardown.yml).
# Each service account accepts only its own environment's tokens (attribute.environment), so no
# credential of develop deploys to, or reads anything of, main.
resource "random_id" "github_pool" {
  # A deleted pool's id stays taken for about 30 days (soft delete): a rebuilt project gets a new one.
  byte_length = 3
}

resource "google_iam_workload_identity_pool" "github" {
  workload_identity_pool_id = "github-${random_id.github_pool.hex}"
  display_name              = "GitHub Actions"
  depends_on                = [google_project_service.apis, google_project_service.foundation]
}

resource "google_iam_workload_identity_pool_provider" "github" {
  workload_identity_pool_id          = google_iam_workload_identity_pool.github.workload_identity_pool_id
  workload_identity_pool_provider_id = "github-oidc"
  attribute_mapping = {
    "google.subject"        = "assertion.sub"
    "attribute.environment" = "assertion.environment"
  }
  attribute_condition = local.github_condition
  oidc {
    issuer_uri = "https://token.actions.githubusercontent.com"
  }
}

locals {
  deploy_refs = [for env in var.environments : "refs/heads/${env}"]
  # Environments whose branch can be deleted and torn down from the default branch.
  teardown_environments = [for env in var.environments : env if env != var.github_default_branch]
  github_condition = join(" && ", [
    "assertion.repository_id == ${jsonencode(var.github_repository_id)}",
    "assertion.repository_owner_id == ${jsonencode(var.github_repository_owner_id)}",
    "(${join(" || ", [
      "(assertion.environment == \"build\" && assertion.ref in ${jsonencode(local.deploy_refs)})",
      "(assertion.environment in ${jsonencode(var.environments)} && assertion.ref == \"refs/heads/\" + assertion.environment)",
      "(assertion.environment in ${jsonencode(local.teardown_environments)} && assertion.event_name == \"delete\" && assertion.ref == ${jsonencode("refs/heads/${var.github_default_branch}")})",
    ])})",
  ])
}

locals {
  github_principal_set = "principalSet://iam.googleapis.com/${google_iam_workload_identity_pool.github.name}/attribute.environment"
}

# Builds and pushes; holds no cluster right.
resource "google_service_account" "builder" {
  account_id   = "todo-github-builder"
  display_name = "GitHub Actions: builds and pushes the todo artifacts"
  depends_on   = [google_project_service.foundation]
}

resource "google_service_account_iam_member" "builder_from_github" {
  service_account_id = google_service_account.builder.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "${local.github_principal_set}/build"
}

resource "google_artifact_registry_repository_iam_member" "builder_push" {
  repository = google_artifact_registry_repository.todo.name
  location   = google_artifact_registry_repository.todo.location
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.builder.email}"
}

# One deployer per environment: cluster credentials only (container.clusters.get); what it may
# do inside the cluster is the RBAC Role of its own namespace (infra/spinkube/namespaces.tf).
# It pushes nothing and builds nothing: it deploys the digests the build job pushed.
resource "google_service_account" "deployer" {
  for_each     = toset(var.environments)
  account_id   = "todo-deploy-${each.value}"
  display_name = "GitHub Actions: deploys todo-${each.value}"
  depends_on   = [google_project_service.foundation]
}

resource "google_service_account_iam_member" "deployer_from_github" {
  for_each           = google_service_account.deployer
  service_account_id = each.value.name
  role               = "roles/iam.workloadIdentityUser"
  member             = "${local.github_principal_set}/${each.key}"
}

resource "google_project_iam_member" "deployer_cluster" {
  for_each = google_service_account.deployer
  project  = var.project_id
  role     = "roles/container.clusterViewer"
  member   = "serviceAccount:${each.value.email}"
}
